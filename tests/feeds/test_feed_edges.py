"""The edges of the feed stage, found by running hostile feeds: URLs that leave it, impossible
dates, an XHTML DOCTYPE before <rss>, and HTML inside text that would stall feedparser."""

from __future__ import annotations

import html
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import TypeAdapter

from pipeline.feeds.dates import EARLIEST_DATE, MAX_RAW_DATE_CHARS, believable_date
from pipeline.feeds.parse import ParsedFeed, parse_feed
from pipeline.feeds.prepare import MAX_TEXT_MARKUP, prepare_document
from pipeline.models import FeedEntry
from pipeline.settings import FeedSource
from pipeline.urls import fetchable_url

FEED_URL = "https://news.example.com/feed.xml"
FETCHED_AT = datetime(2025, 12, 10, 12, 0, tzinfo=UTC)
TOO_MUCH_MARKUP = f"feed-error: more than {MAX_TEXT_MARKUP} HTML tags and references inside text"


def parse(document: bytes, source: FeedSource, **options: Any) -> ParsedFeed:
    options.setdefault("base_url", FEED_URL)
    options.setdefault("fetched_at", FETCHED_AT)
    return parse_feed(document, source, max_bytes=5_000_000, max_entries=200, **options)


def rss(*items: bytes, channel: bytes = b"<title>Example</title>") -> bytes:
    body = b"".join(b"<item>" + item + b"</item>" for item in items)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>' + channel + body + b"</channel></rss>"
    )


def item(link: bytes = b"https://news.example.com/a", *, date: bytes | None = None, extra: bytes = b"") -> bytes:
    dated = b"<pubDate>" + date + b"</pubDate>" if date is not None else b""
    return b"<title>t</title><link>" + link + b"</link>" + dated + extra


# --- URLs leaving the feed stage ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "base_url", "expected", "note"),
    [
        (b"javascript:alert(&quot;feed&quot;)", FEED_URL, None, "feed link dropped (scheme 'javascript' not allowed)"),
        (b"http://169.254.169.254/", FEED_URL, None, "feed link dropped (metadata address)"),
        (b"HTTP://169.254.169.254/", FEED_URL, None, "feed link dropped (metadata address)"),
        (b"/", None, None, "feed link dropped (relative link and no base URL)"),
        (b"/", FEED_URL, "https://news.example.com/", None),
        (b"HTTPS://News.Example.COM/Start Seite", FEED_URL, "https://news.example.com/Start%20Seite", None),
    ],
    ids=["javascript", "metadata", "metadata upper-case", "relative without base", "relative", "normalised"],
)
def test_the_feed_link_is_guarded_and_normalised(
    link: bytes, base_url: str | None, expected: str | None, note: str | None, source: FeedSource
) -> None:
    parsed = parse(rss(item(), channel=b"<title>t</title><link>" + link + b"</link>"), source, base_url=base_url)
    assert parsed.failure is None
    assert parsed.link == expected
    assert [text for text in parsed.notes if text.startswith("feed link")] == ([note] if note else [])


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (b"https://news.example.com/a&#0;b", "https://news.example.com/ab"),  # NUL (loose parser)
        (b"https://news.example.com/a\x01b\x7fc", "https://news.example.com/abc"),  # raw controls
        (b"https://news.example.com/a\tb", "https://news.example.com/ab"),
        (b"https://news.example.com/Eine Seite?q=a b", "https://news.example.com/Eine%20Seite?q=a%20b"),
        (b"HTTPS://NEWS.EXAMPLE.COM/Path", "https://news.example.com/Path"),
        ("https://bücher.example/straße".encode(), "https://xn--bcher-kva.example/stra%C3%9Fe"),
        (b"https://news.example.com/c?x=1&amp;utm_source=y#top", "https://news.example.com/c?x=1&utm_source=y#top"),
    ],
    ids=["NUL", "controls", "tab", "spaces", "upper case", "IDN", "nothing else changes"],
)
def test_entry_urls_are_normalised(link: bytes, expected: str, source: FeedSource) -> None:
    parsed = parse(rss(item(link)), source)
    assert parsed.refused_links == ()
    assert [entry.url for entry in parsed.entries] == [expected]
    assert parsed.entries[0].entry_id == expected  # no guid: the id is the normalised link


