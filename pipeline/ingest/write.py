"""Writing built articles: dedupe decisions, upserts of articles and claims, dead letters.

Idempotent by construction: article ids come from canonical URLs and claim ids from the article
and the claim's position, so writing the same batch twice changes nothing the second time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.claims.clusters import ClaimClusterer, ClusterAssignment, speaker_keys
from pipeline.dedupe.lookup import DuplicateFinder
from pipeline.errors import Reason, RetryLater
from pipeline.index import SearchIndex, search_errors_as_retry
from pipeline.index.articles import (
    StoredArticle,
    article_document,
    claim_document,
    existing_articles,
    is_unchanged,
    standalone_claim_document,
)
from pipeline.index.bulk import bulk_write
from pipeline.index.dead_letters import park
from pipeline.ingest.workitems import PARKED, WorkItem, done_fields, entry_payload, update_items
from pipeline.models import Article
from pipeline.process import BuildFailure, BuiltArticle
from pipeline.settings import Settings
from pipeline.summary import RunSummary

logger = logging.getLogger(__name__)


@dataclass
class WriteResult:
    """Article ids written in this batch (new or updated), for alert matching downstream."""

    written_ids: list[str] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)


def write_articles(
    index: SearchIndex,
    settings: Settings,
    built: Sequence[tuple[WorkItem, BuiltArticle]],
    summary: RunSummary,
    *,
    now: datetime,
) -> WriteResult:
    """Dedupe and index a batch of built articles; mark their work items done (or parked)."""
    result = WriteResult()
    by_article: dict[str, list[tuple[WorkItem, BuiltArticle]]] = {}
    for item, built_article in built:
        by_article.setdefault(built_article.article.id, []).append((item, built_article))
    stored = existing_articles(index, list(by_article))
    done: dict[str, dict[str, Any]] = {}
    to_write: list[tuple[list[WorkItem], Article, StoredArticle | None]] = []
    for article_id, group in by_article.items():
        items = [item for item, _ in group]
        # The same article reached twice (two feeds, tracking links): a page's text wins over a feed's.
        chosen = max(group, key=lambda pair: pair[1].article.extraction_source == "page")[1].article
        if len(group) > 1:
            summary.count(Reason.UNCHANGED, len(group) - 1)
        previous = stored.get(article_id)
        if is_unchanged(chosen, previous):
            summary.count(Reason.UNCHANGED)
            done.update({item.item_id: done_fields() for item in items})
        else:
            to_write.append((items, chosen, previous))
    started = time.perf_counter()
    decided = DuplicateFinder(index, settings.dedupe).decide_all([article for _, article, _ in to_write], now)
    summary.time("dedupe", time.perf_counter() - started)
    started = time.perf_counter()
    clusters: ClusterAssignment = ClaimClusterer(index, settings.claims).assign(decided, now) if decided else {}
    ingested_at = now.isoformat()
    actions: list[dict[str, Any]] = []
    action_items: dict[str, list[WorkItem]] = {}
    outcomes: dict[str, str] = {}
    old_claims = _claims_to_replace(index, [a.id for (_, a, prev) in to_write if prev is not None])
    for (items, _, previous), article in zip(to_write, decided, strict=True):
        nested = []
        for position, found in enumerate(article.claims):
            cluster_id, key = clusters.get((article.id, position), (None, None))
            nested.append(claim_document(article, found, cluster_id, key, speaker_keys=sorted(speaker_keys(found))))
        first_seen = previous.first_seen if previous else ingested_at
        document = article_document(
            article,
            claims=nested,
            first_seen=first_seen,
            last_changed=ingested_at,
            version=previous.version + 1 if previous else 1,
            ingested_at=ingested_at,
        )
        target = previous.index if previous else index.names.articles
        actions.append({"_op_type": "index", "_index": target, "_id": article.id, "_source": document})
        action_items[article.id] = items
        outcomes[article.id] = Reason.UPDATED if previous else Reason.NEW
        for claim in nested:
            claim_source = standalone_claim_document(
                article, claim, published=document["published"], ingested_at=ingested_at
            )
            actions.append(
                {
                    "_op_type": "index",
                    "_index": index.names.claims,
                    "_id": claim["claim_id"],
                    "_source": claim_source,
                }
            )
        keep = {claim["claim_id"] for claim in nested}
        for claim_index, claim_id in old_claims.get(article.id, []):
            if claim_id not in keep:
                actions.append({"_op_type": "delete", "_index": claim_index, "_id": claim_id})
    summary.time("claim-clusters", time.perf_counter() - started)
    started = time.perf_counter()
    outcome = bulk_write(index.client, actions, chunk_size=settings.elasticsearch.bulk_chunk_size)
    summary.time("index", time.perf_counter() - started)
    failed = {str(failure.action.get("_id")): failure for failure in outcome.failures}
    for article in decided:
        failure = failed.get(article.id)
        items = action_items[article.id]
        if failure is None:
            result.written_ids.append(article.id)
            summary.count(outcomes[article.id])
            if outcomes[article.id] == Reason.NEW:
                result.new_ids.append(article.id)
            if article.duplicate_of:
                summary.count(Reason.DUPLICATE)
            elif article.near_duplicate_of:
                summary.count(Reason.NEAR_DUPLICATE)
            done.update({item.item_id: done_fields() for item in items})
        elif failure.retryable:
            summary.fail("index", Reason.INDEX_ERROR, failure.error, url=article.canonical_url)
        else:
            summary.fail("index", Reason.PARKED, failure.error, url=article.canonical_url)
            park(
                index.client,
                index.names,
                stage="index",
                reason=Reason.INDEX_ERROR,
                detail=failure.error,
                payload={"action": failure.action},
                key=f"article:{article.id}",
                url=article.canonical_url,
                target_index=str(failure.action.get("_index")),
                document_id=article.id,
            )
            done.update({item.item_id: {"status": PARKED} for item in items})
    article_ids = {article.id for article in decided}
    for failure in outcome.failures:
        if str(failure.action.get("_id")) in article_ids:
            continue  # handled above
        if failure.status == 404 and failure.action.get("_op_type") == "delete":
            continue  # deleting a stale claim that is already gone is fine
        # A claim that failed is rewritten with its article on the next update; count it.
        summary.fail("index", Reason.INDEX_ERROR, f"claim {failure.action.get('_id')}: {failure.error}")
    if result.written_ids:
        # The next batch's dedupe lookups must see this one (the default refresh is up to 1 s late).
        with search_errors_as_retry("refreshing the articles index"):
            index.client.indices.refresh(index=[index.names.articles, index.names.claims])
    if done:
        update_items(index, done)
    if outcome.cluster_unavailable:
        raise RetryLater(Reason.SEARCH_UNAVAILABLE, "cluster became unreachable while indexing")
    return result


def _claims_to_replace(index: SearchIndex, article_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """(index, claim id) of the stored claims of updated articles, so stale ones can be deleted."""
    if not article_ids:
        return {}
    with search_errors_as_retry("reading stored claims"):
        response = index.client.search(
            index=index.names.claims,
            query={"terms": {"article_id": list(article_ids)}},
            size=10_000,
            source_includes=["article_id"],
        )
    found: dict[str, list[tuple[str, str]]] = {}
    for hit in response["hits"]["hits"]:
        found.setdefault(hit["_source"]["article_id"], []).append((hit["_index"], hit["_id"]))
    return found


def park_build_failures(
    index: SearchIndex, failures: Sequence[tuple[WorkItem, BuildFailure]], summary: RunSummary
) -> None:
    """Items whose build crashed go to the dead letters with the staged entry, for a replay after a fix."""
    changes: dict[str, dict[str, Any]] = {}
    for item, failure in failures:
        work_item = {
            "item_id": item.item_id,
            "entry": entry_payload(item.entry),
            "feed_id": item.entry.feed_id,
            "url": item.entry.url,
            "run_id": item.run_id,
            "created_at": datetime.now().astimezone().isoformat(),
        }
        payload = {"work_item": work_item}
        park(
            index.client,
            index.names,
            stage="build",
            reason="build-error",
            detail=failure.error,
            payload=payload,
            key=f"item:{item.item_id}",
            url=item.entry.url,
            feed_id=item.entry.feed_id,
            attempts=item.attempts + 1,
        )
        changes[item.item_id] = {"status": PARKED}
        summary.count(Reason.PARKED)
    if changes:
        update_items(index, changes)
