"""The core of ``newshound check-feed PATH...``: local feed files through the polling parser.

Each file goes through exactly what a polled feed goes through: the fetcher's body cap
(``fetch.max_body_bytes``, applied to the decompressed size of a ``.gz`` file read as
``Content-Encoding: gzip``), then ``parse_feed`` with ``feeds.max_feed_bytes`` and
``feeds.max_entries_per_poll``. The result is a JSON-ready dict per file; nothing raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import Reason, SkipItem
from pipeline.feeds.parse import ParsedFeed, parse_feed
from pipeline.fetch.decoding import decompress_capped
from pipeline.settings import FeedSource, Settings

_READ_CHUNK_BYTES = 64 * 1024
# parse_feed needs a registry entry; a local file has none, so it gets this stand-in.
_CHECK_SOURCE_ID = "check-feed"


def check_feed_files(paths: Iterable[Path], settings: Settings) -> Iterator[dict[str, object]]:
    """``check_feed_file`` for each path, in order, each report as soon as its file is done."""
    for path in paths:
        yield check_feed_file(path, settings)


def check_feed_file(
    path: Path,
    settings: Settings,
    *,
    content_type: str | None = None,
    base_url: str | None = None,
    fetched_at: datetime | None = None,
) -> dict[str, object]:
    """Parse a local feed file as polling would and describe the outcome as a JSON-ready dict.

    ``content_type`` and ``base_url`` stand in for the Content-Type header and the feed's
    address; without them the file is read like a document served without headers, and
    relative links are refused because there is nothing to resolve them against.
    ``fetched_at`` stands in for the poll time that bounds entry dates (default: now).
    """
    report: dict[str, object] = {"path": str(path), "compressed": path.name.lower().endswith(".gz")}
    try:
        body = _read_body(path, settings.fetch.max_body_bytes)
    except SkipItem as error:  # BodyTooLarge (fetch-too-large) or a corrupt gzip stream
        return {**report, **_empty_report(f"{error.reason}: {error.detail}")}
    except Exception as error:  # missing file, directory, permissions, bad path...
        detail = f"cannot read the file ({type(error).__name__}: {error})"
        return {**report, **_empty_report(f"{Reason.FEED_ERROR}: {detail}")}
    source = FeedSource(id=_CHECK_SOURCE_ID, url="https://check-feed.invalid/", outlet=path.name)
    try:
        parsed = parse_feed(
            body,
            source,
            base_url=base_url,
            content_type=content_type,
            max_bytes=settings.feeds.max_feed_bytes,
            max_entries=settings.feeds.max_entries_per_poll,
            allowed_hosts=settings.fetch.allowed_hosts,
            fetched_at=fetched_at or datetime.now(UTC),
        )
    except Exception as error:  # parse_feed must not raise; if it does, say so instead of crashing
        detail = f"internal error ({type(error).__name__}: {error})"
        return {**report, "bytes": len(body), **_empty_report(f"{Reason.FEED_ERROR}: {detail}")}
    return {**report, "bytes": len(body), **describe_parsed_feed(parsed)}


def describe_parsed_feed(parsed: ParsedFeed) -> dict[str, object]:
    """A JSON-ready summary of a parse: counts, refused links, the kept entries."""
    return {
        "ok": parsed.failure is None,
        "error": f"{parsed.failure.reason}: {parsed.failure.detail}" if parsed.failure else None,
        "title": parsed.title,
        "link": parsed.link,
        "version": parsed.version,
        "encoding": parsed.encoding,
        "language": parsed.language,
        "bozo": parsed.bozo,
        "bozo_reason": parsed.bozo_reason,
        "entries_in_document": parsed.entries_in_document,
        "entries_kept": len(parsed.entries),
        "entries_over_limit": parsed.entries_over_limit,
        "entries_without_link": parsed.entries_without_link,
        "duplicate_entries": parsed.duplicate_entries,
        "refused_links": [{"url": link.url, "reason": link.reason} for link in parsed.refused_links],
        "notes": list(parsed.notes),
        "entries": [
            {
                "url": entry.url,
                "entry_id": entry.entry_id,
                "title": entry.title,
                "published": entry.published.isoformat() if entry.published else None,
                "published_raw": entry.published_raw,
                "language": entry.language,
                "tags": list(entry.tags),
                "summary_chars": len(entry.summary),
            }
            for entry in parsed.entries
        ],
    }


def _empty_report(error: str) -> dict[str, object]:
    return {
        "ok": False,
        "error": error,
        "title": None,
        "link": None,
        "version": None,
        "encoding": None,
        "language": None,
        "bozo": False,
        "bozo_reason": None,
        "entries_in_document": 0,
        "entries_kept": 0,
        "entries_over_limit": 0,
        "entries_without_link": 0,
        "duplicate_entries": 0,
        "refused_links": [],
        "notes": [],
        "entries": [],
    }


def _read_body(path: Path, max_bytes: int) -> bytes:
    """The file's bytes as the fetcher would deliver them: ``.gz`` decoded, both capped."""
    if path.name.lower().endswith(".gz"):
        return decompress_capped(_chunks(path), "gzip", max_bytes)
    with path.open("rb") as file:
        body = file.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise SkipItem(Reason.FETCH_TOO_LARGE, f"body larger than {max_bytes} bytes")
    return body


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(_READ_CHUNK_BYTES):
            yield chunk
