"""The ingest cycle end to end: local news web -> real Elasticsearch, idempotence, updates, failures."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from newshound_dev.newsweb import Fault, NewsWebServer, SiteArticle
from newshound_dev.newsweb.demo import news_web_sources
from newshound_dev.newsweb.site import render_article_page
from pipeline.index.connection import SearchIndex
from pipeline.ingest.cycle import IngestOptions, run_ingest

pytestmark = pytest.mark.integration

SEED_OUTLETS = ["nachrichtenblatt", "weltrundschau"]


def sources_for(server: NewsWebServer, outlets: list[str]) -> list[Any]:
    return [source for source in news_web_sources(server) if source.id in outlets]


def ingest(settings: Any, server: NewsWebServer, outlets: list[str], *, force: bool = True) -> Any:
    return run_ingest(settings, IngestOptions(sources=sources_for(server, outlets), force_poll=force))


def articles(settings: Any, **query: Any) -> list[dict[str, Any]]:
    index = SearchIndex.connect(settings)
    index.client.indices.refresh(index=index.names.articles)
    response = index.client.search(index=index.names.articles, size=500, query=query or {"match_all": {}})
    return [hit["_source"] for hit in response["hits"]["hits"]]


def publish(server: NewsWebServer, outlet: str, slug: str, title: str, paragraphs: list[str], **changes: Any) -> None:
    newest = max(a.published for items in server.site.articles.values() for a in items)
    published = changes.pop("published", newest + timedelta(minutes=5))
    page = render_article_page(outlet, title, paragraphs, published, language="de", url_path=f"/{outlet}/{slug}.html")
    server.site.add_outlet(dataclasses.replace(server.site.outlets.get(outlet) or _outlet(outlet)))
    server.site.add_article(SiteArticle(outlet, slug, title, paragraphs[0][:200], published, page, "de"))


def _outlet(outlet_id: str) -> Any:
    from newshound_dev.newsweb import Outlet

    return Outlet(outlet_id, outlet_id.title(), "de", "rss")


def test_seeds_are_indexed_clean_and_searchable(settings: Any, news_web: NewsWebServer) -> None:
    summary = ingest(settings, news_web, SEED_OUTLETS)
    assert summary.status == "success", summary.failures
    assert summary.counts["new"] == 2 and summary.counts["fetched"] == 2
    docs = {doc["outlet"]: doc for doc in articles(settings)}
    assert set(docs) == {"Nachrichtenblatt", "Weltrundschau"}
    for doc in docs.values():
        assert "LESEN SIE MEHR" not in doc["text"] and "Quelle: 902.gr" not in doc["text"]
        assert not doc["text"].rstrip().endswith("rrt-allgemeines")
        assert doc["extraction_source"] == "page" and doc["language"] == "de" and doc["version"] == 1
    found = articles(settings, match={"text": "Nordkorea"})
    assert len(found) == 2
    # Two reports of one story by two outlets: the same story, but not duplicates of each other.
    first, second = docs.values()
    assert first["story_id"] == second["story_id"]
    assert first["duplicate_of"] is None and second["duplicate_of"] is None
    assert first["near_duplicate_of"] is None and second["near_duplicate_of"] is None


def test_rerun_changes_nothing_and_conditional_get_is_used(settings: Any, news_web: NewsWebServer) -> None:
    ingest(settings, news_web, SEED_OUTLETS)
    before = {doc["id"]: doc for doc in articles(settings)}
    second = ingest(settings, news_web, SEED_OUTLETS)
    assert second.status == "success"
    assert second.counts["new"] == 0 and second.counts["updated"] == 0
    assert second.counts["feed-not-modified"] == 2
    after = {doc["id"]: doc for doc in articles(settings)}
    assert before == after
    conditional = [r for r in news_web.requests if r.path.startswith("/feeds/") and "If-None-Match" in r.headers]
    assert len(conditional) == 2


def test_lying_validators_do_not_hide_new_items(settings: Any, news_web: NewsWebServer) -> None:
    news_web.site.lying_validators.add("nachrichtenblatt")
    ingest(settings, news_web, ["nachrichtenblatt"])
    publish(
        news_web,
        "nachrichtenblatt",
        "neu",
        "Hochwasser in Passau",
        [
            "Der Pegel der Donau stieg am Morgen auf "
            "über zehn Meter, meldete die Stadtverwaltung. Anwohner wurden aufgefordert, Keller zu räumen. " * 3
        ],
    )
    summary = ingest(settings, news_web, ["nachrichtenblatt"])
    assert summary.counts["new"] == 1
    assert len(articles(settings)) == 2


def test_changed_text_is_an_update_not_a_new_document(settings: Any, news_web: NewsWebServer) -> None:
    paragraph = (
        "Die Stadt Köln plant eine neue Rheinbrücke für Radfahrer, teilte die Verwaltung mit. "
        "Der Bau soll im Frühjahr beginnen und zwei Jahre dauern. "
    ) * 3
    publish(news_web, "nachrichtenblatt", "bruecke", "Neue Brücke für Köln", [paragraph])
    ingest(settings, news_web, ["nachrichtenblatt"])
    (original,) = articles(settings, term={"title.keyword": "Neue Brücke für Köln"})
    later = max(a.published for a in news_web.site.articles["nachrichtenblatt"]) + timedelta(hours=1)
    publish(
        news_web,
        "nachrichtenblatt",
        "bruecke",
        "Neue Brücke für Köln",
        [paragraph, "Die Kosten werden auf 80 Millionen Euro geschätzt, sagte ein Sprecher."],
        published=later,
    )
    summary = ingest(settings, news_web, ["nachrichtenblatt"])
    assert summary.counts["updated"] == 1
    (updated,) = articles(settings, term={"title.keyword": "Neue Brücke für Köln"})
    assert updated["id"] == original["id"]
    assert updated["version"] == 2 and updated["first_seen"] == original["first_seen"]
    assert updated["last_changed"] > original["last_changed"]
    assert "80 Millionen Euro" in updated["text"]


def test_syndicated_and_lightly_edited_copies_and_unrelated_articles(settings: Any, news_web: NewsWebServer) -> None:
    story = [
        "Die Bundesregierung hat am Dienstag ein neues Gesetz zur Förderung von Wärmepumpen beschlossen, "
        "wie das Wirtschaftsministerium in Berlin mitteilte.",
        "Haushalte sollen künftig bis zu 70 Prozent der Kosten erstattet bekommen. Die Förderung gilt ab Januar "
        "und ist zunächst auf drei Jahre befristet, sagte eine Sprecherin des Ministeriums.",
        "Verbände begrüßten den Schritt, kritisierten aber die Bürokratie bei der Antragstellung. Der Bundestag "
        "muss dem Gesetz noch zustimmen; die erste Lesung ist für März geplant.",
    ]
    publish(news_web, "original-zeitung", "waermepumpen", "Neues Gesetz für Wärmepumpen", story)
    ingest(settings, news_web, ["original-zeitung"])
    publish(news_web, "partner-blatt", "waermepumpen-kopie", "Wärmepumpen: Regierung beschließt Förderung", story)
    edited = [story[0], story[1].replace("drei Jahre", "vier Jahre"), story[2].replace("März", "April")]
    publish(news_web, "dritte-post", "waermepumpen-bearbeitet", "Förderung für Wärmepumpen", edited)
    publish(
        news_web,
        "dritte-post",
        "zoo",
        "Eisbär-Nachwuchs im Zoo",
        [
            "Im Zoo von Hannover ist ein Eisbär zur Welt gekommen, teilte der Zoo am Mittwoch mit. " * 2,
            "Das Jungtier ist gesund und wird von seiner Mutter versorgt. Besucher können es im Frühjahr sehen. " * 2,
        ],
    )
    summary = ingest(settings, news_web, ["original-zeitung", "partner-blatt", "dritte-post"])
    assert summary.counts["duplicate"] == 1 and summary.counts["near-duplicate"] == 1
    by_title = {doc["title"]: doc for doc in articles(settings)}
    original = by_title["Neues Gesetz für Wärmepumpen"]
    copy = by_title["Wärmepumpen: Regierung beschließt Förderung"]
    edited_doc = by_title["Förderung für Wärmepumpen"]
    zoo = by_title["Eisbär-Nachwuchs im Zoo"]
    assert copy["duplicate_of"] == original["id"] and copy["near_duplicate_of"] is None
    assert edited_doc["near_duplicate_of"] == original["id"] and edited_doc["duplicate_of"] is None
    assert edited_doc["near_duplicate_similarity"] >= settings.dedupe.near_duplicate_threshold
    assert original["story_id"] == copy["story_id"] == edited_doc["story_id"]
    assert zoo["story_id"] != original["story_id"] and zoo["duplicate_of"] is None


def test_failures_are_counted_recorded_and_fall_back_to_the_feed(settings: Any, news_web: NewsWebServer) -> None:
    publish(news_web, "nachrichtenblatt", "verloren", "Seite verschwunden", ["Kurzfassung der Meldung. " * 5])
    news_web.faults["/nachrichtenblatt/verloren.html"] = Fault(status=404)
    news_web.faults["/feeds/weltrundschau.xml"] = Fault(status=500)
    summary = ingest(settings, news_web, SEED_OUTLETS)
    assert summary.status == "success"
    assert summary.counts["fetch-http-error"] >= 2  # the page's 404 and the feed's 500
    failure_stages = {(f.stage, f.reason) for f in summary.failures}
    assert ("fetch", "fetch-http-error") in failure_stages and ("poll", "fetch-http-error") in failure_stages
    (kept,) = articles(settings, term={"title.keyword": "Seite verschwunden"})
    assert kept["extraction_source"] == "feed" and kept["text"].startswith("Kurzfassung")
    index = SearchIndex.connect(settings)
    state = index.client.get(index=index.names.feeds, id="weltrundschau")["_source"]
    assert state["error_streak"] == 1 and state["last_error_reason"] == "fetch-http-error"
    stored = index.client.search(index=index.names.runs)["hits"]["hits"][0]["_source"]
    assert stored["counts"]["fetch-http-error"] == summary.counts["fetch-http-error"]


def test_robots_denied_pages_are_not_fetched(settings: Any, news_web: NewsWebServer) -> None:
    publish(news_web, "private", "geheim", "Gesperrt", ["Dieser Text steht nur im Feed. " * 5])
    summary = ingest(settings, news_web, ["private"])
    assert summary.counts["robots-denied"] == 1
    assert not [r for r in news_web.requests if r.path == "/private/geheim.html"]
    (doc,) = articles(settings)
    assert doc["extraction_source"] == "feed"
