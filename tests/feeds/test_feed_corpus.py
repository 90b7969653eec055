"""feedparser's own test documents (shared corpus, BSD licensed) through our guarded parsing path.

Every file must go through ``parse_feed`` without an exception, and each file's ``Expect:``
expression must hold for the feedparser result that ``guarded_parse`` gives, with the file's
``Header:`` lines served as HTTP response headers (see corpus/feeds/README.md).
"""

from __future__ import annotations

import datetime
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import feedparser
import pytest
from feedparser.encodings import convert_to_utf8

from newshound_dev.corpus import shared_corpus_dir
from pipeline.feeds.parse import guarded_parse, parse_feed, response_headers
from pipeline.models import FeedEntry
from pipeline.settings import FeedSettings, FeedSource

CORPUS_FOLDER = Path("feeds") / "feedparser-tests"
MAX_BYTES = FeedSettings().max_feed_bytes
# feedparser's test server: files whose path contains "http" are served from here.
TEST_SERVER = "http://127.0.0.1:8097/tests/"
FEED_BASE = "https://news.example.com/feed.xml"

# The README's known differences: feedparser's development branch, not 6.0.14.
KNOWN_DIFFERENCES = {
    "json/example.json": "JSON Feed support is not released in 6.0.14",
    "wellformed/itunes/itunes_channel_explicit_false.xml": "boolean itunes:explicit is not in 6.0.14",
    "wellformed/itunes/itunes_channel_explicit_no.xml": "boolean itunes:explicit is not in 6.0.14",
    "wellformed/itunes/itunes_item_explicit_false.xml": "boolean itunes:explicit is not in 6.0.14",
    "wellformed/itunes/itunes_item_explicit_no.xml": "boolean itunes:explicit is not in 6.0.14",
    "wellformed/itunes/itunes_item_explicit_true.xml": "boolean itunes:explicit is not in 6.0.14",
    "wellformed/atom/entry_link_rel_enclosure_no_href.xml": "link preference changed after 6.0.14",
    "wellformed/atom10/entry_link_no_href_link_priority.xml": "link preference changed after 6.0.14",
}
# Differences our path makes on purpose. No guard changes any expectation in this corpus: the
# one DOCTYPE with an entity (wellformed/rss/entity_in_doctype.xml) keeps its small entity, and
# the Netscape DOCTYPE we strip still gives version "rss091n".
OUR_DIFFERENCES = {
    "wellformed/http/headers_last_modified-modified.xml": (
        "result['modified'] is set by feedparser's own HTTP client, which we never let it use; "
        "polling takes Last-Modified from the fetcher's response"
    ),
}

# The same families by pattern, for files the lists do not name (the corpus holds 3 in 4 of
# feedparser's files, the rest must be judged by the same rules): such a file is an expected
# failure only if its expectation fails.
_LATER_FEATURES = re.compile(r"itunes_explicit'\] is (True|False)|link_no_href|no_href_link")
_HTTP_CLIENT_KEYS = re.compile(r"\b(etag|modified|status|href)\b")


def _difference(relative: str, expect: str) -> str | None:
    """Why this file's expectation cannot hold on our path, or None when it must."""
    if relative.startswith("json/"):
        return "JSON Feed support is not released in 6.0.14"
    if _LATER_FEATURES.search(relative + " " + expect):
        return "a feedparser change after 6.0.14"
    if relative.startswith("wellformed/http/") and "in locals()" not in expect and _HTTP_CLIENT_KEYS.search(expect):
        return "a result key of feedparser's own HTTP client, which we never let it use"
    return None


_EXPECT = re.compile(r"Description:\s*(.*?)\s*Expect:\s*(.*)\s*-->")
_SKIP_UNLESS = re.compile(r"^SkipUnless:\s*(.*?)\s*$", re.MULTILINE)
_HEADER = re.compile(r"^Header:\s*([^:\s][^:]*?)\s*:\s*(.*?)\s*$", re.MULTILINE)


def _corpus_files() -> list[str]:
    """The corpus files at collection time (the shared_corpus fixture's folder)."""
    root = shared_corpus_dir() / CORPUS_FOLDER
    files = sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())
    # An empty list would silently run nothing; this id skips (or fails) through the shared_corpus fixture.
    return files or ["(corpus missing)"]


CORPUS_FILES = _corpus_files()


def _case(path: Path, relative: str) -> tuple[str, str | None, dict[str, str]]:
    """(Expect expression, SkipUnless expression, response headers) of one corpus file."""
    data = path.read_bytes()
    # The header comment is in the file's own encoding (UTF-16 and UTF-32 files included).
    text = convert_to_utf8({}, data, {}).decode("utf-8", "replace")
    match = _EXPECT.search(text)
    assert match is not None, f"{path} has no Expect line"
    head = text[: match.end()]
    skip_unless = _SKIP_UNLESS.search(head)
    headers: dict[str, str] = {}
    if "http" in relative:
        served = {name.lower(): value for name, value in _HEADER.findall(head)}
        headers = response_headers(
            base_url=TEST_SERVER + relative,
            content_type=served.pop("content-type", "text/xml"),
            content_language=served.pop("content-language", None),
            content_location=served.pop("content-location", None),
        )
        headers.update(served)  # X-Foo, Last-Modified...
    return match.group(2), skip_unless.group(1) if skip_unless else None, headers


