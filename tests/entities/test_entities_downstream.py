"""Names outside the knowledge base, end to end on the real services: a German article full of
them is ingested from the local news web into Elasticsearch with their ids, and `newshound search
--entity` finds it by a name (tests/alerts/test_watch_names.py watches such a name)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from typer.testing import CliRunner
from unknown_names import FIRST_REPORT, environment, ingest, publish

from pipeline.cli.main import app
from pipeline.index.connection import SearchIndex

pytestmark = pytest.mark.integration
runner = CliRunner()


def test_unknown_names_are_indexed_with_ids_and_found_by_name(settings: Any, news_web: Any) -> None:
    publish(news_web, "vorstand", "Neuer Vorstand für die Stadtwerke", FIRST_REPORT, minutes_ago=5)
    assert ingest(settings, news_web).counts["new"] == 1
    index = SearchIndex.connect(settings)
    index.client.indices.refresh(index=index.names.articles)
    (hit,) = index.client.search(index=index.names.articles, size=5)["hits"]["hits"]
    ids = set(hit["_source"]["entity_ids"])
    assert {
        "ner:person:henrike-brandtner",
        "ner:person:karl-heinz-wedemeyer",
        "ner:person:aylin-kocabas",
        "ner:organisation:stadtwerke-gelsenkirchen",
        "ner:organisation:zollner-energietechnik",
        "ner:location:castrop-rauxel",
    } <= ids
    people = {m["surface"]: m for m in hit["_source"]["entities"] if m["type"] == "person"}
    assert people["Brandtner"]["id"] == "ner:person:henrike-brandtner"  # the lone surname
    assert people["Wedemeyers"]["id"] == "ner:person:karl-heinz-wedemeyer"  # genitive and surname
    assert people["Henrike Brandtner"]["role"] == "Vorstandschefin"
    assert "Henrike Brandtner" in hit["_source"]["entity_names"]
    assert {"Henrike Brandtner", "Karl-Heinz Wedemeyer", "Aylin Kocabaş"} <= set(hit["_source"]["people"])
    speakers = {claim["speaker_name"]: claim["speaker_entity_id"] for claim in hit["_source"]["claims"]}
    assert speakers["Henrike Brandtner"] == "ner:person:henrike-brandtner"  # a named speaker has an id
    assert speakers["Aylin Kocabaş"] == "ner:person:aylin-kocabas"  # not Wedemeyer, whose deputy she is

    found = runner.invoke(app, ["search", "--entity", "Henrike Brandtner", "--json"], env=environment(settings))
    assert found.exit_code == 0, found.output
    assert [row["id"] for row in yaml.safe_load(found.output.strip().splitlines()[-1])["hits"]] == [hit["_id"]]
    missing = runner.invoke(app, ["search", "--entity", "Jana Velten"], env=environment(settings))
    assert missing.exit_code == 1 and missing.output.startswith("0 article(s) in ")
