"""Alerts on new mentions: rules in config/watches.yaml, matched at ingest, delivered exactly once.

    config.py        rules and notifiers, validated (ConfigError names file, key and fix)
    queries.py       rules as Elasticsearch queries; rules packed into multi-search requests
    percolator.py    the percolator path, for clusters that have it and many rules
    matching.py      a batch of article ids -> AlertCandidates (one per rule and story)
    passages.py      the highlighted passage
    claim_changes.py figures that changed within a claim cluster (3,000 -> 10,000 soldiers)
    schedule.py      immediate, throttled and digest release times
    ledger.py        the alerts index: create-once alert documents with delivery state
    receipts.py      which article versions were matched (catch-up after a crash)
    messages.py      message text, HTML, Slack blocks, webhook JSON
    notifiers.py     webhook, Slack and SMTP sending
    delivery.py      lease, send, record; retries with backoff; parking
    api.py           process_alerts and deliver_pending

docs/alerts.md describes the rules, the delivery guarantees and their limits.
"""

from __future__ import annotations

from pipeline.alerts.api import AlertOutcome, AlertReason, AlertSeams, deliver_pending, mark_seen, process_alerts
from pipeline.alerts.config import Rule, WatchConfig, load_watch_config
from pipeline.alerts.ledger import parked_alert_count
from pipeline.alerts.matching import AlertCandidate, match_batch

__all__ = [
    "AlertCandidate",
    "AlertOutcome",
    "AlertReason",
    "AlertSeams",
    "Rule",
    "WatchConfig",
    "deliver_pending",
    "load_watch_config",
    "mark_seen",
    "match_batch",
    "parked_alert_count",
    "process_alerts",
]
