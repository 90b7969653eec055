"""Issue 4's acceptance: the two seeds through the whole pipeline -> one story, shared canonical
entities, and the Pentagon / Sabrina Singh claim cluster whose figure moves from 3,000 to 10,000."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from newshound_dev.newsweb import NewsWebServer
from newshound_dev.newsweb.demo import news_web_sources
from pipeline.cli.main import app
from pipeline.index.connection import SearchIndex
from pipeline.ingest.cycle import IngestOptions, run_ingest

pytestmark = pytest.mark.integration


@pytest.fixture
def seeds_indexed(settings: Any, news_web: NewsWebServer) -> SearchIndex:
    sources = [s for s in news_web_sources(news_web) if s.id in {"nachrichtenblatt", "weltrundschau"}]
    summary = run_ingest(settings, IngestOptions(sources=sources, force_poll=True))
    assert summary.status == "success" and summary.counts["new"] == 2
    index = SearchIndex.connect(settings)
    index.client.indices.refresh(index=[index.names.articles, index.names.claims])
    return index


def test_seeds_share_story_and_canonical_entities(seeds_indexed: SearchIndex) -> None:
    hits = seeds_indexed.client.search(index=seeds_indexed.names.articles, size=10)["hits"]["hits"]
    docs = {hit["_source"]["outlet"]: hit["_source"] for hit in hits}
    first, second = docs["Nachrichtenblatt"], docs["Weltrundschau"]
    assert first["story_id"] == second["story_id"]
    shared = set(first["entity_ids"]) & set(second["entity_ids"])
    # North Korea, Russia, Ukraine, NATO, Mark Rutte, the Pentagon, Sabrina Singh, Kursk: one id each.
    assert {"Q423", "Q159", "Q212", "Q7184", "Q57792", "nh:pentagon", "nh:sabrina-singh", "nh:kursk-oblast"} <= shared
    assert "Q7747" in second["entity_ids"]  # "Wladimir Putin" and "Putin"
    putin = [e for e in second["entities"] if e["id"] == "Q7747"]
    assert {e["surface"] for e in putin} >= {"Wladimir Putin", "Putin"}
    assert all(e["name"] == "Vladimir Putin" for e in putin)
    singh_mentions = [e for e in second["entities"] if e["id"] == "nh:pentagon" and e.get("role")]
    assert any(e["role"] == "Sprecherin" for e in singh_mentions)


def test_claims_are_nested_and_standalone(seeds_indexed: SearchIndex) -> None:
    articles = seeds_indexed.client.search(index=seeds_indexed.names.articles, size=10)["hits"]["hits"]
    nested = sum(hit["_source"]["claim_count"] for hit in articles)
    standalone = seeds_indexed.client.count(index=seeds_indexed.names.claims)["count"]
    assert nested == standalone >= 10
    singh = seeds_indexed.client.search(
        index=seeds_indexed.names.claims,
        query={
            "bool": {
                "filter": [
                    {"term": {"speaker_entity_id": "nh:sabrina-singh"}},
                    {"term": {"quantities.unit": "soldier"}},
                ]
            }
        },
    )["hits"]["hits"]
    (claim,) = [hit["_source"] for hit in singh if hit["_source"]["outlet"] == "Weltrundschau"]
    assert claim["speaker_role"] == "Sprecherin" and claim["speaker_organisation_id"] == "nh:pentagon"
    assert claim["kind"] == "indirect" and claim["cue"] == "behauptete"
    assert claim["quantities"] == [
        {"value": 10000.0, "unit": "soldier", "surface": "etwa 10.000 Soldaten", "approximate": True}
    ]
    assert claim["time_expression"] == "am Montag" and claim["time_resolved"] is not None


def test_pentagon_claim_cluster_shows_the_figure_moving_from_3000_to_10000(
    seeds_indexed: SearchIndex, settings: Any
) -> None:
    env = {
        "ELASTICSEARCH_URL": settings.elasticsearch.url,
        "NEWSHOUND_ELASTICSEARCH__INDEX_PREFIX": settings.elasticsearch.index_prefix,
    }
    result = CliRunner().invoke(app, ["claims", "--entity", "Pentagon", "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["entity_id"] == "nh:pentagon"
    cluster = report["clusters"][0]
    assert {claim["outlet"] for claim in cluster["claims"]} == {"Nachrichtenblatt", "Weltrundschau"}
    assert any("Sabrina Singh" in speaker for speaker in cluster["speakers"])
    soldiers = [(day, value) for day, value, unit, _ in cluster["figures"] if unit == "soldier"]
    assert soldiers[0][1] == 3000 and soldiers[-1][1] == 10000
    assert soldiers[0][0] < soldiers[-1][0]  # 3,000 was reported "last week", 10,000 "on Monday"
    text = CliRunner().invoke(app, ["claims", "--entity", "nh:pentagon"], env=env, terminal_width=200).output
    assert "3,000 soldier" in text and "10,000 soldier" in text and "->" in text
