"""Rules of every kind against the seeds and corpus articles, ingested through the real pipeline."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from newshound_dev.newsweb.demo import news_web_sources
from newshound_dev.newsweb.site import Outlet, SiteArticle, render_article_page
from pipeline.alerts.dispatch import alert_on_articles
from pipeline.alerts.matching import match_articles, match_batch
from pipeline.cli.main import app
from pipeline.index.capabilities import Capabilities
from pipeline.ingest.cycle import IngestOptions, run_ingest
from pipeline.summary import RunSummary

pytestmark = pytest.mark.integration

EVERY_KIND = """
  - {id: korea, kind: entity, entity: Q423, notifiers: [hook]}
  - {id: korea-title, kind: entity, entity: Q423, in_title: true, notifiers: [hook], per: article}
  - {id: korea-6, kind: entity, entity: Q423, min_mentions: 6, notifiers: [hook], per: article}
  - {id: kursk, kind: query, query: Soldaten Kursk, notifiers: [hook]}
  - {id: kursk-en, kind: query, query: Soldaten Kursk, languages: [en], notifiers: [hook]}
  - {id: soldat, kind: query, query: Soldat Streitkraft, notifiers: [hook], per: article}
  - {id: kursk-weltrundschau, kind: query, query: Kursk, outlets: [weltrundschau], notifiers: [hook], per: article}
  - {id: either, kind: query, query: "Pjöngjang | Seoul", operator: or, notifiers: [hook], per: article}
  - id: lucene
    kind: query
    query: 'title:Pentagon AND text:"Sabrina Singh"'
    syntax: lucene
    notifiers: [hook]
    per: article
  - {id: by-singh, kind: claim, entity: nh:sabrina-singh, role: speaker, notifiers: [hook], per: article}
  - {id: about-korea, kind: claim, entity: Q423, role: about, notifiers: [hook], per: article}
  - {id: by-korea, kind: claim, entity: Q423, role: speaker, notifiers: [hook]}
  - {id: pentagon-figures, kind: claim-change, entity: nh:pentagon, unit: soldier, notifiers: [hook]}
  - {id: euro-figures, kind: claim-change, unit: euro, notifiers: [hook]}
"""


def by_rule(candidates: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for candidate in candidates:
        found.setdefault(candidate.rule_id, []).append(candidate)
    return found


def outlets(found: Any) -> set[str]:
    return {candidate.outlet for candidate in found}


def test_every_rule_kind_against_the_seeds(seeds: Any, watch_files: Any) -> None:
    config = watch_files.load(EVERY_KIND)
    found = by_rule(match_batch(seeds.index, config.active_rules, seeds.article_ids, settings=config.settings))

    (korea,) = found["korea"]  # per story: one alert for the two seeds
    assert korea.story_id is not None and korea.matched_terms
    assert outlets(found["korea-title"]) == {"Nachrichtenblatt"}  # "Nordkoreanische Soldaten..." in its title
    assert found["korea-title"][0].passage.terms == ("Nordkoreanische",)
    assert outlets(found["korea-6"]) == {"Nachrichtenblatt"}  # six mentions there, five in Weltrundschau
    assert len(found["kursk"]) == 1 and "kursk-en" not in found
    # Other word forms on an engine without language analyzers: Soldaten, Streitkräfte.
    assert outlets(found["soldat"]) == {"Nachrichtenblatt", "Weltrundschau"}
    for candidate in found["soldat"]:
        assert {"Soldaten", "Streitkräfte"} & set(candidate.passage.terms), candidate.passage
    assert outlets(found["kursk-weltrundschau"]) == {"Weltrundschau"}
    assert outlets(found["either"]) == {"Nachrichtenblatt", "Weltrundschau"}  # Seoul / Pjöngjang
    assert outlets(found["lucene"]) == {"Nachrichtenblatt"}  # the other title has "Pentagons"
    assert outlets(found["by-singh"]) == {"Nachrichtenblatt", "Weltrundschau"}
    about = {c.outlet: c for c in found["about-korea"]}
    assert set(about) == {"Nachrichtenblatt", "Weltrundschau"}
    assert about["Weltrundschau"].passage.terms == ("Nordkorea",)  # "Nordkorea habe etwa 10.000 Soldaten..."
    assert "by-korea" not in found  # North Korea is talked about, it does not speak
    (change,) = found["pentagon-figures"]
    assert change.change is not None and change.change.describe() == "3,000 -> 10,000 soldier"
    assert change.outlet == "Weltrundschau" and change.passage.terms == ("etwa 10.000 Soldaten",)
    assert change.change.timeline[0][1] == 3000
    assert "euro-figures" not in found


def test_claim_change_is_delivered_with_the_figures(seeds: Any, watch_files: Any, receiver: Any) -> None:
    config = watch_files.load("  - {id: figures, kind: claim-change, notifiers: [hook]}")
    alert_on_articles(
        seeds.index, seeds.settings, seeds.article_ids, RunSummary(), now=datetime.now(UTC), config=config
    )
    (request,) = receiver.accepted("/hook")
    (alert,) = request.json["alerts"]
    assert alert["change"]["from"] == 3000 and alert["change"]["to"] == 10000 and alert["change"]["unit"] == "soldier"
    assert "[3,000 -> 10,000 soldier]" in request.json["subject"] or "3,000 -> 10,000" in json.dumps(alert)


def test_a_rule_elasticsearch_rejects_is_reported_and_the_others_still_match(seeds: Any, watch_files: Any) -> None:
    config = watch_files.load(
        """
  - {id: broken, kind: query, query: "title:(", syntax: lucene, notifiers: [hook]}
  - {id: korea, kind: entity, entity: Q423, notifiers: [hook]}
