"""Backfill: (re)ingest a large set of articles, whole feeds or a list of URLs, with bounded memory.

Entries are staged and processed chunk by chunk, so memory does not grow with the size of the
backfill: at any time one chunk of work-item ids and one batch of articles are held. Staging
is forced (items are processed again even if done before), so a changed article becomes an update.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.alerts.config import load_watch_config
from pipeline.errors import ConfigError, Reason
from pipeline.ingest.cycle import IngestOptions, ingest_items
from pipeline.ingest.poll import read_feeds
from pipeline.ingest.workitems import stage_entries
from pipeline.models import FeedEntry
from pipeline.run import RunContext, RunShell
from pipeline.settings import Settings, load_feed_registry
from pipeline.summary import RunSummary
from pipeline.urls import registered_domain

logger = logging.getLogger(__name__)
BACKFILL_FEED_ID = "backfill"
# URLs staged and processed at a time: bounds memory however long the list is.
CHUNK_SIZE = 1000


@dataclass(frozen=True)
class BackfillRequest:
    """What to backfill: feeds of the registry and/or URLs, optionally limited to a date range."""

    feed_ids: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    url_file: Path | None = None
    since: datetime | None = None
    until: datetime | None = None


def read_url_file(path: Path) -> Iterator[str]:
    """URLs from a file, one per line; blank lines and ``#`` comments are skipped. Read lazily."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise ConfigError(str(path), "(file)", f"cannot read the URL list: {error}") from None
    with handle:
        for line in handle:
            url = line.split("#", 1)[0].strip()
            if url:
                yield url


def url_entry(url: str) -> FeedEntry:
    """A work entry for a URL outside any feed; the outlet is its registered domain."""
    return FeedEntry(
        feed_id=BACKFILL_FEED_ID,
        outlet=registered_domain(url),
        url=url,
        entry_id=url,
        title="",
        summary="",
        published=None,
        language=None,
    )


def in_range(entry: FeedEntry, since: datetime | None, until: datetime | None) -> bool:
    """Entries without a date are kept: the range can only exclude what it can judge."""
    if entry.published is None:
        return True
    return (since is None or entry.published >= since) and (until is None or entry.published <= until)


def backfill_entries(run: RunContext, request: BackfillRequest) -> Iterator[FeedEntry]:
    """The entries to (re)ingest: the feeds' current entries in range, then every URL of the list."""
    if request.feed_ids:
        registry = {source.id: source for source in load_feed_registry(run.settings).feeds}
        unknown = sorted(set(request.feed_ids) - set(registry))
        if unknown:
            raise ConfigError("backfill", "feed_ids", f"not in the registry: {', '.join(unknown)}")
        sources = [registry[feed_id] for feed_id in request.feed_ids]
        for entry in read_feeds(run, sources):
            if in_range(entry, request.since, request.until):
                yield entry
    urls: Iterable[str] = request.urls
    if request.url_file is not None:
        urls = [*request.urls, *read_url_file(request.url_file)] if request.urls else read_url_file(request.url_file)
    for url in urls:
        yield url_entry(url)


def chunks(entries: Iterable[FeedEntry], size: int) -> Iterator[list[FeedEntry]]:
    chunk: list[FeedEntry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def stage_backfill(run: RunContext, request: BackfillRequest) -> list[str]:
    """Stage every entry of the request (for the DAG, which builds and writes the ids in batches)."""
    item_ids: list[str] = []
    for chunk in chunks(backfill_entries(run, request), CHUNK_SIZE):
        item_ids.extend(stage_entries(run.index, chunk, run.summary.run_id, force=True))
    run.summary.count(Reason.WORK_ITEMS, len(item_ids))
    return item_ids


def run_backfill(settings: Settings, request: BackfillRequest, options: IngestOptions | None = None) -> RunSummary:
    """Backfill in process, chunk by chunk; progress is logged after every chunk.

    By default a backfill does not alert: its articles are history, marked seen for the watch rules.
    """
    options = options or IngestOptions(alerts=False)
    shell = RunShell(settings, "backfill")
    with shell as run:
        watches = load_watch_config(settings) if options.alerts else None
        done = 0
        for number, chunk in enumerate(chunks(backfill_entries(run, request), CHUNK_SIZE), start=1):
            item_ids = stage_entries(run.index, chunk, run.summary.run_id, force=True)
            run.summary.count(Reason.WORK_ITEMS, len(item_ids))
            ingest_items(run, item_ids, options, watches=watches)
            done += len(item_ids)
            logger.info(
                "backfill %s: chunk %d done, %d articles so far, counts %s",
                run.summary.run_id,
                number,
                done,
                dict(run.summary.counts),
            )
    return shell.summary


def request_from_params(params: dict[str, object]) -> BackfillRequest:
    """A request from the backfill DAG's params (strings and lists, as Airflow passes them)."""

    def moment(value: object) -> datetime | None:
        if not value:
            return None
        parsed = datetime.fromisoformat(str(value))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def strings(value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return tuple(str(part) for part in value or ()) if isinstance(value, Sequence) else ()

    url_file = str(params.get("url_list_file") or "").strip()
    return BackfillRequest(
        feed_ids=strings(params.get("feed_ids")),
        urls=strings(params.get("urls")),
        url_file=Path(url_file) if url_file else None,
        since=moment(params.get("since")),
        until=moment(params.get("until")),
    )
