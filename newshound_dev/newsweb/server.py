"""The local news web's HTTP server: feeds, pages, robots.txt and controllable faults.

Paths:
    /feeds/<outlet>.xml              the outlet's RSS or Atom feed (ETag, Last-Modified, 304)
    /<outlet>/<slug>.html            an article page
    /robots.txt                      the site's robots rules (``/private/`` is disallowed)
    /_fault/slow/<seconds>/<path>    <path> after a delay
    /_fault/status/<code>/<path>     that status (``?retry_after=N`` adds Retry-After)
    /_fault/flaky/<n>/<path>         503 with Retry-After: 1 for the first n requests, then <path>
    /_fault/wrong-type/<path>        <path> served as application/octet-stream
    /_fault/redirect/<n>/<path>      a chain of n redirects ending at <path>
    /_fault/loop/<a|b>               a redirect loop
    /_fault/redirect-to?url=<url>    a redirect to any URL (e.g. a private address)
    /_fault/truncated/<path>         <path> with a Content-Length twice its size, cut off midway
    /_fault/huge/<megabytes>         a page of that size
    /_fault/endless                  a page that never ends
    /_fault/gzip-bomb/<megabytes>    gzip that inflates to that size
    /_fault/html-feed                an HTML page served as an RSS feed

``NewsWebServer.faults`` maps a path to a fault applied to plain requests of that path (for
feeds registered by URL); ``requests`` records the newest requests for assertions.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from newshound_dev.newsweb.site import NewsSite

REQUEST_LOG_LIMIT = 1_000


@dataclass
class Fault:
    """A fault for one path: respond with ``status`` for the next ``times`` requests (None = always)."""

    status: int = 500
    times: int | None = None
    retry_after: int | None = None
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class NewsWebServer:
    """Serve a NewsSite on 127.0.0.1 from a background thread."""

    def __init__(self, site: NewsSite, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self.faults: dict[str, Fault] = {}
        # The newest requests only: a demo server or a long benchmark must not grow without bound.
        self.requests: deque[RecordedRequest] = deque(maxlen=REQUEST_LOG_LIMIT)
        self._flaky_counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer((host, port), _handler_class(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    def feed_urls(self) -> dict[str, str]:
        """Outlet id -> absolute feed URL."""
        return {outlet: self.base_url + path for outlet, path in self.site.feed_paths().items()}

    def start(self) -> NewsWebServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="newsweb", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI's `newshound newsweb`)."""
        self._httpd.serve_forever()

    def __enter__(self) -> NewsWebServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def take_fault(self, path: str) -> Fault | None:
        """The fault configured for ``path``, consuming one of its ``times``."""
        with self._lock:
            fault = self.faults.get(path)
            if fault is None:
                return None
            if fault.times is not None:
                if fault.times <= 0:
                    del self.faults[path]
                    return None
                fault.times -= 1
            return fault

    def flaky_count(self, key: str) -> int:
        with self._lock:
            self._flaky_counts[key] = self._flaky_counts.get(key, 0) + 1
            return self._flaky_counts[key]

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()


def _handler_class(server: NewsWebServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_NewsWebHandler):
        web = server

    return Handler