"""
    )
    batch = match_articles(seeds.index, config.active_rules, seeds.article_ids, config.settings)
    assert set(batch.rule_errors) == {"broken"} and [c.rule_id for c in batch.candidates] == ["korea"]
    summary = RunSummary()
    alert_on_articles(seeds.index, seeds.settings, seeds.article_ids, summary, now=datetime.now(UTC), config=config)
    assert summary.counts["alerts-rule-error"] == 1 and summary.counts["alerts-new"] == 1


def test_many_rules_fall_back_to_the_multi_search_without_a_percolator(seeds: Any, watch_files: Any) -> None:
    rules = "\n".join(
        f"  - {{id: rule-{n}, kind: query, query: Kursk{' Soldaten' * (n % 2)}, notifiers: [hook]}}" for n in range(300)
    )
    config = watch_files.load(rules, settings={"percolator_min_rules": 10, "clause_budget": 50})
    assert not seeds.index.capabilities.percolator
    batch = match_articles(seeds.index, config.active_rules, seeds.article_ids, config.settings)
    assert not batch.used_percolator and len(batch.candidates) == 300


def test_a_percolator_the_cluster_does_not_really_have_falls_back_to_the_multi_search(
    seeds: Any, watch_files: Any
) -> None:
    """Even when detection is wrong (here: faked), matching never fails for lack of the module."""
    modules = seeds.index.capabilities.modules | {"percolator"}
    claimed = dataclasses.replace(seeds.index, capabilities=Capabilities(seeds.index.capabilities.version, modules))
    config = watch_files.load(
        "  - {id: korea, kind: entity, entity: Q423, notifiers: [hook]}", settings={"percolator_min_rules": 1}
    )
    batch = match_articles(claimed, config.active_rules, seeds.article_ids, config.settings)
    assert not batch.used_percolator and [c.rule_id for c in batch.candidates] == ["korea"]


def test_a_late_indexed_article_published_days_ago_still_alerts(
    settings: Any, news_web: Any, watch_files: Any, receiver: Any
) -> None:
    published = datetime.now(UTC).replace(microsecond=0) - timedelta(days=5)
    paragraphs = [
        "Nordkorea hat nach Angaben aus Seoul weitere Soldaten an die russische Grenze verlegt.",
        "Beobachter rechnen damit, dass die Einheiten in der Region Kursk eingesetzt werden sollen. "
        "Die Regierung in Pjöngjang äußerte sich zunächst nicht zu den Berichten über die Verlegung.",
        "Ein Sprecher des südkoreanischen Generalstabs sagte, man beobachte die Lage genau.",
    ]
    news_web.site.add_outlet(Outlet("spaetblatt", "Spätblatt", "de", "rss"))
    page = render_article_page(
        "Spätblatt", "Nordkorea verlegt Soldaten", paragraphs, published, language="de", url_path="/spaetblatt/a.html"
    )
    news_web.site.add_article(
        SiteArticle("spaetblatt", "a", "Nordkorea verlegt Soldaten", paragraphs[0], published, page, "de")
    )
    settings = settings.model_copy(
        update={"alerts": settings.alerts.model_copy(update={"watches": str(watch_files.directory / "watches.yaml")})}
    )
    sources = [s for s in news_web_sources(news_web) if s.id == "spaetblatt"]
    assert run_ingest(settings, IngestOptions(sources=sources, force_poll=True)).counts["new"] == 1
    from pipeline.index.connection import SearchIndex

    index = SearchIndex.connect(settings)
    index.client.indices.refresh(index=index.names.articles)
    (hit,) = index.client.search(index=index.names.articles, size=5)["hits"]["hits"]
    assert hit["_source"]["published"].startswith(published.date().isoformat())

    config = watch_files.load("  - {id: korea, kind: entity, entity: Q423, notifiers: [hook]}")
    summary = RunSummary()
    alert_on_articles(index, settings, [hit["_id"]], summary, now=datetime.now(UTC), config=config)
    (request,) = receiver.accepted("/hook")
    assert request.json["alerts"][0]["article"]["id"] == hit["_id"]


def test_rules_against_corpus_articles_agree_with_plain_queries(settings: Any, news_web: Any, watch_files: Any) -> None:
    wanted = {"cnn-com", "bbc-com", "nbcnews-com", "nytimes-com", "politifact-com", "washingtonexaminer-com"}
    sources = [s for s in news_web_sources(news_web) if s.id in wanted]
    assert run_ingest(settings, IngestOptions(sources=sources, force_poll=True)).counts["new"] == 12
    from pipeline.index.connection import SearchIndex

    index = SearchIndex.connect(settings)
    index.client.indices.refresh(index=index.names.articles)
    ids = [hit["_id"] for hit in index.client.search(index=index.names.articles, size=50, source=False)["hits"]["hits"]]
    config = watch_files.load(
        """
  - {id: trump, kind: entity, entity: Q22686, notifiers: [hook], per: article}
  - {id: trade-war, kind: query, query: trade war, languages: [en], notifiers: [hook], per: article}
  - {id: trade-war-de, kind: query, query: trade war, languages: [de], notifiers: [hook], per: article}
  - {id: cnn-trade, kind: query, query: trade, outlets: [www.cnn.com], notifiers: [hook], per: article}
  - {id: by-trump, kind: claim, entity: Q22686, role: speaker, notifiers: [hook], per: article}
