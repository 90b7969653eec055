"""Match receipts: which article versions the alert rules have seen, so none is skipped.

``alert_on_articles`` writes one receipt per article of its batch (id = article id, with the
article's version) after the ledger write. If a run dies between indexing a batch and matching
it, those articles have no receipt, and ``deliver_pending``'s catch-up matches every article
written in the last ``catch_up_hours`` whose current version has none. Receipts live in
``<prefix>-alert-receipts`` (plain index, small documents, safe to delete: the cost is a
catch-up of the window, and the ledger still prevents repeats).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from elasticsearch import NotFoundError

from pipeline.index.bulk import bulk_write
from pipeline.index.connection import SearchIndex
from pipeline.index.templates import DATE, INTEGER, KEYWORD

logger = logging.getLogger(__name__)

RECEIPTS_SUFFIX = "alert-receipts"
CATCH_UP_LIMIT = 10_000
_created: set[str] = set()


def receipts_index_name(index: SearchIndex) -> str:
    return f"{index.names.prefix}-{RECEIPTS_SUFFIX}"


def _ensure(index: SearchIndex) -> str:
    name = receipts_index_name(index)
    if name not in _created:
        index.client.options(ignore_status=400).indices.create(
            index=name,
            settings={"number_of_shards": 1, "auto_expand_replicas": "0-1"},
            mappings={
                "dynamic": False,
                "properties": {"article_id": KEYWORD, "version": INTEGER, "matched_at": DATE},
            },
        )
        _created.add(name)
    return name


def article_versions(index: SearchIndex, article_ids: Sequence[str]) -> dict[str, int]:
    """The current version of each article."""
    versions: dict[str, int] = {}
    for start in range(0, len(article_ids), 1000):
        chunk = list(article_ids[start : start + 1000])
        response = index.client.search(
            index=index.names.articles,
            query={"ids": {"values": chunk}},
            size=len(chunk),
            source_includes=["version"],
        )
        versions.update({hit["_id"]: int(hit["_source"].get("version") or 1) for hit in response["hits"]["hits"]})
    return versions


def write_receipts(index: SearchIndex, versions: dict[str, int], now: datetime) -> None:
    """Record that these article versions were matched."""
    if not versions:
        return
    name = _ensure(index)
    actions = [
        {
            "_op_type": "index",
            "_index": name,
            "_id": article_id,
            "_source": {"article_id": article_id, "version": version, "matched_at": now.isoformat()},
        }
        for article_id, version in versions.items()
    ]
    outcome = bulk_write(index.client, actions)
    if outcome.failures:
        # Harmless: the catch-up matches these again and the ledger drops the repeats.
        logger.warning("%d match receipt(s) not written: %s", len(outcome.failures), outcome.failures[0].error)


def unmatched_articles(index: SearchIndex, now: datetime, hours: float) -> list[str]:
    """Articles written in the last ``hours`` whose current version no run has matched."""
    if hours <= 0:
        return []
    since = (now - timedelta(hours=hours)).isoformat()
    response = index.client.search(
        index=index.names.articles,
        query={"range": {"ingested_at": {"gte": since}}},
        size=CATCH_UP_LIMIT,
        sort=[{"ingested_at": "desc"}],
        source_includes=["version"],
    )
    recent = {hit["_id"]: int(hit["_source"].get("version") or 1) for hit in response["hits"]["hits"]}
    if not recent:
        return []
    try:
        found = index.client.mget(index=receipts_index_name(index), ids=list(recent), source_includes=["version"])
        docs = found["docs"]
    except NotFoundError:
        docs = []
    seen = {doc["_id"]: int(doc["_source"].get("version") or 0) for doc in docs if doc.get("found")}
    return [article_id for article_id, version in recent.items() if seen.get(article_id, 0) < version]
