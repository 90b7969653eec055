"""Exactly-once delivery on real receivers: the seeds' acceptance case, failures, crashes, parking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pipeline.alerts.dispatch import AlertSeams, alert_on_articles, deliver_pending, mark_seen
from pipeline.alerts.ledger import parked_alert_count
from pipeline.ingest.cycle import IngestOptions, run_ingest
from pipeline.summary import RunSummary

pytestmark = pytest.mark.integration

NORTH_KOREA_AND_KURSK = """
  - {id: north-korea, kind: entity, entity: Q423, notifiers: [hook, mail]}
  - {id: soldaten-kursk, kind: query, query: Soldaten Kursk, notifiers: [hook, mail]}
"""
NORTH_KOREA_HOOK = """
  - {id: north-korea, kind: entity, entity: Q423, notifiers: [hook]}
"""


def ledger(index: Any) -> list[dict[str, Any]]:
    index.client.indices.refresh(index=index.names.alerts)
    hits = index.client.search(index=index.names.alerts, size=100)["hits"]["hits"]
    return [hit["_source"] for hit in hits]


def test_seeds_alert_once_per_rule_and_story_by_webhook_and_email_and_never_again(
    seeds: Any, watch_files: Any, receiver: Any, smtp_server: Any
) -> None:
    config = watch_files.load(NORTH_KOREA_AND_KURSK)
    now = datetime.now(UTC)
    summary = RunSummary()
    alert_on_articles(seeds.index, seeds.settings, seeds.article_ids, summary, now=now, config=config)

    hooks = receiver.accepted("/hook")
    assert len(hooks) == 2 and len(smtp_server.messages) == 2
    assert all(request.signature_ok for request in hooks)
    payloads = {request.json["rule_id"]: request for request in hooks}
    assert set(payloads) == {"north-korea", "soldaten-kursk"}
    for request in hooks:
        (alert,) = request.json["alerts"]
        assert request.idempotency_key == request.json["idempotency_key"] == alert["alert_id"]
    stories = {request.json["alerts"][0]["story_id"] for request in hooks}
    assert len(stories) == 1  # the two seeds are one story

    korea = payloads["north-korea"].json["alerts"][0]
    marked = [korea["passage"][s:e].lower() for s, e in korea["passage_highlights"]]
    assert marked and all(term.startswith("nordkorea") for term in marked)
    kursk = payloads["soldaten-kursk"].json["alerts"][0]
    assert {kursk["passage"][s:e].lower() for s, e in kursk["passage_highlights"]} == {"soldaten", "kursk"}
    assert "<mark>Kursk</mark>" in kursk["passage_html"]

    mails = {message["Subject"].split(":")[0]: message for message in smtp_server.messages}
    assert set(mails) == {"[Newshound] north-korea", "[Newshound] soldaten-kursk"}
    mail = mails["[Newshound] soldaten-kursk"]
    assert mail["Message-ID"] == f"<{kursk['alert_id']}@newshound.alerts>"
    plain = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "**Soldaten**" in plain and "**Kursk**" in plain
    assert "<mark>Kursk</mark>" in html and "<mark>Soldaten</mark>" in html
    assert kursk["article"]["url"] in plain and kursk["article"]["url"] in html
    assert "/app/discover#/" in plain and kursk["article"]["id"] in kursk["kibana_url"]

    assert summary.counts["alerts-matched"] == 2 and summary.counts["alerts-new"] == 2
    assert summary.counts["alerts-delivered"] == 4 and summary.counts["alerts-messages"] == 4
    documents = ledger(seeds.index)
    assert len(documents) == 2 and {d["delivery_state"] for d in documents} == {"delivered"}

    # The next cycle finds the articles unchanged; alerting the same ids again changes nothing.
    again = run_ingest(seeds.settings, IngestOptions(sources=seeds.sources, force_poll=True))
    assert again.status == "success" and again.counts["new"] == 0
    rerun = RunSummary()
    later = now + timedelta(minutes=5)
    alert_on_articles(seeds.index, seeds.settings, seeds.article_ids, rerun, now=later, config=config)
    deliver_pending(seeds.index, seeds.settings, rerun, now=later + timedelta(hours=2), config=config)
    assert rerun.counts["alerts-known"] == 2 and rerun.counts["alerts-new"] == 0
    assert len(receiver.requests) == 2 and len(smtp_server.messages) == 2
    assert len(ledger(seeds.index)) == 2


def test_failed_delivery_is_retried_by_a_later_run_and_delivered_once(
    seeds: Any, watch_files: Any, receiver: Any
) -> None:
    config = watch_files.load(NORTH_KOREA_HOOK)
    now = datetime.now(UTC)
    receiver.fail_next(1)
    summary = RunSummary()
    alert_on_articles(seeds.index, seeds.settings, seeds.article_ids, summary, now=now, config=config)
    assert summary.counts["alerts-failed"] == 1 and summary.counts["alerts-delivered"] == 0
    assert [r.status for r in receiver.requests] == [500]
    (failure,) = summary.failures
    assert failure.stage == "alerts" and "HTTP 500" in failure.detail

    early = RunSummary()
    deliver_pending(seeds.index, seeds.settings, early, now=now + timedelta(seconds=30), config=config)
    assert len(receiver.requests) == 1  # backoff: not due yet

    retry = RunSummary()
    deliver_pending(seeds.index, seeds.settings, retry, now=now + timedelta(minutes=2), config=config)
    assert retry.counts["alerts-delivered"] == 1
    (delivered,) = receiver.accepted("/hook")
    assert delivered.idempotency_key == receiver.requests[0].idempotency_key

    deliver_pending(seeds.index, seeds.settings, RunSummary(), now=now + timedelta(days=1), config=config)
    assert len(receiver.accepted()) == 1
    (document,) = ledger(seeds.index)
    (delivery,) = document["delivery"]
    assert delivery["state"] == "delivered" and delivery["attempts"] == 2 and delivery["last_error"] is None


def test_deliveries_failing_too_often_are_parked_and_counted(seeds: Any, watch_files: Any, receiver: Any) -> None:
    settings = seeds.settings.model_copy(
        update={"alerts": seeds.settings.alerts.model_copy(update={"max_delivery_attempts": 2})}
    )
    config = watch_files.load(NORTH_KOREA_HOOK)
    receiver.fail_next(100)
    now = datetime.now(UTC)
    alert_on_articles(seeds.index, settings, seeds.article_ids, RunSummary(), now=now, config=config)
    summary = RunSummary()
    deliver_pending(seeds.index, settings, summary, now=now + timedelta(minutes=2), config=config)
    assert summary.counts["alerts-parked"] == 1
    assert parked_alert_count(seeds.index) == 1
    deliver_pending(seeds.index, settings, RunSummary(), now=now + timedelta(days=2), config=config)
    assert len(receiver.requests) == 2 and not receiver.accepted()
    (document,) = ledger(seeds.index)
    assert document["delivery_state"] == "parked" and "HTTP 500" in document["delivery"][0]["last_error"]


def test_a_crash_between_ledger_write_and_delivery_is_delivered_once_by_the_next_run(
    seeds: Any, watch_files: Any, receiver: Any, smtp_server: Any
) -> None:
    config = watch_files.load(NORTH_KOREA_AND_KURSK)
    now = datetime.now(UTC)

    def crash(alert_ids: Any) -> None:
        assert len(alert_ids) == 2
        raise RuntimeError("the worker died after writing the ledger")

    with pytest.raises(RuntimeError):
        alert_on_articles(
            seeds.index,
            seeds.settings,
            seeds.article_ids,
            RunSummary(),
            now=now,
            config=config,
            seams=AlertSeams(before_delivery=crash),
        )
    assert not receiver.requests and not smtp_server.messages
    assert {d["delivery_state"] for d in ledger(seeds.index)} == {"pending"}

    # The retried task runs the same batch again: the ledger says "already alerted", the pending
    # deliveries go out once.
    retry = RunSummary()
    alert_on_articles(seeds.index, seeds.settings, seeds.article_ids, retry, now=now, config=config)
    assert retry.counts["alerts-known"] == 2 and retry.counts["alerts-delivered"] == 4
    deliver_pending(seeds.index, seeds.settings, RunSummary(), now=now + timedelta(hours=1), config=config)
    assert len(receiver.accepted("/hook")) == 2 and len(smtp_server.messages) == 2


def test_a_crash_after_sending_repeats_the_message_with_the_same_idempotency_key(
    seeds: Any, watch_files: Any, receiver: Any
) -> None:
    """The one window exactly-once cannot close (docs/alerts.md): receivers see the repeat's key."""
    config = watch_files.load(NORTH_KOREA_HOOK)
    now = datetime.now(UTC)

    def crash(message_id: str) -> None:
        raise RuntimeError("the worker died before recording the send")

    with pytest.raises(RuntimeError):
        alert_on_articles(
            seeds.index,
            seeds.settings,
            seeds.article_ids,
            RunSummary(),
            now=now,
            config=config,
            seams=AlertSeams(after_send=crash),
        )
    assert len(receiver.accepted()) == 1
    deliver_pending(seeds.index, seeds.settings, RunSummary(), now=now + timedelta(minutes=1), config=config)
    assert len(receiver.accepted()) == 1  # the dead run's lease still holds
    deliver_pending(seeds.index, seeds.settings, RunSummary(), now=now + timedelta(minutes=6), config=config)
    first, second = receiver.accepted()
    assert first.idempotency_key == second.idempotency_key and first.body == second.body
    deliver_pending(seeds.index, seeds.settings, RunSummary(), now=now + timedelta(hours=1), config=config)
    assert len(receiver.accepted()) == 2


