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
        from pipeline.ingest.steps import backfill_plan_step
        from pipeline.orchestration import short_run_id, task_settings

        return backfill_plan_step(task_settings(), short_run_id(run_id), dict(params or {}))

    @task(max_active_tis_per_dagrun=4)
    def fetch_and_build(batch: list[str], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.ingest.steps import process_step
        from pipeline.orchestration import short_run_id, task_settings

        return process_step(task_settings(), short_run_id(run_id), batch)

    # One batch at a time: bounded memory, and each batch's dedupe sees the batches before it.
    @task(max_active_tis_per_dagrun=1, outlets=[ARTICLES, CLAIMS])
    def index(batch: list[str], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.ingest.steps import index_step
        from pipeline.orchestration import short_run_id, task_settings

        return index_step(task_settings(), short_run_id(run_id), batch)

    @task(trigger_rule="none_failed")
    def alerts(
        indexed: list[dict[str, Any]], params: dict[str, Any] | None = None, run_id: str | None = None
    ) -> dict[str, Any]:
        from pipeline.ingest.steps import alerts_step
        from pipeline.orchestration import short_run_id, task_settings

        written = [article for part in indexed for article in part["written_ids"]]
        return alerts_step(task_settings(), short_run_id(run_id), written, alert=bool((params or {}).get("alert")))

    @task(trigger_rule="none_failed")
    def finish(
        build_summaries: list[dict[str, Any]],
        indexed: list[dict[str, Any]],
        alerted: dict[str, Any],
        run_id: str | None = None,
    ) -> dict[str, Any]:
        from pipeline.ingest.steps import finish_step
        from pipeline.orchestration import short_run_id, task_settings

        parts = [*build_summaries, *(part["summary"] for part in indexed), alerted]
        return finish_step(task_settings(), short_run_id(run_id), parts, kind="backfill")

    batches = plan()
    built = fetch_and_build.expand(batch=batches)
    indexed = index.expand(batch=batches)
    built >> indexed
    finish(built, indexed, alerts(indexed))


newshound_backfill()
