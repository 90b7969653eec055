"""One ingest cycle, in process: poll -> fetch and build -> dedupe and index -> summary.

The CLI runs this; the Airflow DAG runs the same steps as separate tasks (see dags/).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.alerts import WatchConfig, deliver_pending, load_watch_config, mark_seen, process_alerts
from pipeline.errors import RetryLater
from pipeline.index import SearchIndex
from pipeline.index.runs import record_run
from pipeline.ingest.build import ArticleBuilder, PendingBatch, finish_batch, start_batch
from pipeline.ingest.poll import poll_feeds
from pipeline.ingest.workitems import due_item_ids, load_items
from pipeline.ingest.write import park_build_failures, write_articles
from pipeline.settings import FeedSource, Settings, load_feed_registry
from pipeline.summary import RunSummary

logger = logging.getLogger(__name__)

# (done, total) of the articles handled so far; for progress bars.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class IngestOptions:
    """How to run a cycle: which feeds, whether to poll them even if not due, alerts, test seams."""

    sources: Sequence[FeedSource] | None = None
    force_poll: bool = False
    fetcher_options: dict[str, Any] | None = None
    progress: ProgressCallback | None = None
    # False for backfills of history: articles are marked seen instead of alerted on.
    alerts: bool = True


def run_ingest(settings: Settings, options: IngestOptions | None = None) -> RunSummary:
    """Run one ingest cycle over the registry; bad feeds, pages or an unreachable cluster never raise."""
    options = options or IngestOptions()
    summary = RunSummary(kind="ingest")
    index: SearchIndex | None = None
    run_data_dir = Path(settings.ingest.run_data_dir)
    try:
        index = SearchIndex.connect(settings)
        watches = load_watch_config(settings)  # a bad watches file fails here, before any work
        sources = options.sources if options.sources is not None else load_feed_registry(settings).feeds
        now = datetime.now(UTC)
        polled = poll_feeds(
            index,
            settings,
            sources,
            summary,
            now=now,
            force=options.force_poll,
            fetcher_options=options.fetcher_options,
        )
        item_ids = list(dict.fromkeys([*polled.item_ids, *due_item_ids(index, now)]))
        summary.count("work-items", len(item_ids))
        process_work_items(index, settings, item_ids, summary, options, watches=watches)
        deliver_pending(index, settings, summary, now=datetime.now(UTC), config=watches)
        summary.finish("success")
    except RetryLater as error:
        # The cluster went away: whatever was not written stays staged (or unpolled) for the next run.
        summary.fail("run", error.reason, error.detail)
        summary.finish("failed")
    record_run(summary, index if summary.status == "success" else _reachable(index), run_data_dir)
    return summary


def process_work_items(
    index: SearchIndex,
    settings: Settings,
    item_ids: Sequence[str],
    summary: RunSummary,
    options: IngestOptions,
    *,
    watches: WatchConfig | None = None,
) -> list[str]:
    """Fetch, build and write the given work items batch by batch, matching each written batch
    against the watch rules; return the article ids written."""
    written: list[str] = []
    batch_size = settings.ingest.batch_size
    in_flight: deque[tuple[PendingBatch, int]] = deque()

    def write(pending: PendingBatch, done: int) -> None:
        now = datetime.now(UTC)
        built, failures = finish_batch(pending, summary)
        park_build_failures(index, failures, summary)
        result = write_articles(index, settings, built, summary, now=now)
        written.extend(result.written_ids)
        if options.alerts:
            process_alerts(index, settings, result.written_ids, summary, now=now, config=watches)
        else:
            mark_seen(index, result.written_ids, now)
        if options.progress is not None:
            options.progress(done, len(item_ids))

    with ArticleBuilder(settings) as builder:
        for start in range(0, len(item_ids), batch_size):
            items = load_items(index, item_ids[start : start + batch_size])
            pending = start_batch(
                index, settings, items, builder, summary, now=datetime.now(UTC), fetcher_options=options.fetcher_options
            )
            in_flight.append((pending, min(start + batch_size, len(item_ids))))
            # Write the previous batch while the workers build this one: both cores stay busy.
            if len(in_flight) > 1:
                write(*in_flight.popleft())
        while in_flight:
            write(*in_flight.popleft())
    return written


def _reachable(index: SearchIndex | None) -> SearchIndex | None:
    if index is None:
        return None
    try:
        index.client.cluster.health(timeout="2s")
        return index
    except Exception:
        return None
