"""Bulk writes with per-item outcomes: what was written, what may be retried, what must be parked."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import ConnectionError as SearchConnectionError
from elasticsearch import Elasticsearch, TransportError, helpers

logger = logging.getLogger(__name__)

# Item statuses that mean "try again later" rather than "this document is wrong".
RETRYABLE_ITEM_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class BulkItemFailure:
    """One action Elasticsearch did not apply, and whether retrying can help."""

    action: dict[str, Any]
    status: int | None
    error: str
    retryable: bool


@dataclass
class BulkOutcome:
    """Ids written (by target alias) and the failures."""

    written: list[tuple[str, str]] = field(default_factory=list)
    failures: list[BulkItemFailure] = field(default_factory=list)

    @property
    def cluster_unavailable(self) -> bool:
        """True when some actions failed because the cluster could not be reached at all."""
        return any(failure.status is None for failure in self.failures)


def bulk_write(
    client: Elasticsearch,
    actions: Sequence[dict[str, Any]],
    *,
    chunk_size: int = 500,
    max_retries: int = 3,
    initial_backoff: float = 1.0,
) -> BulkOutcome:
    """Send ``actions`` (each with ``_index``, ``_id`` and ``_op_type``) and report every item's fate.

    Never raises for item or connection errors: an unreachable cluster shows as failures with
    status None, so the caller keeps what was written and retries the rest later.
    """
    outcome = BulkOutcome()
    by_id = {str(action["_id"]): action for action in actions}
    results = helpers.streaming_bulk(
        client,
        actions,
        chunk_size=chunk_size,
        max_retries=max_retries,
        initial_backoff=initial_backoff,
        raise_on_error=False,
        raise_on_exception=False,
        yield_ok=True,
    )
    seen: set[str] = set()
    try:
        for ok, item in results:
            ((_, result),) = item.items()
            identifier = str(result.get("_id"))
            action = by_id.get(identifier) or {"_index": result.get("_index", "?"), "_id": identifier}
            seen.add(identifier)
            if ok:
                outcome.written.append((str(action["_index"]), identifier))
                continue
            status = result.get("status")
            status = status if isinstance(status, int) else None
            retryable = status is None or status in RETRYABLE_ITEM_STATUSES
            outcome.failures.append(BulkItemFailure(action, status, _error_text(result), retryable))
    except (SearchConnectionError, TransportError) as error:
        # The cluster went away mid-stream: everything not yet acknowledged is retryable.
        for identifier, action in by_id.items():
            if identifier not in seen:
                outcome.failures.append(BulkItemFailure(action, None, f"cluster unreachable: {error}", True))
    if outcome.failures:
        logger.warning("bulk: %d written, %d failed", len(outcome.written), len(outcome.failures))
    return outcome


def _error_text(result: dict[str, Any]) -> str:
    error = result.get("error")
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return str(error or result.get("exception") or "unknown error")[:500]