@pytest.mark.parametrize(
    ("link", "reported", "reason"),
    [
        (b"HTTP://169.254.169.254/latest/meta-data/", "HTTP://169.254.169.254/latest/meta-data/", "metadata address"),
        (b"http://127.0.0.1&#0;/admin", "http://127.0.0.1/admin", "loopback address"),
        (b"http://LOCALHOST/", "http://LOCALHOST/", "local host name"),
        (
            b"https://news.exa mple.com/a",
            "https://news.exa mple.com/a",
            "malformed URL: invalid host 'news.exa%20mple.com'",
        ),
    ],
    ids=["metadata upper-case", "loopback behind a NUL", "localhost upper-case", "space in the host"],
)
def test_entries_without_a_usable_url_are_refused_with_a_reason(
    link: bytes, reported: str, reason: str, source: FeedSource
) -> None:
    parsed = parse(rss(item(link), item(b"https://news.example.com/fine")), source)
    assert [(refused.url, refused.reason) for refused in parsed.refused_links] == [(reported, reason)]
    assert [entry.url for entry in parsed.entries] == ["https://news.example.com/fine"]


def test_an_invalid_idna_host_is_malformed(source: FeedSource) -> None:
    parsed = parse(rss(item(b"https://xn--/a")), source)
    assert parsed.entries == ()
    assert [refused.reason.split(":")[0] for refused in parsed.refused_links] == ["malformed URL"]


def test_allow_listed_hosts_are_judged_after_normalisation(source: FeedSource) -> None:
    parsed = parse(rss(item(b"HTTP://LOCALHOST:8080/a b")), source, allowed_hosts=("localhost",))
    assert [entry.url for entry in parsed.entries] == ["http://localhost:8080/a%20b"]


def test_fetchable_url_is_lossless_and_refuses_what_cannot_be_requested() -> None:
    assert (
        fetchable_url(" HTTPS://Bücher.Example:8443/ä\x00?b=2&a=1#f ")
        == "https://xn--bcher-kva.example:8443/%C3%A4?b=2&a=1#f"
    )
    assert fetchable_url("/relative path") == "/relative%20path"
    with pytest.raises(ValueError, match="malformed URL"):
        fetchable_url("https://Ｅｘａｍｐｌｅ.com/")  # fullwidth letters are no IDNA 2008 host
    with pytest.raises(ValueError, match="malformed URL"):
        fetchable_url("http://[::1")


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Fri, 31 Dec 9999 23:59:59 GMT", None),
        ("9999-12-31T23:59:59Z", None),
        ("Mon, 01 Jan 0001 00:00:00 GMT", None),
        ("1740", None),  # a year before feeds
        ("1700000000", None),  # a Unix timestamp: feedparser reads 1699-11-30
        ("-7258118400", None),  # feedparser reads 2072-12-01
        ("12", None),  # feedparser reads the year 1101
        ("10:00", None),  # feedparser takes the date from its clock
        ("2025-02-30", None),  # feedparser makes it 1 March
        ("2025/03/05 10:00:00", None),  # feedparser reads 2025-12-01
        ("2025年3月5日", None),  # feedparser reads 2025-12-01
        ("2025년 3월 5일", None),  # feedparser reads 2025-12-01
        ("２０２５年３月５日", None),  # fullwidth digits, feedparser reads 2025-12-01
        ("Sun, 31 Dec 1989 23:00:00 GMT", None),
        ("Thu, 11 Dec 2025 13:00:00 GMT", None),  # 25 hours after the fetch
        ("Mon, 01 Jan 1990 00:00:00 GMT", EARLIEST_DATE),
        ("Thu, 11 Dec 2025 11:00:00 GMT", datetime(2025, 12, 11, 11, 0, tzinfo=UTC)),  # 23 hours ahead
        ("2025年12月01日", datetime(2025, 12, 1, tzinfo=UTC)),  # the one CJK date feedparser reads right
        ("2025-12-01 10:00:00 (月)", datetime(2025, 12, 1, 10, 0, tzinfo=UTC)),
        ("20250305", datetime(2025, 3, 5, tzinfo=UTC)),  # ISO 8601 basic format
        ("2025-03-05T01:00:00+09:00", datetime(2025, 3, 4, 16, 0, tzinfo=UTC)),  # the UTC day is the 4th
        ("Wed, 05 Mar 25 14:00:00 +0100", datetime(2025, 3, 5, 13, 0, tzinfo=UTC)),  # RFC 822 two-digit year
        ("Thu, 01 Jan 2025 00:30:00 +0100", datetime(2024, 12, 31, 23, 30, tzinfo=UTC)),  # the UTC year is 2024
    ],
)
def test_impossible_dates_become_unknown(date: str, expected: datetime | None, source: FeedSource) -> None:
    parsed = parse(rss(item(date=date.encode())), source)
    entry = parsed.entries[0]
    assert entry.published == expected
    assert entry.published_raw == date


