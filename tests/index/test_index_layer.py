"""The search-engine layer against the real Elasticsearch: templates, capabilities, bulk, dead letters."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import PINNED_ELASTICSEARCH_VERSION

from pipeline.index.bulk import bulk_write
from pipeline.index.connection import SearchIndex
from pipeline.index.dead_letters import count_parked, park, replay_dead_letters
from pipeline.index.templates import article_mappings, text_field

pytestmark = pytest.mark.integration


def test_connect_creates_indices_and_aliases_idempotently(settings: Any) -> None:
    index = SearchIndex.connect(settings)
    SearchIndex.connect(settings)  # a second start-up changes nothing and does not fail
    aliases = index.client.indices.get_alias(name=f"{settings.elasticsearch.index_prefix}-*").body
    assert f"{index.names.articles}-000001" in aliases
    assert aliases[f"{index.names.articles}-000001"]["aliases"][index.names.articles]["is_write_index"] is True
    assert index.client.indices.exists(index=index.names.feeds)
    assert index.client.indices.exists(index=index.names.staging)


def test_capabilities_are_detected_and_mapping_falls_back(settings: Any) -> None:
    index = SearchIndex.connect(settings)
    capabilities = index.capabilities
    assert capabilities.major_version == int(PINNED_ELASTICSEARCH_VERSION.split(".")[0])
    mapping = index.client.indices.get_mapping(index=index.names.articles).body
    text = next(iter(mapping.values()))["mappings"]["properties"]["text"]
    if capabilities.language_analyzers:
        assert text["fields"]["de"]["analyzer"] == "german"
    else:
        # The test server lacks analysis-common: the mapping must not ask for its analyzers.
        assert "fields" not in text
        assert "x-pack-core" in capabilities.modules


def test_language_subfields_when_analyzers_exist() -> None:
    from pipeline.index.capabilities import Capabilities

    full = Capabilities(PINNED_ELASTICSEARCH_VERSION, frozenset({"analysis-common", "percolator"}))
    bare = Capabilities(PINNED_ELASTICSEARCH_VERSION, frozenset())
    assert text_field(full)["fields"]["en"]["analyzer"] == "english"
    assert "fields" not in text_field(bare)
    assert article_mappings(full)["properties"]["title"]["fields"]["de"]["analyzer"] == "german"


def test_bulk_reports_each_item_and_dead_letters_replay(settings: Any) -> None:
    index = SearchIndex.connect(settings)
    good = {"_op_type": "index", "_index": index.names.runs, "_id": "r1", "_source": {"run_id": "r1"}}
    bad = {
        "_op_type": "index",
        "_index": index.names.runs,
        "_id": "r2",
        "_source": {"run_id": "r2", "started_at": "not a date"},
    }
    outcome = bulk_write(index.client, [good, bad])
    assert outcome.written == [(index.names.runs, "r1")]
    assert len(outcome.failures) == 1 and outcome.failures[0].status == 400
    assert not outcome.failures[0].retryable and not outcome.cluster_unavailable

    fixed = {**bad, "_source": {"run_id": "r2", "started_at": "2024-10-28T10:00:00Z"}}
    park(
        index.client,
        index.names,
        stage="index",
        reason="index-error",
        detail=outcome.failures[0].error,
        payload={"action": fixed},
        key="run:r2",
    )
    park(
        index.client,
        index.names,
        stage="index",
        reason="index-error",
        detail="again",
        payload={"action": fixed},
        key="run:r2",
    )  # same failure parked twice: one record
    assert count_parked(index.client, index.names) == 1
    result = replay_dead_letters(index.client, index.names)
    assert (result.replayed, result.still_failing) == (1, 0)
    assert index.client.get(index=index.names.runs, id="r2")["_source"]["started_at"] == "2024-10-28T10:00:00Z"
    index.client.indices.refresh(index=index.names.dead_letters)
    assert count_parked(index.client, index.names) == 0


def test_bulk_against_unreachable_cluster_reports_retryable_failures(settings: Any) -> None:
    from elasticsearch import Elasticsearch

    client = Elasticsearch("http://127.0.0.1:9", request_timeout=2, max_retries=0)
    actions = [{"_op_type": "index", "_index": "x", "_id": str(n), "_source": {}} for n in range(3)]
    outcome = bulk_write(client, actions)
    assert outcome.written == []
    assert outcome.cluster_unavailable
    assert {failure.action["_id"] for failure in outcome.failures} == {"0", "1", "2"}
    assert all(failure.retryable for failure in outcome.failures)


def test_fields_of_a_newer_newshound_are_mapped_on_indices_that_exist(settings: Any) -> None:
    """An articles index created by an older version (no analysis fields) gets them at connect,
    not only after its next rollover."""
    from elasticsearch import Elasticsearch

    client = Elasticsearch(settings.elasticsearch.url)
    alias = settings.index_names.articles
    client.indices.create(
        index=f"{alias}-000001",
        mappings={"dynamic": False, "properties": {"id": {"type": "keyword"}, "text": {"type": "text"}}},
        aliases={alias: {"is_write_index": True}},
    )
    SearchIndex.connect(settings)
    properties = next(iter(client.indices.get_mapping(index=alias).body.values()))["mappings"]["properties"]
    assert properties["text_stems"] == {"type": "text", "analyzer": "whitespace"}
    assert properties["agency"] == {"type": "keyword"}
    client.close()
