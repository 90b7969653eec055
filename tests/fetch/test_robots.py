"""robots.txt: parsing and matching (RFC 9309), fetch outcomes, caching, and redirect hops."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from pipeline.errors import ItemFailure
from pipeline.fetch.robots import parse_robots, product_token

ROBOTS = """\
# Comments and blank lines are ignored

User-agent: *
Disallow: /private/
Allow: /private/press/

User-agent: Newshound
User-agent: OtherBot
Disallow: /archive
Allow: /archive/today$
Disallow: /*.pdf$
Disallow: /search?*q=

User-agent: GreedyBot
Disallow: /
"""


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/", True),
        ("/private/x", True),  # our own group replaces the * group entirely
        ("/archive", False),
        ("/archive/2020/01", False),
        ("/archive/today", True),  # longer Allow wins
        ("/archive/today/more", False),  # "$" anchors the Allow
        ("/files/report.pdf", False),
        ("/files/report.pdf?download=1", True),
        ("/search?lang=de&q=x", False),
        ("/search?lang=de", True),
        ("/robots.txt", True),
    ],
)
def test_matching_for_our_group(path, allowed):
    rules = parse_robots(ROBOTS, "newshound")

    assert rules.allows(path) is allowed


def test_star_group_applies_when_no_group_names_us():
    rules = parse_robots(ROBOTS, "unknownbot")

    assert rules.allows("/private/x") is False
    assert rules.allows("/private/press/release") is True
    assert rules.allows("/archive") is True


def test_product_token_and_case_insensitive_group_names():
    assert product_token("Newshound/0.1 (+https://github.com/newshound/newshound)") == "newshound"
    rules = parse_robots("User-agent: NEWSHOUND/2.0\nDisallow: /x\n", "newshound")
    assert rules.allows("/x") is False


def test_allow_wins_a_tie_and_empty_disallow_allows_everything():
    tie = parse_robots("User-agent: *\nDisallow: /page\nAllow: /page\n", "newshound")
    empty = parse_robots("User-agent: *\nDisallow:\n", "newshound")

    assert tie.allows("/page") is True
    assert empty.allows("/anything") is True


def test_percent_encoding_and_non_ascii_patterns_match_the_wire_form():
    rules = parse_robots("User-agent: *\nDisallow: /straße\nDisallow: /%7euser\n", "newshound")

    assert rules.allows("/stra%C3%9Fe/1") is False
    assert rules.allows("/~user/") is False
    assert rules.allows("/strasse") is True


def test_hostile_wildcards_do_not_backtrack_catastrophically():
    rules = parse_robots("User-agent: *\nDisallow: /" + "*a" * 50 + "b\n", "newshound")

    assert rules.allows("/" + "a" * 4000) is True


def robots_site(web, body_or_status, host="news.example"):
    if isinstance(body_or_status, int):
        web.route(f"{host}/robots.txt", httpx.Response(body_or_status, text="error"))
    else:
        web.route(f"{host}/robots.txt", httpx.Response(200, text=body_or_status))
    web.route(f"{host}/open", web.html())
    web.route(f"{host}/closed", web.html())


def test_disallowed_page_is_denied_and_not_requested(web, fetch_page):
    robots_site(web, "User-agent: *\nDisallow: /closed\n")

    result = fetch_page("https://news.example/closed", respect_robots_txt=True)

    assert result.reason == "robots-denied"
    assert result.retryable is False
    assert web.paths() == ["news.example/robots.txt"]


def test_allowed_page_is_fetched(web, fetch_page):
    robots_site(web, "User-agent: *\nDisallow: /closed\n")

    page = fetch_page("https://news.example/open", respect_robots_txt=True)

    assert page.status == 200
    assert web.paths() == ["news.example/robots.txt", "news.example/open"]


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_robots_4xx_allows_everything(web, fetch_page, status):
    robots_site(web, status)

    page = fetch_page("https://news.example/closed", respect_robots_txt=True)

    assert page.status == 200


@pytest.mark.parametrize("status", [429, 500, 503])
def test_robots_5xx_disallows_for_this_run_only(web, fake_time, fetch_page, status):
    robots_site(web, status)

    result = fetch_page("https://news.example/open", respect_robots_txt=True, retries=1)

    assert result.reason == "robots-denied"
    assert result.retryable is True  # a later run asks robots.txt again
    assert "unreachable" in result.detail
    assert web.paths() == ["news.example/robots.txt"] * 2  # robots.txt itself was retried once


def test_unreachable_robots_disallows(web, fetch_page):
    def refuse(request):
        raise httpx.ConnectError("connection refused")

    web.route("news.example/robots.txt", refuse)

    result = fetch_page("https://news.example/open", respect_robots_txt=True, retries=0)

    assert result.reason == "robots-denied"
    assert result.retryable is True


def test_robots_is_fetched_once_per_host_and_cached(web, make_fetcher, fake_time):
    robots_site(web, "User-agent: *\nDisallow: /closed\n")
    robots_site(web, "User-agent: *\nDisallow:\n", host="other.example")

    async def scenario():
        async with make_fetcher(respect_robots_txt=True, robots_cache_seconds=600) as fetcher:
            first = await asyncio.gather(
                *(fetcher.fetch_page(f"https://news.example/{p}") for p in ["open", "closed"] * 5),
                fetcher.fetch_page("https://other.example/closed"),
            )
            fake_time.now += 601  # the cached entry expires
            later = await fetcher.fetch_page("https://news.example/open")
            return first, later

    first, later = asyncio.run(scenario())

    assert [r.reason if isinstance(r, ItemFailure) else r.status for r in first[:2]] == [200, "robots-denied"]
    assert first[-1].status == 200
    assert later.status == 200
    robots_requests = [p for p in web.paths() if p.endswith("robots.txt")]
    assert robots_requests == [
        "news.example/robots.txt",
        "other.example/robots.txt",
        "news.example/robots.txt",
    ]


def test_robots_apply_to_every_redirect_hop(web, fetch_page):
    web.route("news.example/robots.txt", httpx.Response(200, text="User-agent: *\nDisallow:\n"))
    web.route("news.example/story", httpx.Response(302, headers={"location": "https://cdn.example/s"}))
    web.route("cdn.example/robots.txt", httpx.Response(200, text="User-agent: newshound\nDisallow: /\n"))

    result = fetch_page("https://news.example/story", respect_robots_txt=True)

    assert result.reason == "robots-denied"
    assert "cdn.example" in result.detail
    assert "cdn.example/s" not in web.paths()


def test_feeds_ignore_robots(web, make_fetcher):
    web.route("news.example/robots.txt", httpx.Response(200, text="User-agent: *\nDisallow: /\n"))
    web.route("news.example/feed.xml", httpx.Response(200, text="<rss/>"))

    async def scenario():
        async with make_fetcher(respect_robots_txt=True) as fetcher:
            return await fetcher.fetch_feed("https://news.example/feed.xml")

    feed = asyncio.run(scenario())

    assert feed.status == 200
    assert web.paths() == ["news.example/feed.xml"]


def test_robots_redirect_to_a_refused_address_counts_as_unavailable(web, fetch_page):
    web.route("news.example/robots.txt", httpx.Response(301, headers={"location": "http://10.0.0.1/r"}))
    web.route("news.example/open", web.html())

    page = fetch_page("https://news.example/open", respect_robots_txt=True)

    assert page.status == 200
