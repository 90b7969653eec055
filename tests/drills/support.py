"""Helpers of the fault drills: settings, reading indices back, counting what the receivers got."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import make_test_settings
from receivers import Receiver, SmtpServer

SEED_OUTLETS = ("nachrichtenblatt", "weltrundschau")


def drill_settings(url: str, prefix: str, tmp_path: Path, watches: Path | None = None, **overrides: Any) -> Any:
    """Test settings (see helpers.make_test_settings) naming the drill's watches file."""
    if watches is not None:
        overrides["alerts.watches"] = str(watches)
    return make_test_settings(url, prefix, tmp_path, **overrides)


def search_all(index: Any, alias: str, **query: Any) -> list[dict[str, Any]]:
    index.client.indices.refresh(index=alias)
    response = index.client.search(index=alias, size=1000, query=query or {"match_all": {}})
    return [{**hit["_source"], "_id": hit["_id"]} for hit in response["hits"]["hits"]]


@dataclass(frozen=True)
class Deliveries:
    """What the receivers were sent, keyed the way a receiver would deduplicate."""

    webhook_keys: list[str]
    webhook_alerts: list[tuple[str, str]]  # (rule id, story id) of every alert in every webhook body
    mail_keys: list[str]


def deliveries(receiver: Receiver, smtp: SmtpServer) -> Deliveries:
    hooks = receiver.accepted("/hook")
    assert all(request.signature_ok for request in hooks), "every webhook is signed with the secret"
    alerts = [(alert["rule_id"], alert["story_id"]) for request in hooks for alert in request.json["alerts"]]
    assert all(request.json["idempotency_key"] == request.idempotency_key for request in hooks)
    return Deliveries(
        webhook_keys=[request.idempotency_key for request in hooks],
        webhook_alerts=alerts,
        mail_keys=[str(message["X-Newshound-Idempotency-Key"]) for message in smtp.messages],
    )


def assert_each_alert_delivered_once(index: Any, receiver: Receiver, smtp: SmtpServer) -> list[dict[str, Any]]:
    """Every alert in the ledger reached the webhook and the mailbox exactly once; nothing else was sent."""
    ledger = search_all(index, index.names.alerts)
    sent = deliveries(receiver, smtp)
    assert len(sent.webhook_keys) == len(set(sent.webhook_keys)), f"a webhook was sent twice: {sent.webhook_keys}"
    assert len(sent.mail_keys) == len(set(sent.mail_keys)), f"a mail was sent twice: {sent.mail_keys}"
    assert len(sent.webhook_alerts) == len(set(sent.webhook_alerts)), "one alert per rule and story"
    alert_ids = {alert["alert_id"] for alert in ledger}
    assert set(sent.webhook_keys) == alert_ids == set(sent.mail_keys)
    assert set(sent.webhook_alerts) == {(alert["rule_id"], alert["story_id"]) for alert in ledger}
    for alert in ledger:
        states = {delivery["notifier"]: delivery["state"] for delivery in alert["delivery"]}
        assert states == {"hook": "delivered", "mail": "delivered"}, json.dumps(alert["delivery"])
    return ledger


def seed_story_id(articles: list[dict[str, Any]]) -> str:
    """The story of the two German seed reports (one story by design)."""
    stories = {article["story_id"] for article in articles if article["feed_id"] in SEED_OUTLETS}
    assert len(stories) == 1, f"the seeds must share one story: {stories}"
    return stories.pop()
