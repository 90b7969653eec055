"""One ingest cycle in process, composed of the steps the Airflow DAG runs as tasks:

    poll -> for each batch: build, write and alert (the next batch builds while one is written)
         -> deliver what is due -> the run summary

The CLI, the benchmarks and the tests run this; ``dags/newshound_ingest.py`` runs the same steps.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.alerts.config import WatchConfig, load_watch_config
from pipeline.ingest.batches import ArticleBuilder, PendingBatch
from pipeline.ingest.steps import batches_of, deliver, finish_building, poll, start_building, write_and_alert
from pipeline.run import RunContext, RunShell
from pipeline.settings import FeedSource, Settings
from pipeline.summary import RunSummary

logger = logging.getLogger(__name__)

# (done, total) of the articles handled so far; for progress bars.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class IngestOptions:
    """How to run a cycle: which feeds, whether to poll them even if not due, alerts, progress."""

    sources: Sequence[FeedSource] | None = None
    force_poll: bool = False
    progress: ProgressCallback | None = None
    # False for backfills of history: articles are marked seen instead of alerted on.
    alerts: bool = True


def run_ingest(settings: Settings, options: IngestOptions | None = None) -> RunSummary:
    """Run one ingest cycle over the registry; bad feeds, pages or an unreachable cluster never raise."""
    options = options or IngestOptions()
    shell = RunShell(settings, "ingest")
    with shell as run:
        watches = load_watch_config(settings)  # a bad watches file fails here, before any work
        item_ids = poll(run, options.sources, force=options.force_poll)
        ingest_items(run, item_ids, options, watches=watches)
        deliver(run, watches)
    return shell.summary


def ingest_items(
    run: RunContext, item_ids: Sequence[str], options: IngestOptions, *, watches: WatchConfig | None = None
) -> list[str]:
    """Build, write and alert on the given work items batch by batch; return the article ids written.

    While one batch is written, the workers build the next: both cores stay busy.
    """
    written: list[str] = []
    in_flight: deque[tuple[PendingBatch, int]] = deque()

    def write(pending: PendingBatch, done: int) -> None:
        built = finish_building(run, pending)
        written.extend(write_and_alert(run, built, alerts=options.alerts, watches=watches))
        if options.progress is not None:
            options.progress(done, len(item_ids))

    with ArticleBuilder(run.settings) as builder:
        done = 0
        for batch in batches_of(run, item_ids):
            done += len(batch)
            in_flight.append((start_building(run, batch, builder), done))
            if len(in_flight) > 1:
                write(*in_flight.popleft())
        while in_flight:
            write(*in_flight.popleft())
    return written