def test_a_year_9999_entry_does_not_lead(source: FeedSource) -> None:
    parsed = parse(
        rss(
            item(b"https://news.example.com/future", date=b"Fri, 31 Dec 9999 23:59:59 GMT"),
            item(b"https://news.example.com/older", date=b"Mon, 01 Dec 2025 10:00:00 GMT"),
            item(b"https://news.example.com/newer", date=b"Tue, 09 Dec 2025 10:00:00 GMT"),
        ),
        source,
    )
    assert [entry.url.rsplit("/", 1)[1] for entry in parsed.entries] == ["newer", "older", "future"]


def test_an_impossible_published_date_falls_back_to_the_updated_one(source: FeedSource) -> None:
    document = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id>'
        b'<link href="https://news.example.com/a"/><published>9999-12-31T00:00:00Z</published>'
        b"<updated>2025-12-09T08:00:00Z</updated></entry></feed>"
    )
    entry = parse(document, source).entries[0]
    assert (entry.published, entry.published_raw) == (datetime(2025, 12, 9, 8, 0, tzinfo=UTC), "2025-12-09T08:00:00Z")


def test_the_raw_date_is_cleaned_and_capped(source: FeedSource) -> None:
    entries = parse(rss(item(date=b"  1 Jan\t2025 &#1;" + b"x" * 1000)), source).entries
    assert entries[0].published_raw == "1 Jan 2025 " + "x" * (MAX_RAW_DATE_CHARS - len("1 Jan 2025 "))
    assert parse(rss(item()), source).entries[0].published_raw is None


def test_a_naive_fetch_time_means_utc(source: FeedSource) -> None:
    parsed = parse(rss(item(date=b"Wed, 10 Dec 2025 20:00:00 GMT")), source, fetched_at=datetime(2025, 12, 10, 12))
    assert parsed.entries[0].published == datetime(2025, 12, 10, 20, 0, tzinfo=UTC)


def test_believable_date_reads_no_clock() -> None:
    moment = datetime(2030, 1, 1, tzinfo=UTC)
    assert believable_date(moment, "2030-01-01", fetched_at=datetime(2029, 12, 31, 1, tzinfo=UTC)) == moment
    assert believable_date(moment, "2030-01-01", fetched_at=datetime(2029, 12, 30, 23, tzinfo=UTC)) is None
    huge = "2030 " + "9" * 90 + " 1"  # no such month: unknown, not an OverflowError
    assert believable_date(moment, huge, fetched_at=datetime(2030, 1, 2, tzinfo=UTC)) is None


def test_published_raw_round_trips_through_the_staging_payload() -> None:
    """pipeline.ingest.workitems stores entries with a pydantic TypeAdapter over FeedEntry."""
    adapter = TypeAdapter(FeedEntry)
    entry = FeedEntry("f", "Outlet", "https://e.example/a", "id", "t", "s", None, "de", ("x",), "9999-12-31")
    payload = adapter.dump_python(entry, mode="json")
    assert payload["published_raw"] == "9999-12-31"
    assert adapter.validate_python(payload) == entry
    del payload["published_raw"]  # an item staged before the field existed
    assert adapter.validate_python(payload).published_raw is None


