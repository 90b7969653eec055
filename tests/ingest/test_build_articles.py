"""build_articles: a slice of jobs built together (NER as one batch) gives exactly what building
each alone gives, and a failure in any stage fails only its own job."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from newshound_dev.newsweb import NewsSite
from pipeline import build as build_stage
from pipeline.build import BuildJob, BuiltArticle, Toolkit, build_articles
from pipeline.entities.extractor import EntityExtractor
from pipeline.errors import ItemFailure, Reason
from pipeline.models import FeedEntry, FetchedPage
from pipeline.settings import load_settings

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def toolkit() -> Toolkit:
    return Toolkit.load(load_settings())


def jobs_from(site: NewsSite, count: int) -> list[BuildJob]:
    """The first ``count`` articles of the corpus site, German seeds first, as fetched pages."""
    articles = sorted(
        (article for items in site.articles.values() for article in items),
        key=lambda article: (article.language != "de", article.outlet, article.slug),
    )[:count]
    jobs = []
    for article in articles:
        url = f"http://news.test{article.path}"
        entry = FeedEntry(article.outlet, article.outlet, url, url, article.title, article.summary, None, None)
        page = FetchedPage(url, url, 200, "text/html", article.page.decode("utf-8", "replace"), "utf-8", NOW)
        jobs.append(BuildJob(entry, page))
    return jobs


def articles_of(results: Sequence[BuiltArticle | ItemFailure]) -> list[Any]:
    return [result.article if isinstance(result, BuiltArticle) else result for result in results]


def test_a_batch_builds_what_each_job_builds_alone(corpus_site_template: NewsSite, toolkit: Toolkit) -> None:
    jobs = jobs_from(corpus_site_template, 12)
    started = time.perf_counter()
    results = build_articles(jobs, toolkit)
    elapsed = time.perf_counter() - started
    # Stage times are each article's own: together they never add up to more than the call took.
    counted = sum(
        seconds for result in results if isinstance(result, BuiltArticle) for seconds in result.stage_seconds.values()
    )
    assert 0 < counted <= elapsed
    together = articles_of(results)
    alone = [articles_of(build_articles([job], toolkit))[0] for job in jobs]
    assert all(not isinstance(article, ItemFailure) for article in together)
    assert [a.entities for a in together] == [a.entities for a in alone]
    assert [a.title_entity_ids for a in together] == [a.title_entity_ids for a in alone]
    assert [a.claims for a in together] == [a.claims for a in alone]
    assert sum(len(a.entities) for a in together) > 12  # the pages do name people, places and bodies


def test_a_failing_page_fails_only_its_job(
    corpus_site_template: NewsSite, toolkit: Toolkit, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = jobs_from(corpus_site_template, 4)
    broken_url = jobs[1].entry.url
    real_extract = build_stage.extract_article

    def extract(html: str, url: str, **options: Any) -> Any:
        if url == broken_url:
            raise MemoryError("a pathological page")
        return real_extract(html, url, **options)

    monkeypatch.setattr(build_stage, "extract_article", extract)
    results = build_articles([*jobs, BuildJob(jobs[0].entry, None, "http-404")], toolkit)
    failure = results[1]
    assert isinstance(failure, ItemFailure) and failure.stage == "build"
    assert "MemoryError: a pathological page" in failure.detail
    assert [isinstance(result, BuiltArticle) for result in results] == [True, False, True, True, True]
    fallback = results[4]
    assert isinstance(fallback, BuiltArticle) and fallback.outcome == "http-404"
    assert fallback.article.extraction_source == "feed"
    assert isinstance(results[0], BuiltArticle) and results[0].outcome == Reason.FETCHED


def test_an_entity_batch_failure_is_narrowed_to_the_articles_at_fault(
    corpus_site_template: NewsSite, toolkit: Toolkit, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = jobs_from(corpus_site_template, 4)
    poison = articles_of(build_articles([jobs[2]], toolkit))[0].title
    real_extract_many = EntityExtractor.extract_many

    def extract_many(self: EntityExtractor, documents: Sequence[tuple[str, str | None]]) -> Any:
        if any(text == poison for text, _ in documents):
            raise ValueError("the model choked")
        return real_extract_many(self, documents)

    monkeypatch.setattr(EntityExtractor, "extract_many", extract_many)
    results = build_articles(jobs, toolkit)
    assert [isinstance(result, BuiltArticle) for result in results] == [True, True, False, True]
    failure = results[2]
    assert isinstance(failure, ItemFailure) and failure.detail == "ValueError: the model choked"
    built = results[0]
    assert isinstance(built, BuiltArticle) and built.stage_seconds["entities"] > 0
