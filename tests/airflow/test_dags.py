"""DAGs on real Airflow: integrity of every DAG, and the ingest DAG run end to end with `airflow dags test`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import REPO_ROOT, airflow_environment

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

AIRFLOW = str(Path(sys.executable).parent / "airflow")


@pytest.fixture(scope="module")
def dagbag_report(airflow_home: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("dagbag_report.py")), str(REPO_ROOT / "dags")],
        env=airflow_environment(airflow_home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("DAGBAG-REPORT ")), None)
    assert line is not None, f"no report:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return dict(json.loads(line.removeprefix("DAGBAG-REPORT ")))


def test_every_dag_imports_without_errors(dagbag_report: dict[str, Any]) -> None:
    assert dagbag_report["import_errors"] == {}
    assert "newshound_ingest" in dagbag_report["dags"]


def test_every_dag_has_tags_retries_and_timeouts(dagbag_report: dict[str, Any]) -> None:
    for dag_id, dag in dagbag_report["dags"].items():
        assert "newshound" in dag["tags"], dag_id
        assert dag["catchup"] is False, dag_id
        assert dag["dagrun_timeout"], dag_id
        for task_id, task in dag["tasks"].items():
            assert task["retries"] >= 1, f"{dag_id}.{task_id} has no retries"
            assert task["execution_timeout"], f"{dag_id}.{task_id} has no execution timeout"


def test_dag_files_do_no_io_at_import_time(dagbag_report: dict[str, Any]) -> None:
    assert dagbag_report["import_time_io"] == []


def run_dag(airflow_home: Path, dag_id: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AIRFLOW, "dags", "test", dag_id],
        env=airflow_environment(airflow_home, **environment),
        capture_output=True,
        text=True,
        timeout=900,
    )


def pipeline_environment(settings: Any, registry: Path) -> dict[str, str]:
    """Environment that points the DAG's tasks at the test's index prefix and the local news web."""
    return {
        "ELASTICSEARCH_URL": settings.elasticsearch.url,
        "NEWSHOUND_ELASTICSEARCH__INDEX_PREFIX": settings.elasticsearch.index_prefix,
        "NEWSHOUND_FEEDS__REGISTRY": str(registry),
        "NEWSHOUND_FETCH__ALLOWED_HOSTS": '["127.0.0.1"]',
        "NEWSHOUND_FETCH__PER_HOST_DELAY_SECONDS": "0",
        "NEWSHOUND_FETCH__PER_HOST_CONCURRENCY": "8",
        "NEWSHOUND_INGEST__WORKERS": "1",
        "NEWSHOUND_INGEST__RUN_DATA_DIR": str(registry.parent / "runs"),
    }


def write_registry(path: Path, news_web: Any, outlets: list[str]) -> Path:
    feeds = [
        {"id": outlet, "url": news_web.feed_urls()[outlet], "outlet": news_web.site.outlets[outlet].name}
        for outlet in outlets
    ]
    path.write_text(yaml.safe_dump({"feeds": feeds}), encoding="utf-8")
    return path


def test_ingest_dag_runs_end_to_end_on_real_airflow(
    airflow_home: Path, settings: Any, news_web: Any, tmp_path: Path
) -> None:
    from pipeline.index import SearchIndex

    registry = write_registry(tmp_path / "feeds.yaml", news_web, ["nachrichtenblatt", "weltrundschau", "bbc-com"])
    result = run_dag(airflow_home, "newshound_ingest", pipeline_environment(settings, registry))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    index = SearchIndex.connect(settings)
    index.client.indices.refresh(index=index.names.articles)
    articles = index.client.search(index=index.names.articles, size=50)["hits"]["hits"]
    outlets = {hit["_source"]["outlet"] for hit in articles}
    assert {"Nachrichtenblatt", "Weltrundschau"} <= outlets
    hits = index.client.search(index=index.names.articles, query={"match": {"text": "Nordkorea"}})["hits"]
    assert hits["total"]["value"] >= 2
    runs = index.client.search(index=index.names.runs)["hits"]["hits"]
    assert len(runs) == 1
    counts = runs[0]["_source"]["counts"]
    assert counts["new"] == len(articles)
    staging = index.client.search(index=index.names.staging, query={"term": {"status": "done"}}, size=0)
    assert staging["hits"]["total"]["value"] == len(articles)
