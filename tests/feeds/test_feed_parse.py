"""What parse_feed makes of ordinary feeds: entries, text, links, dates, languages, limits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pipeline.feeds.parse import ParsedFeed, parse_feed, response_headers
from pipeline.settings import FeedSource

FEED_URL = "https://news.example.com/feed.xml"


def parse(document: bytes, source: FeedSource, **options: Any) -> ParsedFeed:
    options.setdefault("base_url", FEED_URL)
    options.setdefault("max_entries", 200)
    return parse_feed(document, source, max_bytes=5_000_000, **options)


def rss(*items: bytes, channel: bytes = b"<title>Example</title>") -> bytes:
    body = b"".join(b"<item>" + item + b"</item>" for item in items)
    return b'<rss version="2.0"><channel>' + channel + body + b"</channel></rss>"


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB" xml:base="https://atom.example.org/news/">
  <title type="html">Atom &amp;lt;b&amp;gt;News&amp;lt;/b&amp;gt;</title>
  <entry>
    <id>tag:atom.example.org,2024:1</id>
    <title type="html">&lt;em&gt;Storm&lt;/em&gt; warning</title>
    <link rel="alternate" href="2024/storm"/>
    <updated>2024-03-01T10:00:00+01:00</updated>
    <summary type="html">&lt;p&gt;Winds of &lt;b&gt;120&lt;/b&gt;&amp;nbsp;km/h.&lt;/p&gt;
      &lt;p&gt;Stay inside.&lt;/p&gt;</summary>
    <category term="weather"/><category term="europe" label="Europe"/>
  </entry>
  <entry xml:lang="de">
    <id>tag:atom.example.org,2024:2</id>
    <title>Sturm</title>
    <link href="https://atom.example.org/de/sturm"/>
    <published>2024-03-02T08:30:00Z</published>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Orkan &amp; Regen</p></div></content>
  </entry>
</feed>
"""


def test_atom_entries(source: FeedSource) -> None:
    parsed = parse(ATOM, source)
    assert parsed.failure is None
    assert parsed.bozo is False
    assert parsed.version == "atom10"
    assert parsed.title == "Atom <b>News</b>"  # escaped twice: the text is literally "<b>"
    german, english = parsed.entries  # newest first
    assert english.entry_id == "tag:atom.example.org,2024:1"
    assert english.url == "https://atom.example.org/news/2024/storm"  # xml:base
    assert english.title == "Storm warning"
    assert english.summary == "Winds of 120 km/h. Stay inside."
    assert english.published == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    assert english.language == "en"
    assert english.tags == ("weather", "europe")
    assert english.feed_id == "example" and english.outlet == "Example News"
    assert german.language == "de"
    assert german.summary == "Orkan & Regen"  # from the content when there is no summary
    assert german.published == datetime(2024, 3, 2, 8, 30, tzinfo=UTC)


def test_rss_entries_ids_and_links(source: FeedSource) -> None:
    parsed = parse(
        rss(
            b"<title>With guid</title><link>/a</link><guid isPermaLink='false'>id-1</guid>"
            b"<pubDate>Tue, 05 Mar 2024 14:00:00 +0100</pubDate><category>Politik</category>",
            b"<title>Permalink guid</title><guid>https://news.example.com/b</guid>",
            b"<title>No guid</title><link>https://news.example.com/c?x=1&amp;y=2</link>",
            b"<title>No link at all</title><description>only text</description>",
        ),
        source,
    )
    assert [(entry.entry_id, entry.url) for entry in parsed.entries] == [
        ("id-1", "https://news.example.com/a"),
        ("https://news.example.com/b", "https://news.example.com/b"),
        ("https://news.example.com/c?x=1&y=2", "https://news.example.com/c?x=1&y=2"),
    ]
    assert parsed.entries[0].published == datetime(2024, 3, 5, 13, 0, tzinfo=UTC)
    assert parsed.entries[0].tags == ("Politik",)
    assert parsed.entries_without_link == 1
    assert parsed.entries_in_document == 4


def test_plain_text_titles_keep_their_angle_brackets(source: FeedSource) -> None:
    parsed = parse(rss(b"<title>Is 3 &lt; 5? Yes &amp; no</title><link>https://e.example/a</link>"), source)
    assert parsed.entries[0].title == "Is 3 < 5? Yes & no"


def test_html_in_rss_description_is_stripped_and_scripts_removed(source: FeedSource) -> None:
    parsed = parse(
        rss(
            b"<title>x</title><link>https://e.example/a</link><description><![CDATA[<p onclick='x()'>One"
            b"<script>alert('no')</script></p><ul><li>two</li><li>three</li></ul>]]></description>"
        ),
        source,
    )
    assert parsed.entries[0].summary == "One two three"


