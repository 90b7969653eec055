"""Issue 6's acceptance, through the ingest cycle itself: the seeds with a rule on North Korea (entity)
and a rule on "Soldaten Kursk" give one webhook and one email per rule for the story, with the
matched passage highlighted, and running the ingest again delivers nothing more."""

from __future__ import annotations

from typing import Any

import pytest
from receivers import SEED_RULES

from newshound_dev.newsweb.demo import news_web_sources
from pipeline.ingest.cycle import IngestOptions, run_ingest

pytestmark = pytest.mark.integration


def test_seeds_alert_once_per_rule_and_story_through_the_ingest(
    settings: Any, news_web: Any, watch_files: Any, receiver: Any, smtp_server: Any
) -> None:
    path = watch_files.write(SEED_RULES)
    configured = settings.model_copy(update={"alerts": settings.alerts.model_copy(update={"watches": str(path)})})
    sources = [s for s in news_web_sources(news_web) if s.id in {"nachrichtenblatt", "weltrundschau"}]
    first = run_ingest(configured, IngestOptions(sources=sources, force_poll=True))
    assert first.status == "success", first.failures
    assert first.counts["new"] == 2

    hooks = [r for r in receiver.requests if r.path == "/hook"]
    assert len(hooks) == 2 and all(r.signature_ok for r in hooks)
    by_rule = {r.json["rule_id"] if "rule_id" in r.json else r.json["rule"]["id"]: r.json for r in hooks}
    assert set(by_rule) == {"north-korea", "soldaten-kursk"}
    assert len({r.idempotency_key for r in hooks}) == 2
    mails = smtp_server.recorder.messages
    assert len(mails) == 2
    html = " ".join(m.get_body(preferencelist=("html",)).get_content() for m in mails)
    assert "<mark>" in html or "<strong>" in html  # the matched passage is highlighted
    plain = " ".join(m.get_body(preferencelist=("plain",)).get_content() for m in mails)
    assert "Kursk" in plain and "Soldaten" in plain

    second = run_ingest(configured, IngestOptions(sources=sources, force_poll=True))
    third = run_ingest(configured, IngestOptions(sources=sources, force_poll=True))
    assert second.status == third.status == "success"
    assert len([r for r in receiver.requests if r.path == "/hook"]) == 2
    assert len(smtp_server.recorder.messages) == 2
