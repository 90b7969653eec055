"""When a new alert may go out, and in which message: modes, throttles and digest windows.

Every alert gets ``release_at`` (the earliest delivery time) and ``batch_key`` (alerts with the
same key go out together, as one message per notifier):

- immediate, no throttle: now, alone (the batch key is the alert id);
- immediate with ``throttle_minutes``: now if the rule's last release is at least that long ago
  (new alerts of one run go together); otherwise held until the window ends, joining the alerts
  already held for that moment;
- digest-hourly / digest-daily: the end of the current UTC hour / day, one batch per window.

Pure: the rule's latest release is looked up by the caller (ledger.latest_release).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pipeline.alerts.config import Rule


@dataclass(frozen=True, slots=True)
class Release:
    release_at: datetime
    batch_key: str


def digest_window(mode: str, now: datetime) -> tuple[datetime, datetime]:
    """(start, end) of the UTC hour or day containing ``now``."""
    moment = now.astimezone(UTC)
    if mode == "digest-hourly":
        start = moment.replace(minute=0, second=0, microsecond=0)
        return start, start + timedelta(hours=1)
    start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def schedule_new_alerts(
    rule: Rule, alert_ids: list[str], now: datetime, latest: tuple[datetime, str] | None
) -> dict[str, Release]:
    """Release time and batch of each new alert of ``rule`` found in this run."""
    if not alert_ids:
        return {}
    if rule.mode != "immediate":
        start, end = digest_window(rule.mode, now)
        key = f"{rule.id}/digest/{start.isoformat()}"
        return {alert_id: Release(end, key) for alert_id in alert_ids}
    if rule.throttle_minutes <= 0:
        return {alert_id: Release(now, alert_id) for alert_id in alert_ids}
    window = timedelta(minutes=rule.throttle_minutes)
    if latest is not None and latest[0] > now:
        release = Release(*latest)  # a held batch is waiting: join it
    elif latest is not None and now < latest[0] + window:
        moment = latest[0] + window
        release = Release(moment, f"{rule.id}/throttle/{moment.astimezone(UTC).isoformat()}")
    elif len(alert_ids) == 1:
        release = Release(now, alert_ids[0])
    else:
        release = Release(now, f"{rule.id}/throttle/{now.astimezone(UTC).isoformat()}")
    return {alert_id: release for alert_id in alert_ids}


def message_id(batch_key: str, alert_ids: list[str]) -> str:
    """The idempotency key of a message: the alert id when alone, else a hash of the batch."""
    if len(alert_ids) == 1 and alert_ids[0] == batch_key:
        return batch_key
    return hashlib.sha256(batch_key.encode()).hexdigest()[:32]
