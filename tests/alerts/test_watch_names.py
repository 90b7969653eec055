"""`newshound watch add --entity` on a name outside the knowledge base: resolved to the id ingestion
gives the name, and the next article naming that person alerts (real receivers, real services)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from typer.testing import CliRunner
from unknown_names import FIRST_REPORT, SECOND_REPORT, environment, ingest, publish

from pipeline.cli.main import app

pytestmark = pytest.mark.integration
runner = CliRunner()


def test_watching_a_name_outside_the_knowledge_base_alerts_on_the_next_article(
    settings: Any, news_web: Any, watch_files: Any, receiver: Any
) -> None:
    publish(news_web, "vorstand", "Neuer Vorstand für die Stadtwerke", FIRST_REPORT, minutes_ago=30)
    ingest(settings, news_web)
    path = watch_files.write("  - {id: placeholder, kind: query, query: zzzunfindable, notifiers: [hook]}")
    env = environment(settings, str(path))
    added = runner.invoke(
        app, ["watch", "add", "brandtner", "--entity", "Henrike Brandtner", "--notifier", "hook"], env=env
    )
    assert added.exit_code == 0, added.output
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    assert {"id": "brandtner", "entity": "ner:person:henrike-brandtner"}.items() <= next(
        rule for rule in rules if rule["id"] == "brandtner"
    ).items()

    publish(news_web, "umbau", "Stadtwerke: Umbau kommt voran", SECOND_REPORT, minutes_ago=1)
    configured = settings.model_copy(update={"alerts": settings.alerts.model_copy(update={"watches": str(path)})})
    assert ingest(configured, news_web).counts["new"] == 1
    hooks = receiver.accepted("/hook")
    assert [request.json["rule_id"] for request in hooks] == ["brandtner"]
    assert hooks[0].json["alerts"][0]["article"]["title"] == "Stadtwerke: Umbau kommt voran"