"""
    )
    found = by_rule(match_batch(index, config.active_rules, ids, settings=config.settings))

    def plain(query: dict[str, Any]) -> set[str]:
        hits = index.client.search(index=index.names.articles, query=query, size=50, source=False)["hits"]["hits"]
        return {hit["_id"] for hit in hits}

    trump = plain({"term": {"entity_ids": "Q22686"}})
    assert len(trump) >= 3 and {c.article_id for c in found["trump"]} == trump
    assert all(c.passage.terms for c in found["trump"])
    trade = plain(
        {"simple_query_string": {"query": "trade war", "fields": ["title", "text"], "default_operator": "and"}}
    )
    assert trade and {c.article_id for c in found["trade-war"]} == trade
    assert all({"trade", "war"} <= set(c.matched_terms) for c in found["trade-war"])
    assert "trade-war-de" not in found
    assert {c.outlet for c in found["cnn-trade"]} == {"www.cnn.com"}
    speakers = plain({"nested": {"path": "claims", "query": {"term": {"claims.speaker_keys": "Q22686"}}}})
    assert len(speakers) >= 3 and {c.article_id for c in found["by-trump"]} == speakers


def test_watch_test_shows_what_a_rule_would_have_matched_without_writing(seeds: Any, watch_files: Any) -> None:
    path = watch_files.write("  - {id: korea, kind: entity, entity: Q423, notifiers: [hook]}")
    env = {
        "ELASTICSEARCH_URL": seeds.settings.elasticsearch.url,
        "NEWSHOUND_ELASTICSEARCH__INDEX_PREFIX": seeds.settings.elasticsearch.index_prefix,
        "NEWSHOUND_ALERTS__WATCHES": str(path),
    }
    result = CliRunner().invoke(app, ["watch", "test", "korea", "--days", "3", "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["articles"] == 2 and len(report["alerts"]) == 1
    assert "nordkorea" in report["alerts"][0]["passage"].lower()
    text = CliRunner().invoke(app, ["watch", "test", "korea"], env=env, terminal_width=200).output
    assert "would have matched 2 article(s)" in text
    assert seeds.index.client.count(index=seeds.index.names.alerts)["count"] == 0
