"""Delivering what is due: lease, send, record, per batch of alerts and notifier.

    due alerts --grouped by batch_key--> for each batch:
        lease   every due (alert, notifier) becomes "sending" until now + delivery_lease_minutes
                (compare-and-swap: a batch another run holds is skipped)
        send    one message per notifier, with its idempotency key
        record  delivered, or failed with backoff, or parked after max_delivery_attempts

A run that dies after the lease leaves "sending" deliveries whose lease expires; the next run
after that sends them again with the same idempotency key. That repeat is the only one possible,
and only when the run died between a successful send and its recording (docs/alerts.md).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pipeline.alerts.config import WatchConfig
from pipeline.alerts.ledger import (
    DELIVERED,
    FAILED,
    OPEN_STATES,
    PARKED,
    SENDING,
    StoredAlert,
    backoff,
    due_alerts,
    overall_state,
    write_alert,
)
from pipeline.alerts.messages import build_message
from pipeline.alerts.notifiers import Sender, SendResult
from pipeline.alerts.schedule import message_id
from pipeline.index.connection import SearchIndex

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    notifier: str
    error: str
    alert_ids: tuple[str, ...]
    parked: bool


@dataclass
class DeliveryReport:
    """Counts of one delivery pass; deliveries are (alert, notifier) pairs."""

    delivered: int = 0
    failed: int = 0
    parked: int = 0
    messages: int = 0
    busy: int = 0  # alerts skipped because another run holds their lease
    failures: list[DeliveryFailure] = field(default_factory=list)


@dataclass(frozen=True)
class DeliveryContext:
    config: WatchConfig
    max_attempts: int
    sender: Sender
    # Test seam: called after a message was sent and before the send is recorded.
    after_send: Callable[[str], None] | None = None


def _due(delivery: dict[str, Any], now: datetime) -> bool:
    moment = delivery.get("next_attempt_at")
    return delivery.get("state") in OPEN_STATES and bool(moment) and datetime.fromisoformat(str(moment)) <= now


def deliver_due(index: SearchIndex, context: DeliveryContext, now: datetime) -> DeliveryReport:
    """Send every due delivery of the ledger; never raises for a receiver's failure."""
    report = DeliveryReport()
    batches: dict[str, list[StoredAlert]] = {}
    for alert in due_alerts(index, now):
        batches.setdefault(str(alert.source.get("batch_key") or alert.alert_id), []).append(alert)
    for batch_key, members in batches.items():
        _deliver_batch(index, context, batch_key, members, now, report)
    return report


def _deliver_batch(
    index: SearchIndex,
    context: DeliveryContext,
    batch_key: str,
    members: Sequence[StoredAlert],
    now: datetime,
    report: DeliveryReport,
) -> None:
    lease_until = (now + timedelta(minutes=context.config.settings.delivery_lease_minutes)).isoformat()
    notifiers = sorted({d["notifier"] for alert in members for d in alert.source.get("delivery", []) if _due(d, now)})
    leased: list[StoredAlert] = []
    for alert in members:
        document = copy.deepcopy(alert.source)
        for delivery in document.get("delivery", []):
            if delivery["notifier"] in notifiers and _due(delivery, now):
                delivery.update(state=SENDING, lease_until=lease_until, next_attempt_at=lease_until)
        document["delivery_state"], document["next_attempt_at"] = overall_state(document["delivery"], now)
        stored = write_alert(index, alert, document)
        if stored is None:
            report.busy += 1
        elif any(d.get("lease_until") == lease_until and d["state"] == SENDING for d in document["delivery"]):
            leased.append(stored)
    results: dict[str, tuple[SendResult, str, set[str]]] = {}
    for notifier in notifiers:
        members_for = [alert for alert in leased if _leased_for(alert, notifier, lease_until)]
        if not members_for:
            continue
        alert_ids = [alert.alert_id for alert in members_for]
        identifier = message_id(batch_key, alert_ids)
        result = _send(context, notifier, [alert.source for alert in members_for], identifier, batch_key)
        if result.ok:
            report.messages += 1
            if context.after_send is not None:
                context.after_send(identifier)
        else:
            logger.warning("alert delivery to %s failed: %s", notifier, result.error)
        results[notifier] = (result, identifier, set(alert_ids))
    for alert in leased:
        _record(index, context, alert, results, now, report)


def _send(
    context: DeliveryContext, notifier: str, alerts: list[dict[str, Any]], identifier: str, batch_key: str
) -> SendResult:
    """Render and send one message; any failure, even a bug, is a recorded attempt (so it parks, never loops)."""
    target = context.config.targets.get(notifier)
    if target is None:
        return SendResult(False, f"notifier {notifier!r} is not configured or is disabled")
    try:
        message = build_message(
            alerts, identifier, batch_key, max_alerts=context.config.settings.max_alerts_per_message
        )
        return context.sender.send(target, message)
    except Exception as error:  # a bad message or an unforeseen library error must still count as an attempt
        logger.exception("alert delivery to %s crashed", notifier)
        return SendResult(False, f"{type(error).__name__}: {error}"[:500])


def _leased_for(alert: StoredAlert, notifier: str, lease_until: str) -> bool:
    return any(
        d["notifier"] == notifier and d["state"] == SENDING and d.get("lease_until") == lease_until
        for d in alert.source.get("delivery", [])
    )


def _record(
    index: SearchIndex,
    context: DeliveryContext,
    alert: StoredAlert,
    results: dict[str, tuple[SendResult, str, set[str]]],
    now: datetime,
    report: DeliveryReport,
) -> None:
    settings = context.config.settings
    document = copy.deepcopy(alert.source)
    for delivery in document.get("delivery", []):
        found = results.get(delivery["notifier"])
        if found is None or alert.alert_id not in found[2] or delivery["state"] != SENDING:
            continue
        result, sent_id, _ = found
        delivery["attempts"] = int(delivery.get("attempts") or 0) + 1
        delivery["lease_until"] = None
        delivery["message_id"] = sent_id
        if result.ok:
            delivery.update(state=DELIVERED, delivered_at=now.isoformat(), next_attempt_at=None, last_error=None)
            document["last_delivered_at"] = now.isoformat()
            report.delivered += 1
            continue
        delivery["last_error"] = result.error
        if delivery["attempts"] >= context.max_attempts:
            delivery.update(state=PARKED, next_attempt_at=None)
            report.parked += 1
        else:
            wait = backoff(delivery["attempts"], settings.retry_backoff_minutes, settings.retry_backoff_max_minutes)
            delivery.update(state=FAILED, next_attempt_at=(now + wait).isoformat())
            report.failed += 1
    document["delivery_state"], document["next_attempt_at"] = overall_state(document["delivery"], now)
    if write_alert(index, alert, document) is None:
        # Only a run ignoring our lease can get here; the send stands, the next run may repeat it.
        logger.error("alert %s changed while this run held its lease; its delivery was not recorded", alert.alert_id)
    for notifier, (result, _, alert_ids) in results.items():
        if not result.ok and alert.alert_id in alert_ids:
            parked = any(d["notifier"] == notifier and d["state"] == PARKED for d in document["delivery"])
            report.failures.append(DeliveryFailure(notifier, result.error, (alert.alert_id,), parked))