def test_slack_payload_has_text_blocks_and_the_idempotency_key(seeds: Any, watch_files: Any, receiver: Any) -> None:
    config = watch_files.load("  - {id: kursk, kind: query, query: Kursk, notifiers: [chat]}")
    alert_on_articles(
        seeds.index, seeds.settings, seeds.article_ids, RunSummary(), now=datetime.now(UTC), config=config
    )
    (request,) = receiver.accepted("/slack")
    payload = request.json
    assert payload["text"].startswith("[Newshound] kursk:")
    assert payload["blocks"][0]["type"] == "header" and "*Kursk*" in payload["blocks"][1]["text"]["text"]
    alert_id = ledger(seeds.index)[0]["alert_id"]
    assert payload["metadata"]["event_payload"] == {"idempotency_key": alert_id, "alert_ids": [alert_id]}


def test_articles_indexed_but_never_matched_are_caught_up_by_deliver_pending(
    settings: Any, watch_files: Any, receiver: Any, put_articles: Any
) -> None:
    """A run that died between indexing a batch and matching it loses no alert."""
    from pipeline.index.connection import SearchIndex

    index = SearchIndex.connect(settings)
    config = watch_files.load("  - {id: korea, kind: query, query: Nordkorea, notifiers: [hook]}")
    (article,) = put_articles(index, [{"id": "lost", "title": "Nordkorea", "text": "Nordkorea meldet sich."}])
    now = datetime.now(UTC)
    summary = RunSummary()
    deliver_pending(index, settings, summary, now=now, config=config)
    assert summary.counts["alerts-caught-up"] == 1 and summary.counts["alerts-delivered"] == 1
    (request,) = receiver.accepted("/hook")
    assert request.json["alerts"][0]["article"]["id"] == article
    again = RunSummary()
    deliver_pending(index, settings, again, now=now + timedelta(minutes=1), config=config)
    assert again.counts["alerts-caught-up"] == 0 and len(receiver.requests) == 1


def test_articles_marked_seen_are_not_caught_up(
    settings: Any, watch_files: Any, receiver: Any, put_articles: Any
) -> None:
    """A backfill that must not alert on history receipts its articles instead of matching them."""
    from pipeline.index.connection import SearchIndex

    index = SearchIndex.connect(settings)
    config = watch_files.load("  - {id: korea, kind: query, query: Nordkorea, notifiers: [hook]}")
    ids = put_articles(index, [{"id": "old", "title": "Nordkorea", "text": "Nordkorea 1994."}])
    now = datetime.now(UTC)
    mark_seen(index, ids, now)
    summary = RunSummary()
    deliver_pending(index, settings, summary, now=now, config=config)
    assert summary.counts["alerts-caught-up"] == 0 and not receiver.requests
