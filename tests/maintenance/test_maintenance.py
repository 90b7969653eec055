"""Maintenance in process against the real cluster: rollover, retention, staging cleanup, feed states."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import make_test_settings

from newshound_dev.newsweb.demo import news_web_sources
from newshound_dev.newsweb.site import render_article_page
from pipeline.index.connection import SearchIndex, find_document
from pipeline.ingest.cycle import IngestOptions, run_ingest
from pipeline.maintenance import run_maintenance

pytestmark = pytest.mark.integration


def registry_settings(settings: Any, news_web: Any, tmp_path: Path, outlets: list[str], **overrides: Any) -> Any:
    feeds = [{"id": s.id, "url": s.url, "outlet": s.outlet} for s in news_web_sources(news_web) if s.id in outlets]
    registry = tmp_path / "feeds.yaml"
    registry.write_text(yaml.safe_dump({"feeds": feeds}), encoding="utf-8")
    return make_test_settings(
        settings.elasticsearch.url,
        settings.elasticsearch.index_prefix,
        tmp_path,
        **{"feeds.registry": str(registry), **overrides},
    )


def test_rollover_keeps_updates_in_their_index_and_retention_expires_old_runs(
    settings: Any, news_web: Any, tmp_path: Path
) -> None:
    tuned = registry_settings(
        settings,
        news_web,
        tmp_path,
        ["nachrichtenblatt", "weltrundschau"],
        **{"retention.rollover_max_docs": 1, "retention.delete_after_days": {"runs": 30}},
    )
    sources = [s for s in news_web_sources(news_web) if s.id in {"nachrichtenblatt", "weltrundschau"}]
    index = SearchIndex.connect(tuned)
    # A run from 90 days ago, alone in a runs index that was rolled over since.
    old_run = {"run_id": "old", "kind": "ingest", "ingested_at": (datetime.now(UTC) - timedelta(days=90)).isoformat()}
    index.client.index(index=index.names.runs, id="old", document=old_run, refresh=True)
    index.client.indices.rollover(alias=index.names.runs)
    run_ingest(tuned, IngestOptions(sources=sources, force_poll=True))

    summary = run_maintenance(tuned)
    assert summary.status == "success", summary.failures
    assert summary.counts["indices-rolled-over"] >= 2  # articles and claims had more than one document
    articles = index.client.indices.get_alias(name=index.names.articles).body
    assert len(articles) == 2
    write_index = next(name for name, v in articles.items() if v["aliases"][index.names.articles]["is_write_index"])
    assert write_index.endswith("-000002")

    # The index holding only the 90-day-old run was past retention; the one with today's run stays.
    index.client.indices.refresh(index=index.names.runs)
    assert find_document(index.client, index.names.runs, "old") is None
    assert index.client.count(index=index.names.runs)["count"] >= 1

    # An article changed after the rollover is updated where it lives, not duplicated in the new index.
    seed = news_web.site.articles["weltrundschau"][0]
    changed = render_article_page(
        "Weltrundschau",
        seed.title,
        ["Ein neuer erster Absatz mit genug Text. " * 6],
        seed.published,
        language="de",
        url_path=seed.path,
    )
    news_web.site.add_article(dataclasses.replace(seed, page=changed, published=seed.published + timedelta(hours=1)))
    again = run_ingest(tuned, IngestOptions(sources=sources, force_poll=True))
    assert again.counts["updated"] == 1 and again.counts.get("new", 0) == 0
    index.client.indices.refresh(index=index.names.articles)
    assert index.client.count(index=index.names.articles)["count"] == 2


def test_staging_cleanup_and_feed_state_refresh(settings: Any, news_web: Any, tmp_path: Path) -> None:
    tuned = registry_settings(settings, news_web, tmp_path, ["nachrichtenblatt"])
    sources = [s for s in news_web_sources(news_web) if s.id == "nachrichtenblatt"]
    run_ingest(tuned, IngestOptions(sources=sources, force_poll=True))
    index = SearchIndex.connect(tuned)
    stale = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    index.client.indices.refresh(index=index.names.staging)
    done = index.client.search(index=index.names.staging, query={"term": {"status": "done"}})["hits"]["hits"]
    for hit in done:
        index.client.update(index=index.names.staging, id=hit["_id"], doc={"updated_at": stale})
    index.client.index(
        index=index.names.feeds,
        id="removed-feed",
        document={"feed_id": "removed-feed", "poll_interval_minutes": 10, "base_interval_minutes": 10},
    )
    index.client.indices.refresh(index=[index.names.staging, index.names.feeds])
    summary = run_maintenance(tuned)
    assert summary.counts["work-items-cleaned"] == len(done) >= 1
    assert summary.counts["feed-states-removed"] == 1
    index.client.indices.refresh(index=index.names.feeds)
    assert not index.client.exists(index=index.names.feeds, id="removed-feed")
    assert index.client.exists(index=index.names.feeds, id="nachrichtenblatt")


def test_articles_indexed_before_the_analysis_fields_get_them_and_are_found_by_word_forms(settings: Any) -> None:
    """An article written by an older Newshound (no title_stems/text_stems) is found by "Soldat"
    only after maintenance analysed it; articles that have the fields are left alone."""
    from pipeline.index.articles import analysis_fields
    from pipeline.maintenance import analyse_older_articles
    from pipeline.run import RunContext
    from pipeline.search import SearchRequest, search_articles
    from pipeline.summary import RunSummary

    index = SearchIndex.connect(settings)
    now = datetime.now(UTC).isoformat()
    old = {"id": "old", "title": "Truppen", "text": "Nordkoreanische Soldaten in Kursk.", "language": "de"}
    new = {"id": "new", "title": "Truppen", "text": "Ein Soldat kam.", "language": "de"}
    new |= analysis_fields(new["title"], new["text"], "de")
    for document in (old, new):
        index.client.index(
            index=index.names.articles,
            id=document["id"],
            document={**document, "ingested_at": now, "story_id": document["id"]},
        )
    index.client.indices.refresh(index=index.names.articles)

    def found() -> set[str]:
        return {hit.id for hit in search_articles(index, SearchRequest(query="Soldat", collapse=False)).hits}

    assert found() == {"new"}
    summary = RunSummary()
    analyse_older_articles(RunContext(settings=settings, summary=summary))
    index.client.indices.refresh(index=index.names.articles)
    assert found() == {"old", "new"}
    assert summary.counts["articles-analysed"] == 1  # the article that had the fields is not rewritten
