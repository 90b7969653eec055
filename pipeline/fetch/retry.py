"""When to retry a fetch and how long to wait: exponential backoff with jitter, and Retry-After."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

# Statuses worth another try: the server is overloaded, restarting or asks us to slow down.
# 501 and 505 are 5xx too but say the server will never handle the request.
_RETRY_STATUSES = frozenset({408, 425, 429}) | (frozenset(range(500, 600)) - {501, 505})


def is_retryable_status(status: int) -> bool:
    """True for statuses that may succeed later (429, 408, most 5xx)."""
    return status in _RETRY_STATUSES


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with "equal jitter": half the step is fixed, half is random.

    The fixed half keeps retries from hammering a server; the random half spreads the retries of
    many concurrent fetches that failed at the same moment.
    """

    base_seconds: float
    max_seconds: float
    random_fraction: Callable[[], float]

    def delay(self, retry_number: int) -> float:
        """Seconds to wait before retry ``retry_number`` (0 for the first retry)."""
        step = min(self.max_seconds, self.base_seconds * 2.0**retry_number)
        return step / 2 + step / 2 * self.random_fraction()


def parse_retry_after(value: str | None, date_header: str | None = None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None if absent/bad.

    An HTTP date is measured against the response's own Date header when present, so a skewed
    local clock does not matter; otherwise against ``now`` (Unix time, default the system clock).
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    target = _http_date(value)
    if target is None:
        return None
    reference = _http_date(date_header) if date_header else None
    if reference is None:
        reference = time.time() if now is None else now
    return max(0.0, target - reference)


def _http_date(value: str) -> float | None:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # "-0000": HTTP dates are always GMT
    return moment.timestamp()
