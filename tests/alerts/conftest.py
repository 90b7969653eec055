"""Fixtures of the alert tests: watches files on the local receivers (tests/receivers.py), and
the seed articles ingested through the real pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from receivers import WEBHOOK_SECRET, Receiver, SmtpServer, watches_yaml


@pytest.fixture
def alert_environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("ALERT_TEST_SECRET", WEBHOOK_SECRET)
    return {"ALERT_TEST_SECRET": WEBHOOK_SECRET}


@dataclass
class WatchFiles:
    """Writes watches files on the local receivers and loads them as the settings would."""

    directory: Path
    receiver: Receiver
    smtp: SmtpServer

    def write(self, rules: str) -> Path:
        path = self.directory / "watches.yaml"
        path.write_text(watches_yaml(self.receiver, self.smtp, rules), encoding="utf-8")
        return path

    def load(self, rules: str, settings: Mapping[str, Any] | None = None) -> Any:
        """The rules with the alert settings of newshound.yaml's ``alerts:`` (a 5-minute lease,
        so that a lease drill need not wait 10, and ``settings`` on top)."""
        from pipeline.alerts.config import parse_watch_config
        from pipeline.settings import AlertSettings

        path = self.write(rules)
        alert_settings = AlertSettings(**{"delivery_lease_minutes": 5, **(settings or {})})
        environ = {"ALERT_TEST_SECRET": WEBHOOK_SECRET}
        return parse_watch_config(path.read_text(encoding="utf-8"), path, environ, alert_settings=alert_settings)


@pytest.fixture
def watch_files(
    tmp_path: Path, receiver: Receiver, smtp_server: SmtpServer, alert_environment: dict[str, str]
) -> WatchFiles:
    folder = tmp_path / "watches"
    folder.mkdir()
    return WatchFiles(folder, receiver, smtp_server)


@dataclass
class IndexedSeeds:
    settings: Any
    index: Any
    article_ids: list[str]
    sources: list[Any]


def all_article_ids(index: Any) -> list[str]:
    index.client.indices.refresh(index=index.names.articles)
    hits = index.client.search(index=index.names.articles, size=1000, source=False)["hits"]["hits"]
    return sorted(hit["_id"] for hit in hits)


@pytest.fixture
def seeds(settings: Any, news_web: Any, watch_files: WatchFiles) -> IndexedSeeds:
    """The two German seed articles ingested through the real pipeline (one story)."""
    from newshound_dev.newsweb.demo import news_web_sources
    from pipeline.index.connection import SearchIndex
    from pipeline.ingest.cycle import IngestOptions, run_ingest

    # The settings name the test's watches file, as a deployment's would.
    settings = settings.model_copy(
        update={"alerts": settings.alerts.model_copy(update={"watches": str(watch_files.directory / "watches.yaml")})}
    )
    sources = [s for s in news_web_sources(news_web) if s.id in {"nachrichtenblatt", "weltrundschau"}]
    summary = run_ingest(settings, IngestOptions(sources=sources, force_poll=True))
    assert summary.status == "success" and summary.counts["new"] == 2, summary.counts
    index = SearchIndex.connect(settings)
    return IndexedSeeds(settings, index, all_article_ids(index), sources)


@pytest.fixture
def put_articles() -> Any:
    """Index synthetic article documents directly (no pipeline), as the bench does; returns their ids."""
    from datetime import UTC, datetime

    from pipeline.index.articles import article_document
    from pipeline.models import Article

    def put(index: Any, articles: list[dict[str, Any]]) -> list[str]:
        now = datetime.now(UTC).isoformat()
        for fields in articles:
            article = Article(
                id=fields["id"],
                canonical_url=f"https://example.org/{fields['id']}",
                url=f"https://example.org/{fields['id']}",
                outlet=fields.get("outlet", "Beispielblatt"),
                title=fields["title"],
                text=fields["text"],
                extraction_source="page",
                content_hash=fields["id"],
                language=fields.get("language", "de"),
                published=fields.get("published"),
                story_id=fields.get("story_id", fields["id"]),
            )
            document = article_document(
                article, claims=[], first_seen=now, last_changed=now, version=1, ingested_at=now
            )
            index.client.index(index=index.names.articles, id=article.id, document=document)
        index.client.indices.refresh(index=index.names.articles)
        return [fields["id"] for fields in articles]

    return put
