"""Guarded feed parsing: bytes we fetched ourselves -> ``ParsedFeed`` with ``FeedEntry`` items.

``parse_feed`` never raises for bad input and never lets feedparser open a file or a URL:
feedparser gets an ``io.BytesIO`` of a document that ``prepare_document`` has checked (size,
entities, DOCTYPE, nesting, HTML in text, encoding tricks; see prepare.py) and, when needed,
rewritten. A document that cannot be used gives ``ParsedFeed.failure``: an ``ItemFailure`` of
stage poll, reason feed-error, with the detail.
Every URL that leaves this module (entry links, the feed's link) is in ``fetchable_url`` form
and has passed ``url_refusal``; dates are kept only when ``believable_date`` accepts them.
"""

from __future__ import annotations

import contextlib
import html
import io
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from pipeline.errors import ItemFailure, Reason, Stage
from pipeline.feeds.dates import believable_date, raw_date_text
from pipeline.feeds.patches import apply_feedparser_patches
from pipeline.feeds.prepare import is_feed_root, prepare_document
from pipeline.feeds.text import HTML_TYPES, clean_text, html_to_text
from pipeline.fetch.guard import url_refusal
from pipeline.models import FeedEntry
from pipeline.settings import FeedSource
from pipeline.urls import fetchable_url, without_controls

logger = logging.getLogger(__name__)

# Entries carry a handful of tags; a feed that sends hundreds per entry is noise or an attack.
MAX_TAGS_PER_ENTRY = 30
MAX_TAG_CHARS = 100
_LANGUAGE = re.compile(r"[a-z]{2,3}")

apply_feedparser_patches()


@dataclass(frozen=True)
class RefusedLink:
    """An entry link we will not fetch, and why (a ``url_refusal`` or "malformed URL" text).

    ``url`` is the link as the feed wrote it (resolved, control characters removed).
    """

    url: str
    reason: str


@dataclass(frozen=True)
class RawParse:
    """feedparser's result dict for a guarded document, or the reason there is none.

    ``result`` is feedparser's own (mutable) ``FeedParserDict``; only tests and ``parse_feed``
    should look at it.
    """

    result: Mapping[str, Any] | None
    error: str | None
    root_name: str | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ParsedFeed:
    """The usable entries of one feed document and what was dropped from it.

    ``failure`` is None when the document was usable (possibly with ``bozo``: feedparser had to
    recover from ill-formed XML or a wrong encoding), else why not (reason feed-error), and
    ``entries`` is empty.
    """

    entries: tuple[FeedEntry, ...]
    refused_links: tuple[RefusedLink, ...]
    failure: ItemFailure | None
    bozo: bool
    title: str | None
    bozo_reason: str | None = None
    link: str | None = None
    version: str | None = None
    encoding: str | None = None
    language: str | None = None
    entries_in_document: int = 0
    entries_over_limit: int = 0
    entries_without_link: int = 0
    duplicate_entries: int = 0
    notes: tuple[str, ...] = ()


