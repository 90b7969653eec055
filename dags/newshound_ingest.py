"""Scheduled ingestion: poll due feeds -> fetch and build (mapped over batches) -> index -> summary.

Only orchestration lives here; every step is a function in pipeline.ingest.steps.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import dag, task

DEFAULT_ARGS = {
    "retries": 3,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(minutes=30),
}


@dag(
    dag_id="newshound_ingest",
    # Continuous by default: a new run starts as soon as the last one ends, polling only due feeds.
    schedule=os.environ.get("NEWSHOUND_INGEST_SCHEDULE", "@continuous"),
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    default_args=DEFAULT_ARGS,
    tags=["newshound", "ingest"],
    doc_md=__doc__,
)
def newshound_ingest() -> None:
    @task
    def poll(run_id: str | None = None) -> list[list[str]]:
        from pipeline.ingest.steps import poll_step, short_run_id
        from pipeline.settings import load_settings

        return poll_step(load_settings(), short_run_id(run_id))

    @task(max_active_tis_per_dagrun=8)
    def fetch_and_build(batch: list[str], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.ingest.steps import process_step, short_run_id
        from pipeline.settings import load_settings

        return process_step(load_settings(), short_run_id(run_id), batch)

    # none_failed: a run with no new entries maps zero batches; leftovers and the summary still run.
    @task(trigger_rule="none_failed")
    def index(batches: list[list[str]], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.ingest.steps import index_step, short_run_id
        from pipeline.settings import load_settings

        return index_step(load_settings(), short_run_id(run_id), [item for batch in batches for item in batch])

    @task(trigger_rule="none_failed")
    def finish(
        build_summaries: list[dict[str, Any]], indexed: dict[str, Any], run_id: str | None = None
    ) -> dict[str, Any]:
        from pipeline.ingest.steps import finish_step, short_run_id
        from pipeline.settings import load_settings

        return finish_step(load_settings(), short_run_id(run_id), [*build_summaries, indexed["summary"]])

    batches = poll()
    built = fetch_and_build.expand(batch=batches)
    indexed = index(batches)
    built >> indexed
    finish(built, indexed)


newshound_ingest()
