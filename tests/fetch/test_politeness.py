"""Politeness: requests in flight per host and overall, and spacing between starts to one host."""

from __future__ import annotations

import asyncio
from collections import Counter
from itertools import pairwise

import httpx

from pipeline.fetch.client import fetch_pages


class InFlight:
    """A handler that holds each request open for a few loop turns and counts overlaps."""

    def __init__(self):
        self.now = Counter()
        self.peak = Counter()
        self.total_now = 0
        self.total_peak = 0

    async def __call__(self, request):
        host = request.url.host
        self.now[host] += 1
        self.total_now += 1
        self.peak[host] = max(self.peak[host], self.now[host])
        self.total_peak = max(self.total_peak, self.total_now)
        for _ in range(10):
            await asyncio.sleep(0)
        self.now[host] -= 1
        self.total_now -= 1
        return httpx.Response(200, headers={"content-type": "text/html"}, text="<p>x</p>")


def test_per_host_and_global_concurrency_caps(web, make_fetcher):
    counter = InFlight()
    hosts = ["a.example", "b.example", "c.example"]
    for host in hosts:
        for n in range(8):
            web.route(f"{host}/{n}", counter)

    async def scenario():
        async with make_fetcher(per_host_concurrency=2, concurrency=5) as fetcher:
            urls = [f"https://{host}/{n}" for n in range(8) for host in hosts]
            return await asyncio.gather(*(fetcher.fetch_page(url) for url in urls))

    results = asyncio.run(scenario())

    assert all(result.status == 200 for result in results)
    assert counter.peak == {"a.example": 2, "b.example": 2, "c.example": 2}
    assert counter.total_peak == 5


def test_requests_to_one_host_start_spaced_by_the_delay(web, make_fetcher, fake_time):
    starts = []

    def handler(request):
        starts.append((request.url.host, fake_time.now))
        return httpx.Response(200, headers={"content-type": "text/html"}, text="<p>x</p>")

    for n in range(3):
        web.route(f"a.example/{n}", handler)
    web.route("b.example/0", handler)

    async def scenario():
        async with make_fetcher(per_host_delay_seconds=0.5, per_host_concurrency=1) as fetcher:
            urls = [
                "https://a.example/0",
                "https://a.example/1",
                "https://b.example/0",
                "https://a.example/2",
            ]
            return await asyncio.gather(*(fetcher.fetch_page(url) for url in urls))

    asyncio.run(scenario())

    a_starts = [moment for host, moment in starts if host == "a.example"]
    assert [later - earlier for earlier, later in pairwise(a_starts)] == [0.5, 0.5]
    assert fake_time.sleeps == [0.5, 0.5]  # b.example never waited for a.example's spacing


def test_fetch_pages_keeps_input_order(web, fake_time, settings_for):
    web.route("a.example/1", web.html("<p>one</p>"))
    web.route("b.example/2", web.html("<p>two</p>"))

    results = fetch_pages(
        ["https://a.example/1", "file:///etc/passwd", "https://b.example/2"],
        settings_for(),
        transport=httpx.MockTransport(web.handle),
        resolver=web.resolve,
        sleep=fake_time.sleep,
    )

    assert [getattr(r, "html", None) or r.reason for r in results] == [
        "<p>one</p>",
        "unsafe-url",
        "<p>two</p>",
    ]
