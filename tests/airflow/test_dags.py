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
    assert {"newshound_ingest", "newshound_backfill", "newshound_maintenance"} <= set(dagbag_report["dags"])


def test_every_dag_has_tags_retries_and_timeouts(dagbag_report: dict[str, Any]) -> None:
    for dag_id, dag in dagbag_report["dags"].items():
        assert "newshound" in dag["tags"], dag_id
        assert dag["catchup"] is False, dag_id
        assert dag["dagrun_timeout"], dag_id
        for task_id, task in dag["tasks"].items():
            assert task["retries"] >= 1, f"{dag_id}.{task_id} has no retries"
            assert task["execution_timeout"], f"{dag_id}.{task_id} has no execution timeout"


def test_ingest_and_backfill_publish_the_article_and_claim_assets(dagbag_report: dict[str, Any]) -> None:
    for dag_id in ("newshound_ingest", "newshound_backfill"):
        outlets = dagbag_report["dags"][dag_id]["tasks"]["index"]["outlets"]
        assert outlets == ["newshound_articles", "newshound_claims"], dag_id


def test_ingest_dag_is_continuous_by_default(dagbag_report: dict[str, Any]) -> None:
    assert dagbag_report["dags"]["newshound_ingest"]["max_active_runs"] == 1


def test_dag_files_do_no_io_at_import_time(dagbag_report: dict[str, Any]) -> None:
    assert dagbag_report["import_time_io"] == []


def run_dag(
    airflow_home: Path, dag_id: str, environment: dict[str, str], conf: dict[str, Any] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [AIRFLOW, "dags", "test", dag_id]
    if conf is not None:
        command += ["--conf", json.dumps(conf)]
    return subprocess.run(
        command, env=airflow_environment(airflow_home, **environment), capture_output=True, text=True, timeout=900
    )


def pipeline_environment(settings: Any, registry: Path, **extra: str) -> dict[str, str]:
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
        **extra,
    }


def write_registry(path: Path, news_web: Any, outlets: list[str]) -> Path:
    feeds = [
        {"id": outlet, "url": news_web.feed_urls()[outlet], "outlet": news_web.site.outlets[outlet].name}
        for outlet in outlets
    ]
    path.write_text(yaml.safe_dump({"feeds": feeds}), encoding="utf-8")
    return path


def search(index: Any, alias: str, **query: Any) -> list[dict[str, Any]]:
    index.client.indices.refresh(index=alias)
    hits = index.client.search(index=alias, size=500, query=query or {"match_all": {}})["hits"]["hits"]
    return [hit["_source"] for hit in hits]


def runs(index: Any) -> list[dict[str, Any]]:
    index.client.indices.refresh(index=index.names.runs)
    hits = index.client.search(index=index.names.runs, sort=[{"started_at": "asc"}], size=50)["hits"]["hits"]
    return [hit["_source"] for hit in hits]


OUTLETS = ["nachrichtenblatt", "weltrundschau", "bbc-com", "nytimes-com", "latimes-com", "slashgear-com"]


def test_ingest_dag_end_to_end_then_a_second_run_indexes_nothing(
    airflow_home: Path, settings: Any, news_web: Any, tmp_path: Path
) -> None:
    from pipeline.index.connection import SearchIndex

    registry = write_registry(tmp_path / "feeds.yaml", news_web, OUTLETS)
    expected = sum(len(news_web.site.articles[outlet]) for outlet in OUTLETS)
    environment = pipeline_environment(settings, registry)
    result = run_dag(airflow_home, "newshound_ingest", environment)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    index = SearchIndex.connect(settings)
    articles = search(index, index.names.articles)
    assert len(articles) == expected
    seeds = [a for a in articles if a["outlet"] in ("Nachrichtenblatt", "Weltrundschau")]
    assert len(seeds) == 2 and seeds[0]["story_id"] == seeds[1]["story_id"]
    claims = search(index, index.names.claims, term={"speaker_entity_id": "nh:sabrina-singh"})
    assert {c["outlet"] for c in claims} == {"Nachrichtenblatt", "Weltrundschau"}
    (first,) = runs(index)
    assert first["status"] == "success" and first["counts"]["new"] == expected
    assert first["counts"]["fetched"] == expected and first["counts"]["entries-new"] == expected

    again = run_dag(airflow_home, "newshound_ingest", environment)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-5000:]
    second = runs(index)[-1]
    assert second["status"] == "success"
    assert second["counts"].get("new", 0) == 0 and second["counts"].get("updated", 0) == 0
    assert len(search(index, index.names.articles)) == expected


