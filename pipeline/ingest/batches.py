"""Batches of work items: their pages fetched, their articles built, on all cores.

Fetching is asynchronous I/O in this process; building (extraction, cleaning, entities, claims,
fingerprints) is CPU-bound and runs in a pool of worker processes, each loading the toolkit once
and building a slice of the batch per call (so that its NER runs as one batch).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from pipeline.build import BuildJob, BuiltArticle, Toolkit, build_articles
from pipeline.errors import ItemFailure, Reason
from pipeline.fetch.client import fetch_pages
from pipeline.ingest.workitems import WorkItem, retry_fields, update_items
from pipeline.run import RunContext
from pipeline.settings import Settings

logger = logging.getLogger(__name__)

# Below this many articles a worker pool costs more to start than it saves.
_MIN_JOBS_FOR_POOL = 8
# Slices per worker: each slice is built in one call (its NER as one batch); more than one slice
# per worker evens out the load when some pages take much longer than others.
_SLICES_PER_WORKER = 2
_worker_toolkit: Toolkit | None = None


def _init_worker(settings: Settings) -> None:
    global _worker_toolkit
    _worker_toolkit = Toolkit.load(settings)


def _build_in_worker(jobs: list[BuildJob]) -> list[BuiltArticle | ItemFailure]:
    assert _worker_toolkit is not None, "worker not initialised"
    return build_articles(jobs, _worker_toolkit)


class ArticleBuilder:
    """Builds articles inline or in a process pool, depending on the settings and the batch size."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        configured = settings.ingest.workers
        self.workers = configured if configured > 0 else (os.cpu_count() or 1)
        self._toolkit: Toolkit | None = None
        self._pool: Executor | None = None

    def submit(self, jobs: Sequence[BuildJob]) -> Callable[[], list[BuiltArticle | ItemFailure]]:
        """Start building; the returned function waits for the results (in job order).

        With a pool the workers start at once, so the caller can write the previous batch meanwhile.
        """
        if self.workers > 1 and len(jobs) >= _MIN_JOBS_FOR_POOL:
            size = -(-len(jobs) // (self.workers * _SLICES_PER_WORKER))
            pool = self._ensure_pool()
            futures = [
                pool.submit(_build_in_worker, list(jobs[start : start + size])) for start in range(0, len(jobs), size)
            ]
            return lambda: [result for future in futures for result in future.result()]
        return lambda: self.build(jobs)

    def build(self, jobs: Sequence[BuildJob]) -> list[BuiltArticle | ItemFailure]:
        if self.workers > 1 and len(jobs) >= _MIN_JOBS_FOR_POOL:
            return self.submit(jobs)()
        if self._toolkit is None:
            self._toolkit = Toolkit.load(self.settings)
        return build_articles(jobs, self._toolkit)

    def _ensure_pool(self) -> Executor:
        if self._pool is None:
            # spawn, not fork: the parent has live threads (HTTP pools, progress display).
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_init_worker,
                initargs=(self.settings,),
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ArticleBuilder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass
class PendingBatch:
    """A batch whose pages are fetched and whose articles are being built (maybe in the workers)."""

    ready: list[tuple[WorkItem, BuiltArticle]]
    jobs: list[tuple[WorkItem, BuildJob]]
    results: Callable[[], list[BuiltArticle | ItemFailure]]


def start_batch(run: RunContext, items: Sequence[WorkItem], builder: ArticleBuilder) -> PendingBatch:
    """Fetch the pages of pending items and start building their articles; built items pass through.

    Retryable fetch failures put the item back in the queue until ``max_fetch_attempts``; after
    that, and for permanent failures, the article is built from the feed's title and summary.
    """
    settings, summary = run.settings, run.summary
    ready = [
        (item, BuiltArticle(item.article, item.outcome or Reason.FETCHED))
        for item in items
        if item.article is not None and item.outcome is not None
    ]
    to_fetch = [item for item in items if item.article is None]
    started = time.perf_counter()
    pages = fetch_pages([item.entry.url for item in to_fetch], settings.fetch)
    summary.time("fetch", time.perf_counter() - started)
    jobs: list[tuple[WorkItem, BuildJob]] = []
    retries: dict[str, dict[str, Any]] = {}
    now = run.now()
    for item, page in zip(to_fetch, pages, strict=True):
        if isinstance(page, ItemFailure):
            summary.fail(replace(page, feed_id=item.entry.feed_id))
            attempts = item.attempts + 1
            if page.retryable and attempts < settings.ingest.max_fetch_attempts:
                retries[item.item_id] = retry_fields(attempts, page.reason, now, settings.ingest.retry_backoff_minutes)
                summary.count(Reason.RETRY_LATER)
                continue
            jobs.append((item, BuildJob(item.entry, None, page.reason)))
        else:
            summary.count(Reason.FETCHED)
            jobs.append((item, BuildJob(item.entry, page, None)))
    if retries:
        update_items(run.index, retries)
    return PendingBatch(ready, jobs, builder.submit([job for _, job in jobs]))


def finish_batch(
    run: RunContext, pending: PendingBatch
) -> tuple[list[tuple[WorkItem, BuiltArticle]], list[tuple[WorkItem, ItemFailure]]]:
    """Wait for the batch's articles; count outcomes and stage times; split off the failures."""
    summary = run.summary
    built = list(pending.ready)
    failures: list[tuple[WorkItem, ItemFailure]] = []
    for (item, _), result in zip(pending.jobs, pending.results(), strict=True):
        if isinstance(result, ItemFailure):
            summary.fail(result)
            failures.append((item, result))
            continue
        for stage, seconds in result.stage_seconds.items():
            summary.time(stage, seconds)
        if result.outcome == Reason.NO_TEXT:
            summary.count(Reason.NO_TEXT)  # fetch failures were counted under their reason above
        if result.outcome != Reason.FETCHED:
            summary.count(Reason.FEED_ONLY)
        built.append((item, result))
    return built, failures
