"""Scheduled ingestion: poll due feeds -> fetch and build (mapped over batches) -> index -> alerts -> summary.

Continuous by default: a new run starts when the last one ends, and only feeds that are due are
polled, so an item is searchable about one feed interval plus one run after it appears. Only
orchestration lives here; every step is a function of pipeline.ingest.steps.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import dag, task

from pipeline.orchestration import airflow_assets, default_task_args

ARTICLES, CLAIMS = airflow_assets()


@dag(
    dag_id="newshound_ingest",
    schedule=os.environ.get("NEWSHOUND_INGEST_SCHEDULE", "@continuous"),
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    default_args=default_task_args(),
    tags=["newshound", "ingest"],
    doc_md=__doc__,
)
def newshound_ingest() -> None:
    @task
    def poll(run_id: str | None = None) -> list[list[str]]:
        from pipeline.ingest.steps import poll_step
        from pipeline.orchestration import short_run_id, task_settings

        return poll_step(task_settings(), short_run_id(run_id))

    @task(max_active_tis_per_dagrun=8)
    def fetch_and_build(batch: list[str], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.ingest.steps import process_step
        from pipeline.orchestration import short_run_id, task_settings

        return process_step(task_settings(), short_run_id(run_id), batch)

    # none_failed: a run with no new entries maps zero batches; leftovers and the summary still run.
    @task(trigger_rule="none_failed", outlets=[ARTICLES, CLAIMS])
    def index(batches: list[list[str]], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.ingest.steps import index_step
        from pipeline.orchestration import short_run_id, task_settings

        return index_step(task_settings(), short_run_id(run_id), [item for batch in batches for item in batch])

    # Matches exactly the articles this run wrote (no timestamps: late articles are never missed).
    @task(trigger_rule="none_failed")
    def alerts(indexed: dict[str, Any], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.ingest.steps import alerts_step
        from pipeline.orchestration import short_run_id, task_settings

        return alerts_step(task_settings(), short_run_id(run_id), indexed["written_ids"])

    @task(trigger_rule="none_failed")
    def finish(
        build_summaries: list[dict[str, Any]],
        indexed: dict[str, Any],
        alerted: dict[str, Any],
        run_id: str | None = None,
    ) -> dict[str, Any]:
        from pipeline.ingest.steps import finish_step
        from pipeline.orchestration import short_run_id, task_settings

        return finish_step(task_settings(), short_run_id(run_id), [*build_summaries, indexed["summary"], alerted])

    batches = poll()
    built = fetch_and_build.expand(batch=batches)
    indexed = index(batches)
    built >> indexed
    finish(built, indexed, alerts(indexed))


newshound_ingest()
