"""Fetching pages for work items and building their articles, on all cores.

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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.errors import Reason
from pipeline.fetch import FetchFailure, fetch_pages
from pipeline.index import SearchIndex
from pipeline.ingest.workitems import WorkItem, retry_fields, update_items
from pipeline.process import BuildFailure, BuildJob, BuiltArticle, Toolkit, build_articles
from pipeline.settings import Settings
from pipeline.summary import RunSummary

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


def _build_in_worker(jobs: list[BuildJob]) -> list[BuiltArticle | BuildFailure]:
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

    def submit(self, jobs: Sequence[BuildJob]) -> Callable[[], list[BuiltArticle | BuildFailure]]:
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

    def build(self, jobs: Sequence[BuildJob]) -> list[BuiltArticle | BuildFailure]:
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
    results: Callable[[], list[BuiltArticle | BuildFailure]]


def start_batch(
    index: SearchIndex,
    settings: Settings,
    items: Sequence[WorkItem],
    builder: ArticleBuilder,
    summary: RunSummary,
    *,
    now: datetime,
    fetcher_options: dict[str, Any] | None = None,
) -> PendingBatch:
    """Fetch the pages of pending items and start building their articles; built items pass through.

    Retryable fetch failures put the item back in the queue until ``max_fetch_attempts``; after
    that, and for permanent failures, the article is built from the feed's title and summary.
    """
    ready = [
        (item, BuiltArticle(item.article, item.outcome or Reason.FETCHED))
        for item in items
        if item.article is not None and item.outcome is not None
    ]
    to_fetch = [item for item in items if item.article is None]
    started = time.perf_counter()
    pages = fetch_pages([item.entry.url for item in to_fetch], settings.fetch, **(fetcher_options or {}))
    summary.time("fetch", time.perf_counter() - started)
    jobs: list[tuple[WorkItem, BuildJob]] = []
    retries: dict[str, dict[str, Any]] = {}
    for item, page in zip(to_fetch, pages, strict=True):
        if isinstance(page, FetchFailure):
            summary.fail("fetch", page.reason, page.detail, url=item.entry.url, feed_id=item.entry.feed_id)
            attempts = item.attempts + 1
            if page.retryable and attempts < settings.ingest.max_fetch_attempts:
                retries[item.item_id] = retry_fields(attempts, page.reason, now, settings.ingest.retry_backoff_minutes)
                summary.count("retry-later")
                continue
            jobs.append((item, BuildJob(item.entry, None, page.reason)))
        else:
            summary.count(Reason.FETCHED)
            jobs.append((item, BuildJob(item.entry, page, None)))
    if retries:
        update_items(index, retries)
    return PendingBatch(ready, jobs, builder.submit([job for _, job in jobs]))


def finish_batch(
    pending: PendingBatch, summary: RunSummary
) -> tuple[list[tuple[WorkItem, BuiltArticle]], list[tuple[WorkItem, BuildFailure]]]:
    """Wait for the batch's articles; count outcomes and stage times; split off the failures."""
    built = list(pending.ready)
    failures: list[tuple[WorkItem, BuildFailure]] = []
    for (item, _), result in zip(pending.jobs, pending.results(), strict=True):
        if isinstance(result, BuildFailure):
            summary.fail("build", "build-error", result.error, url=item.entry.url, feed_id=item.entry.feed_id)
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


def fetch_and_build(
    index: SearchIndex,
    settings: Settings,
    items: Sequence[WorkItem],
    builder: ArticleBuilder,
    summary: RunSummary,
    *,
    now: datetime,
    fetcher_options: dict[str, Any] | None = None,
) -> tuple[list[tuple[WorkItem, BuiltArticle]], list[tuple[WorkItem, BuildFailure]]]:
    """Fetch and build one batch and wait for it (a DAG task builds one batch at a time)."""
    pending = start_batch(index, settings, items, builder, summary, now=now, fetcher_options=fetcher_options)
    return finish_batch(pending, summary)
