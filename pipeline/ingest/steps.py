"""The ingest cycle cut into steps for Airflow tasks: plain JSON in and out, no Airflow imports.

Tasks pass work-item ids and summary documents; article bodies travel through the staging
index (``processed`` work items), never through XCom. Every step is idempotent: re-running it
after a crash or retry finds the items in the state the last successful write left them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.alerts import deliver_pending, load_watch_config, mark_seen, process_alerts
from pipeline.errors import RetryLater
from pipeline.index import SearchIndex, find_document
from pipeline.index.runs import record_run
from pipeline.ingest.backfill import request_from_params, stage_backfill
from pipeline.ingest.build import ArticleBuilder, fetch_and_build
from pipeline.ingest.cycle import IngestOptions
from pipeline.ingest.poll import poll_feeds
from pipeline.ingest.workitems import PROCESSED, due_item_ids, load_items, processed_fields, update_items
from pipeline.ingest.write import park_build_failures, write_articles
from pipeline.process import BuiltArticle
from pipeline.settings import Settings, load_feed_registry
from pipeline.summary import RunSummary

SummaryDocument = dict[str, Any]


def poll_step(settings: Settings, run_id: str, *, options: IngestOptions | None = None) -> list[list[str]]:
    """Poll due feeds and stage new entries; record the run as running; return work-item ids in batches."""
    options = options or IngestOptions()
    summary = RunSummary(kind="ingest", run_id=run_id)
    index = SearchIndex.connect(settings)
    sources = options.sources if options.sources is not None else load_feed_registry(settings).feeds
    now = datetime.now(UTC)
    polled = poll_feeds(
        index, settings, sources, summary, now=now, force=options.force_poll, fetcher_options=options.fetcher_options
    )
    item_ids = list(dict.fromkeys([*polled.item_ids, *due_item_ids(index, now)]))
    summary.count("work-items", len(item_ids))
    record_run(summary, index, Path(settings.ingest.run_data_dir))  # status "running" until finish_step
    size = settings.ingest.batch_size
    return [item_ids[start : start + size] for start in range(0, len(item_ids), size)]


def backfill_plan_step(settings: Settings, run_id: str, params: dict[str, Any]) -> list[list[str]]:
    """Stage everything a backfill asks for (chunk by chunk); return the work-item ids in batches."""
    summary = RunSummary(kind="backfill", run_id=run_id)
    index = SearchIndex.connect(settings)
    item_ids = stage_backfill(index, settings, request_from_params(params), summary)
    record_run(summary, index, Path(settings.ingest.run_data_dir))
    size = settings.ingest.batch_size
    return [item_ids[start : start + size] for start in range(0, len(item_ids), size)]


def process_step(
    settings: Settings, run_id: str, item_ids: Sequence[str], *, options: IngestOptions | None = None
) -> SummaryDocument:
    """Fetch and build one batch; store each built article in its work item (status processed)."""
    options = options or IngestOptions()
    summary = RunSummary(kind="ingest", run_id=run_id)
    index = SearchIndex.connect(settings)
    items = [item for item in load_items(index, item_ids) if item.status != "done"]
    with ArticleBuilder(settings) as builder:
        built, failures = fetch_and_build(
            index, settings, items, builder, summary, now=datetime.now(UTC), fetcher_options=options.fetcher_options
        )
    park_build_failures(index, failures, summary)
    fresh = {
        item.item_id: processed_fields(result.article, result.outcome)
        for item, result in built
        if item.status != PROCESSED
    }
    if fresh:
        update_items(index, fresh)
    return summary.to_document()


def index_step(settings: Settings, run_id: str, item_ids: Sequence[str]) -> dict[str, Any]:
    """Dedupe and index every processed item of the run, batch by batch; return the written article ids."""
    summary = RunSummary(kind="ingest", run_id=run_id)
    index = SearchIndex.connect(settings)
    written: list[str] = []
    size = settings.ingest.batch_size
    for start in range(0, len(item_ids), size):
        items = [
            item
            for item in load_items(index, item_ids[start : start + size])
            if item.status == PROCESSED and item.article is not None
        ]
        built = [(item, BuiltArticle(item.article, item.outcome or "fetched")) for item in items if item.article]
        result = write_articles(index, settings, built, summary, now=datetime.now(UTC))
        written.extend(result.written_ids)
    return {"written_ids": written, "summary": summary.to_document()}


def alerts_step(settings: Settings, run_id: str, article_ids: Sequence[str], *, alert: bool = True) -> SummaryDocument:
    """Match the run's written articles against the watch rules and deliver what is due (or mark them seen)."""
    summary = RunSummary(kind="ingest", run_id=run_id)
    index = SearchIndex.connect(settings)
    now = datetime.now(UTC)
    if not alert:
        mark_seen(index, article_ids, now)
        return summary.to_document()
    watches = load_watch_config(settings)
    process_alerts(index, settings, article_ids, summary, now=now, config=watches)
    deliver_pending(index, settings, summary, now=datetime.now(UTC), config=watches)
    return summary.to_document()


def finish_step(
    settings: Settings, run_id: str, parts: Sequence[SummaryDocument], *, kind: str = "ingest"
) -> SummaryDocument:
    """Merge the poll part (from the runs index) with the other tasks' parts; record the finished run."""
    try:
        index: SearchIndex | None = SearchIndex.connect(settings, ensure=False)
    except RetryLater:
        index = None
    summary = RunSummary(kind=kind, run_id=run_id)
    if index is not None:
        stored = find_document(index.client, index.names.runs, run_id)
        if stored is not None:
            poll_part = RunSummary.from_document(stored[1])
            summary.started_at = poll_part.started_at
            summary.merge(poll_part)
    for part in parts:
        if part:
            summary.merge(RunSummary.from_document(part))
    summary.finish("success")
    record_run(summary, index, Path(settings.ingest.run_data_dir))
    return summary.to_document()
