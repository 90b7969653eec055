"""Elasticsearch goes down in the middle of a bulk: the run reports it, the next run finishes the work.

A forwarding proxy sits between the pipeline and the real node; when the second ``_bulk`` request
arrives it stops the node, so that request and everything after it fail for real.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import StoppingProxy, make_test_settings

from newshound_dev.newsweb.demo import news_web_sources
from pipeline.index.connection import SearchIndex
from pipeline.ingest.cycle import IngestOptions, run_ingest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def restarting_node(elasticsearch_node: Any) -> Iterator[Any]:
    if not elasticsearch_node.managed:
        pytest.skip("needs the Elasticsearch started by this test session (ELASTICSEARCH_URL is external)")
    yield elasticsearch_node
    try:  # leave the node running for the tests after this one, whatever happened
        httpx.get(elasticsearch_node.url + "/_cluster/health", timeout=2)
    except httpx.HTTPError:
        elasticsearch_node.start()


def test_outage_in_the_middle_of_a_bulk_loses_nothing_and_duplicates_nothing(
    restarting_node: Any, index_prefix: str, news_web: Any, tmp_path: Path
) -> None:
    stopped = threading.Event()

    def stop_on_second_bulk(count: int, body: bytes) -> None:
        if count == 2 and not stopped.is_set():
            stopped.set()
            restarting_node.stop()

    proxy = StoppingProxy(restarting_node.url, stop_on_second_bulk)
    try:
        # Small batches: several bulks per run, so the outage lands after some were written.
        settings = make_test_settings(
            proxy.url, index_prefix, tmp_path, **{"ingest.batch_size": 4, "elasticsearch.max_retries": 0}
        )
        sources = [s for s in news_web_sources(news_web) if s.id in {"nachrichtenblatt", "weltrundschau"}]
        sources += [s for s in news_web_sources(news_web) if s.id not in {"nachrichtenblatt", "weltrundschau"}][:10]
        expected = sum(len(news_web.site.articles[s.id]) for s in sources)
        first = run_ingest(settings, IngestOptions(sources=sources, force_poll=True))
        assert stopped.is_set()
        assert first.status == "failed"
        assert first.counts["search-unavailable"] >= 1
        assert any(f.reason == "search-unavailable" for f in first.failures)
        assert list((tmp_path / "runs").glob("ingest-*.json")), "the failed run's summary must be kept locally"

        restarting_node.start()
        second = run_ingest(settings, IngestOptions(sources=sources, force_poll=True))
        assert second.status == "success", second.failures
        third = run_ingest(settings, IngestOptions(sources=sources, force_poll=True))
        assert third.counts["new"] == 0 and third.counts["updated"] == 0
    finally:
        proxy.close()

    index = SearchIndex.connect(
        settings.model_copy(
            update={"elasticsearch": settings.elasticsearch.model_copy(update={"url": restarting_node.url})}
        )
    )
    index.client.indices.refresh(index=index.names.articles)
    hits = index.client.search(index=index.names.articles, size=500, source_includes=["canonical_url"])["hits"]
    urls = [hit["_source"]["canonical_url"] for hit in hits["hits"]]
    assert len(urls) == expected, "every article exactly once"
    assert len(set(urls)) == len(urls)
    pending = index.client.count(index=index.names.staging, query={"terms": {"status": ["pending", "processed"]}})
    assert pending["count"] == 0
