"""Manual backfill: (re)ingest whole feeds or a list of URLs, optionally limited to a date range.

Trigger with params, e.g. {"feed_ids": ["bbc-world"], "since": "2024-10-01"} or
{"url_list_file": "/data/urls.txt"}. Work is staged in Elasticsearch chunk by chunk, fetched and
built in parallel batches, then indexed one batch at a time, so memory stays bounded; each
batch logs its progress.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, task

from pipeline.orchestration import airflow_assets, default_task_args

ARTICLES, CLAIMS = airflow_assets()


@dag(
    dag_id="newshound_backfill",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=24),
    default_args=default_task_args(),
    tags=["newshound", "backfill"],
    doc_md=__doc__,
    params={
        "feed_ids": Param([], type="array", description="Feed ids of the registry to re-read."),
        "urls": Param([], type="array", description="Article URLs to (re)ingest."),
        "url_list_file": Param("", type="string", description="A file with one URL per line, on the workers."),
        "since": Param("", type="string", description="Only feed entries published at or after (ISO date)."),
        "until": Param("", type="string", description="Only feed entries published at or before (ISO date)."),
        "alert": Param(False, type="boolean", description="Alert on backfilled articles (default: mark seen)."),
    },
)
def newshound_backfill() -> None:
    @task
    def plan(params: dict[str, Any] | None = None, run_id: str | None = None) -> list[list[str]]:
        from pipeline.ingest.tasks import backfill_plan_task
        from pipeline.orchestration import short_run_id, task_settings

        return backfill_plan_task(task_settings(), short_run_id(run_id), dict(params or {}))

    @task(max_active_tis_per_dagrun=4)
    def fetch_and_build(batch: list[str], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.ingest.tasks import build_task
        from pipeline.orchestration import short_run_id, task_settings

        return build_task(task_settings(), short_run_id(run_id), batch)

    # One batch at a time: bounded memory, and each batch's dedupe sees the batches before it.
    # History is marked seen for the watch rules unless the params ask for alerts.
    @task(max_active_tis_per_dagrun=1, outlets=[ARTICLES, CLAIMS])
    def index(batch: list[str], params: dict[str, Any] | None = None, run_id: str | None = None) -> dict[str, Any]:
        from pipeline.ingest.tasks import index_task
        from pipeline.orchestration import short_run_id, task_settings

        alert = bool((params or {}).get("alert"))
        return index_task(task_settings(), short_run_id(run_id), batch, alerts=alert)

    @task(trigger_rule="none_failed")
    def deliver(indexed: list[dict[str, Any]], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.ingest.tasks import deliver_task
        from pipeline.orchestration import short_run_id, task_settings

        return deliver_task(task_settings(), short_run_id(run_id))

    @task(trigger_rule="none_failed")
    def finish(
        build_summaries: list[dict[str, Any]],
        indexed: list[dict[str, Any]],
        delivered: dict[str, Any],
        run_id: str | None = None,
    ) -> dict[str, Any]:
        from pipeline.ingest.tasks import finish_task
        from pipeline.orchestration import short_run_id, task_settings

        parts = [*build_summaries, *indexed, delivered]
        return finish_task(task_settings(), short_run_id(run_id), parts, kind="backfill")

    batches = plan()
    built = fetch_and_build.expand(batch=batches)
    indexed = index.expand(batch=batches)
    built >> indexed
    finish(built, indexed, deliver(indexed))


newshound_backfill()