@pytest.mark.parametrize("relative", CORPUS_FILES)
def test_parse_feed_never_raises(relative: str, shared_corpus: Path) -> None:
    source = FeedSource(id="corpus", url="https://example.com/feed", outlet="corpus", language="en")
    parsed = parse_feed(
        (shared_corpus / CORPUS_FOLDER / relative).read_bytes(),
        source,
        base_url=TEST_SERVER + relative,
        max_bytes=MAX_BYTES,
        max_entries=200,
    )
    for entry in parsed.entries:
        assert isinstance(entry, FeedEntry)
        assert entry.url.startswith(("http://", "https://"))
        assert entry.published is None or entry.published.utcoffset() == datetime.timedelta(0)
    assert parsed.failure is None or parsed.failure.reason == "feed-error"


@pytest.mark.parametrize("relative", CORPUS_FILES)
def test_expectation_holds(relative: str, shared_corpus: Path, request: pytest.FixtureRequest) -> None:
    path = shared_corpus / CORPUS_FOLDER / relative
    expect, skip_unless, headers = _case(path, relative)
    if skip_unless is not None:
        try:
            # Trusted: these are our copies of feedparser's test files, never feed data.
            eval(skip_unless, {"feedparser": feedparser})
        except Exception as error:
            pytest.skip(f"SkipUnless failed: {error!r}")
    reason = KNOWN_DIFFERENCES.get(relative) or OUR_DIFFERENCES.get(relative)
    if reason is not None:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    raw = guarded_parse(path.read_bytes(), headers, max_bytes=MAX_BYTES)
    assert raw.result is not None, raw.error
    names: dict[str, Any] = dict(raw.result)
    try:
        holds = bool(eval(expect, {"feedparser": feedparser, "datetime": datetime}, names))
    except Exception:
        holds = False
    if not holds and reason is None and (reason := _difference(relative, expect)) is not None:
        pytest.xfail(reason)
    assert holds, expect


def test_corpus_overview(shared_corpus: Path) -> None:
    """The numbers in docs/feeds.md: bozo exactly where the corpus expects it, nothing refused."""
    counts: Counter[str] = Counter()
    refused = {}
    calm_illformed = set()
    noted = set()
    for relative in CORPUS_FILES:
        path = shared_corpus / CORPUS_FOLDER / relative
        _, _, headers = _case(path, relative)
        raw = guarded_parse(path.read_bytes(), headers, max_bytes=MAX_BYTES)
        category = relative.split("/", 1)[0]
        counts[f"{category}:files"] += 1
        if raw.result is None:
            refused[relative] = raw.error
            continue
        if raw.result.get("bozo"):
            counts[f"{category}:bozo"] += 1
        elif category == "illformed":
            calm_illformed.add(relative)
        if raw.notes:
            noted.add(relative)
        counts["doctype"] += b"<!DOCTYPE" in path.read_bytes()
    assert refused == {}
    assert counts["wellformed:bozo"] == 0  # as the corpus README says
    assert counts["entities:bozo"] == counts["entities:files"]  # HTML entities are not XML
    # Broken GeoRSS is well-formed XML: only the geo data is dropped.
    assert calm_illformed and all(path.startswith("illformed/geo/") for path in calm_illformed)
    # Only DOCTYPE files are rewritten (the Netscape one loses its external DTD reference).
    assert 0 < len(noted) <= counts["doctype"]


def test_mutated_corpus_files_never_raise(shared_corpus: Path) -> None:
    """Truncated, bit-flipped and spliced copies of the corpus: errors are values, never exceptions."""
    rng = random.Random(20240501)
    paths = [shared_corpus / CORPUS_FOLDER / relative for relative in rng.sample(CORPUS_FILES, 150)]
    snippets = [b"<", b"&", b"&#xD800;", b"]]>", b"<![CDATA[", b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"\x00", b"\xff"]
    source = FeedSource(id="corpus", url="https://example.com/feed", outlet="corpus")
    for path in paths:
        data = path.read_bytes()
        for _ in range(6):
            mutated = bytearray(data)
            operation = rng.randrange(3)
            position = rng.randrange(len(mutated) + 1)
            if operation == 0:
                del mutated[position:]
            elif operation == 1 and mutated:
                mutated[min(position, len(mutated) - 1)] ^= 1 << rng.randrange(8)
            else:
                mutated[position:position] = rng.choice(snippets)
            parsed = parse_feed(bytes(mutated), source, base_url=FEED_BASE, max_bytes=MAX_BYTES, max_entries=50)
            assert parsed.failure is None or parsed.failure.reason == "feed-error"
