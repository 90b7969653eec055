"""The fetcher: pages and feeds over HTTP with guards, politeness, robots.txt and retries.

``Fetcher`` is async and made once per run (``async with Fetcher(settings) as fetcher``);
``fetch_pages`` is the synchronous convenience for a list of URLs. Neither raises for a bad URL
or a bad server: they return an ``ItemFailure`` with a fixed reason.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

import httpx

from pipeline.errors import ItemFailure, Reason
from pipeline.fetch.charset import decode_html, is_unknown_media_type, looks_like_html, media_type
from pipeline.fetch.guard import Resolver, system_resolver
from pipeline.fetch.politeness import Politeness
from pipeline.fetch.results import FeedResponse, FetchAborted, failure
from pipeline.fetch.retry import Backoff
from pipeline.fetch.robots import RobotsCache, product_token
from pipeline.fetch.transfer import Exchange, Purpose, Transfer
from pipeline.models import FetchedPage
from pipeline.settings import FetchSettings

logger = logging.getLogger(__name__)

_PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
_FEED_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/feed+json;q=0.9,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
)


class Fetcher:
    """Fetches pages and feeds for one run; all state (robots cache, host slots) lives here."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Callable[[str, int], Awaitable[list[str]]] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        random_fraction: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._backoff = Backoff(settings.backoff_base_seconds, settings.backoff_max_seconds, random_fraction)
        self._client = httpx.AsyncClient(
            transport=_default_transport(settings) if transport is None else transport,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout_seconds,
                read=settings.read_timeout_seconds,
                write=settings.read_timeout_seconds,
                pool=settings.total_timeout_seconds,
            ),
            follow_redirects=False,  # followed hop by hop in Transfer, so every hop is guarded
            trust_env=False,  # no environment proxies (the peer check would see the proxy), no .netrc
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        robots = (
            RobotsCache(product_token(settings.user_agent), settings.robots_cache_seconds, clock, self._fetch_robots)
            if settings.respect_robots_txt
            else None
        )
        resolve: Resolver = resolver or system_resolver
        self._transfer = Transfer(
            settings, self._client, resolve, Politeness(settings, sleep=sleep, clock=clock), robots
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections; the fetcher cannot be used afterwards."""
        await self._client.aclose()

    async def fetch_page(self, url: str) -> FetchedPage | ItemFailure:
        """Fetch an HTML page and decode it to text, or say why not."""
        try:
            exchange = await self._with_retries(url, Purpose.PAGE, {"Accept": _PAGE_ACCEPT})
            return _page(exchange)
        except FetchAborted as aborted:
            return self._failed(aborted)

    async def fetch_feed(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FeedResponse | ItemFailure:
        """Fetch a feed document, conditionally when ``etag``/``last_modified`` are known.

        robots.txt is not consulted: feeds are registered by a person who chose to poll them.
        """
        headers = {"Accept": _FEED_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            exchange = await self._with_retries(url, Purpose.FEED, headers)
        except FetchAborted as aborted:
            return self._failed(aborted)
        not_modified = exchange.status == 304
        return FeedResponse(
            url=url,
            final_url=exchange.final_url,
            status=exchange.status,
            body=exchange.body,
            content_type=exchange.headers.get("content-type"),
            content_language=exchange.headers.get("content-language"),
            # A 304 may omit the validators; the ones we sent are still current then.
            etag=exchange.headers.get("etag") or (etag if not_modified else None),
            last_modified=exchange.headers.get("last-modified") or (last_modified if not_modified else None),
            not_modified=not_modified,
        )

    async def _fetch_robots(self, robots_url: str) -> tuple[int, bytes] | FetchAborted:
        try:
            exchange = await self._with_retries(robots_url, Purpose.ROBOTS, {"Accept": "text/plain,*/*;q=0.5"})
        except FetchAborted as aborted:
            return aborted  # the policy depends on its HTTP status too
        return exchange.status, exchange.body

    async def _with_retries(self, url: str, purpose: Purpose, headers: dict[str, str]) -> Exchange:
        """Attempt ``url`` up to 1 + retries times, sleeping with backoff or Retry-After between."""
        retry_number = 0
        while True:
            try:
                return await self._transfer.attempt(url, purpose, headers)
            except FetchAborted as aborted:
                if not aborted.retry_now or retry_number >= self.settings.retries:
                    raise
                retry_after = aborted.retry_after_seconds
                if retry_after is not None and retry_after > self.settings.backoff_max_seconds:
                    # Longer than we wait within a run: give up now, the next run picks it up.
                    raise
                wait = retry_after if retry_after is not None else self._backoff.delay(retry_number)
                logger.info(
                    "%s: %s (%s); retry %d in %.1fs",
                    url,
                    aborted.failure.reason,
                    aborted.failure.detail,
                    retry_number + 1,
                    wait,
                )
                await self._sleep(wait)
                retry_number += 1

    @staticmethod
    def _failed(aborted: FetchAborted) -> ItemFailure:
        result = aborted.failure
        logger.info("%s: %s: %s", result.url, result.reason, result.detail)
        return result


def fetch_pages(urls: Sequence[str], settings: FetchSettings, **fetcher_kwargs: Any) -> list[FetchedPage | ItemFailure]:
    """Fetch ``urls`` concurrently (within the politeness limits); results in input order.

    Synchronous: runs its own event loop, so call it only where no loop is running.
    """

    async def fetch_all() -> list[FetchedPage | ItemFailure]:
        async with Fetcher(settings, **fetcher_kwargs) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch_page(url) for url in urls)))

    return asyncio.run(fetch_all())


def _page(exchange: Exchange) -> FetchedPage:
    content_type = exchange.headers.get("content-type")
    if is_unknown_media_type(content_type):
        if not looks_like_html(exchange.body):
            detail = f"content type {media_type(content_type) or '(none)'} and the body does not look like HTML"
            raise failure(exchange.url, Reason.FETCH_NOT_HTML, detail, status=exchange.status)
        kind = "text/html"
    else:
        kind = media_type(content_type)
    decoded = decode_html(exchange.body, content_type)
    return FetchedPage(
        url=exchange.url,
        final_url=exchange.final_url,
        status=exchange.status,
        content_type=kind,
        html=decoded.text,
        encoding=decoded.encoding,
        fetched_at=datetime.now(UTC),
    )


def _default_transport(settings: FetchSettings) -> httpx.AsyncHTTPTransport:
    # Our semaphores bound the requests in flight; the pool only needs room for them.
    limits = httpx.Limits(max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency)
    return httpx.AsyncHTTPTransport(limits=limits, retries=0)
