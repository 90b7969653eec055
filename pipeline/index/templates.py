"""Index templates and aliases, created idempotently at start-up.

Time-based indices (articles, claims, runs, alerts, dead letters) are written through an alias
(``<prefix>-articles``) pointing at ``<prefix>-articles-000001``, so retention can roll them over
later without touching readers. Working indices (feed state, staging) are plain indices.
When the cluster has language analyzers, text fields get ``.de`` and ``.en`` subfields.
"""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError

from pipeline.index.capabilities import Capabilities
from pipeline.settings import ElasticsearchSettings, IndexNames

logger = logging.getLogger(__name__)

Mapping = dict[str, Any]

KEYWORD: Mapping = {"type": "keyword"}
LONG_KEYWORD: Mapping = {"type": "keyword", "ignore_above": 2048}
DATE: Mapping = {"type": "date"}
INTEGER: Mapping = {"type": "integer"}
FLOAT: Mapping = {"type": "float"}
DOUBLE: Mapping = {"type": "double"}
BOOLEAN: Mapping = {"type": "boolean"}
STORED_ONLY: Mapping = {"type": "object", "enabled": False}
# Terms analysed in Python: the whitespace analyzer (in every distribution) only splits them.
ANALYSED_TERMS: Mapping = {"type": "text", "analyzer": "whitespace"}
# Language subfields need the analysis-common module's analyzers.
LANGUAGE_ANALYZERS = {"de": "german", "en": "english"}


def text_field(capabilities: Capabilities, *, keyword: bool = False) -> Mapping:
    """A full-text field, with language subfields when the cluster has the analyzers."""
    field: Mapping = {"type": "text"}
    subfields: Mapping = {}
    if keyword:
        subfields["keyword"] = {"type": "keyword", "ignore_above": 512}
    if capabilities.language_analyzers:
        for language, analyzer in LANGUAGE_ANALYZERS.items():
            subfields[language] = {"type": "text", "analyzer": analyzer}
    if subfields:
        field["fields"] = subfields
    return field


def _entity_properties() -> Mapping:
    return {
        "id": KEYWORD,
        "name": KEYWORD,
        "type": KEYWORD,
        "surface": KEYWORD,
        "source": KEYWORD,
        "role": KEYWORD,
        "derived": {"type": "boolean"},
        "start": {"type": "integer", "index": False},
        "end": {"type": "integer", "index": False},
    }


def claim_properties(capabilities: Capabilities) -> Mapping:
    """Fields of a claim, shared by the nested claims of an article and the claims index."""
    return {
        "claim_id": KEYWORD,
        "claim_cluster_id": KEYWORD,
        "speaker": text_field(capabilities, keyword=True),
        "speaker_key": KEYWORD,
        "speaker_keys": KEYWORD,
        "speaker_entity_id": KEYWORD,
        "speaker_name": KEYWORD,
        "speaker_role": KEYWORD,
        "speaker_organisation_id": KEYWORD,
        "cue": KEYWORD,
        "content": text_field(capabilities),
        "kind": KEYWORD,
        "language": KEYWORD,
        "quantities": {"properties": {"value": DOUBLE, "unit": KEYWORD, "surface": KEYWORD, "approximate": BOOLEAN}},
        "quantity_values": DOUBLE,
        "time_expression": KEYWORD,
        "time_resolved": DATE,
        "content_start": {"type": "integer", "index": False},
        "content_end": {"type": "integer", "index": False},
    }


