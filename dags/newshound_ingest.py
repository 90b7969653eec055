"""Scheduled ingestion: poll due feeds -> fetch and build (mapped over batches) -> index (and
match each written batch against the watch rules) -> deliver -> summary.

Continuous by default: a new run starts when the last one ends, and only feeds that are due are
polled, so an item is searchable about one feed interval plus one run after it appears. Only
orchestration lives here; every task is a function of pipeline.ingest.tasks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import dag, task

from pipeline.orchestration import airflow_assets, default_task_args
from pipeline.settings import airflow_settings

ARTICLES, CLAIMS = airflow_assets()


@dag(
    dag_id="newshound_ingest",
    schedule=airflow_settings().ingest_schedule,
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
        from pipeline.ingest.tasks import poll_task
        from pipeline.orchestration import short_run_id, task_settings

        return poll_task(task_settings(), short_run_id(run_id))

    @task(max_active_tis_per_dagrun=8)
    def fetch_and_build(batch: list[str], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.ingest.tasks import build_task
        from pipeline.orchestration import short_run_id, task_settings

        return build_task(task_settings(), short_run_id(run_id), batch)

    # none_failed: a run with no new entries maps zero batches; leftovers and the summary still run.
    # Each written batch is matched against the watch rules here, as the in-process cycle does.
    @task(trigger_rule="none_failed", outlets=[ARTICLES, CLAIMS])
    def index(batches: list[list[str]], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.ingest.tasks import index_task
        from pipeline.orchestration import short_run_id, task_settings

        return index_task(task_settings(), short_run_id(run_id), [item for batch in batches for item in batch])

    @task(trigger_rule="none_failed")
    def deliver(indexed: dict[str, Any], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.ingest.tasks import deliver_task
        from pipeline.orchestration import short_run_id, task_settings

        return deliver_task(task_settings(), short_run_id(run_id))

    @task(trigger_rule="none_failed")
    def finish(
        build_summaries: list[dict[str, Any]],
        indexed: dict[str, Any],
        delivered: dict[str, Any],
        run_id: str | None = None,
    ) -> dict[str, Any]:
        from pipeline.ingest.tasks import finish_task
        from pipeline.orchestration import short_run_id, task_settings

        return finish_task(task_settings(), short_run_id(run_id), [*build_summaries, indexed, delivered])

    batches = poll()
    built = fetch_and_build.expand(batch=batches)
    indexed = index(batches)
    built >> indexed
    finish(built, indexed, deliver(indexed))


newshound_ingest()