def test_language_falls_back_to_the_feed_then_the_header_then_the_source(source: FeedSource) -> None:
    item = b"<title>x</title><link>https://e.example/a</link>"
    assert parse(rss(item, channel=b"<title>t</title><language>fr-CA</language>"), source).entries[0].language == "fr"
    assert parse(rss(item), source, content_language="it").entries[0].language == "it"
    assert parse(rss(item), source).entries[0].language == "de"  # the registry's hint
    assert parse(rss(item), source.model_copy(update={"language": None})).entries[0].language is None


def test_newest_first_and_the_entry_limit(source: FeedSource) -> None:
    items = [
        b"<title>%d</title><link>https://e.example/%d</link><pubDate>Mon, 0%d Jan 2024 12:00:00 GMT</pubDate>"
        % (day, day, day)
        for day in (3, 1, 5, 2, 4)
    ]
    items.append(b"<title>undated</title><link>https://e.example/u</link>")
    parsed = parse(rss(*items), source, max_entries=3)
    assert [entry.title for entry in parsed.entries] == ["5", "4", "3"]
    assert parsed.entries_over_limit == 3
    undated_last = parse(rss(*items), source)
    assert undated_last.entries[-1].title == "undated"


def test_duplicate_entries_are_dropped(source: FeedSource) -> None:
    item = b"<title>x</title><link>https://e.example/a</link><guid>same</guid>"
    parsed = parse(rss(item, item), source)
    assert len(parsed.entries) == 1
    assert parsed.duplicate_entries == 1


def test_relative_links_need_a_base(source: FeedSource) -> None:
    parsed = parse(rss(b"<title>x</title><link>/a</link>"), source, base_url=None)
    assert parsed.entries == ()
    assert [(link.url, link.reason) for link in parsed.refused_links] == [("/a", "relative link and no base URL")]


def test_content_location_header_is_the_base_unless_unsafe(source: FeedSource) -> None:
    document = rss(b"<title>x</title><link>a</link>")
    moved = parse(document, source, content_location="/moved/feed.xml")
    assert moved.entries[0].url == "https://news.example.com/moved/a"
    unsafe = parse(document, source, content_location="javascript:alert(1)")
    assert unsafe.entries[0].url == "https://news.example.com/a"


def test_response_headers() -> None:
    assert response_headers() == {}  # read like a local file
    assert response_headers(base_url="https://e.example/f") == {
        "content-location": "https://e.example/f",
        "content-type": "application/xml",
    }
    assert response_headers(base_url="https://e.example/f", content_type="text/xml", content_language="de") == {
        "content-location": "https://e.example/f",
        "content-language": "de",
        "content-type": "text/xml",
    }


def test_content_type_charset_decides_the_encoding(source: FeedSource) -> None:
    document = rss("<title>Grüße</title><link>https://e.example/a</link>".encode("iso-8859-1"))
    parsed = parse(document, source, content_type="application/rss+xml; charset=iso-8859-1")
    assert parsed.entries[0].title == "Grüße"
    assert parsed.encoding == "iso-8859-1"
    assert parsed.bozo is False


def test_a_channel_without_items_is_a_feed(source: FeedSource) -> None:
    parsed = parse(rss(), source)
    assert parsed.failure is None
    assert parsed.entries == ()
    assert parsed.title == "Example"


def test_ill_formed_feed_is_read_with_bozo(source: FeedSource) -> None:
    parsed = parse(rss(b"<title>Caf&eacute; &amp; bar</title><link>https://e.example/a</link>"), source)
    assert parsed.failure is None
    assert parsed.bozo is True  # &eacute; is HTML, not XML: feedparser's loose parser takes over
    assert parsed.bozo_reason is not None and parsed.bozo_reason.endswith("undefined entity")
    assert parsed.entries[0].title == "Café & bar"


def test_ids_copied_into_links_are_not_made_into_addresses(source: FeedSource) -> None:
    parsed = parse(
        rss(
            b"<title>numeric guid</title><guid>12345</guid>",
            b"<title>tag guid</title><guid>tag:example.com,2024:1</guid>",
            b"<title>url guid</title><guid>https://news.example.com/b</guid>",
        ),
        source,
    )
    assert [entry.url for entry in parsed.entries] == ["https://news.example.com/b"]
    assert parsed.refused_links == ()
    assert parsed.entries_without_link == 2


def test_malformed_links_do_not_raise(source: FeedSource) -> None:
    parsed = parse(
        rss(
            b"<title>a</title><link>http://[::1</link>",
            b"<title>b</title><link>//[bad/x</link>",
            b"<title>c</title><link>http://e.example:99999/</link>",
            b"<title>d</title><link>https://ok.example/d</link>",
        ),
        source,
    )
    assert [entry.url for entry in parsed.entries] == ["https://ok.example/d"]
    # feedparser drops the two with a broken "[" host itself; the bad port reaches the guard
    assert [link.reason for link in parsed.refused_links] == ["malformed URL: Port out of range 0-65535"]
    assert parsed.entries_without_link == 2
