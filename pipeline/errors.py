"""Newshound's exceptions: the class decides what the pipeline does with a failure.

    NewshoundError
    ├── SkipItem        bad input: record it with its reason, count it, go on with the next item
    │   ├── FeedError          a feed could not be parsed or was refused (too big, not a feed...)
    │   ├── FetchRefused       a URL we will not fetch (unsafe address, robots.txt, bad scheme)
    │   └── ExtractionError    a page yielded no article text
    ├── RetryLater      transient: timeouts, 429, 5xx, search engine unavailable; try again later
    └── Fatal           misconfiguration or a broken deployment: stop with a clear message
        └── ConfigError        a settings or registry file is wrong (names file, key and fix)

Every SkipItem and RetryLater carries a fixed ``reason`` (see ``Reason``) so that run summaries
count discards by reason and a test can assert on them.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Fixed names for every outcome counted in a run summary."""

    FETCHED = "fetched"
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    NEAR_DUPLICATE = "near-duplicate"
    FEED_ONLY = "feed-only"  # page unusable, article kept from the feed's title and summary
    NO_TEXT = "no-text"
    ROBOTS_DENIED = "robots-denied"
    UNSAFE_URL = "unsafe-url"
    FETCH_TIMEOUT = "fetch-timeout"
    FETCH_HTTP_ERROR = "fetch-http-error"
    FETCH_TOO_LARGE = "fetch-too-large"
    FETCH_TOO_MANY_REDIRECTS = "fetch-too-many-redirects"
    FETCH_CONNECTION_ERROR = "fetch-connection-error"
    FETCH_NOT_HTML = "fetch-not-html"
    FEED_ERROR = "feed-error"
    FEED_NOT_MODIFIED = "feed-not-modified"
    INDEX_ERROR = "index-error"
    PARKED = "parked"  # written to the dead-letter index for a person to look at
    SEARCH_UNAVAILABLE = "search-unavailable"


class NewshoundError(Exception):
    """Base class of every error Newshound raises on purpose."""


class SkipItem(NewshoundError):
    """This item is bad input: record it, count it under ``reason``, go on."""

    def __init__(self, reason: Reason | str, detail: str = "") -> None:
        self.reason = str(reason)
        self.detail = detail
        super().__init__(f"{self.reason}: {detail}" if detail else self.reason)


class FeedError(SkipItem):
    """A feed document could not be used."""

    def __init__(self, detail: str, reason: Reason | str = Reason.FEED_ERROR) -> None:
        super().__init__(reason, detail)


class FetchRefused(SkipItem):
    """A URL we refuse to fetch: unsafe address, disallowed scheme, robots.txt."""


class ExtractionError(SkipItem):
    """A page gave no usable article text."""

    def __init__(self, detail: str) -> None:
        super().__init__(Reason.NO_TEXT, detail)


class RetryLater(NewshoundError):
    """A transient failure; the same work may succeed later."""

    def __init__(self, reason: Reason | str, detail: str = "", retry_after_seconds: float | None = None) -> None:
        self.reason = str(reason)
        self.detail = detail
        self.retry_after_seconds = retry_after_seconds
        super().__init__(f"{self.reason}: {detail}" if detail else self.reason)


class Fatal(NewshoundError):
    """The run cannot go on: a deployment or configuration problem a person must fix."""


class ConfigError(Fatal):
    """A configuration file or environment override is invalid."""

    def __init__(self, file: str, key: str, problem: str, fix: str = "") -> None:
        self.file = file
        self.key = key
        self.problem = problem
        self.fix = fix
        message = f"{file}: {key}: {problem}"
        if fix:
            message += f" (fix: {fix})"
        super().__init__(message)
