"""The dead-letter index: work that failed for good, kept with its reason and payload for a person.

Two kinds of payload can be parked:
- ``{"action": <bulk action>}`` - a document Elasticsearch refused; replay sends it again;
- ``{"work_item": <staging document>}`` - an article that failed processing too often; replay
  puts it back into staging as pending, so the next ingest run tries it afresh.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.index.bulk import bulk_write
from pipeline.settings import IndexNames

logger = logging.getLogger(__name__)


def dead_letter_id(stage: str, key: str) -> str:
    """Deterministic id: parking the same failure twice keeps one record."""
    return hashlib.sha256(f"{stage}\0{key}".encode()).hexdigest()[:32]


def park(
    client: Elasticsearch,
    names: IndexNames,
    *,
    stage: str,
    reason: str,
    detail: str,
    payload: dict[str, Any],
    key: str,
    url: str | None = None,
    feed_id: str | None = None,
    target_index: str | None = None,
    document_id: str | None = None,
    attempts: int = 1,
) -> str:
    """Write (or overwrite) one dead letter; return its id."""
    identifier = dead_letter_id(stage, key)
    now = datetime.now(UTC).isoformat()
    client.index(
        index=names.dead_letters,
        id=identifier,
        document={
            "dead_letter_id": identifier,
            "status": "parked",
            "stage": stage,
            "reason": reason,
            "detail": detail[:2000],
            "url": url,
            "feed_id": feed_id,
            "target_index": target_index,
            "document_id": document_id,
            "attempts": attempts,
            "created_at": now,
            "ingested_at": now,
            "payload": payload,
        },
    )
    return identifier


def parked_dead_letters(client: Elasticsearch, names: IndexNames, *, size: int = 1000) -> list[dict[str, Any]]:
    """Dead letters still waiting for a replay, oldest first."""
    client.indices.refresh(index=names.dead_letters)
    response = client.search(
        index=names.dead_letters,
        query={"term": {"status": "parked"}},
        sort=[{"created_at": "asc"}],
        size=size,
    )
    # Keep the concrete index: after a rollover the alias no longer addresses older letters.
    return [{**hit["_source"], "_index": hit["_index"]} for hit in response["hits"]["hits"]]


def count_parked(client: Elasticsearch, names: IndexNames) -> int:
    """How many dead letters wait for a person (shown by `newshound status`)."""
    client.indices.refresh(index=names.dead_letters)
    return int(client.count(index=names.dead_letters, query={"term": {"status": "parked"}})["count"])


@dataclass
class ReplayResult:
    replayed: int = 0
    still_failing: int = 0
    errors: list[str] = field(default_factory=list)


def replay_dead_letters(client: Elasticsearch, names: IndexNames, *, size: int = 1000) -> ReplayResult:
    """Send parked documents again and requeue parked work items; mark what succeeded as replayed."""
    result = ReplayResult()
    letters = parked_dead_letters(client, names, size=size)
    actions: dict[str, dict[str, Any]] = {}
    letter_index = {letter["dead_letter_id"]: letter["_index"] for letter in letters}
    for letter in letters:
        payload = letter.get("payload") or {}
        if "action" in payload:
            actions[letter["dead_letter_id"]] = payload["action"]
        elif "work_item" in payload:
            item = dict(payload["work_item"])
            item.update(status="pending", attempts=0, next_attempt_at=None, updated_at=_now())
            actions[letter["dead_letter_id"]] = {
                "_op_type": "index",
                "_index": names.staging,
                "_id": item["item_id"],
                "_source": item,
            }
        else:
            result.still_failing += 1
            result.errors.append(f"{letter['dead_letter_id']}: payload has nothing to replay")
    if not actions:
        return result
    outcome = bulk_write(client, list(actions.values()))
    failed_ids = {str(failure.action.get("_id")) for failure in outcome.failures}
    for letter_id, action in actions.items():
        if str(action["_id"]) in failed_ids:
            result.still_failing += 1
            continue
        client.update(
            index=letter_index[letter_id],
            id=letter_id,
            doc={"status": "replayed", "replayed_at": _now()},
        )
        result.replayed += 1
    result.errors.extend(f"{failure.action.get('_id')}: {failure.error}" for failure in outcome.failures)
    return result


def _now() -> str:
    return datetime.now(UTC).isoformat()
