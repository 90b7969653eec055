"""One attempt at a URL: hop by hop through redirects, every hop guarded, polite, timed and capped.

Each hop: the static URL guard, the DNS guard (every resolved address), robots.txt (pages only),
a politeness slot, then the exchange itself under the total deadline: send, check the address
actually connected to, and stream the body through the capped decoder. Failures are raised as
``FetchAborted``; the retry loop in ``client`` decides whether to try again.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from enum import Enum

import httpx

from pipeline.errors import Reason, SkipItem
from pipeline.fetch.charset import HTML_MEDIA_TYPES, is_unknown_media_type, media_type
from pipeline.fetch.decoding import BodyTooLarge, CappedDecoder
from pipeline.fetch.guard import Resolver, host_allowed, peer_refusal, resolved_refusal, url_refusal
from pipeline.fetch.politeness import Politeness
from pipeline.fetch.results import FetchAborted, failure
from pipeline.fetch.retry import is_retryable_status, parse_retry_after
from pipeline.fetch.robots import ROBOTS_MAX_BYTES, RobotsCache
from pipeline.settings import FetchSettings

logger = logging.getLogger(__name__)

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# RFC 9309: crawlers should follow at least five redirects for robots.txt.
_ROBOTS_MAX_REDIRECTS = 5
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Purpose(Enum):
    """What is being fetched: decides robots, accepted statuses and content types, body limit."""

    PAGE = "page"
    FEED = "feed"
    ROBOTS = "robots"


@dataclass(frozen=True)
class Exchange:
    """The final response of an attempt (after redirects), with its decoded body."""

    url: str
    final_url: str
    status: int
    headers: httpx.Headers
    body: bytes


class Transfer:
    """Runs single attempts; shares the client, resolver, politeness and robots cache of a Fetcher."""

    def __init__(
        self,
        settings: FetchSettings,
        client: httpx.AsyncClient,
        resolver: Resolver,
        politeness: Politeness,
        robots: RobotsCache | None,
    ) -> None:
        self._settings = settings
        self._client = client
        self._resolver = resolver
        self._politeness = politeness
        self._robots = robots

    async def attempt(self, url: str, purpose: Purpose, headers: dict[str, str] | None = None) -> Exchange:
        """Fetch ``url`` once, following redirects; raise FetchAborted on any failure."""
        max_redirects = _ROBOTS_MAX_REDIRECTS if purpose is Purpose.ROBOTS else self._settings.max_redirects
        current = url.strip()
        for _ in range(max_redirects + 1):
            target = await self._guarded_target(url, current)
            if purpose is Purpose.PAGE and self._robots is not None:
                await self._check_robots(url, target)
            async with self._politeness.slot(target.raw_host.decode("ascii")):
                outcome = await self._exchange(url, target, purpose, headers or {})
            if isinstance(outcome, Exchange):
                return outcome
            current = outcome
        raise failure(url, Reason.FETCH_TOO_MANY_REDIRECTS, f"more than {max_redirects} redirects")

    async def _guarded_target(self, url: str, current: str) -> httpx.URL:
        """The hop's URL once the static and the DNS guard accept it."""
        allowed = self._settings.allowed_hosts
        refusal = url_refusal(current, allowed)
        if refusal is None:
            try:
                target = httpx.URL(current)
                host = target.raw_host.decode("ascii")
                _ = target.host  # decodes IDNA: raises for labels such as "xn--"
            except (httpx.InvalidURL, UnicodeError) as error:
                refusal = f"malformed URL: {error}"
        if refusal is not None:
            raise failure(url, Reason.UNSAFE_URL, f"{current}: {refusal}")
        if host_allowed(host, allowed) or _is_literal(host):
            return target  # allow-listed, or a literal address url_refusal has judged already
        port = target.port or _DEFAULT_PORTS[target.scheme]
        try:
            async with asyncio.timeout(self._settings.connect_timeout_seconds):
                addresses = await self._resolver(host, port)
        except TimeoutError:  # before OSError, its base class
            raise failure(url, Reason.FETCH_TIMEOUT, f"resolving {host} took too long", retryable=True) from None
        except UnicodeError as error:  # the system resolver's IDNA codec ("label too long")
            raise failure(url, Reason.UNSAFE_URL, f"malformed host {host!r}: {error}") from None
        except OSError as error:
            # EAI_AGAIN is a temporary DNS failure; an unknown name will stay unknown.
            temporary = isinstance(error, socket.gaierror) and error.errno == socket.EAI_AGAIN
            raise failure(
                url, Reason.FETCH_CONNECTION_ERROR, f"cannot resolve {host}: {error}", retryable=temporary
            ) from None
        refusal = resolved_refusal(host, addresses, allowed)
        if refusal is not None:
            raise failure(url, Reason.UNSAFE_URL, refusal)
        return target

    async def _check_robots(self, url: str, target: httpx.URL) -> None:
        assert self._robots is not None
        robots_url = str(target.copy_with(raw_path=b"/robots.txt", fragment=None))
        policy = await self._robots.policy(robots_url)
        if policy.allows(target.raw_path.decode("ascii")):
            return
        if policy.unreachable is not None:
            # Disallowed for this run only: a later run fetches robots.txt again.
            raise failure(url, Reason.ROBOTS_DENIED, policy.unreachable, retryable=True, retry_now=False)
        raise failure(url, Reason.ROBOTS_DENIED, f"robots.txt disallows {target}")

    async def _exchange(self, url: str, target: httpx.URL, purpose: Purpose, headers: dict[str, str]) -> Exchange | str:
        """One request under the total deadline: the final Exchange, or the next hop's URL."""
        deadline = self._settings.total_timeout_seconds
        logger.debug("GET %s (%s)", target, purpose.value)
        try:
            async with asyncio.timeout(deadline):
                request = self._client.build_request("GET", target, headers=headers)
                response = await self._client.send(request, stream=True)
                try:
                    return await self._handle(url, target, purpose, response)
                finally:
                    await response.aclose()
        except TimeoutError:
            # Not retried within the run: a page that trickled for the whole deadline will again.
            raise failure(
                url,
                Reason.FETCH_TIMEOUT,
                f"{target}: no complete response within {deadline:g}s",
                retryable=True,
                retry_now=False,
            ) from None
        except httpx.TimeoutException as error:
            raise failure(url, Reason.FETCH_TIMEOUT, f"{target}: {type(error).__name__}", retryable=True) from None
        except httpx.TransportError as error:
            raise _transport_failure(url, target, error) from None
        except httpx.InvalidURL as error:
            raise failure(url, Reason.UNSAFE_URL, f"{target}: malformed URL: {error}") from None

    async def _handle(self, url: str, target: httpx.URL, purpose: Purpose, response: httpx.Response) -> Exchange | str:
        self._check_peer(url, target, response)
        status = response.status_code
        location = response.headers.get("location")
        if status in _REDIRECT_STATUSES and location:
            try:
                return str(target.join(location.strip()).copy_with(fragment=None))
            except (httpx.InvalidURL, UnicodeError, ValueError) as error:
                raise failure(
                    url,
                    Reason.FETCH_HTTP_ERROR,
                    f"bad redirect location {location!r}: {error}",
                    status=status,
                ) from None
        if purpose is Purpose.FEED and status == 304:
            return Exchange(url, str(target), status, response.headers, b"")
        if not 200 <= status < 300:
            retry_after = parse_retry_after(response.headers.get("retry-after"), response.headers.get("date"))
            waited = f" (Retry-After {retry_after:g} s)" if retry_after is not None else ""
            raise failure(
                url,
                Reason.FETCH_HTTP_ERROR,
                f"{target}: HTTP {status}{waited}",
                status=status,
                retryable=is_retryable_status(status),
                retry_after_seconds=retry_after,
            )
        content_type = response.headers.get("content-type")
        kind = media_type(content_type)
        if purpose is Purpose.PAGE and not is_unknown_media_type(content_type) and kind not in HTML_MEDIA_TYPES:
            raise failure(url, Reason.FETCH_NOT_HTML, f"content type {kind}", status=status)
        body = await self._read_body(url, response, purpose)
        return Exchange(url, str(target), status, response.headers, body)

    def _check_peer(self, url: str, target: httpx.URL, response: httpx.Response) -> None:
        """Refuse the address actually connected to (DNS may have changed since we resolved it)."""
        network_stream = response.extensions.get("network_stream")
        if network_stream is None or host_allowed(target.raw_host.decode("ascii"), self._settings.allowed_hosts):
            return  # a mock transport has no network stream; allow-listed hosts may be anywhere
        refusal = peer_refusal(network_stream.get_extra_info("server_addr"), self._settings.allowed_hosts)
        if refusal is not None:
            raise failure(url, Reason.UNSAFE_URL, f"{target}: {refusal}")

    async def _read_body(self, url: str, response: httpx.Response, purpose: Purpose) -> bytes:
        """Stream the raw body through the capped decoder; robots.txt is truncated, not refused."""
        limit = ROBOTS_MAX_BYTES if purpose is Purpose.ROBOTS else self._settings.max_body_bytes
        if response.is_stream_consumed:
            # A transport that hands over a loaded body (httpx.MockTransport with content=): httpx
            # has decoded it already, so only the cap is left to apply.
            if len(response.content) > limit and purpose is not Purpose.ROBOTS:
                raise failure(url, Reason.FETCH_TOO_LARGE, f"body larger than {limit} bytes")
            return response.content[:limit]
        parts: list[bytes] = []
        try:
            decoder = CappedDecoder(response.headers.get("content-encoding"), limit)
            async for chunk in response.aiter_raw():
                parts.append(decoder.feed(chunk))
            parts.append(decoder.finish())
        except BodyTooLarge as error:
            if purpose is Purpose.ROBOTS:
                return b"".join(parts)
            raise failure(url, Reason.FETCH_TOO_LARGE, error.detail, status=response.status_code) from None
        except SkipItem as error:  # unsupported or corrupt Content-Encoding
            raise failure(url, Reason.FETCH_HTTP_ERROR, error.detail, status=response.status_code) from None
        return b"".join(parts)


def _transport_failure(url: str, target: httpx.URL, error: httpx.TransportError) -> FetchAborted:
    message = str(error) or type(error).__name__
    # A refused certificate or a protocol we cannot speak will not fix itself between retries.
    permanent = isinstance(error, httpx.UnsupportedProtocol | httpx.LocalProtocolError) or (
        "CERTIFICATE_VERIFY_FAILED" in message
    )
    return failure(url, Reason.FETCH_CONNECTION_ERROR, f"{target}: {message}", retryable=not permanent)


def _is_literal(host: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host.strip("[]"))
    except OSError:
        return False
    return True
