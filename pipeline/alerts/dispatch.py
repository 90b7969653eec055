"""The alert run: match a written batch, record new alerts in the ledger, deliver what is due.

    alert_on_articles(index, settings, article_ids, summary, now=...)   after each indexed batch
    deliver_pending(index, settings, summary, now=...)               once per run (and on a schedule)

Both count their outcomes in the run summary under the fixed ``alerts-*`` reasons of ``Reason`` and
return an ``AlertOutcome``. Neither raises for a receiver's failure (it is recorded and retried);
an unreachable cluster raises RetryLater like every other stage.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from pipeline.alerts.config import Rule, WatchConfig, load_watch_config
from pipeline.alerts.delivery import DeliveryContext, DeliveryReport, deliver_due
from pipeline.alerts.ledger import (
    HELD,
    PENDING,
    create_alerts,
    ensure_alert_mapping,
    existing_alert_ids,
    latest_release,
)
from pipeline.alerts.matching import AlertCandidate, BatchMatch, match_articles
from pipeline.alerts.messages import discover_url
from pipeline.alerts.notifiers import Sender
from pipeline.alerts.receipts import article_versions, unmatched_articles, write_receipts
from pipeline.alerts.schedule import Release, schedule_new_alerts
from pipeline.errors import ItemFailure, Reason, Stage
from pipeline.index.connection import SearchIndex
from pipeline.settings import Settings
from pipeline.summary import RunSummary

logger = logging.getLogger(__name__)


@dataclass
class AlertOutcome:
    """What one call did; the same numbers go into the run summary."""

    matched: int = 0
    new_alert_ids: list[str] = field(default_factory=list)
    known: int = 0
    held: int = 0
    caught_up: int = 0
    rule_errors: dict[str, str] = field(default_factory=dict)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    def count_into(self, summary: RunSummary) -> None:
        summary.count(Reason.ALERTS_MATCHED, self.matched)
        summary.count(Reason.ALERTS_NEW, len(self.new_alert_ids))
        summary.count(Reason.ALERTS_KNOWN, self.known)
        summary.count(Reason.ALERTS_HELD, self.held)
        summary.count(Reason.ALERTS_CAUGHT_UP, self.caught_up)
        summary.count(Reason.ALERTS_DELIVERED, self.delivery.delivered)
        summary.count(Reason.ALERTS_MESSAGES, self.delivery.messages)
        for rule_id, error in self.rule_errors.items():
            summary.fail(ItemFailure(Stage.ALERTS, Reason.ALERTS_RULE_ERROR, f"rule {rule_id}: {error}"))
        for failure in self.delivery.failures:
            reason = Reason.ALERTS_PARKED if failure.parked else Reason.ALERTS_FAILED
            detail = f"{failure.notifier}: {failure.error} (alert {failure.alert_ids[0]})"
            summary.fail(ItemFailure(Stage.ALERTS, reason, detail, retryable=not failure.parked))


@dataclass(frozen=True)
class AlertSeams:
    """Test seams; production passes none."""

    http_transport: httpx.BaseTransport | None = None
    # Called with the new alert ids after the ledger write, before any delivery (crash drills).
    before_delivery: Callable[[Sequence[str]], None] | None = None
    # Called with a message's idempotency key after it was sent, before the send is recorded.
    after_send: Callable[[str], None] | None = None


def alert_on_articles(
    index: SearchIndex,
    settings: Settings,
    article_ids: Sequence[str],
    summary: RunSummary,
    *,
    now: datetime,
    config: WatchConfig | None = None,
    seams: AlertSeams | None = None,
) -> AlertOutcome:
    """Match the batch's articles, write new alerts to the ledger, deliver everything due."""
    config = config if config is not None else load_watch_config(settings)
    seams = seams or AlertSeams()
    now = _aware(now)
    outcome = AlertOutcome()
    if article_ids:
        _record(index, settings, config, list(article_ids), now, outcome)
    if seams.before_delivery is not None:
        seams.before_delivery(list(outcome.new_alert_ids))
    if config.active_rules or config.targets:
        outcome.delivery = _deliver(index, settings, config, now, seams)
    outcome.count_into(summary)
    return outcome


def deliver_pending(
    index: SearchIndex,
    settings: Settings,
    summary: RunSummary,
    *,
    now: datetime,
    config: WatchConfig | None = None,
    seams: AlertSeams | None = None,
) -> AlertOutcome:
    """Match recent articles no run matched (catch-up), then send every due delivery and digest."""
    config = config if config is not None else load_watch_config(settings)
    seams = seams or AlertSeams()
    now = _aware(now)
    outcome = AlertOutcome()
    if config.active_rules:
        missed = unmatched_articles(index, now, config.settings.catch_up_hours)
        if missed:
            logger.info("alerts: matching %d article(s) no run matched", len(missed))
            outcome.caught_up = len(missed)
            _record(index, settings, config, missed, now, outcome)
    outcome.delivery = _deliver(index, settings, config, now, seams)
    outcome.count_into(summary)
    return outcome