# --- an XHTML DOCTYPE before <rss> -------------------------------------------------------------


@pytest.mark.parametrize("variant", [b"Strict", b"Transitional"])
def test_an_xhtml_doctype_before_rss_is_a_feed(variant: bytes, source: FeedSource) -> None:
    document = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 ' + variant + b'//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-' + variant.lower() + b'.dtd">\n'
        b'<rss version="2.0"><channel><title>T</title><item><title>Eins</title>'
        b"<link>https://news.example.com/1</link></item></channel></rss>"
    )
    parsed = parse(document, source)
    assert parsed.failure is None
    assert parsed.version == "rss20"
    assert [(entry.title, entry.url) for entry in parsed.entries] == [("Eins", "https://news.example.com/1")]
    assert "external DTD reference removed" in parsed.notes


def test_an_html_doctype_without_an_html_root_is_still_a_page(source: FeedSource) -> None:
    parsed = parse(b"<!DOCTYPE html>\n<title>Home</title><p>No feed here</p>", source)
    assert parsed.failure is not None and parsed.failure.detail == "not a feed (HTML page)"


# --- HTML inside text ----------------------------------------------------------------------------


def description(markup: bytes, *, cdata: bool) -> bytes:
    text = b"<![CDATA[" + markup + b"]]>" if cdata else html.escape(markup.decode(), quote=False).encode()
    return b"<description>" + text + b"</description>"


@pytest.mark.parametrize("cdata", [False, True], ids=["escaped", "CDATA"])
@pytest.mark.parametrize(
    "markup",
    [
        b"<b>" * 100_000 + b"deep" + b"</b>" * 100_000,  # feedparser alone: 2.2-2.5 s
        b"<p>x</p>" * 60_000,  # the cost is per tag, not per level
        b"<a/>" * 400_000,  # 1.6 MB in CDATA: feedparser alone about 7 s
    ],
    ids=["nested 100,000", "siblings", "400,000 tags"],
)
def test_too_much_html_in_text_is_refused_quickly(markup: bytes, cdata: bool, source: FeedSource) -> None:
    document = rss(item(extra=description(markup, cdata=cdata)))
    start = time.perf_counter()
    parsed = parse(document, source)
    assert parsed.failure is not None and f"{parsed.failure.reason}: {parsed.failure.detail}" == TOO_MUCH_MARKUP
    assert parsed.entries == ()
    assert time.perf_counter() - start < 2  # measured: 0.03-0.2 s


def test_the_text_markup_limit_is_exact() -> None:
    """Each "<" and "&" in CDATA counts, and each "&" reference outside it but "&gt;", "&quot;", "&apos;"."""
    per_item = b"&lt;b&gt;&quot;&apos;<![CDATA[<i>&amp;</i>]]>"  # 1 + 3 ("<", "&", "<")
    whole, rest = divmod(MAX_TEXT_MARKUP, 4)
    at_limit = rss(item(extra=b"<description>" + per_item * whole + b"&amp;" * rest + b"</description>"))
    assert prepare_document(at_limit, {}).error is None
    over = at_limit.replace(b"</description>", b"&#60;</description>")
    assert prepare_document(over, {}).error == TOO_MUCH_MARKUP.removeprefix("feed-error: ")


def test_ordinary_html_in_text_is_read(source: FeedSource) -> None:
    article = b"".join(b"<p>Absatz %d mit <a href='/x'>Link</a> &amp; <b>mehr</b>.</p>" % n for n in range(1000))
    parsed = parse(rss(item(extra=description(article, cdata=True))), source)
    assert parsed.failure is None
    assert parsed.entries[0].summary.startswith("Absatz 0 mit Link & mehr. Absatz 1 mit Link & mehr.")
    many_gt = rss(item(extra=b"<description>" + b"&gt;&quot;" * 150_000 + b"</description>"))
    assert parse(many_gt, source).failure is None  # they cannot become markup, so they do not count
