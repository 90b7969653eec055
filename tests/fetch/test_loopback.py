"""Against a real HTTP server on loopback: deadlines, truncated bodies, and the peer-address check."""

from __future__ import annotations

import asyncio
import time

import httpcore
import httpx

import pipeline.fetch.transfer
from pipeline.fetch.client import Fetcher

DEADLINE = 1.0


def fetch(url, settings, **fetcher_kwargs):
    async def scenario():
        async with Fetcher(settings, **fetcher_kwargs) as fetcher:
            return await fetcher.fetch_page(url)

    started = time.monotonic()
    result = asyncio.run(scenario())
    return result, time.monotonic() - started


def loopback_settings(settings_for, **overrides):
    values = {
        "allowed_hosts": ("127.0.0.1",),
        "connect_timeout_seconds": 1.0,
        "read_timeout_seconds": 2.0,  # longer than the trickle's pauses: only the deadline can stop it
        "total_timeout_seconds": DEADLINE,
        "respect_robots_txt": True,
        "retries": 0,
    }
    values.update(overrides)
    return settings_for(**values)


def test_a_normal_page(loopback_server, settings_for):
    page, _ = fetch(loopback_server.url("/page"), loopback_settings(settings_for))

    assert page.status == 200
    assert "Grüße" in page.html  # no charset in the header: the <meta> says UTF-8


def test_a_gzipped_page_over_a_real_socket(loopback_server, settings_for):
    page, _ = fetch(loopback_server.url("/gzip"), loopback_settings(settings_for))
    too_large, _ = fetch(loopback_server.url("/gzip"), loopback_settings(settings_for, max_body_bytes=10_000))

    assert page.html.count("<p>Straße</p>") == 5000
    assert too_large.reason == "fetch-too-large"  # the cap applies to the decoded size


def test_a_page_that_never_ends_is_cut_off_by_the_deadline(loopback_server, settings_for):
    # retries=2: the deadline is not retried within the run, so it still ends after one deadline.
    result, elapsed = fetch(loopback_server.url("/never-ends"), loopback_settings(settings_for, retries=2))

    assert result.reason == "fetch-timeout"
    assert result.retryable is True
    assert DEADLINE <= elapsed < DEADLINE + 1.0


def test_a_trickling_page_is_cut_off_by_the_deadline(loopback_server, settings_for):
    result, elapsed = fetch(loopback_server.url("/trickle"), loopback_settings(settings_for))

    assert result.reason == "fetch-timeout"
    assert DEADLINE <= elapsed < DEADLINE + 1.0


def test_a_truncated_body_is_a_connection_error(loopback_server, settings_for):
    result, _ = fetch(loopback_server.url("/truncated"), loopback_settings(settings_for))

    assert result.reason == "fetch-connection-error"
    assert result.retryable is True
    assert "incomplete" in result.detail.lower() or "closed" in result.detail.lower()


class _AlwaysLoopback(httpcore.AsyncNetworkBackend):
    """Connects every host to the loopback server: DNS that changed after our check (rebinding)."""

    def __init__(self, port):
        self._port = port
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return await self._inner.connect_tcp("127.0.0.1", self._port, timeout, local_address, socket_options)

    async def sleep(self, seconds):
        await self._inner.sleep(seconds)


def _rebinding_transport(port):
    transport = httpx.AsyncHTTPTransport()
    # httpx has no public hook for the network backend; swapping the pool is the test-only seam.
    transport._pool = httpcore.AsyncConnectionPool(network_backend=_AlwaysLoopback(port))
    return transport


async def _public(host, port):
    return ["93.184.215.14"]


def test_the_connected_address_is_checked_against_dns_rebinding(loopback_server, settings_for):
    settings = loopback_settings(settings_for, allowed_hosts=(), respect_robots_txt=False)

    result, _ = fetch(
        f"http://rebind.example:{loopback_server.port}/page",
        settings,
        transport=_rebinding_transport(loopback_server.port),
        resolver=_public,  # the DNS check sees a public address...
    )

    # ...but the connection went to 127.0.0.1: refused before the body is read.
    assert result.reason == "unsafe-url"
    assert "connected to 127.0.0.1" in result.detail


def test_the_real_peer_address_is_seen_and_allowed_by_network(loopback_server, settings_for, monkeypatch):
    seen = []
    original = pipeline.fetch.transfer.peer_refusal

    def spy(server_addr, allowed_hosts=()):
        seen.append(server_addr)
        return original(server_addr, allowed_hosts)

    monkeypatch.setattr(pipeline.fetch.transfer, "peer_refusal", spy)
    settings = loopback_settings(settings_for, allowed_hosts=("127.0.0.0/8",), respect_robots_txt=False)

    async def loopback(host, port):
        return ["127.0.0.1"]

    page, _ = fetch(
        f"http://news.example:{loopback_server.port}/page",
        settings,
        transport=_rebinding_transport(loopback_server.port),
        resolver=loopback,
    )

    assert page.status == 200
    assert seen == [("127.0.0.1", loopback_server.port)]
