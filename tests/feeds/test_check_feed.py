"""check_feed_file: a local file through the polling parser, as one JSON-ready dict, never raising."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipeline.feeds.check import check_feed_file, check_feed_files, describe_parsed_feed
from pipeline.feeds.parse import parse_feed
from pipeline.settings import FeedSettings, FeedSource, FetchSettings, Settings

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local &amp; Test</title><link>https://news.example.com/</link>
<item><title>First</title><link>https://news.example.com/1</link>
  <pubDate>Wed, 01 May 2024 10:00:00 GMT</pubDate><category>a</category></item>
<item><title>Metadata</title><link>http://169.254.169.254/latest/meta-data/</link></item>
<item><title>Relative</title><link>/2</link></item>
</channel></rss>
"""


@pytest.fixture
def settings() -> Settings:
    return Settings()


def test_plain_file(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    report = check_feed_file(path, settings)
    assert json.loads(json.dumps(report)) == report  # one JSON line for the CLI
    assert report["ok"] is True and report["error"] is None
    assert report["title"] == "Local & Test"
    assert report["version"] == "rss20"
    assert report["bozo"] is False
    assert report["compressed"] is False
    assert report["bytes"] == len(FEED)
    assert (report["entries_in_document"], report["entries_kept"]) == (3, 1)
    assert report["entries"] == [
        {
            "url": "https://news.example.com/1",
            "entry_id": "https://news.example.com/1",
            "title": "First",
            "published": "2024-05-01T10:00:00+00:00",
            "published_raw": "Wed, 01 May 2024 10:00:00 GMT",
            "language": None,
            "tags": ["a"],
            "summary_chars": 0,
        }
    ]
    assert report["refused_links"] == [
        {"url": "http://169.254.169.254/latest/meta-data/", "reason": "metadata address"},
        {"url": "/2", "reason": "relative link and no base URL"},
    ]


def test_base_url_and_content_type_stand_in_for_the_response(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    report = check_feed_file(path, settings, base_url="https://news.example.com/feed", content_type="text/xml")
    entries = report["entries"]
    assert isinstance(entries, list)
    assert [entry["url"] for entry in entries] == ["https://news.example.com/1", "https://news.example.com/2"]


def test_same_result_as_polling(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "feed.xml.gz"
    path.write_bytes(gzip.compress(FEED))
    report = check_feed_file(path, settings)
    source = FeedSource(id="check-feed", url="https://check-feed.invalid/", outlet="feed.xml.gz")
    polled = parse_feed(
        FEED,
        source,
        max_bytes=settings.feeds.max_feed_bytes,
        max_entries=settings.feeds.max_entries_per_poll,
        allowed_hosts=settings.fetch.allowed_hosts,
    )
    assert report == {"path": str(path), "compressed": True, "bytes": len(FEED), **describe_parsed_feed(polled)}


def test_entry_limit_and_size_cap_come_from_the_settings(tmp_path: Path) -> None:
    items = b"".join(b"<item><title>%d</title><link>https://e.example/%d</link></item>" % (n, n) for n in range(5))
    path = tmp_path / "feed.xml"
    path.write_bytes(b'<rss version="2.0"><channel><title>t</title>' + items + b"</channel></rss>")
    few = Settings(feeds=FeedSettings(max_entries_per_poll=2))
    report = check_feed_file(path, few)
    assert (report["entries_kept"], report["entries_over_limit"]) == (2, 3)
    small = Settings(feeds=FeedSettings(max_feed_bytes=100))
    assert check_feed_file(path, small)["error"] == "feed-error: feed larger than 100 bytes"
    tiny_body = Settings(fetch=FetchSettings(max_body_bytes=100))
    assert check_feed_file(path, tiny_body)["error"] == "fetch-too-large: body larger than 100 bytes"


@pytest.mark.parametrize(
    ("name", "content", "error_start"),
    [
        ("missing.xml", None, "feed-error: cannot read the file (FileNotFoundError"),
        ("folder", "dir", "feed-error: cannot read the file (IsADirectoryError"),
        ("broken.xml.gz", b"\x1f\x8b\x08\x00 this is not deflate data", "fetch-http-error: corrupt gzip body"),
        ("plain.xml.gz", FEED, "fetch-http-error: corrupt gzip body"),
        ("empty.xml", b"", "feed-error: empty document"),
        ("page.html", b"<html><body>hi</body></html>", "feed-error: not a feed (HTML page)"),
    ],
)
def test_bad_files_give_an_error_value(
    name: str, content: bytes | str | None, error_start: str, tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    report = check_feed_file(path, settings)
    assert report["ok"] is False
    assert isinstance(report["error"], str) and report["error"].startswith(error_start), report["error"]
    assert report["entries"] == [] and report["entries_kept"] == 0
    assert json.loads(json.dumps(report)) == report


def test_several_files_give_one_report_each_in_order(tmp_path: Path, settings: Settings) -> None:
    good, page = tmp_path / "good.xml", tmp_path / "page.html"
    good.write_bytes(FEED)
    page.write_bytes(b"<html><body>hi</body></html>")
    paths = [good, tmp_path / "missing.xml", page, good]
    reports = list(check_feed_files(paths, settings))
    assert [report["path"] for report in reports] == [str(path) for path in paths]
    assert [report["ok"] for report in reports] == [True, False, False, True]
    assert reports[0] == reports[3]


def test_check_feed_command_takes_several_paths(tmp_path: Path) -> None:
    """One JSON line per path, in order, exit 0 whenever each file was handled (as linters do)."""
    from typer.testing import CliRunner

    from pipeline.cli.main import app  # imported here: the CLI pulls in every stage

    good, gzipped = tmp_path / "good.xml", tmp_path / "good.xml.gz"
    good.write_bytes(FEED)
    gzipped.write_bytes(gzip.compress(FEED))
    paths = [str(good), str(tmp_path / "missing.xml"), str(gzipped)]
    result = CliRunner().invoke(app, ["check-feed", *paths])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(line["path"], line["ok"], line["compressed"]) for line in lines] == [
        (paths[0], True, False),
        (paths[1], False, False),
        (paths[2], True, True),
    ]
    assert lines[1]["error"].startswith("feed-error: cannot read the file (FileNotFoundError")
    assert CliRunner().invoke(app, ["check-feed"]).exit_code == 2  # no path: a usage error, as before
