"""Drill 2: the ingest DAG's ``index`` task is killed (SIGKILL) in the middle of its bulks, then the work is re-run.

``airflow dags test newshound_ingest`` runs in its own process group against the real node through
a forwarding proxy. When the proxy sees the index task's third bulk of articles, the test checks
that Elasticsearch holds some but not all of the articles, kills the whole process group, and
then lets that bulk through: the cluster applies it although its task is dead (the worst moment:
articles written, their work items still ``processed``, that batch not matched against the
watch rules; the batches before it were, and their alerts went out).

How this maps to a task retry: under the scheduler, the killed task stops heartbeating, is marked
failed and retried (``retries``/``retry_delay`` of ``default_task_args``) with the same run id and
the same XCom input, i.e. ``index_task`` over the same work-item ids; ``deliver`` and ``finish``
follow. ``airflow dags test`` has no scheduler to retry anything and the kill takes the whole run,
so the drill runs the DAG again instead: its poll stages nothing new (the feeds' states were saved)
and returns exactly the items the killed run left ``processed`` (``due_item_ids``), its
``fetch_and_build`` passes built items through untouched, and its ``index`` and ``deliver`` tasks
run the same steps over the same staged work items as the retried tasks would. Articles the dead
task already wrote are unchanged and only marked done; alerts for them come from the catch-up in
``deliver_pending`` (their versions have no match receipt), in a retry and in a re-run alike.

Guarantees checked: every article exactly once, every staged item done, each rule's alert for
each story delivered exactly once (webhook and email, unique idempotency keys).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from drills.support import SEED_OUTLETS, assert_each_alert_delivered_once, deliveries, search_all, seed_story_id
from helpers import StoppingProxy, airflow_environment

from pipeline.index.connection import SearchIndex

pytestmark = [pytest.mark.airflow, pytest.mark.integration, pytest.mark.slow]

AIRFLOW = str(Path(sys.executable).parent / "airflow")
# 14 articles in batches of 4: four fetch_and_build tasks, and four bulks of articles in the index task.
OUTLETS = [*SEED_OUTLETS, "bbc-com", "nytimes-com", "latimes-com", "slashgear-com", "cnn-com", "politifact-com"]
BATCH_SIZE = 4
KILL_AT_ARTICLE_BULK = 3


def dag_environment(url: str, settings: Any, registry: Path, watches: Path) -> dict[str, str]:
    """What the DAG's tasks need: the test's cluster, prefix, feeds, watches and receivers' secret."""
    return {
        "ELASTICSEARCH_URL": url,
        "NEWSHOUND_ELASTICSEARCH__INDEX_PREFIX": settings.elasticsearch.index_prefix,
        "NEWSHOUND_FEEDS__REGISTRY": str(registry),
        "NEWSHOUND_ALERTS__WATCHES": str(watches),
        "ALERT_TEST_SECRET": os.environ["ALERT_TEST_SECRET"],
        "NEWSHOUND_FETCH__ALLOWED_HOSTS": '["127.0.0.1"]',
        "NEWSHOUND_FETCH__PER_HOST_DELAY_SECONDS": "0",
        "NEWSHOUND_FETCH__PER_HOST_CONCURRENCY": "8",
        "NEWSHOUND_FETCH__RETRIES": "0",
        "NEWSHOUND_INGEST__WORKERS": "1",
        "NEWSHOUND_INGEST__BATCH_SIZE": str(BATCH_SIZE),
        "NEWSHOUND_INGEST__RUN_DATA_DIR": str(registry.parent / "runs"),
        "NEWSHOUND_AIRFLOW__TASK_RETRIES": "0",  # nothing in this run may retry on its own: the drill does
    }


def article_actions(body: bytes, alias: str) -> int:
    """How many documents of a bulk body go to the articles alias."""
    lines = [json.loads(line) for line in body.splitlines() if line.strip()]
    return sum(1 for line in lines if line.get("index", {}).get("_index") == alias)


def count_articles(index: Any) -> int:
    index.client.indices.refresh(index=index.names.articles)
    return int(index.client.count(index=index.names.articles)["count"])


