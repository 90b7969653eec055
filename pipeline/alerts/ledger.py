"""The alert ledger: one document per alert in the alerts index, written once, before any delivery.

An alert's id is a hash of the rule id and the story (or article) id, and it is written with
``op_type=create``: a second run finding the same match gets a 409 ("already alerted") and does
nothing more. Each document keeps the delivery state per notifier:

    pending | held --lease--> sending --sent--> delivered
                                      --error--> failed (attempts, last_error, next_attempt_at)
                                                 --max attempts--> parked

``next_attempt_at`` (top level) is when the alert next needs a run's attention; runs pick up
every alert whose time has come, whatever left it there (a failed send, a crash after the ledger
write, an expired lease). Updates are compare-and-swap writes (``if_seq_no``), so two runs never
both own a delivery. No scripts: every update is computed here and written whole.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from elasticsearch import ConflictError

from pipeline.errors import Reason, RetryLater
from pipeline.index.bulk import bulk_write
from pipeline.index.connection import SearchIndex
from pipeline.index.templates import alert_mappings

logger = logging.getLogger(__name__)

PENDING, HELD, SENDING, DELIVERED, FAILED, PARKED = "pending", "held", "sending", "delivered", "failed", "parked"
OPEN_STATES = (PENDING, HELD, SENDING, FAILED)
DUE_PAGE = 1000
_mapping_checked: set[str] = set()


@dataclass(frozen=True, slots=True)
class StoredAlert:
    """An alert document with what a compare-and-swap write needs."""

    alert_id: str
    index: str
    seq_no: int
    primary_term: int
    source: dict[str, Any]


def ensure_alert_mapping(index: SearchIndex) -> None:
    """Add the ledger's fields to an alerts index created before they existed (adding fields is safe)."""
    if index.names.alerts in _mapping_checked:
        return
    index.client.indices.put_mapping(
        index=index.names.alerts, properties=alert_mappings(index.capabilities)["properties"]
    )
    _mapping_checked.add(index.names.alerts)


def existing_alert_ids(index: SearchIndex, alert_ids: Sequence[str]) -> set[str]:
    """Ids already in the ledger, searched through the alias so rolled-over indices count too."""
    if not alert_ids:
        return set()
    found: set[str] = set()
    for start in range(0, len(alert_ids), 1000):
        chunk = list(alert_ids[start : start + 1000])
        response = index.client.search(
            index=index.names.alerts, query={"ids": {"values": chunk}}, size=len(chunk), source=False
        )
        found.update(hit["_id"] for hit in response["hits"]["hits"])
    return found


def create_alerts(index: SearchIndex, documents: Sequence[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Write alert documents create-once; return (created ids, ids that already existed)."""
    if not documents:
        return [], []
    actions = [
        {"_op_type": "create", "_index": index.names.alerts, "_id": document["alert_id"], "_source": document}
        for document in documents
    ]
    outcome = bulk_write(index.client, actions)
    created = [identifier for _, identifier in outcome.written]
    existing = [str(f.action["_id"]) for f in outcome.failures if f.status == 409]
    broken = [f for f in outcome.failures if f.status != 409]
    index.client.indices.refresh(index=index.names.alerts)
    if broken:
        # Unwritten alerts must not be lost: the caller's run fails and the batch is matched again
        # (by the retried task, or by the catch-up of deliver_pending).
        raise RetryLater(Reason.INDEX_ERROR, f"{len(broken)} alert(s) not written: {broken[0].error}")
    return created, existing


def due_alerts(index: SearchIndex, now: datetime, *, limit: int = 10_000) -> list[StoredAlert]:
    """Alerts with an open delivery whose next attempt is due, oldest first."""
    alerts: list[StoredAlert] = []
    after: list[Any] | None = None
    index.client.indices.refresh(index=index.names.alerts)
    while len(alerts) < limit:
        response = index.client.search(
            index=index.names.alerts,
            query={
                "bool": {
                    "filter": [
                        {"terms": {"delivery_state": list(OPEN_STATES)}},
                        {"range": {"next_attempt_at": {"lte": now.isoformat()}}},
                    ]
                }
            },
            sort=[{"next_attempt_at": "asc"}, {"alert_id": "asc"}],
            size=DUE_PAGE,
            seq_no_primary_term=True,
            search_after=after,
        )
        hits = response["hits"]["hits"]
        alerts.extend(_stored(hit) for hit in hits)
        if len(hits) < DUE_PAGE:
            break
        after = hits[-1]["sort"]
    return alerts


def _stored(hit: dict[str, Any]) -> StoredAlert:
    return StoredAlert(hit["_id"], hit["_index"], int(hit["_seq_no"]), int(hit["_primary_term"]), hit["_source"])


def write_alert(index: SearchIndex, alert: StoredAlert, document: dict[str, Any]) -> StoredAlert | None:
    """Replace the document if nobody changed it since it was read; None when somebody did."""
    try:
        response = index.client.index(
            index=alert.index,
            id=alert.alert_id,
            document=document,
            if_seq_no=alert.seq_no,
            if_primary_term=alert.primary_term,
        )
    except ConflictError:
        return None
    return StoredAlert(alert.alert_id, alert.index, int(response["_seq_no"]), int(response["_primary_term"]), document)


def latest_release(index: SearchIndex, rule_id: str) -> tuple[datetime, str] | None:
    """The rule's latest scheduled release and its batch (for throttling), if it has alerts."""
    response = index.client.search(
        index=index.names.alerts,
        query={"bool": {"filter": [{"term": {"rule_id": rule_id}}, {"exists": {"field": "release_at"}}]}},
        sort=[{"release_at": "desc"}],
        size=1,
        source_includes=["release_at", "batch_key"],
    )
    hits = response["hits"]["hits"]
    if not hits:
        return None
    source = hits[0]["_source"]
    return datetime.fromisoformat(source["release_at"]), str(source["batch_key"])


def parked_alert_count(index: SearchIndex) -> int:
    """Alerts with a delivery given up after the maximum attempts (for `newshound status`)."""
    index.client.indices.refresh(index=index.names.alerts)
    response = index.client.count(index=index.names.alerts, query={"term": {"delivery.state": PARKED}})
    return int(response["count"])


def overall_state(deliveries: Iterable[dict[str, Any]], now: datetime) -> tuple[str, str | None]:
    """(delivery_state, next_attempt_at) of an alert from its per-notifier deliveries."""
    deliveries = list(deliveries)
    states = {delivery["state"] for delivery in deliveries}
    waiting = [delivery["next_attempt_at"] for delivery in deliveries if delivery["state"] in OPEN_STATES]
    next_attempt = min(waiting) if waiting else None
    for state in (FAILED, SENDING, PENDING, HELD):
        if state in states:
            if state == HELD and next_attempt and datetime.fromisoformat(next_attempt) <= now:
                return PENDING, next_attempt
            return state, next_attempt
    return (PARKED if PARKED in states else DELIVERED), None


def backoff(attempts: int, base_minutes: float, max_minutes: float) -> timedelta:
    """Exponential backoff: base, 2x base, 4x base... capped."""
    return timedelta(minutes=min(base_minutes * 2 ** max(attempts - 1, 0), max_minutes))
