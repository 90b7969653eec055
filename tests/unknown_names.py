"""German articles full of names outside the knowledge base, published on the local news web and
ingested through the real pipeline (tests of entities and of alerts use them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from newshound_dev.newsweb.demo import news_web_sources
from newshound_dev.newsweb.site import Outlet, SiteArticle, render_article_page
from pipeline.ingest.cycle import IngestOptions, run_ingest

# No name here is in config/entities.yaml.
FIRST_REPORT = [
    "Die Stadtwerke Gelsenkirchen haben am Dienstag einen neuen Vorstand vorgestellt.",
    "Vorstandschefin Henrike Brandtner sagte, man wolle mit der Firma Zöllner Energietechnik aus "
    "Castrop-Rauxel zusammenarbeiten. Auch Bürgermeister Karl-Heinz Wedemeyer lobte den Plan.",
    "Brandtner kündigte an, im Frühjahr mit Vertretern der Hochschule Bochum zu sprechen. "
    "Wedemeyers Stellvertreterin Aylin Kocabaş sagte, der Rat werde im März abstimmen.",
]
SECOND_REPORT = [
    "Der Umbau der Stadtwerke Gelsenkirchen kommt voran.",
    "Henrike Brandtner sagte am Freitag in Gelsenkirchen, die ersten Aufträge seien vergeben. "
    "Die Arbeiten sollen im Sommer beginnen, wie Brandtner betonte.",
]


def publish(news_web: Any, slug: str, title: str, paragraphs: list[str], minutes_ago: int) -> None:
    if "revierblatt" not in news_web.site.outlets:
        news_web.site.add_outlet(Outlet("revierblatt", "Revierblatt", "de", "rss"))
    published = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes_ago)
    page = render_article_page(
        "Revierblatt", title, paragraphs, published, language="de", url_path=f"/revierblatt/{slug}.html"
    )
    news_web.site.add_article(SiteArticle("revierblatt", slug, title, paragraphs[0], published, page, "de"))


def ingest(settings: Any, news_web: Any) -> Any:
    sources = [source for source in news_web_sources(news_web) if source.id == "revierblatt"]
    summary = run_ingest(settings, IngestOptions(sources=sources, force_poll=True))
    assert summary.status == "success", summary.failures
    return summary


def environment(settings: Any, watches: str = "") -> dict[str, str]:
    """The CLI's environment for the test's index (and watches file)."""
    env = {
        "ELASTICSEARCH_URL": settings.elasticsearch.url,
        "NEWSHOUND_ELASTICSEARCH__INDEX_PREFIX": settings.elasticsearch.index_prefix,
    }
    if watches:
        env["NEWSHOUND_ALERTS__WATCHES"] = watches
    return env