def test_task_failure_in_the_middle_then_rerun_ends_with_every_article_once(
    airflow_home: Path, settings: Any, news_web: Any, tmp_path: Path, elasticsearch_node: Any
) -> None:
    from helpers import StoppingProxy

    from pipeline.index.connection import SearchIndex

    if not elasticsearch_node.managed:
        pytest.skip("needs the Elasticsearch started by this test session")
    registry = write_registry(tmp_path / "feeds.yaml", news_web, OUTLETS)
    expected = sum(len(news_web.site.articles[outlet]) for outlet in OUTLETS)
    articles_alias = f'"_index":"{settings.index_names.articles}"'.encode()
    article_bulks: list[int] = []

    def stop_on_second_article_bulk(count: int, body: bytes) -> None:
        if articles_alias in body.replace(b" ", b""):
            article_bulks.append(count)
            if len(article_bulks) == 2:
                elasticsearch_node.stop()

    proxy = StoppingProxy(elasticsearch_node.url, stop_on_second_article_bulk)
    try:
        failing = pipeline_environment(
            settings,
            registry,
            ELASTICSEARCH_URL=proxy.url,
            NEWSHOUND_AIRFLOW__TASK_RETRIES="0",
            NEWSHOUND_INGEST__BATCH_SIZE="3",
            NEWSHOUND_ELASTICSEARCH__MAX_RETRIES="0",
        )
        run_dag(airflow_home, "newshound_ingest", failing)
        assert len(article_bulks) >= 2, "the index task must have been cut off in the middle"
    finally:
        proxy.close()
        elasticsearch_node.start()
    index = SearchIndex.connect(settings)
    written_before = len(search(index, index.names.articles))
    assert 0 < written_before < expected
    rerun = run_dag(airflow_home, "newshound_ingest", pipeline_environment(settings, registry))
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-5000:]
    urls = [a["canonical_url"] for a in search(index, index.names.articles)]
    assert len(urls) == expected and len(set(urls)) == expected
    pending = index.client.count(index=index.names.staging, query={"terms": {"status": ["pending", "processed"]}})
    assert pending["count"] == 0


def test_backfill_dag_ingests_a_url_list_with_params(
    airflow_home: Path, settings: Any, news_web: Any, tmp_path: Path
) -> None:
    from pipeline.index.connection import SearchIndex

    registry = write_registry(tmp_path / "feeds.yaml", news_web, ["nachrichtenblatt"])
    pages = [
        news_web.base_url + a.path for outlet in ("bbc-com", "weltrundschau") for a in news_web.site.articles[outlet]
    ]
    url_file = tmp_path / "urls.txt"
    url_file.write_text("# backfill list\n" + "\n".join(pages) + "\n", encoding="utf-8")
    conf = {"url_list_file": str(url_file), "feed_ids": ["nachrichtenblatt"]}
    result = run_dag(airflow_home, "newshound_backfill", pipeline_environment(settings, registry), conf)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    index = SearchIndex.connect(settings)
    articles = search(index, index.names.articles)
    assert len(articles) == len(pages) + 1
    assert {a["feed_id"] for a in articles} == {"backfill", "nachrichtenblatt"}
    (run,) = [r for r in runs(index) if r["kind"] == "backfill"]
    assert run["status"] == "success" and run["counts"]["new"] == len(pages) + 1


def test_maintenance_dag_replays_dead_letters_and_reports_failing_feeds(
    airflow_home: Path, settings: Any, news_web: Any, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from pipeline.index.connection import SearchIndex
    from pipeline.index.dead_letters import count_parked, park

    registry = write_registry(tmp_path / "feeds.yaml", news_web, ["nachrichtenblatt", "weltrundschau"])
    index = SearchIndex.connect(settings)
    park(
        index.client,
        index.names,
        stage="index",
        reason="index-error",
        detail="cluster said no",
        payload={
            "action": {
                "_op_type": "index",
                "_index": index.names.runs,
                "_id": "parked-run",
                "_source": {"run_id": "parked-run", "kind": "test"},
            }
        },
        key="run:parked-run",
    )
    since = datetime.now(UTC) - timedelta(days=2)
    index.client.index(
        index=index.names.feeds,
        id="weltrundschau",
        refresh=True,
        document={
            "feed_id": "weltrundschau",
            "poll_interval_minutes": 15,
            "base_interval_minutes": 15,
            "error_streak": 40,
            "failing_since": since.isoformat(),
            "last_error_reason": "fetch-http-error",
            "last_error": "HTTP 500",
            "url": news_web.feed_urls()["weltrundschau"],
        },
    )
    result = run_dag(airflow_home, "newshound_maintenance", pipeline_environment(settings, registry))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    assert index.client.get(index=index.names.runs, id="parked-run")["_source"]["kind"] == "test"
    assert count_parked(index.client, index.names) == 0
    (run,) = [r for r in runs(index) if r["kind"] == "maintenance"]
    assert run["counts"]["dead-letters-replayed"] == 1
    failing = [f for f in run["failures"] if f["reason"] == "feed-failing"]
    assert [f["feed_id"] for f in failing] == ["weltrundschau"]


def test_maintenance_dag_lists_every_part_of_the_pipeline_module() -> None:
    from pipeline.maintenance import PARTS

    source = (REPO_ROOT / "dags" / "newshound_maintenance.py").read_text(encoding="utf-8")
    listed = yaml.safe_load(source.split("PARTS = ", 1)[1].split("]", 1)[0] + "]")
    assert listed == list(PARTS)
