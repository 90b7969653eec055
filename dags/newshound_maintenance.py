"""Daily maintenance: analyse older articles, replay dead letters, refresh feed states, roll over and expire indices,
clean finished work items, report feeds failing for a day (see pipeline.maintenance).
Each part is its own task: one failing part is visible and does not stop the others."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import dag, task

from pipeline.orchestration import default_task_args

PARTS = [
    "analyse-older-articles",
    "replay-dead-letters",
    "refresh-feed-states",
    "roll-over-and-expire",
    "clean-staging",
    "report-failing-feeds",
]


@dag(
    dag_id="newshound_maintenance",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    default_args=default_task_args(),
    tags=["newshound", "maintenance"],
    doc_md=__doc__,
)
def newshound_maintenance() -> None:
    @task(map_index_template="{{ task.op_kwargs['part'] }}")
    def maintain(part: str, run_id: str | None = None) -> dict[str, Any]:
        from pipeline.maintenance import run_part
        from pipeline.orchestration import short_run_id, task_settings

        return run_part(task_settings(), part, short_run_id(run_id))

    @task(trigger_rule="all_done")
    def finish(parts: list[dict[str, Any]], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.maintenance import finish_maintenance
        from pipeline.orchestration import short_run_id, task_settings

        return finish_maintenance(task_settings(), short_run_id(run_id), list(parts))

    finish(maintain.expand(part=PARTS))


newshound_maintenance()
