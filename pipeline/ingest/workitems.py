"""Work items: feed entries staged in Elasticsearch between polling and indexing.

A polled entry is written here (create-once) before the feed's state records it as seen, so a
crash between stages never loses it: the next run picks up every item still ``pending`` (to
fetch and build) or ``processed`` (built, waiting to be indexed). Items end ``done``, or
``parked`` in the dead-letter index after too many failed attempts.

    pending --fetch+build--> processed --dedupe+index--> done
       \\__ retryable failure: attempts+1, next_attempt_at __/      \\__ parked (dead letter)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from pipeline.errors import Reason, RetryLater
from pipeline.index.bulk import BulkOutcome, bulk_write
from pipeline.index.connection import SearchIndex
from pipeline.models import Article, FeedEntry
from pipeline.urls import normalise_url

PENDING, PROCESSED, DONE, PARKED = "pending", "processed", "done", "parked"
_ENTRY = TypeAdapter(FeedEntry)
_ARTICLE = TypeAdapter(Article)


@dataclass(frozen=True, slots=True)
class WorkItem:
    item_id: str
    entry: FeedEntry
    status: str
    attempts: int
    run_id: str
    article: Article | None = None
    outcome: str | None = None


def item_id_for(entry: FeedEntry) -> str:
    """One id per version of a feed entry: a re-published entry (new date) is fetched again."""
    published = entry.published.isoformat() if entry.published else ""
    key = f"{entry.feed_id}\0{normalise_url(entry.url)}\0{published}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def entry_payload(entry: FeedEntry) -> dict[str, Any]:
    return dict(_ENTRY.dump_python(entry, mode="json"))


def stage_entries(index: SearchIndex, entries: Sequence[FeedEntry], run_id: str, *, force: bool = False) -> list[str]:
    """Write entries as pending work items; existing items are left alone unless ``force`` (backfill)."""
    now = _now()
    actions = []
    for entry in entries:
        item_id = item_id_for(entry)
        actions.append(
            {
                "_op_type": "index" if force else "create",
                "_index": index.names.staging,
                "_id": item_id,
                "_source": {
                    "item_id": item_id,
                    "status": PENDING,
                    "run_id": run_id,
                    "feed_id": entry.feed_id,
                    "url": entry.url,
                    "attempts": 0,
                    "created_at": now,
                    "updated_at": now,
                    "entry": entry_payload(entry),
                },
            }
        )
    outcome = bulk_write(index.client, actions)
    _raise_if_unavailable(outcome, "staging feed entries")
    # 409 = staged before (by an earlier poll): nothing to do, it is already in the queue.
    real_failures = [f for f in outcome.failures if f.status != 409]
    if real_failures:
        raise RuntimeError(f"could not stage {len(real_failures)} entries: {real_failures[0].error}")
    return [str(action["_id"]) for action in actions]


def due_item_ids(index: SearchIndex, now: datetime, *, limit: int = 10_000) -> list[str]:
    """Items left by earlier runs that are ready for another attempt (pending or processed)."""
    index.client.indices.refresh(index=index.names.staging)
    response = index.client.search(
        index=index.names.staging,
        query={
            "bool": {
                "filter": [{"terms": {"status": [PENDING, PROCESSED]}}],
                "should": [
                    {"bool": {"must_not": {"exists": {"field": "next_attempt_at"}}}},
                    {"range": {"next_attempt_at": {"lte": now.isoformat()}}},
                ],
                "minimum_should_match": 1,
            }
        },
        sort=[{"created_at": "asc"}],
        size=limit,
        source=False,
    )
    return [hit["_id"] for hit in response["hits"]["hits"]]


def load_items(index: SearchIndex, item_ids: Sequence[str]) -> list[WorkItem]:
    """The work items with these ids, in the given order (missing ids are skipped)."""
    if not item_ids:
        return []
    response = index.client.mget(index=index.names.staging, ids=list(item_ids))
    items = []
    for doc in response["docs"]:
        if not doc.get("found"):
            continue
        source = doc["_source"]
        processed = source.get("processed")
        items.append(
            WorkItem(
                item_id=doc["_id"],
                entry=_ENTRY.validate_python(source["entry"]),
                status=source.get("status", PENDING),
                attempts=int(source.get("attempts") or 0),
                run_id=source.get("run_id", ""),
                article=_ARTICLE.validate_python(processed["article"]) if processed else None,
                outcome=processed.get("outcome") if processed else None,
            )
        )
    return items


def update_items(index: SearchIndex, changes: dict[str, dict[str, Any]]) -> BulkOutcome:
    """Apply partial updates {item_id: fields} to work items (status changes, attempts, results)."""
    now = _now()
    actions = [
        {
            "_op_type": "update",
            "_index": index.names.staging,
            "_id": item_id,
            "doc": {**fields, "updated_at": now},
        }
        for item_id, fields in changes.items()
    ]
    outcome = bulk_write(index.client, actions)
    _raise_if_unavailable(outcome, "updating work items")
    return outcome


def processed_fields(article: Article, outcome: str) -> dict[str, Any]:
    """Fields that mark an item processed and carry its built article to the index step."""
    return {
        "status": PROCESSED,
        "processed": {"article": _ARTICLE.dump_python(article, mode="json"), "outcome": outcome},
    }


def retry_fields(attempts: int, reason: str, now: datetime, backoff_minutes: float) -> dict[str, Any]:
    """Fields that put an item back in the queue for a later attempt, with exponential backoff."""
    delay = timedelta(minutes=backoff_minutes * (2 ** max(attempts - 1, 0)))
    return {
        "status": PENDING,
        "attempts": attempts,
        "last_error_reason": reason,
        "next_attempt_at": (now + delay).isoformat(),
    }


def done_fields() -> dict[str, Any]:
    # The built article is dropped from staging once indexed: the articles index has it.
    return {"status": DONE, "processed": None}


def _raise_if_unavailable(outcome: BulkOutcome, action: str) -> None:
    if outcome.cluster_unavailable:
        raise RetryLater(Reason.SEARCH_UNAVAILABLE, f"{action}: cluster unreachable")


def _now() -> str:
    return datetime.now(UTC).isoformat()