def parse_feed(
    document: bytes,
    source: FeedSource,
    *,
    base_url: str | None = None,
    content_type: str | None = None,
    content_language: str | None = None,
    content_location: str | None = None,
    max_bytes: int,
    max_entries: int,
    allowed_hosts: Sequence[str] = (),
    fetched_at: datetime | None = None,
) -> ParsedFeed:
    """Parse a feed document we fetched ourselves; never raises for bad input.

    ``base_url`` is the address the document came from (after redirects); relative links are
    resolved against it, or against ``content_location`` (the HTTP header) when that is given.
    At most ``max_entries`` entries are kept, newest first when the feed dates them.
    ``fetched_at`` bounds entry dates (none may lie more than a day after it); callers should
    pass their poll time, and without it the clock is read once, here.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)  # naive means UTC, as in state.py
    headers = response_headers(
        base_url=base_url,
        content_type=content_type,
        content_language=content_language,
        content_location=content_location,
    )
    raw = guarded_parse(document, headers, max_bytes=max_bytes)
    if raw.result is None:
        return _failed(raw.error or "unknown error", raw.notes, source)
    result = raw.result
    error = _not_a_feed(result, raw.root_name, document)
    if error is not None:
        return _failed(error, raw.notes, source)
    feed = result.get("feed") or {}
    context = _EntryContext(headers.get("content-location"), tuple(allowed_hosts), _WrittenUrls(document), fetched_at)
    try:
        entries, refused, counts = _entries(result, source, context)
    except Exception as error:  # a bug of ours on odd input: report it, do not crash the poll
        logger.warning("reading the entries of %s failed", source.id, exc_info=True)
        return _failed(f"could not read the entries ({_describe(error)})", raw.notes, source)
    kept = entries[:max_entries]
    bozo_exception = result.get("bozo_exception")
    feed_link, feed_link_refusal = _checked_url(_string(feed.get("link")).strip(), allowed_hosts)
    notes = raw.notes if feed_link_refusal is None else (*raw.notes, f"feed link dropped ({feed_link_refusal})")
    return ParsedFeed(
        entries=tuple(kept),
        refused_links=tuple(refused),
        failure=None,
        bozo=bool(result.get("bozo")),
        title=_text_field(feed, "title") or None,
        bozo_reason=_describe(bozo_exception) if result.get("bozo") else None,
        link=feed_link,
        version=_string(result.get("version")) or None,
        encoding=_string(result.get("encoding")) or None,
        language=_language(_string(feed.get("language"))),
        entries_in_document=len(result.get("entries") or ()),
        entries_over_limit=len(entries) - len(kept),
        entries_without_link=counts["without-link"],
        duplicate_entries=counts["duplicate"],
        notes=notes,
    )


def response_headers(
    *,
    base_url: str | None = None,
    content_type: str | None = None,
    content_language: str | None = None,
    content_location: str | None = None,
) -> dict[str, str]:
    """The HTTP response headers feedparser needs, keyed in lower case as it expects.

    Content-Location carries the base for relative links (feedparser has no other way to learn
    the document's address when it did not fetch it). With no Content-Type, feedparser treats a
    document that has other headers as served without one (bozo, ISO-8859-1 default); a document
    with no headers at all is read like a local file. "application/xml" gives exactly the local
    file rules, so it stands in when only the other headers are known.
    """
    headers: dict[str, str] = {}
    location = _absolute_http(base_url, content_location) if content_location else None
    location = location or _absolute_http(None, base_url)
    if location:
        headers["content-location"] = location
    if content_language:
        headers["content-language"] = content_language
    if content_type:
        headers["content-type"] = content_type
    elif headers:
        headers["content-type"] = "application/xml"
    return headers


def guarded_parse(document: bytes, headers: Mapping[str, str], *, max_bytes: int) -> RawParse:
    """feedparser's result for ``document`` served with ``headers``, behind our input guards."""
    header_map = {name.lower(): value for name, value in headers.items()}
    if not document:
        return RawParse(None, "empty document", None, ())
    if len(document) > max_bytes:
        return RawParse(None, f"feed larger than {max_bytes} bytes", None, ())
    try:
        prepared = prepare_document(document, header_map)
    except Exception as error:  # a guard must not turn bad input into a crash
        logger.warning("feed guard failed on a document: %s", _describe(error), exc_info=True)
        return RawParse(None, f"guard failed ({_describe(error)})", None, ())
    if prepared.error is not None:
        return RawParse(None, prepared.error, prepared.root_name, prepared.notes)
    try:
        result = feedparser.parse(
            io.BytesIO(prepared.data),
            response_headers=prepared.headers,
            resolve_relative_uris=True,
            sanitize_html=True,
        )
    except Exception as error:  # feedparser raises on some bad input (character references...)
        return RawParse(None, f"parser failed ({_describe(error)})", prepared.root_name, prepared.notes)
    if prepared.original_encoding is not None:
        # The document was handed over rewritten to UTF-8: report what feedparser found for
        # the original, including a bozo flag from that encoding detection.
        result["encoding"] = prepared.original_encoding
        if prepared.encoding_exception is not None and not result.get("bozo"):
            result["bozo"] = True
            result["bozo_exception"] = prepared.encoding_exception
    if prepared.netscape_doctype:
        result["version"] = "rss091n"  # what feedparser derives from the DOCTYPE we removed
    return RawParse(result, None, prepared.root_name, prepared.notes)


def _failed(detail: str, notes: tuple[str, ...], source: FeedSource) -> ParsedFeed:
    return ParsedFeed(
        entries=(),
        refused_links=(),
        failure=ItemFailure(Stage.POLL, Reason.FEED_ERROR, detail, url=source.url, feed_id=source.id),
        bozo=True,
        title=None,
        notes=notes,
    )


def _not_a_feed(result: Mapping[str, Any], root_name: str | None, document: bytes) -> str | None:
    """A detail text when feedparser found neither a feed format nor any feed content."""
    if result.get("version") or result.get("entries") or is_feed_root(root_name):
        return None
    feed = result.get("feed") or {}
    if document.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return "not a feed (JSON; JSON Feed is not supported by feedparser 6.0)"
    if root_name and root_name.rsplit(":", 1)[-1].lower() == "html":
        return "not a feed (HTML page)"
    if any(feed.get(key) for key in ("title", "link", "subtitle")):
        return None  # a channel without items in a format feedparser does not name (CDF...)
    if root_name:
        return f"not a feed (root element <{root_name[:40]}>)"
    return "not a feed (no root element)"


@dataclass(frozen=True)
class _EntryContext:
    """What reading entries needs besides feedparser's result and the registry entry."""

    base_url: str | None
    allowed_hosts: tuple[str, ...]
    written_urls: _WrittenUrls
    fetched_at: datetime


def _entries(
    result: Mapping[str, Any], source: FeedSource, context: _EntryContext
) -> tuple[list[FeedEntry], list[RefusedLink], dict[str, int]]:
    """All usable entries, newest first (undated ones after, in document order), without duplicates."""
    feed = result.get("feed") or {}
    feed_language = _language(_string(feed.get("language")))
    entries: list[FeedEntry] = []
    refused: dict[str, RefusedLink] = {}
    counts = {"without-link": 0, "duplicate": 0}
    seen_ids: set[str] = set()
    for item in result.get("entries") or ():
        link = _entry_link(item, context.base_url, context.written_urls)
        if not link:
            counts["without-link"] += 1
            continue
        url, refusal = _checked_url(link, context.allowed_hosts)
        if url is None:
            reported = without_controls(link)
            refused.setdefault(reported, RefusedLink(reported, refusal or "no URL"))
            continue
        entry_id = _string(item.get("id")).strip() or url
        if entry_id in seen_ids:
            counts["duplicate"] += 1
            continue
        seen_ids.add(entry_id)
        published, published_raw = _published(item, context.fetched_at)
        entries.append(
            FeedEntry(
                feed_id=source.id,
                outlet=source.outlet,
                url=url,
                entry_id=entry_id,
                title=_text_field(item, "title"),
                summary=_text_field(item, "summary") or _content_text(item),
                published=published,
                language=_entry_language(item) or feed_language or _language(source.language or ""),
                tags=_tags(item),
                published_raw=published_raw,
            )
        )
    entries.sort(key=_newest_first)
    return entries, list(refused.values()), counts


def _newest_first(entry: FeedEntry) -> tuple[bool, float]:
    return (entry.published is None, -entry.published.timestamp() if entry.published else 0.0)


def _checked_url(url: str, allowed_hosts: Sequence[str]) -> tuple[str | None, str | None]:
    """(the URL in ``fetchable_url`` form, None) when it may leave the feed stage, else (None, why).

    The same guard the fetcher applies (``url_refusal``), judged on the normalised form so that
    "HTTP://169.254.169.254" or a host hidden behind a NUL is seen for what it is.
    """
    if not url:
        return None, None
    if not _has_scheme(url):
        return None, "relative link and no base URL"
    try:
        normalised = fetchable_url(url)
    except ValueError as error:
        return None, str(error)
    refusal = url_refusal(normalised, allowed_hosts)
    return (normalised, None) if refusal is None else (None, refusal)


def _entry_link(item: Mapping[str, Any], base_url: str | None, written_urls: _WrittenUrls) -> str:
    """The entry's link, made absolute against the document's address when still relative.

    feedparser copies a permalink guid (RSS) or an id (Atom) into ``link`` when there is no
    link element; such a value counts only when the document holds it as an absolute http(s)
    URL ("12345" or "tag:..." are ids, and resolving them would invent a page address).
    """
    link = _string(item.get("link")).strip()
    if link and item.get("guidislink") and not item.get("links"):
        # Only the guid: feedparser resolved it against the base even when it was "12345".
        return link if link in written_urls else ""
    if not link:
        for candidate in item.get("links") or ():
            if isinstance(candidate, Mapping) and candidate.get("rel", "alternate") == "alternate":
                link = _string(candidate.get("href")).strip()
                if link:
                    break
    if link and base_url and not _has_scheme(link):
        # A malformed link (an unclosed "[" host) stays as it is: url_refusal says why.
        with contextlib.suppress(ValueError):
            link = urljoin(base_url, link)
    return link


class _WrittenUrls:
    """The absolute http(s) URLs written in a document, collected on first use (one scan)."""

    _URL = re.compile(rb"""https?://[^\s<>"']+""", re.IGNORECASE)

    def __init__(self, document: bytes) -> None:
        self._document = document
        self._urls: set[str] | None = None

    def __contains__(self, url: object) -> bool:
        if self._urls is None:
            found = (match.group(0).decode("utf-8", "replace") for match in self._URL.finditer(self._document))
            self._urls = {html.unescape(text) for text in found}
        return url in self._urls


def _has_scheme(url: str) -> bool:
    try:
        return bool(urlsplit(url).scheme)
    except ValueError:
        return True  # malformed: let url_refusal say why


def _text_field(item: Mapping[str, Any], key: str) -> str:
    """A text construct as plain text: HTML stripped only when feedparser says it is HTML."""
    value = _string(item.get(key))
    detail = item.get(f"{key}_detail")
    if isinstance(detail, Mapping):
        kind = _string(detail.get("type"))
    else:
        # feedparser copies the content into "summary" without a detail: take the content's type.
        kind = next(
            (
                _string(content.get("type"))
                for content in item.get("content") or ()
                if isinstance(content, Mapping) and content.get("value") == value
            ),
            "",
        )
    return html_to_text(value) if kind.lower() in HTML_TYPES else clean_text(value)


def _content_text(item: Mapping[str, Any]) -> str:
    for content in item.get("content") or ():
        if isinstance(content, Mapping) and content.get("value"):
            value = _string(content.get("value"))
            kind = _string(content.get("type")).lower()
            return html_to_text(value) if kind in HTML_TYPES else clean_text(value)
    return ""


def _published(item: Mapping[str, Any], fetched_at: datetime) -> tuple[datetime | None, str | None]:
    """Publication (else update, else creation) time in UTC, and the feed's text of that date.

    A date ``believable_date`` refuses is skipped like one that does not parse; when none is
    left the time is None and the text is the first date the entry has (to see what it was).
    """
    first_raw: str | None = None
    for key in ("published", "updated", "created"):
        # dict.get: feedparser's own get() warns when it maps "updated" to "published".
        raw = raw_date_text(dict.get(item, key) if isinstance(item, dict) else item.get(key))
        parsed = dict.get(item, f"{key}_parsed") if isinstance(item, dict) else item.get(f"{key}_parsed")
        first_raw = first_raw or raw
        if not isinstance(parsed, time.struct_time):
            continue
        try:
            moment = datetime(*parsed[:6], tzinfo=UTC)
        except (ValueError, OverflowError):
            continue
        believed = believable_date(moment, raw, fetched_at=fetched_at)
        if believed is not None:
            return believed, raw
    return None, first_raw


def _entry_language(item: Mapping[str, Any]) -> str | None:
    """xml:lang of the entry's title or summary (feedparser falls back to Content-Language)."""
    for key in ("title_detail", "summary_detail"):
        detail = item.get(key)
        if isinstance(detail, Mapping):
            language = _language(_string(detail.get("language")))
            if language:
                return language
    return None


def _language(value: str) -> str | None:
    """The primary language subtag in lower case ("de-AT" -> "de"), or None when not a language."""
    primary = re.split(r"[-_\s]", value.strip().lower(), maxsplit=1)[0]
    return primary if _LANGUAGE.fullmatch(primary) else None


def _tags(item: Mapping[str, Any]) -> tuple[str, ...]:
    tags: list[str] = []
    for tag in item.get("tags") or ():
        if not isinstance(tag, Mapping):
            continue
        term = clean_text(_string(tag.get("term")) or _string(tag.get("label")))[:MAX_TAG_CHARS]
        if term and term not in tags:
            tags.append(term)
        if len(tags) >= MAX_TAGS_PER_ENTRY:
            break
    return tuple(tags)


def _absolute_http(base: str | None, url: str | None) -> str | None:
    """``url`` resolved against ``base`` when the result is an http(s) URL, else None."""
    if not url:
        return None
    try:
        joined = urljoin(base, url.strip()) if base else url.strip()
        scheme = urlsplit(joined).scheme.lower()
    except ValueError:
        return None
    return joined if scheme in ("http", "https") else None


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""


def _describe(error: object) -> str:
    """The error as "ClassName: message", short enough for a run summary."""
    if error is None:
        return "unknown"
    message = str(error).strip()
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text[:300]
