"""Fixtures for the fetch tests: fake time, a scripted mock web, and a real loopback HTTP server."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from pipeline.fetch.client import Fetcher
from pipeline.settings import FetchSettings

# A global (public) address: the guard accepts it, and no test ever connects to it.
PUBLIC_ADDRESS = "93.184.215.14"

Route = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class FakeTime:
    """A clock that only moves when the code under test sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class RawStream(httpx.AsyncByteStream):
    """A response body streamed in chunks, as a real transport does (``content=`` would preload it)."""

    def __init__(self, body: bytes, chunk_size: int = 16 * 1024) -> None:
        self._body = body
        self._chunk_size = chunk_size

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self._body), self._chunk_size):
            yield self._body[start : start + self._chunk_size]
            await asyncio.sleep(0)


@dataclass
class MockWeb:
    """Routes requests by "host/path" (query included) to handlers; records every request.

    Unrouted robots.txt answers 404 (allow all); anything else unrouted answers 404 too.
    """

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    dns: dict[str, list[str]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)

    def route(self, key: str, handler: Route | httpx.Response) -> None:
        if isinstance(handler, httpx.Response):
            response = handler
            # A Response object is single-use; hand out copies that stream the same body.
            self.routes[key] = lambda request: httpx.Response(
                response.status_code, headers=response.headers, stream=RawStream(response.content)
            )
        else:
            self.routes[key] = handler

    def paths(self) -> list[str]:
        return [_key(request.url) for request in self.requests]

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        handler = self.routes.get(_key(request.url))
        if handler is None:
            return httpx.Response(404, text="not found")
        response = handler(request)
        return await response if isinstance(response, Awaitable) else response

    async def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        return self.dns.get(host, [PUBLIC_ADDRESS])

    @staticmethod
    def html(body: str = "<html><body><p>Hallo</p></body></html>", **headers: str) -> httpx.Response:
        """A 200 text/html UTF-8 response."""
        return httpx.Response(200, headers={"content-type": "text/html; charset=utf-8", **headers}, text=body)


def _key(url: httpx.URL) -> str:
    return url.host + url.raw_path.decode("ascii")


def build_settings(**overrides: Any) -> FetchSettings:
    """Test settings: no politeness delay and robots off unless a test turns them on."""
    values: dict[str, Any] = {
        "per_host_delay_seconds": 0.0,
        "respect_robots_txt": False,
        "retries": 2,
        "backoff_base_seconds": 1.0,
        "backoff_max_seconds": 60.0,
    }
    values.update(overrides)
    return FetchSettings(**values)


@pytest.fixture
def settings_for() -> Callable[..., FetchSettings]:
    """``settings_for(**overrides)``: FetchSettings for tests (no delay, robots off by default)."""
    return build_settings


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def web() -> MockWeb:
    return MockWeb()


@pytest.fixture
def make_fetcher(web: MockWeb, fake_time: FakeTime) -> Callable[..., Fetcher]:
    """``make_fetcher(**settings)``: a Fetcher on the mock web with fake time and jitter 0.5."""

    def factory(**overrides: Any) -> Fetcher:
        return Fetcher(
            build_settings(**overrides),
            transport=httpx.MockTransport(web.handle),
            resolver=web.resolve,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
            random_fraction=lambda: 0.5,
        )

    return factory


@pytest.fixture
def fetch_page(make_fetcher: Callable[..., Fetcher]) -> Callable[..., Any]:
    """``fetch_page(url, **settings)``: one page fetched by a fresh Fetcher, synchronously."""

    def run(url: str, **overrides: Any) -> Any:
        async def scenario() -> Any:
            async with make_fetcher(**overrides) as fetcher:
                return await fetcher.fetch_page(url)

        return asyncio.run(scenario())

    return run


# --- a real HTTP server on loopback -----------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: LoopbackServer

    def do_GET(self) -> None:
        route = getattr(self, "route_" + self.path.strip("/").replace("-", "_").replace(".", "_"), None)
        if route is None:
            self.send_error(404)
            return
        route()

    def route_page(self) -> None:
        body = "<html><head><meta charset='utf-8'></head><body><p>Grüße</p></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route_gzip(self) -> None:
        body = gzip.compress(("<html><body>" + "<p>Straße</p>" * 5000 + "</body></html>").encode())
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route_never_ends(self) -> None:
        self._stream(b"<p>more</p>" * 100, interval=0.02)

    def route_trickle(self) -> None:
        self._stream(b"x", interval=0.25)

    def route_truncated(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"<html><body>only the beginning")
        self.wfile.flush()
        self.close_connection = True

    def _stream(self, chunk: bytes, interval: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b"<html><body>")
        while not self.server.stopping.is_set():
            try:
                self.wfile.write(chunk)
                self.wfile.flush()
            except OSError:
                return  # the client hung up: what the test wants
            time.sleep(interval)
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    stopping: threading.Event

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-body is expected here


@pytest.fixture
def loopback_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer(("127.0.0.1", 0), _Handler)
    server.stopping = threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