def _aware(now: datetime) -> datetime:
    """Stored times are compared with ``now``: a naive time is taken as UTC."""
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def mark_seen(index: SearchIndex, article_ids: Sequence[str], now: datetime) -> None:
    """Receipt articles as matched without matching them: a backfill that must not alert on history."""
    write_receipts(index, article_versions(index, list(article_ids)), now)


def _record(
    index: SearchIndex,
    settings: Settings,
    config: WatchConfig,
    article_ids: list[str],
    now: datetime,
    outcome: AlertOutcome,
) -> None:
    """Match, then write the new alerts create-once; then receipt the articles as matched."""
    versions = article_versions(index, article_ids)
    rules = config.active_rules
    if rules:
        ensure_alert_mapping(index)
        batch: BatchMatch = match_articles(index, rules, article_ids, config.settings)
        outcome.matched += len(batch.candidates)
        outcome.rule_errors.update(batch.rule_errors)
        known = existing_alert_ids(index, [candidate.alert_id for candidate in batch.candidates])
        fresh = [candidate for candidate in batch.candidates if candidate.alert_id not in known]
        documents = _documents(index, settings, config, fresh, now)
        created, existing = create_alerts(index, documents)
        outcome.new_alert_ids += created
        outcome.known += len(known) + len(existing)
        new = set(created)
        outcome.held += sum(1 for d in documents if d["alert_id"] in new and d["delivery_state"] == HELD)
    write_receipts(index, versions, now)


def _documents(
    index: SearchIndex, settings: Settings, config: WatchConfig, fresh: Sequence[AlertCandidate], now: datetime
) -> list[dict[str, Any]]:
    by_rule: dict[str, list[AlertCandidate]] = {}
    for candidate in fresh:
        by_rule.setdefault(candidate.rule_id, []).append(candidate)
    documents = []
    for rule_id, candidates in sorted(by_rule.items()):
        rule = config.rule(rule_id)
        if rule is None:  # candidates come from the config's rules; kept for the type checker
            continue
        latest = latest_release(index, rule.id) if rule.mode == "immediate" and rule.throttle_minutes else None
        releases = schedule_new_alerts(rule, [c.alert_id for c in candidates], now, latest)
        for candidate in candidates:
            documents.append(
                alert_document(candidate, rule, config, releases[candidate.alert_id], now, settings.alerts.kibana_url)
            )
    return documents


def alert_document(
    candidate: AlertCandidate, rule: Rule, config: WatchConfig, release: Release, now: datetime, kibana_url: str
) -> dict[str, Any]:
    """The ledger document of a new alert: what matched, where, and a pending delivery per notifier."""
    held = release.release_at > now
    release_at = release.release_at.astimezone(UTC).isoformat()
    state = HELD if held else PENDING
    deliveries = [
        {
            "notifier": name,
            "state": state,
            "attempts": 0,
            "last_error": None,
            "delivered_at": None,
            "next_attempt_at": release_at,
            "lease_until": None,
            "message_id": None,
        }
        for name in config.rule_notifiers(rule)
    ]
    return {
        "alert_id": candidate.alert_id,
        "alert_key": candidate.alert_key,
        "rule_id": rule.id,
        "rule_kind": rule.kind,
        "rule_mode": rule.mode,
        "article_id": candidate.article_id,
        "article_url": candidate.article_url,
        "article_title": candidate.article_title,
        "outlet": candidate.outlet,
        "language": candidate.language,
        "published": candidate.published,
        "story_id": candidate.story_id,
        "claim_cluster_id": candidate.claim_cluster_id,
        "change": candidate.change.to_document() if candidate.change else None,
        "matched_terms": list(candidate.matched_terms),
        **candidate.passage.to_document(),
        "kibana_url": discover_url(
            kibana_url, candidate.article_id, candidate.published, config.settings.kibana_data_view_id
        ),
        "created_at": now.isoformat(),
        "ingested_at": now.isoformat(),
        "release_at": release_at,
        "batch_key": release.batch_key,
        "delivery": deliveries,
        "delivery_state": state,
        "next_attempt_at": release_at,
        "last_delivered_at": None,
    }


def _deliver(
    index: SearchIndex, settings: Settings, config: WatchConfig, now: datetime, seams: AlertSeams
) -> DeliveryReport:
    with Sender(config.settings.delivery_timeout_seconds, seams.http_transport) as sender:
        context = DeliveryContext(config, settings.alerts.max_delivery_attempts, sender, seams.after_send)
        return deliver_due(index, context, now)