class _NewsWebHandler(BaseHTTPRequestHandler):
    web: NewsWebServer
    protocol_version = "HTTP/1.1"
    server_version = "NewsWeb/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is kept in NewsWebServer.requests

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        self.web.record(RecordedRequest("GET", self.path, dict(self.headers.items())))
        parts = urlsplit(self.path)
        try:
            fault = self.web.take_fault(parts.path)
            if fault is not None:
                time.sleep(fault.delay_seconds)
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                self._send(fault.status, b"fault\n", "text/plain", headers)
                return
            if parts.path.startswith("/_fault/"):
                self._fault(parts.path[len("/_fault/") :], parse_qs(parts.query))
            else:
                self._serve(parts.path)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as clients fetching faults should

    def _serve(self, path: str) -> None:
        site = self.web.site
        if path == "/robots.txt":
            self._send(200, site.robots_txt.encode(), "text/plain")
        elif path.startswith("/feeds/") and path.endswith(".xml"):
            self._feed(path[len("/feeds/") : -len(".xml")])
        else:
            article = site.page(path)
            if article is None:
                self._send(404, b"<html><body>Not found</body></html>", "text/html")
            else:
                self._send(200, article.page, "text/html; charset=utf-8")

    def _feed(self, outlet_id: str) -> None:
        base = f"http://{self.headers.get('Host') or self.web.host}"
        document = self.web.site.feed_document(outlet_id, base)
        if document is None:
            self._send(404, b"no such feed", "text/plain")
            return
        modified = self.web.site.feed_last_modified(outlet_id)
        last_modified: str | None
        if outlet_id in self.web.site.lying_validators:
            etag, last_modified = '"v1"', "Mon, 01 Jan 2024 00:00:00 GMT"
        else:
            etag = '"' + hashlib.sha1(document).hexdigest()[:16] + '"'
            last_modified = format_datetime(modified, usegmt=True) if modified else None
            if self._not_modified(etag, modified):
                self._send(304, b"", None, {"ETag": etag})
                return
        headers = {"ETag": etag}
        if last_modified:
            headers["Last-Modified"] = last_modified
        self._send(200, document, "application/rss+xml; charset=utf-8", headers)

    def _not_modified(self, etag: str, modified: Any) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag in [tag.strip() for tag in if_none_match.split(",")]
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since and modified is not None:
            try:
                return bool(modified.replace(microsecond=0) <= parsedate_to_datetime(if_modified_since))
            except (TypeError, ValueError):
                return False
        return False

    def _fault(self, spec: str, query: dict[str, list[str]]) -> None:
        kind, _, rest = spec.partition("/")
        if kind == "slow":
            seconds, _, path = rest.partition("/")
            time.sleep(float(seconds))
            self._serve("/" + path)
        elif kind == "status":
            code, _, _ = rest.partition("/")
            headers = {"Retry-After": query["retry_after"][0]} if "retry_after" in query else {}
            self._send(int(code), f"status {code}\n".encode(), "text/plain", headers)
        elif kind == "flaky":
            times, _, path = rest.partition("/")
            if self.web.flaky_count(self.path) <= int(times):
                self._send(503, b"busy\n", "text/plain", {"Retry-After": "1"})
            else:
                self._serve("/" + path)
        elif kind == "wrong-type":
            article = self.web.site.page("/" + rest)
            self._send(200, article.page if article else b"\x00\x01", "application/octet-stream")
        elif kind == "redirect":
            hops, _, path = rest.partition("/")
            target = f"/_fault/redirect/{int(hops) - 1}/{path}" if int(hops) > 1 else "/" + path
            self._send(302, b"", None, {"Location": target})
        elif kind == "loop":
            self._send(302, b"", None, {"Location": "/_fault/loop/" + ("b" if rest == "a" else "a")})
        elif kind == "redirect-to":
            self._send(302, b"", None, {"Location": query.get("url", ["/"])[0]})
        elif kind == "truncated":
            article = self.web.site.page("/" + rest)
            body = article.page if article else b"<html><body>" + b"x" * 10_000
            self._send_partial(body[: len(body) // 2], len(body) * 2)
        elif kind == "huge":
            self._stream_huge(int(float(rest or "200") * 1024 * 1024))
        elif kind == "endless":
            self._stream_endless()
        elif kind == "gzip-bomb":
            inflated = int(float(rest or "1024") * 1024 * 1024)
            self._send(200, _gzip_zeros(inflated), "text/html", {"Content-Encoding": "gzip"})
        elif kind == "html-feed":
            page = b"<!DOCTYPE html><html><head><title>Not a feed</title></head><body><p>Hello</p></body></html>"
            self._send(200, page, "application/rss+xml")
        else:
            self._send(404, b"unknown fault", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str | None, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)

    def _send_partial(self, body: bytes, announced_length: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(announced_length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def _stream_huge(self, size: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = b"<p>" + b"filler text " * 5000 + b"</p>\n"
        sent = 0
        while sent < size and not self.web.stopping:
            piece = chunk[: size - sent]
            self.wfile.write(piece)
            sent += len(piece)

    def _stream_endless(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        piece = b"<p>still going</p>\n"
        while not self.web.stopping:
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.flush()
            time.sleep(0.05)


_BOMBS: dict[int, bytes] = {}


def _gzip_zeros(size: int) -> bytes:
    """gzip of ``size`` zero bytes, built once per size (a 1 GB bomb compresses to about 1 MB)."""
    if size not in _BOMBS:
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as handle:
            block = b"\0" * (1024 * 1024)
            for _ in range(size // len(block)):
                handle.write(block)
            handle.write(b"\0" * (size % len(block)))
        _BOMBS[size] = buffer.getvalue()
    return _BOMBS[size]
