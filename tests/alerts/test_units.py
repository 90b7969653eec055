"""Pure parts: passages, figure changes, schedules, messages and signatures."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from pipeline.alerts.claim_changes import figure_changes
from pipeline.alerts.config import EntityRule, QueryRule
from pipeline.alerts.ledger import backoff, overall_state
from pipeline.alerts.messages import build_message, discover_url, slack_payload, webhook_payload
from pipeline.alerts.notifiers import json_body, sign
from pipeline.alerts.passages import MARK_END, MARK_START, Passage, best_passage, find_terms, passage_around
from pipeline.alerts.schedule import Release, message_id, schedule_new_alerts

TEXT = (
    "Erster Satz. Pentagon-Sprecherin Sabrina Singh lehnte es ab, die Anwesenheit nordkoreanischer "
    "Soldaten in Kursk zu bestätigen. „Es ist möglich“, sagte er. Letzter Satz."
)


def test_passage_is_the_sentence_around_the_mention() -> None:
    start = TEXT.index("nordkoreanischer")
    passage = passage_around(TEXT, [(start, start + 16)], 320)
    assert passage.text.startswith("Pentagon-Sprecherin") and passage.text.endswith("bestätigen.")
    assert passage.terms == ("nordkoreanischer",)
    assert passage.marked() == passage.text.replace("nordkoreanischer", "**nordkoreanischer**")
    assert "<mark>nordkoreanischer</mark>" in passage.html()
    short = passage_around(TEXT, [(start, start + 16)], 80)
    assert len(short.text) <= 80 and "nordkoreanischer" in short.text and not short.text.startswith(" ")


def test_highlight_fragments_become_a_passage_with_every_term() -> None:
    kursk = f"in der Region {MARK_START}Kursk{MARK_END} stationiert."
    soldiers = f"Nordkorea habe 10.000 {MARK_START}Soldaten{MARK_END} geschickt."
    plain_soldiers = soldiers.replace(MARK_START, "").replace(MARK_END, "")
    text = f"NATO sagte, die Truppen seien in der Region Kursk stationiert. {plain_soldiers}"
    passage = best_passage([kursk, soldiers], text, 320)
    assert passage.text.startswith("NATO sagte")  # widened to the whole sentence
    assert passage.terms == ("Kursk", "Soldaten")
    assert best_passage([kursk], "", 320).text == "in der Region Kursk stationiert."


def test_find_terms_is_case_insensitive_at_word_edges() -> None:
    assert find_terms("Nordkoreanische Soldaten; nordkoreanischer", ["nordkoreanische"]) == ((0, 15),)


def pentagon(claim_id: str, day: str, *values: float) -> dict[str, object]:
    return {
        "claim_id": claim_id,
        "claim_cluster_id": "c1",
        "claim_date": day,
        "published": day,
        "outlet": claim_id,
        "quantities": [{"value": value, "unit": "soldier"} for value in values],
    }


def test_a_claim_giving_a_new_figure_after_an_earlier_one_is_a_change() -> None:
    earlier, later = pentagon("blatt", "2026-11-09", 3000, 10000), pentagon("welt", "2026-11-16", 10000)
    cluster = [earlier, later]
    (change,) = figure_changes(later, cluster)
    assert change.describe() == "3,000 -> 10,000 soldier" and change.timeline[0] == ("2026-11-09", 3000.0, "blatt")
    assert figure_changes(earlier, cluster) == []  # nothing earlier than the first claim
    assert figure_changes(later, cluster, unit="euro") == []
    same = pentagon("again", "2026-11-20", 10000)
    assert figure_changes(same, [pentagon("x", "2026-11-10", 10000), same]) == []


def test_schedules_for_each_mode() -> None:
    now = datetime(2026, 11, 22, 10, 20, tzinfo=UTC)
    plain = QueryRule(id="q", kind="query", query="x", notifiers=("h",))
    assert schedule_new_alerts(plain, ["a", "b"], now, None) == {"a": Release(now, "a"), "b": Release(now, "b")}
    hourly = plain.model_copy(update={"mode": "digest-hourly"})
    (release,) = schedule_new_alerts(hourly, ["a"], now, None).values()
    assert release == Release(datetime(2026, 11, 22, 11, tzinfo=UTC), "q/digest/2026-11-22T10:00:00+00:00")
    daily = plain.model_copy(update={"mode": "digest-daily"})
    assert schedule_new_alerts(daily, ["a"], now, None)["a"].release_at == datetime(2026, 11, 23, tzinfo=UTC)
    throttled = plain.model_copy(update={"throttle_minutes": 30})
    assert schedule_new_alerts(throttled, ["a"], now, (now - timedelta(hours=1), "z"))["a"] == Release(now, "a")
    held = schedule_new_alerts(throttled, ["a"], now, (now - timedelta(minutes=10), "z"))["a"]
    assert held.release_at == now + timedelta(minutes=20) and held.batch_key.startswith("q/throttle/")
    joined = schedule_new_alerts(throttled, ["b"], now, (held.release_at, held.batch_key))["b"]
    assert joined == held
    assert message_id("a", ["a"]) == "a" and message_id(held.batch_key, ["a", "b"]) != held.batch_key


def test_delivery_state_and_backoff() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    later = (now + timedelta(minutes=5)).isoformat()
    assert overall_state([{"state": "delivered", "next_attempt_at": None}], now) == ("delivered", None)
    assert overall_state([{"state": "delivered"}, {"state": "failed", "next_attempt_at": later}], now) == (
        "failed",
        later,
    )
    assert overall_state([{"state": "parked", "next_attempt_at": None}, {"state": "delivered"}], now)[0] == "parked"
    assert overall_state([{"state": "held", "next_attempt_at": now.isoformat()}], now)[0] == "pending"
    assert [backoff(n, 1, 10).total_seconds() / 60 for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 8, 10]


def alert(alert_id: str, title: str = "Nordkorea <schickt> Soldaten") -> dict[str, object]:
    return {
        "alert_id": alert_id,
        "rule_id": "korea",
        "rule_kind": "entity",
        "article_id": "art1",
        "article_url": "https://example.org/a?x=1&y=2",
        "article_title": title,
        "outlet": "Weltrundschau",
        "published": "2026-11-22T04:53:04+00:00",
        "passage": "Nordkorea habe etwa 10.000 Soldaten geschickt.",
        "passage_highlights": [[0, 9]],
        "matched_terms": ["Nordkorea"],
        "kibana_url": discover_url("http://kibana:5601/", "art1", "2026-11-22T04:53:04+00:00"),
        "created_at": "2026-11-22T05:00:00+00:00",
    }


def test_messages_for_one_alert_and_for_a_digest() -> None:
    single = build_message([alert("id1")], "id1", "id1", max_alerts=50)
    assert single.kind == "alert" and single.subject == "[Newshound] korea: Nordkorea <schickt> Soldaten"
    assert "**Nordkorea** habe" in single.text and "https://example.org/a?x=1&y=2" in single.text
    assert "<mark>Nordkorea</mark>" in single.html and "&lt;schickt&gt;" in single.html
    assert 'href="https://example.org/a?x=1&amp;y=2"' in single.html
    assert "query:'id:%22art1%22'" in alert("x")["kibana_url"] and "from:'2026-11-22T00:00:00.000Z'" in str(
        alert("x")["kibana_url"]
    )
    hourly = [{**alert(name), "rule_mode": "digest-hourly"} for name in ("id2", "id1", "id3")]
    digest = build_message(hourly, "m", "korea/digest/2026-11-22T05:00:00+00:00", max_alerts=2)
    assert digest.kind == "digest"
    assert digest.subject == "[Newshound] korea: 3 alert(s), hourly digest from 2026-11-22 05:00 UTC"
    assert digest.omitted == 1 and digest.alert_ids == ["id1", "id2", "id3"]
    payload = webhook_payload(digest)
    assert payload["idempotency_key"] == "m" and [a["alert_id"] for a in payload["alerts"]] == ["id1", "id2"]
    assert payload["omitted_alert_ids"] == ["id3"]
    slack = slack_payload(single)
    assert slack["blocks"][1]["text"]["text"].endswith(">*Nordkorea* habe etwa 10.000 Soldaten geschickt.")
    assert "&lt;schickt&gt;" in slack["blocks"][1]["text"]["text"]


def test_webhook_signature_is_hmac_sha256_over_the_exact_body() -> None:
    body = json_body({"b": 1, "a": "ü"})
    assert body == '{"a":"ü","b":1}'.encode()
    expected = hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    assert sign("secret", body) == f"sha256={expected}"


def test_entity_rule_defaults() -> None:
    rule = EntityRule(id="k", kind="entity", entity="Q423", notifiers=("h",))
    assert rule.per == "story" and rule.mode == "immediate" and rule.throttle_minutes == 0
    assert Passage("abc").terms == ()