def test_index_task_killed_mid_bulk_then_rerun_indexes_once_and_alerts_once(
    airflow_home: Path,
    settings: Any,
    news_web: Any,
    watches_file: Path,
    receiver: Any,
    smtp_server: Any,
    elasticsearch_node: Any,
    tmp_path: Path,
) -> None:
    registry = tmp_path / "feeds.yaml"
    feeds = [{"id": o, "url": news_web.feed_urls()[o], "outlet": news_web.site.outlets[o].name} for o in OUTLETS]
    registry.write_text(yaml.safe_dump({"feeds": feeds}), encoding="utf-8")
    expected_urls = {news_web.base_url + a.path for outlet in OUTLETS for a in news_web.site.articles[outlet]}
    index = SearchIndex.connect(settings)
    alias = index.names.articles

    article_bulks: list[bytes] = []
    seen_before_kill: list[int] = []
    killed = threading.Event()
    dag: dict[str, subprocess.Popen[bytes]] = {}

    def kill_on_article_bulk(count: int, body: bytes) -> None:
        if killed.is_set() or article_actions(body, alias) == 0:
            return
        article_bulks.append(body)
        if len(article_bulks) == KILL_AT_ARTICLE_BULK:
            seen_before_kill.append(count_articles(index))
            os.killpg(dag["process"].pid, signal.SIGKILL)
            dag["process"].wait()
            killed.set()
        # Returning forwards the bulk: the cluster applies it after its task died.

    proxy = StoppingProxy(elasticsearch_node.url, kill_on_article_bulk)
    environment = dag_environment(proxy.url, settings, registry, watches_file)
    try:
        with (tmp_path / "killed-run.log").open("wb") as log:
            dag["process"] = subprocess.Popen(
                [AIRFLOW, "dags", "test", "newshound_ingest"],
                env=airflow_environment(airflow_home, **environment),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so the kill takes every child too
            )
            returncode = dag["process"].wait(timeout=600)
        output = (tmp_path / "killed-run.log").read_text(encoding="utf-8", errors="replace")
        assert killed.is_set(), f"the index task was not cut off (exit {returncode}):\n{output[-4000:]}"
        assert returncode == -signal.SIGKILL
        # The bulk in flight reaches the cluster after the kill; wait until it has been applied.
        written_by_dead_task = sum(article_actions(body, alias) for body in article_bulks)
        deadline = time.monotonic() + 30
        while count_articles(index) < written_by_dead_task and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        proxy.close()

    (before_kill,) = seen_before_kill
    assert 0 < before_kill < len(expected_urls), "killed after some but not all articles were written"
    assert count_articles(index) == written_by_dead_task < len(expected_urls)
    staged = search_all(index, index.names.staging)
    left = [item for item in staged if item["status"] == "processed"]
    indexed_ids = {article["_id"] for article in search_all(index, alias)}
    assert any(item["processed"]["article"]["id"] in indexed_ids for item in left), "written, not recorded"
    assert any(item["processed"]["article"]["id"] not in indexed_ids for item in left), "not written at all"
    # Each batch is matched and alerted on as soon as it is written, so alerts sent before the kill
    # are about articles already in the index; the re-run must not send them again (checked below).
    indexed_stories = {article["story_id"] for article in search_all(index, alias)}
    assert {story for _, story in deliveries(receiver, smtp_server).webhook_alerts} <= indexed_stories

    rerun = subprocess.run(
        [AIRFLOW, "dags", "test", "newshound_ingest"],
        env=airflow_environment(
            airflow_home, **dag_environment(elasticsearch_node.url, settings, registry, watches_file)
        ),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-5000:]

    articles = search_all(index, alias)
    urls = [article["url"] for article in articles]
    assert len(urls) == len(set(urls)) and set(urls) == expected_urls, "every article exactly once"
    assert {item["status"] for item in search_all(index, index.names.staging)} == {"done"}
    assert len(search_all(index, index.names.staging)) == len(expected_urls)

    ledger = assert_each_alert_delivered_once(index, receiver, smtp_server)
    seeds = seed_story_id(articles)
    korea = {a["story_id"] for a in articles if a["feed_id"] == "nytimes-com" and "Q423" in a["entity_ids"]}
    assert len(korea) == 1
    expected_alerts = {("north-korea", seeds), ("soldaten-kursk", seeds), ("north-korea", korea.pop())}
    assert {(alert["rule_id"], alert["story_id"]) for alert in ledger} == expected_alerts
    assert len(deliveries(receiver, smtp_server).webhook_keys) == len(expected_alerts)

    runs = {run["run_id"]: run for run in search_all(index, index.names.runs)}
    finished = [run for run in runs.values() if run["status"] == "success"]
    assert len(finished) == 1 and finished[0]["counts"]["alerts-caught-up"] >= 1, finished
