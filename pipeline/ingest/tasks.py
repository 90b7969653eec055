"""The ingest run cut into Airflow tasks: plain JSON in and out, no Airflow imports.

Each task is the run shell (``pipeline.run.RunShell``) around steps of ``pipeline.ingest.steps``,
the same steps the in-process cycle runs. Tasks pass work-item ids and summary documents;
article bodies travel through the staging index (built articles kept in their work items),
never through XCom. The first task records the run as running, the middle ones return their
summary part, the last one merges the parts and records the finished run. A transient failure
raises in every task but the last, so that Airflow retries it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.alerts.config import load_watch_config
from pipeline.index.connection import find_document
from pipeline.ingest.backfill import request_from_params, stage_backfill
from pipeline.ingest.batches import ArticleBuilder
from pipeline.ingest.steps import batches_of, build, deliver, load_built, poll, store_built, write_and_alert
from pipeline.run import Ending, RunShell
from pipeline.settings import Settings
from pipeline.summary import RunSummary

SummaryDocument = dict[str, Any]


def poll_task(settings: Settings, run_id: str) -> list[list[str]]:
    """Poll due feeds and stage new entries; record the run as running; return work-item ids in batches."""
    with RunShell(settings, "ingest", run_id=run_id, ending=Ending.START) as run:
        batches = batches_of(run, poll(run))
    return batches


def backfill_plan_task(settings: Settings, run_id: str, params: dict[str, Any]) -> list[list[str]]:
    """Stage everything a backfill asks for (chunk by chunk); return the work-item ids in batches."""
    with RunShell(settings, "backfill", run_id=run_id, ending=Ending.START) as run:
        batches = batches_of(run, stage_backfill(run, request_from_params(params)))
    return batches


def build_task(settings: Settings, run_id: str, item_ids: Sequence[str]) -> SummaryDocument:
    """Fetch and build one batch; keep each built article in its work item."""
    shell = RunShell(settings, "ingest", run_id=run_id, ending=Ending.PART)
    with shell as run, ArticleBuilder(settings) as builder:
        store_built(run, build(run, item_ids, builder))
    return shell.summary.to_document()


def index_task(settings: Settings, run_id: str, item_ids: Sequence[str], *, alerts: bool = True) -> SummaryDocument:
    """Dedupe, index and alert on the built items, batch by batch (or mark them seen: a backfill)."""
    shell = RunShell(settings, "ingest", run_id=run_id, ending=Ending.PART)
    with shell as run:
        watches = load_watch_config(settings) if alerts else None
        for batch in batches_of(run, item_ids):
            write_and_alert(run, load_built(run, batch), alerts=alerts, watches=watches)
    return shell.summary.to_document()


def deliver_task(settings: Settings, run_id: str) -> SummaryDocument:
    """Send the deliveries and digests that are due; catch up articles no run matched."""
    shell = RunShell(settings, "ingest", run_id=run_id, ending=Ending.PART)
    with shell as run:
        deliver(run)
    return shell.summary.to_document()


def finish_task(
    settings: Settings, run_id: str, parts: Sequence[SummaryDocument], *, kind: str = "ingest"
) -> SummaryDocument:
    """Merge the first task's part (from the runs index) with the other tasks' parts; record the run."""
    shell = RunShell(settings, kind, run_id=run_id, ending=Ending.FINISH, ensure_indices=False)
    with shell as run:
        for part in parts:
            if part:
                run.summary.merge(RunSummary.from_document(part))
        stored = find_document(run.index.client, run.index.names.runs, run_id)
        if stored is not None:
            first = RunSummary.from_document(stored[1])
            run.summary.started_at = first.started_at
            run.summary.merge(first)
    return shell.summary.to_document()
