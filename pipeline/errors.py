"""Newshound's failures: one typed record, and the exceptions whose class decides what happens.

    NewshoundError
    ├── SkipItem        bad input: record it with its reason, count it, go on with the next item
    │   └── ExtractionError    a page yielded no article text
    ├── RetryLater      transient: timeouts, 429, 5xx, search engine or NER server unavailable
    └── Fatal           misconfiguration or a broken deployment: stop with a clear message
        └── ConfigError        a settings or registry file is wrong (names file, key and fix)

An item that fails travels as an ``ItemFailure`` (stage, reason, detail, retryable, and which URL
or feed) from where it happened to the run summary, whatever the stage: a feed that cannot be
parsed, a page that cannot be fetched, an article whose build crashed, a document the search
engine refused. ``SkipItem`` and ``RetryLater`` carry a ``Reason``; ``ItemFailure.of`` turns either
into the record. Every outcome a run counts has a fixed name in ``Reason``, so summaries count
discards by reason and a test can assert on them. Client errors of the search engine become
``RetryLater`` in one place, ``pipeline.index.retry_of``, applied around every run (``pipeline.run``)
and every command (``pipeline.cli``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    """Fixed names for every outcome counted in a run summary."""

    # Articles
    FETCHED = "fetched"
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    NEAR_DUPLICATE = "near-duplicate"
    FEED_ONLY = "feed-only"  # page unusable, article kept from the feed's title and summary
    NO_TEXT = "no-text"
    # Fetching
    ROBOTS_DENIED = "robots-denied"
    UNSAFE_URL = "unsafe-url"
    FETCH_TIMEOUT = "fetch-timeout"
    FETCH_HTTP_ERROR = "fetch-http-error"
    FETCH_TOO_LARGE = "fetch-too-large"
    FETCH_TOO_MANY_REDIRECTS = "fetch-too-many-redirects"
    FETCH_CONNECTION_ERROR = "fetch-connection-error"
    FETCH_NOT_HTML = "fetch-not-html"
    RETRY_LATER = "retry-later"  # a work item put back in the queue for a later run
    # Feeds
    FEEDS_DUE = "feeds-due"
    ENTRIES_NEW = "entries-new"
    FEED_ERROR = "feed-error"
    FEED_NOT_MODIFIED = "feed-not-modified"
    WORK_ITEMS = "work-items"
    # Building and writing
    BUILD_ERROR = "build-error"  # a bug or pathological input in a build stage: the item is parked
    INDEX_ERROR = "index-error"
    PARKED = "parked"  # written to the dead-letter index for a person to look at
    # Services
    SEARCH_UNAVAILABLE = "search-unavailable"
    NER_UNAVAILABLE = "ner-unavailable"
    KIBANA_UNAVAILABLE = "kibana-unavailable"
    # Alerts
    ALERTS_MATCHED = "alerts-matched"  # alert candidates found (one per rule and story or article)
    ALERTS_NEW = "alerts-new"  # written to the ledger for the first time
    ALERTS_KNOWN = "alerts-known"  # already in the ledger: alerted before, nothing more happens
    ALERTS_HELD = "alerts-held"  # new alerts waiting for a throttle or digest window
    ALERTS_DELIVERED = "alerts-delivered"  # (alert, notifier) deliveries that succeeded
    ALERTS_FAILED = "alerts-failed"  # delivery attempts that failed; retried with backoff
    ALERTS_PARKED = "alerts-parked"  # deliveries given up after alerts.max_delivery_attempts
    ALERTS_MESSAGES = "alerts-messages"  # messages sent (a digest or held batch is one)
    ALERTS_RULE_ERROR = "alerts-rule-error"  # a rule Elasticsearch rejected (skipped, others go on)
    ALERTS_CAUGHT_UP = "alerts-caught-up"  # articles matched by deliver_pending's catch-up
    # Maintenance
    DEAD_LETTERS_REPLAYED = "dead-letters-replayed"
    DEAD_LETTER_STILL_FAILING = "dead-letter-still-failing"
    FEED_STATES_REFRESHED = "feed-states-refreshed"
    FEED_STATES_REMOVED = "feed-states-removed"
    FEED_FAILING = "feed-failing"
    INDICES_ROLLED_OVER = "indices-rolled-over"
    INDICES_DELETED = "indices-deleted"
    WORK_ITEMS_CLEANED = "work-items-cleaned"
    ARTICLES_ANALYSED = "articles-analysed"  # older articles given the analysis fields (maintenance)
    MAINTENANCE_PART_FAILED = "maintenance-part-failed"


class Stage(StrEnum):
    """Where in a run a failure happened."""

    RUN = "run"  # the run as a whole (the cluster went away)
    POLL = "poll"
    FETCH = "fetch"
    BUILD = "build"
    INDEX = "index"
    ALERTS = "alerts"
    MAINTENANCE = "maintenance"


@dataclass(frozen=True, slots=True)
class ItemFailure:
    """One thing that failed: where, why, whether a later attempt may succeed, and what it was."""

    stage: Stage
    reason: Reason
    detail: str
    retryable: bool = False
    url: str | None = None
    feed_id: str | None = None

    @classmethod
    def of(
        cls, error: SkipItem | RetryLater, stage: Stage, *, url: str | None = None, feed_id: str | None = None
    ) -> ItemFailure:
        """The record of a raised failure: retryable when it was a ``RetryLater``."""
        return cls(stage, error.reason, error.detail, isinstance(error, RetryLater), url, feed_id)


class NewshoundError(Exception):
    """Base class of every error Newshound raises on purpose."""


class SkipItem(NewshoundError):
    """This item is bad input: record it, count it under ``reason``, go on."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else str(reason))


class ExtractionError(SkipItem):
    """A page gave no usable article text."""

    def __init__(self, detail: str) -> None:
        super().__init__(Reason.NO_TEXT, detail)


class RetryLater(NewshoundError):
    """A transient failure; the same work may succeed later."""

    def __init__(self, reason: Reason, detail: str = "", retry_after_seconds: float | None = None) -> None:
        self.reason = reason
        self.detail = detail
        self.retry_after_seconds = retry_after_seconds
        super().__init__(f"{reason}: {detail}" if detail else str(reason))


class Fatal(NewshoundError):
    """The run cannot go on: a deployment or configuration problem a person must fix."""


class QueryError(Fatal):
    """A search query that cannot run: a quote never closed, a regular expression the engine refuses."""


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
