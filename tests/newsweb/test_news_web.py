"""The local news web serves what tests and demos rely on: feeds, pages, validators and faults."""

from __future__ import annotations

import gzip
import re
from typing import Any

import httpx
import pytest

from newshound_dev.newsweb import Fault, NewsWebServer, SiteArticle
from newshound_dev.newsweb.site import render_article_page


def test_corpus_site_has_seed_outlets_and_extraction_pages(news_web: NewsWebServer) -> None:
    outlets = news_web.site.outlets
    assert {"nachrichtenblatt", "weltrundschau"} <= set(outlets)
    assert news_web.site.article_count == 2 + 121
    seed_feed = httpx.get(news_web.feed_urls()["weltrundschau"]).text
    assert seed_feed.startswith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"')
    link = re.search(r'href="([^"]+\.html)"', seed_feed)
    assert link is not None
    page = httpx.get(link.group(1))
    assert page.status_code == 200
    assert "LESEN SIE MEHR" in page.text and "rrt-allgemeines" in page.text  # the noise is served as is


def test_feed_validators_and_conditional_get(news_web: NewsWebServer) -> None:
    url = news_web.feed_urls()["nachrichtenblatt"]
    first = httpx.get(url)
    etag = first.headers["etag"]
    assert httpx.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert httpx.get(url, headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 304
    article = news_web.site.articles["nachrichtenblatt"][0]
    news_web.site.add_article(
        SiteArticle("nachrichtenblatt", "neu", "Neu", "Neu", article.published.replace(year=2030), b"<p>x</p>")
    )
    changed = httpx.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag and "Neu" in changed.text


def test_lying_validators_keep_etag_after_change(news_web: NewsWebServer) -> None:
    news_web.site.lying_validators.add("weltrundschau")
    url = news_web.feed_urls()["weltrundschau"]
    before = httpx.get(url)
    page = render_article_page("Weltrundschau", "Neu", ["Text"], before_date(news_web), language="de", url_path="/x")
    news_web.site.add_article(SiteArticle("weltrundschau", "neu", "Neu", "", before_date(news_web), page))
    after = httpx.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] == before.headers["etag"]
    assert "Neu" in after.text and "Neu" not in before.text


def before_date(server: NewsWebServer) -> Any:
    return max(a.published for items in server.site.articles.values() for a in items)


@pytest.mark.parametrize(
    ("path", "status"),
    [("/_fault/status/429/x?retry_after=7", 429), ("/_fault/status/500/x", 500), ("/missing.html", 404)],
)
def test_status_faults(news_web: NewsWebServer, path: str, status: int) -> None:
    response = httpx.get(news_web.base_url + path)
    assert response.status_code == status
    if status == 429:
        assert response.headers["retry-after"] == "7"


def test_redirects_loops_and_flaky(news_web: NewsWebServer) -> None:
    base = news_web.base_url
    assert httpx.get(base + "/_fault/redirect/3/robots.txt", follow_redirects=True).text.startswith("User-agent")
    with pytest.raises(httpx.TooManyRedirects):
        httpx.get(base + "/_fault/loop/a", follow_redirects=True)
    codes = [httpx.get(base + "/_fault/flaky/2/robots.txt").status_code for _ in range(3)]
    assert codes == [503, 503, 200]


def test_path_faults_apply_to_registered_urls(news_web: NewsWebServer) -> None:
    url = news_web.feed_urls()["nachrichtenblatt"]
    news_web.faults["/feeds/nachrichtenblatt.xml"] = Fault(status=500, times=1)
    assert httpx.get(url).status_code == 500
    assert httpx.get(url).status_code == 200


def test_big_bodies_bombs_and_endless_pages(news_web: NewsWebServer) -> None:
    base = news_web.base_url
    with httpx.stream("GET", base + "/_fault/gzip-bomb/4") as bomb:
        assert bomb.headers["content-encoding"] == "gzip"
        compressed = b"".join(bomb.iter_raw())
    assert len(compressed) < 100_000 and len(gzip.decompress(compressed)) == 4 * 1024 * 1024
    with httpx.stream("GET", base + "/_fault/huge/2") as response:
        assert int(response.headers["content-length"]) == 2 * 1024 * 1024
    received = 0
    with httpx.stream("GET", base + "/_fault/endless", timeout=5) as response:
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > 200:
                break
    assert received > 200
    truncated = httpx.Client()
    with pytest.raises(httpx.RemoteProtocolError):
        truncated.get(base + "/_fault/truncated/nachrichtenblatt/none.html")
    requests = [r.path for r in news_web.requests]
    assert "/_fault/endless" in requests


def test_the_request_log_keeps_only_the_newest(monkeypatch: pytest.MonkeyPatch, corpus_site_template: Any) -> None:
    """A long benchmark or demo must not grow the server's memory with every request it served."""
    monkeypatch.setattr("newshound_dev.newsweb.server.REQUEST_LOG_LIMIT", 5)
    with NewsWebServer(corpus_site_template) as web, httpx.Client() as client:
        for number in range(12):
            client.get(f"{web.base_url}/nowhere/{number}.html")
        assert [request.path for request in web.requests] == [f"/nowhere/{number}.html" for number in range(7, 12)]
