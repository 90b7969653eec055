"""What fetch_page and fetch_feed return: HTML only for pages, raw bytes and validators for feeds."""

from __future__ import annotations

import asyncio
import gzip

import httpx
import pytest

from pipeline.errors import ItemFailure
from pipeline.fetch.results import FeedResponse


@pytest.mark.parametrize("content_type", ["application/pdf", "image/jpeg", "application/json", "text/plain"])
def test_pages_that_are_not_html_are_refused(web, fetch_page, content_type):
    streamed = []

    class Body(httpx.AsyncByteStream):
        async def __aiter__(self):
            streamed.append(True)
            yield b"%PDF-1.7"

    web.routes["news.example/doc"] = lambda request: httpx.Response(
        200, headers={"content-type": content_type}, stream=Body()
    )

    result = fetch_page("https://news.example/doc")

    assert isinstance(result, ItemFailure)
    assert (result.reason, result.retryable, result.stage) == ("fetch-not-html", False, "fetch")
    assert result.url == "https://news.example/doc"
    assert streamed == []  # refused on the header, the body was never read


def test_xhtml_is_a_page(web, fetch_page):
    web.route(
        "news.example/x",
        httpx.Response(200, headers={"content-type": "application/xhtml+xml"}, text="<html/>"),
    )

    page = fetch_page("https://news.example/x")

    assert page.content_type == "application/xhtml+xml"


@pytest.mark.parametrize("content_type", [None, "application/octet-stream"])
def test_missing_content_type_is_sniffed(web, fetch_page, content_type):
    headers = {"content-type": content_type} if content_type else {}
    web.routes["news.example/html"] = lambda request: httpx.Response(
        200, headers=headers, content=b"<!doctype html><p>Hi"
    )
    web.routes["news.example/pdf"] = lambda request: httpx.Response(200, headers=headers, content=b"%PDF-1.4")

    page = fetch_page("https://news.example/html")
    other = fetch_page("https://news.example/pdf")

    assert page.content_type == "text/html"
    assert page.html == "<!doctype html><p>Hi"
    assert other.reason == "fetch-not-html"


def test_fetched_page_fields(web, fetch_page):
    web.route(
        "news.example/a",
        httpx.Response(
            200,
            headers={"content-type": "Text/HTML; charset=ISO-8859-1"},
            content="<p>Grüße</p>".encode("cp1252"),
        ),
    )

    page = fetch_page("https://news.example/a")

    assert page.url == page.final_url == "https://news.example/a"
    assert (page.status, page.content_type, page.encoding, page.html) == (
        200,
        "text/html",
        "cp1252",
        "<p>Grüße</p>",
    )
    assert page.fetched_at.tzinfo is not None


def fetch_feed(make_fetcher, url, **kwargs):
    async def scenario():
        async with make_fetcher() as fetcher:
            return await fetcher.fetch_feed(url, **kwargs)

    return asyncio.run(scenario())


FEED = '<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>K\xf6ln</title></channel></rss>'


def test_feed_body_is_returned_undecoded_with_its_validators(web, make_fetcher):
    raw = FEED.encode("latin-1")
    web.routes["news.example/feed"] = lambda request: httpx.Response(
        200,
        headers={
            "content-type": "application/rss+xml",
            "content-language": "de",
            "etag": '"v1"',
            "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT",
            "content-encoding": "gzip",
        },
        stream=_stream(gzip.compress(raw)),
    )

    feed = fetch_feed(make_fetcher, "https://news.example/feed")

    assert isinstance(feed, FeedResponse)
    assert feed.body == raw  # gzip undone, ISO-8859-1 bytes left for the feed parser
    assert (feed.status, feed.not_modified) == (200, False)
    assert (feed.content_type, feed.content_language) == ("application/rss+xml", "de")
    assert (feed.etag, feed.last_modified) == ('"v1"', "Wed, 21 Oct 2015 07:28:00 GMT")
    assert "application/rss+xml" in web.requests[0].headers["accept"]


def test_conditional_get_and_not_modified(web, make_fetcher):
    web.route("news.example/feed", httpx.Response(304, headers={"etag": '"v2"'}))

    feed = fetch_feed(
        make_fetcher, "https://news.example/feed", etag='"v1"', last_modified="Tue, 20 Oct 2015 00:00:00 GMT"
    )

    request = web.requests[0]
    assert request.headers["if-none-match"] == '"v1"'
    assert request.headers["if-modified-since"] == "Tue, 20 Oct 2015 00:00:00 GMT"
    assert (feed.status, feed.not_modified, feed.body) == (304, True, b"")
    assert feed.etag == '"v2"'
    assert feed.last_modified == "Tue, 20 Oct 2015 00:00:00 GMT"  # not repeated by the server: still ours


def test_no_conditional_headers_without_validators(web, make_fetcher):
    web.route("news.example/feed", httpx.Response(200, text=FEED))

    fetch_feed(make_fetcher, "https://news.example/feed")

    assert "if-none-match" not in web.requests[0].headers
    assert "if-modified-since" not in web.requests[0].headers


def test_feed_failures_use_the_same_reasons(web, make_fetcher):
    web.route("news.example/gone", httpx.Response(410))
    web.route("news.example/huge", httpx.Response(200, content=b"<rss>" + b" " * 5000))

    gone = fetch_feed(make_fetcher, "https://news.example/gone")
    unsafe = fetch_feed(make_fetcher, "http://169.254.169.254/feed")

    async def huge():
        async with make_fetcher(max_body_bytes=1000) as fetcher:
            return await fetcher.fetch_feed("https://news.example/huge")

    assert gone.reason == "fetch-http-error" and gone.detail.endswith("HTTP 410")
    assert unsafe.reason == "unsafe-url"
    assert asyncio.run(huge()).reason == "fetch-too-large"


def _stream(body):
    class Chunks(httpx.AsyncByteStream):
        async def __aiter__(self):
            yield body[:10]
            yield body[10:]

    return Chunks()
