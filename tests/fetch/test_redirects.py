"""Redirects are followed hop by hop, capped, and end a loop as fetch-too-many-redirects."""

from __future__ import annotations

import httpx


def redirect(location, status=302):
    return httpx.Response(status, headers={"location": location})


def test_redirects_are_followed_to_the_final_url(web, fetch_page):
    web.route("news.example/old", redirect("/new", 301))
    web.route("news.example/new", redirect("https://www.news.example/new?x=1#top", 308))
    web.route("www.news.example/new?x=1", web.html())

    page = fetch_page("https://news.example/old")

    assert page.status == 200
    assert page.url == "https://news.example/old"
    assert page.final_url == "https://www.news.example/new?x=1"
    assert web.paths() == ["news.example/old", "news.example/new", "www.news.example/new?x=1"]


def test_redirect_cap(web, fetch_page):
    for hop in range(6):
        web.route(f"news.example/{hop}", redirect(f"/{hop + 1}"))
    web.route("news.example/6", web.html())

    too_far = fetch_page("https://news.example/0", max_redirects=5)
    web.requests.clear()
    within = fetch_page("https://news.example/1", max_redirects=5)

    assert too_far.reason == "fetch-too-many-redirects"
    assert too_far.retryable is False
    assert within.status == 200
    assert len(web.requests) == 6


def test_redirect_loop_ends(web, fetch_page):
    web.route("a.example/", redirect("https://b.example/"))
    web.route("b.example/", redirect("https://a.example/"))

    result = fetch_page("https://a.example/", max_redirects=4)

    assert result.reason == "fetch-too-many-redirects"
    assert len(web.requests) == 5


def test_no_redirects_allowed(web, fetch_page):
    web.route("a.example/", redirect("/b"))

    result = fetch_page("https://a.example/", max_redirects=0)

    assert result.reason == "fetch-too-many-redirects"


def test_redirect_to_another_scheme_is_refused(web, fetch_page):
    web.route("a.example/", redirect("ftp://a.example/file"))

    result = fetch_page("https://a.example/")

    assert result.reason == "unsafe-url"
    assert "ftp" in result.detail


def test_a_3xx_without_location_is_an_http_error(web, fetch_page):
    web.route("a.example/", httpx.Response(302))

    result = fetch_page("https://a.example/")

    assert result.reason == "fetch-http-error"
    assert result.detail.endswith("HTTP 302")


def test_cookies_set_by_a_redirect_are_sent_on_the_next_hop(web, fetch_page):
    web.route(
        "news.example/consent",
        httpx.Response(302, headers={"location": "/story", "set-cookie": "ok=1; Path=/"}),
    )
    web.route(
        "news.example/story",
        lambda request: web.html() if request.headers.get("cookie") == "ok=1" else redirect("/consent"),
    )

    page = fetch_page("https://news.example/consent")

    assert page.status == 200
    assert web.paths() == ["news.example/consent", "news.example/story"]