def article_mappings(capabilities: Capabilities) -> Mapping:
    return {
        "dynamic": False,
        "properties": {
            "id": KEYWORD,
            "canonical_url": LONG_KEYWORD,
            "url": LONG_KEYWORD,
            "outlet": KEYWORD,
            "feed_id": KEYWORD,
            "title": text_field(capabilities, keyword=True),
            "text": text_field(capabilities),
            # Newshound's own analysis of title and text (pipeline.analysis): stems, folded umlauts
            # and German compound parts as space-separated terms, so every engine matches word forms.
            "title_stems": ANALYSED_TERMS,
            "text_stems": ANALYSED_TERMS,
            "summary": text_field(capabilities),
            "language": KEYWORD,
            "author": KEYWORD,
            "site_name": KEYWORD,
            "tags": KEYWORD,
            "published": DATE,
            "published_known": BOOLEAN,
            "first_seen": DATE,
            "last_changed": DATE,
            "ingested_at": DATE,
            "version": INTEGER,
            "content_hash": KEYWORD,
            "extraction_source": KEYWORD,
            "removed_lines": STORED_ONLY,
            # Named by the agency packaging the cleaner removed ("dpa", "AP"; "Lisa Lerer").
            "agency": KEYWORD,
            "byline": KEYWORD,
            "entities": {"properties": _entity_properties()},
            "entity_ids": KEYWORD,
            "entity_names": KEYWORD,
            "people": KEYWORD,
            "organisations": KEYWORD,
            "places": KEYWORD,
            "title_entity_ids": KEYWORD,
            "claims": {"type": "nested", "properties": claim_properties(capabilities)},
            "claim_count": INTEGER,
            "minhash_bands": KEYWORD,
            "minhash_signature": {"type": "binary"},
            "shingle_count": INTEGER,
            "story_keys": KEYWORD,
            "story_id": KEYWORD,
            "duplicate_of": KEYWORD,
            "near_duplicate_of": KEYWORD,
            "near_duplicate_similarity": FLOAT,
            "word_count": INTEGER,
        },
    }


def claim_mappings(capabilities: Capabilities) -> Mapping:
    properties = claim_properties(capabilities)
    properties.update(
        {
            "article_id": KEYWORD,
            "article_url": LONG_KEYWORD,
            "article_title": text_field(capabilities),
            "outlet": KEYWORD,
            "story_id": KEYWORD,
            "published": DATE,
            "claim_date": DATE,
            "ingested_at": DATE,
            "entity_ids": KEYWORD,
        }
    )
    return {"dynamic": False, "properties": properties}


def feed_state_mappings() -> Mapping:
    return {
        "dynamic": False,
        "properties": {
            "feed_id": KEYWORD,
            "url": LONG_KEYWORD,
            "outlet": KEYWORD,
            "last_polled_at": DATE,
            "last_success_at": DATE,
            "next_poll_at": DATE,
            "poll_interval_minutes": FLOAT,
            "error_streak": INTEGER,
            "last_error": {"type": "text"},
            "last_error_reason": KEYWORD,
            "last_error_at": DATE,
            "failing_since": DATE,
            "total_polls": {"type": "long"},
        },
    }


def run_mappings() -> Mapping:
    return {
        "dynamic": False,
        "properties": {
            "run_id": KEYWORD,
            "kind": KEYWORD,
            "status": KEYWORD,
            "started_at": DATE,
            "finished_at": DATE,
            "ingested_at": DATE,
            "duration_seconds": FLOAT,
            "counts": {"type": "object", "dynamic": True},
            "timings_seconds": {"type": "object", "dynamic": True},
            "failures": {
                "properties": {
                    "stage": KEYWORD,
                    "reason": KEYWORD,
                    "retryable": {"type": "boolean"},
                    "url": LONG_KEYWORD,
                    "feed_id": KEYWORD,
                    "detail": {"type": "text"},
                }
            },
        },
    }


def dead_letter_mappings() -> Mapping:
    return {
        "dynamic": False,
        "properties": {
            "dead_letter_id": KEYWORD,
            "status": KEYWORD,
            "stage": KEYWORD,
            "reason": KEYWORD,
            "detail": {"type": "text"},
            "url": LONG_KEYWORD,
            "feed_id": KEYWORD,
            "target_index": KEYWORD,
            "document_id": KEYWORD,
            "attempts": INTEGER,
            "created_at": DATE,
            "ingested_at": DATE,
            "replayed_at": DATE,
            "payload": STORED_ONLY,
        },
    }


def staging_mappings() -> Mapping:
    return {
        "dynamic": False,
        "properties": {
            "item_id": KEYWORD,
            "status": KEYWORD,
            "run_id": KEYWORD,
            "feed_id": KEYWORD,
            "url": LONG_KEYWORD,
            "attempts": INTEGER,
            "next_attempt_at": DATE,
            "created_at": DATE,
            "updated_at": DATE,
            "last_error_reason": KEYWORD,
            "entry": STORED_ONLY,
            "processed": STORED_ONLY,
        },
    }


