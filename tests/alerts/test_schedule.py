"""Digest windows and throttles on the real ledger and receivers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pipeline.alerts.dispatch import alert_on_articles, deliver_pending
from pipeline.index.connection import SearchIndex
from pipeline.summary import RunSummary

pytestmark = pytest.mark.integration


def korea_article(name: str) -> dict[str, Any]:
    return {
        "id": name,
        "title": f"Bericht {name}",
        "text": f"Nordkorea schickt weitere Soldaten, meldet Bericht {name}. Die Lage bleibt unklar.",
    }


def test_digest_sends_one_message_per_window_with_every_alert_of_it(
    settings: Any, watch_files: Any, receiver: Any, smtp_server: Any, put_articles: Any
) -> None:
    index = SearchIndex.connect(settings)
    config = watch_files.load(
        "  - {id: digest, kind: query, query: Nordkorea, mode: digest-hourly, per: article, notifiers: [hook, mail]}"
    )
    base = datetime.now(UTC).replace(minute=20, second=0, microsecond=0)
    # (An article indexed but never matched would be caught up by deliver_pending: index c later.)
    a, b = put_articles(index, [korea_article("a"), korea_article("b")])
    first = RunSummary()
    alert_on_articles(index, settings, [a], first, now=base, config=config)
    alert_on_articles(index, settings, [b], RunSummary(), now=base + timedelta(minutes=15), config=config)
    assert first.counts["alerts-new"] == 1 and first.counts["alerts-held"] == 1
    deliver_pending(index, settings, RunSummary(), now=base + timedelta(minutes=39), config=config)
    assert not receiver.requests and not smtp_server.messages  # the window is not over

    summary = RunSummary()
    deliver_pending(index, settings, summary, now=base + timedelta(minutes=41), config=config)
    (request,) = receiver.accepted("/hook")
    assert request.json["kind"] == "digest"
    assert sorted(alert["article"]["id"] for alert in request.json["alerts"]) == ["a", "b"]
    (mail,) = smtp_server.messages
    assert "hourly digest" in mail["Subject"] and mail["Message-ID"] == f"<{request.idempotency_key}@newshound.alerts>"
    assert summary.counts["alerts-messages"] == 2 and summary.counts["alerts-delivered"] == 4

    # The next window's alert goes out in the next window's digest.
    (c,) = put_articles(index, [korea_article("c")])
    alert_on_articles(index, settings, [c], RunSummary(), now=base + timedelta(minutes=45), config=config)
    deliver_pending(index, settings, RunSummary(), now=base + timedelta(minutes=90), config=config)
    assert len(receiver.accepted()) == 1
    deliver_pending(index, settings, RunSummary(), now=base + timedelta(minutes=101), config=config)
    second = receiver.accepted("/hook")[1]
    assert [alert["article"]["id"] for alert in second.json["alerts"]] == ["c"]
    assert second.idempotency_key != request.idempotency_key
    deliver_pending(index, settings, RunSummary(), now=base + timedelta(days=1), config=config)
    assert len(receiver.requests) == 2 and len(smtp_server.messages) == 2


def test_throttle_holds_alerts_and_sends_them_together_when_the_window_ends(
    settings: Any, watch_files: Any, receiver: Any, put_articles: Any
) -> None:
    index = SearchIndex.connect(settings)
    config = watch_files.load(
        "  - {id: slow, kind: query, query: Nordkorea, throttle_minutes: 30, per: article, notifiers: [hook]}"
    )
    start = datetime.now(UTC)

    def run(name: str, minutes: float) -> RunSummary:
        (article,) = put_articles(index, [korea_article(name)])
        summary = RunSummary()
        alert_on_articles(index, settings, [article], summary, now=start + timedelta(minutes=minutes), config=config)
        return summary

    assert run("a", 0).counts["alerts-delivered"] == 1  # nothing sent recently: at once
    assert run("b", 5).counts["alerts-held"] == 1
    assert run("c", 12).counts["alerts-held"] == 1
    deliver_pending(index, settings, RunSummary(), now=start + timedelta(minutes=20), config=config)
    assert len(receiver.requests) == 1

    deliver_pending(index, settings, RunSummary(), now=start + timedelta(minutes=31), config=config)
    held = receiver.accepted("/hook")[1]
    assert held.json["kind"] == "batch" and [x["article"]["id"] for x in held.json["alerts"]] == ["b", "c"]

    # 40 minutes in, the last delivery (minute 30) is too recent: held until minute 60.
    assert run("d", 40).counts["alerts-held"] == 1
    deliver_pending(index, settings, RunSummary(), now=start + timedelta(minutes=55), config=config)
    assert len(receiver.requests) == 2
    deliver_pending(index, settings, RunSummary(), now=start + timedelta(minutes=61), config=config)
    assert [x["article"]["id"] for x in receiver.accepted("/hook")[2].json["alerts"]] == ["d"]
    assert len(receiver.requests) == 3
