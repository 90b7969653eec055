"""The percolator path: rules stored as queries, the batch's articles percolated against them.

Used when the cluster has the percolator module (``capabilities.percolator``) and at least
``percolator_min_rules`` rules are active; otherwise matching runs the batch multi-search. Rules
live in ``<prefix>-alert-rules`` (a plain index, mapped like the article fields they query) and are
re-synced when their version (a hash of all rule queries) changes. The test server has no
percolator, so this path is covered by unit tests of the requests it builds and of how it reads
the answers (tests/alerts/test_percolator.py), never assumed to run there.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from typing import Any

from elasticsearch import ApiError

from pipeline.alerts.config import Rule
from pipeline.alerts.queries import Query, ids_scope, rule_query
from pipeline.index.bulk import bulk_write
from pipeline.index.capabilities import Capabilities
from pipeline.index.connection import SearchIndex
from pipeline.index.templates import KEYWORD, article_mappings
from pipeline.settings import AlertSettings, IndexNames

logger = logging.getLogger(__name__)

RULES_INDEX_SUFFIX = "alert-rules"
# The article fields rule queries look at; percolated documents carry only these.
PERCOLATED_FIELDS = (
    "title",
    "text",
    "title_stems",
    "text_stems",
    "language",
    "outlet",
    "feed_id",
    "entity_ids",
    "title_entity_ids",
    "claim_count",
    "claims",
)
# Documents per percolate request: the request carries their full text.
DOCUMENTS_PER_REQUEST = 100
RULES_PER_PAGE = 1000
_synced_versions: dict[str, str] = {}


class PercolatorUnusable(Exception):
    """The rules could not be stored for the percolator; matching falls back to the multi-search."""


def use_percolator(capabilities: Capabilities, rule_count: int, settings: AlertSettings) -> bool:
    """Percolate only when the cluster can and there are enough rules for it to pay off."""
    return capabilities.percolator and rule_count >= settings.percolator_min_rules


def rules_index_name(names: IndexNames) -> str:
    return f"{names.prefix}-{RULES_INDEX_SUFFIX}"


def rules_version(rules: Sequence[Rule], capabilities: Capabilities) -> str:
    """A hash of every rule's query: the stored rules are current when their version matches."""
    canonical = json.dumps([[rule.id, rule_query(rule, capabilities)] for rule in rules], sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def percolator_mappings(capabilities: Capabilities, version: str) -> dict[str, Any]:
    """The rules index: the queried article fields, the stored query, and the rules version in _meta."""
    article_fields = article_mappings(capabilities)["properties"]
    properties = {name: article_fields[name] for name in PERCOLATED_FIELDS}
    properties.update({"query": {"type": "percolator"}, "rule_id": KEYWORD, "rules_version": KEYWORD})
    return {"dynamic": False, "_meta": {"rules_version": version}, "properties": properties}


def rule_actions(rules: Sequence[Rule], capabilities: Capabilities, version: str, index_name: str) -> list[Query]:
    """Bulk actions storing each rule's query as a percolator document (id = rule id)."""
    return [
        {
            "_op_type": "index",
            "_index": index_name,
            "_id": rule.id,
            "_source": {"rule_id": rule.id, "rules_version": version, "query": rule_query(rule, capabilities)},
        }
        for rule in rules
    ]


def percolator_document(source: dict[str, Any]) -> dict[str, Any]:
    """The part of an article document the rules look at."""
    return {name: source[name] for name in PERCOLATED_FIELDS if name in source}


def percolate_search(documents: Sequence[dict[str, Any]], after: str | None = None) -> Query:
    """One page of rules matching any of the documents; ``_percolator_document_slot`` says which."""
    body: Query = {
        "query": {"percolate": {"field": "query", "documents": list(documents)}},
        "size": RULES_PER_PAGE,
        "_source": ["rule_id"],
        "sort": [{"rule_id": "asc"}],
        "track_total_hits": False,
    }
    if after is not None:
        body["search_after"] = [after]
    return body


def read_percolate_hits(hits: Sequence[dict[str, Any]], slot_ids: Sequence[str]) -> dict[str, set[str]]:
    """Rule id -> article ids, from percolate hits and the article id behind each document slot."""
    matches: dict[str, set[str]] = {}
    for hit in hits:
        rule_id = str(hit["_source"]["rule_id"])
        slots = hit.get("fields", {}).get("_percolator_document_slot", [0])
        matches.setdefault(rule_id, set()).update(slot_ids[int(slot)] for slot in slots)
    return matches


def sync_rules(index: SearchIndex, rules: Sequence[Rule]) -> str:
    """Make the rules index hold exactly these rules; a no-op when the stored version is current."""
    name = rules_index_name(index.names)
    version = rules_version(rules, index.capabilities)
    if _synced_versions.get(name) == version:
        return name
    client = index.client
    if not client.indices.exists(index=name):
        client.options(ignore_status=400).indices.create(
            index=name,
            settings={"number_of_shards": 1, "auto_expand_replicas": "0-1"},
            mappings=percolator_mappings(index.capabilities, "none"),
        )
    stored = client.indices.get_mapping(index=name).body
    current = next(iter(stored.values()))["mappings"].get("_meta", {}).get("rules_version")
    if current != version:
        outcome = bulk_write(client, rule_actions(rules, index.capabilities, version, name))
        if outcome.failures:
            failure = outcome.failures[0].error
            raise PercolatorUnusable(f"could not store {len(outcome.failures)} alert rule(s): {failure}")
        client.indices.refresh(index=name)
        _delete_stale(index, name, version)
        client.indices.put_mapping(index=name, meta={"rules_version": version})
        logger.info("stored %d alert rules for the percolator (version %s)", len(rules), version)
    _synced_versions[name] = version
    return name


def _delete_stale(index: SearchIndex, name: str, version: str) -> None:
    """Rules of an older version (removed rules): found by search, deleted by bulk (no delete-by-query)."""
    while True:
        response = index.client.search(
            index=name, query={"bool": {"must_not": {"term": {"rules_version": version}}}}, size=1000, source=False
        )
        hits = response["hits"]["hits"]
        if not hits:
            return
        bulk_write(index.client, [{"_op_type": "delete", "_index": name, "_id": hit["_id"]} for hit in hits])
        index.client.indices.refresh(index=name)


def percolate_batch(index: SearchIndex, rules: Sequence[Rule], article_ids: Sequence[str]) -> dict[str, set[str]]:
    """Rule id -> article ids of the batch it matches, by percolating the articles' documents."""
    try:
        return _percolate(index, rules, article_ids)
    except (ApiError, PercolatorUnusable):
        _synced_versions.pop(rules_index_name(index.names), None)  # re-check the rules index next time
        raise


def _percolate(index: SearchIndex, rules: Sequence[Rule], article_ids: Sequence[str]) -> dict[str, set[str]]:
    name = sync_rules(index, rules)
    active = {rule.id for rule in rules}
    matches: dict[str, set[str]] = {}
    response = index.client.search(
        index=index.names.articles,
        query=ids_scope(article_ids),
        size=len(article_ids),
        source_includes=list(PERCOLATED_FIELDS),
    )
    sources = [(hit["_id"], percolator_document(hit["_source"])) for hit in response["hits"]["hits"]]
    for start in range(0, len(sources), DOCUMENTS_PER_REQUEST):
        chunk = sources[start : start + DOCUMENTS_PER_REQUEST]
        slot_ids = [article_id for article_id, _ in chunk]
        after: str | None = None
        while True:
            page = index.client.search(index=name, body=percolate_search([doc for _, doc in chunk], after))
            hits = page["hits"]["hits"]
            for rule_id, found in read_percolate_hits(hits, slot_ids).items():
                if rule_id in active:
                    matches.setdefault(rule_id, set()).update(found)
            if len(hits) < RULES_PER_PAGE:
                break
            after = str(hits[-1]["_source"]["rule_id"])
    return matches