def alert_mappings(capabilities: Capabilities) -> Mapping:
    """The alert ledger (pipeline/alerts/ledger.py): one document per alert, for delivery and Kibana."""
    return {
        "dynamic": False,
        "properties": {
            "alert_id": KEYWORD,
            "alert_key": KEYWORD,
            "rule_id": KEYWORD,
            "rule_kind": KEYWORD,
            "rule_mode": KEYWORD,
            "article_id": KEYWORD,
            "article_url": LONG_KEYWORD,
            "article_title": text_field(capabilities),
            "outlet": KEYWORD,
            "language": KEYWORD,
            "published": DATE,
            "story_id": KEYWORD,
            "claim_cluster_id": KEYWORD,
            "change": {"properties": {"unit": KEYWORD, "from": DOUBLE, "to": DOUBLE, "description": KEYWORD}},
            "matched_terms": KEYWORD,
            "passage": {"type": "text"},
            "kibana_url": {"type": "keyword", "index": False},
            "created_at": DATE,
            "ingested_at": DATE,
            # When the alert may go out (now, the end of a throttle window, the end of a digest
            # window) and the message it goes out in.
            "release_at": DATE,
            "batch_key": KEYWORD,
            "delivery": {
                "properties": {
                    "notifier": KEYWORD,
                    "state": KEYWORD,
                    "attempts": INTEGER,
                    "last_error": {"type": "text"},
                    "delivered_at": DATE,
                    "next_attempt_at": DATE,
                    "lease_until": DATE,
                    "message_id": KEYWORD,
                }
            },
            "delivery_state": KEYWORD,
            "next_attempt_at": DATE,
            "last_delivered_at": DATE,
        },
    }


def index_definitions(names: IndexNames, capabilities: Capabilities) -> dict[str, tuple[Mapping, bool]]:
    """Alias or index name -> (mappings, rolled over through an alias)."""
    return {
        names.articles: (article_mappings(capabilities), True),
        names.claims: (claim_mappings(capabilities), True),
        names.runs: (run_mappings(), True),
        names.dead_letters: (dead_letter_mappings(), True),
        names.alerts: (alert_mappings(capabilities), True),
        names.feeds: (feed_state_mappings(), False),
        names.staging: (staging_mappings(), False),
    }


def ensure_indices(
    client: Elasticsearch, names: IndexNames, capabilities: Capabilities, settings: ElasticsearchSettings
) -> None:
    """Create or update the index templates, and create each index/alias if it does not exist yet."""
    index_settings = {
        "number_of_shards": settings.number_of_shards,
        "number_of_replicas": settings.number_of_replicas,
    }
    for name, (mappings, rolled) in index_definitions(names, capabilities).items():
        pattern = f"{name}-*" if rolled else name
        client.indices.put_index_template(
            name=f"{name}-template",
            index_patterns=[pattern],
            priority=200,
            template={"settings": index_settings, "mappings": mappings},
            meta={"managed_by": "newshound"},
        )
        if rolled:
            _ensure_alias(client, name)
        elif not client.indices.exists(index=name):
            _create_quietly(client, name, {})
        _add_new_fields(client, name, mappings)


def _add_new_fields(client: Elasticsearch, name: str, mappings: Mapping) -> None:
    """Fields added by a newer Newshound (``title_stems``, ``agency``...) mapped on the indices that
    exist already, not only on those created after the next rollover: adding a field is always
    allowed, and an unchanged mapping is a no-op. A field whose type changed cannot be: logged."""
    try:
        client.indices.put_mapping(index=name, properties=mappings["properties"])
    except BadRequestError as error:
        logger.warning("%s keeps its mapping until the next rollover: %s", name, error.message)


def _ensure_alias(client: Elasticsearch, alias: str) -> None:
    try:
        client.indices.get_alias(name=alias)
        return
    except NotFoundError:
        pass
    _create_quietly(client, f"{alias}-000001", {alias: {"is_write_index": True}})


def _create_quietly(client: Elasticsearch, index: str, aliases: Mapping) -> None:
    """Create an index; another worker creating it first is fine (start-up races are normal)."""
    response = client.options(ignore_status=400).indices.create(index=index, aliases=aliases or None)
    error = response.body.get("error") if isinstance(response.body, dict) else None
    if error and error.get("type") != "resource_already_exists_exception":
        raise RuntimeError(f"could not create index {index}: {error}")


def remove_indices(client: Elasticsearch, prefix: str) -> None:
    """Delete every index and index template under ``prefix`` (evaluations, benchmarks and tests
    work under a throw-away prefix). By name: a cluster may refuse wildcard deletes."""
    names = list(client.indices.get(index=f"{prefix}-*", expand_wildcards="all").body)
    if names:
        client.indices.delete(index=",".join(names))
    for template in client.indices.get_index_template(name=f"{prefix}-*").body.get("index_templates", []):
        client.indices.delete_index_template(name=template["name"])
