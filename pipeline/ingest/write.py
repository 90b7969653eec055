"""Writing built articles in three steps: plan (pure), execute (the search engine), account.

    plan_writes(built, stored)     which articles to write, which are unchanged (no I/O)
    execute_writes(run, plan)      dedupe decisions, claim clusters, one bulk request
    account_writes(run, written)   counts, dead letters, work items done or parked

``write_articles`` runs the three. Idempotent by construction: article ids come from canonical
URLs and claim ids from the article and the claim's position, so writing the same batch twice
changes nothing the second time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.build import BuiltArticle
from pipeline.claims.clusters import ClaimClusterer, ClusterAssignment, speaker_keys
from pipeline.dedupe.lookup import DuplicateFinder
from pipeline.errors import ItemFailure, Reason, RetryLater, Stage
from pipeline.index.articles import (
    StoredArticle,
    article_document,
    claim_document,
    existing_articles,
    is_unchanged,
    standalone_claim_document,
)
from pipeline.index.bulk import BulkOutcome, bulk_write
from pipeline.index.connection import SearchIndex
from pipeline.index.dead_letters import park
from pipeline.ingest.workitems import PARKED, WorkItem, done_fields, entry_payload, update_items
from pipeline.models import Article
from pipeline.run import RunContext
from pipeline.settings import IndexNames


@dataclass
class WriteResult:
    """Article ids written in this batch (new or updated), for alert matching downstream."""

    written_ids: list[str] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ArticleToWrite:
    """An article to write, the work items that led to it, and its stored version if any."""

    items: tuple[WorkItem, ...]
    article: Article
    previous: StoredArticle | None


@dataclass(frozen=True)
class WritePlan:
    """What a batch comes to before any write."""

    to_write: tuple[ArticleToWrite, ...]
    unchanged: tuple[WorkItem, ...]  # done without a write: the stored article is the same
    # Counted as unchanged: items that reached an article another item of the batch reached too,
    # and one for each article whose stored version is the same.
    unchanged_count: int


@dataclass
class Written:
    """A plan executed: the articles as decided (dedupe, stories) and what the bulk request said."""

    plan: WritePlan
    decided: list[Article]
    outcome: BulkOutcome


def write_articles(run: RunContext, built: Sequence[tuple[WorkItem, BuiltArticle]]) -> WriteResult:
    """Dedupe and index a batch of built articles; mark their work items done (or parked)."""
    stored = existing_articles(run.index, list(dict.fromkeys(result.article.id for _, result in built)))
    return account_writes(run, execute_writes(run, plan_writes(built, stored)))


def plan_writes(built: Sequence[tuple[WorkItem, BuiltArticle]], stored: dict[str, StoredArticle]) -> WritePlan:
    """Group the batch by article; skip articles whose stored version is the same."""
    by_article: dict[str, list[tuple[WorkItem, BuiltArticle]]] = {}
    for item, built_article in built:
        by_article.setdefault(built_article.article.id, []).append((item, built_article))
    to_write: list[ArticleToWrite] = []
    unchanged: list[WorkItem] = []
    unchanged_count = 0
    for article_id, group in by_article.items():
        items = tuple(item for item, _ in group)
        unchanged_count += len(group) - 1
        # The same article reached twice (two feeds, tracking links): a page's text wins over a feed's.
        chosen = max(group, key=lambda pair: pair[1].article.extraction_source == "page")[1].article
        previous = stored.get(article_id)
        if is_unchanged(chosen, previous):
            unchanged.extend(items)
            unchanged_count += 1
        else:
            to_write.append(ArticleToWrite(items, chosen, previous))
    return WritePlan(tuple(to_write), tuple(unchanged), unchanged_count)


def execute_writes(run: RunContext, plan: WritePlan) -> Written:
    """Decide duplicates and stories, cluster claims, and send the articles and claims in one bulk request."""
    index, settings, summary = run.index, run.settings, run.summary
    now = run.now()
    started = time.perf_counter()
    decided = DuplicateFinder(index, settings.dedupe).decide_all([entry.article for entry in plan.to_write], now)
    summary.time("dedupe", time.perf_counter() - started)
    started = time.perf_counter()
    clusters: ClusterAssignment = ClaimClusterer(index, settings.claims).assign(decided, now) if decided else {}
    old_claims = _claims_to_replace(index, [entry.article.id for entry in plan.to_write if entry.previous])
    actions = bulk_actions(plan, decided, clusters, old_claims, index.names, now.isoformat())
    summary.time("claim-clusters", time.perf_counter() - started)
    started = time.perf_counter()
    outcome = bulk_write(index.client, actions, chunk_size=settings.elasticsearch.bulk_chunk_size)
    summary.time("index", time.perf_counter() - started)
    return Written(plan, decided, outcome)


def bulk_actions(
    plan: WritePlan,
    decided: Sequence[Article],
    clusters: ClusterAssignment,
    old_claims: dict[str, list[tuple[str, str]]],
    names: IndexNames,
    ingested_at: str,
) -> list[dict[str, Any]]:
    """The bulk actions of a plan: each article, its claims as documents, deletes of stale claims."""
    actions: list[dict[str, Any]] = []
    for entry, article in zip(plan.to_write, decided, strict=True):
        previous = entry.previous
        nested = []
        for position, found in enumerate(article.claims):
            cluster_id, key = clusters.get((article.id, position), (None, None))
            nested.append(claim_document(article, found, cluster_id, key, speaker_keys=sorted(speaker_keys(found))))
        document = article_document(
            article,
            claims=nested,
            first_seen=previous.first_seen if previous else ingested_at,
            last_changed=ingested_at,
            version=previous.version + 1 if previous else 1,
            ingested_at=ingested_at,
        )
        target = previous.index if previous else names.articles
        actions.append({"_op_type": "index", "_index": target, "_id": article.id, "_source": document})
        for claim in nested:
            source = standalone_claim_document(article, claim, published=document["published"], ingested_at=ingested_at)
            actions.append({"_op_type": "index", "_index": names.claims, "_id": claim["claim_id"], "_source": source})
        keep = {claim["claim_id"] for claim in nested}
        for claim_index, claim_id in old_claims.get(article.id, []):
            if claim_id not in keep:
                actions.append({"_op_type": "delete", "_index": claim_index, "_id": claim_id})
    return actions


def account_writes(run: RunContext, written: Written) -> WriteResult:
    """Count what was written, park what the engine refused for good, mark the work items."""
    index, summary, plan = run.index, run.summary, written.plan
    summary.count(Reason.UNCHANGED, plan.unchanged_count)
    result = WriteResult()
    done: dict[str, dict[str, Any]] = {item.item_id: done_fields() for item in plan.unchanged}
    failed = {str(failure.action.get("_id")): failure for failure in written.outcome.failures}
    for entry, article in zip(plan.to_write, written.decided, strict=True):
        failure = failed.get(article.id)
        if failure is None:
            outcome = Reason.UPDATED if entry.previous else Reason.NEW
            result.written_ids.append(article.id)
            summary.count(outcome)
            if outcome is Reason.NEW:
                result.new_ids.append(article.id)
            if article.duplicate_of:
                summary.count(Reason.DUPLICATE)
            elif article.near_duplicate_of:
                summary.count(Reason.NEAR_DUPLICATE)
            done.update({item.item_id: done_fields() for item in entry.items})
        elif failure.retryable:
            summary.fail(ItemFailure(Stage.INDEX, Reason.INDEX_ERROR, failure.error, True, article.canonical_url))
        else:
            summary.fail(ItemFailure(Stage.INDEX, Reason.PARKED, failure.error, False, article.canonical_url))
            park(
                index.client,
                index.names,
                stage=Stage.INDEX,
                reason=Reason.INDEX_ERROR,
                detail=failure.error,
                payload={"action": failure.action},
                key=f"article:{article.id}",
                url=article.canonical_url,
                target_index=str(failure.action.get("_index")),
                document_id=article.id,
            )
            done.update({item.item_id: {"status": PARKED} for item in entry.items})
    article_ids = {article.id for article in written.decided}
    for failure in written.outcome.failures:
        if str(failure.action.get("_id")) in article_ids:
            continue  # handled above
        if failure.status == 404 and failure.action.get("_op_type") == "delete":
            continue  # deleting a stale claim that is already gone is fine
        # A claim that failed is rewritten with its article on the next update; count it.
        detail = f"claim {failure.action.get('_id')}: {failure.error}"
        summary.fail(ItemFailure(Stage.INDEX, Reason.INDEX_ERROR, detail, failure.retryable))
    if result.written_ids:
        # The next batch's dedupe lookups must see this one (the default refresh is up to 1 s late).
        index.client.indices.refresh(index=[index.names.articles, index.names.claims])
    if done:
        update_items(index, done)
    if written.outcome.cluster_unavailable:
        raise RetryLater(Reason.SEARCH_UNAVAILABLE, "cluster became unreachable while indexing")
    return result


def _claims_to_replace(index: SearchIndex, article_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """(index, claim id) of the stored claims of updated articles, so stale ones can be deleted."""
    if not article_ids:
        return {}
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


def park_build_failures(run: RunContext, failures: Sequence[tuple[WorkItem, ItemFailure]]) -> None:
    """Items whose build crashed go to the dead letters with the staged entry, for a replay after a fix."""
    changes: dict[str, dict[str, Any]] = {}
    for item, failure in failures:
        work_item = {
            "item_id": item.item_id,
            "entry": entry_payload(item.entry),
            "feed_id": item.entry.feed_id,
            "url": item.entry.url,
            "run_id": item.run_id,
            "created_at": run.now().isoformat(),
        }
        park(
            run.index.client,
            run.index.names,
            stage=failure.stage,
            reason=failure.reason,
            detail=failure.detail,
            payload={"work_item": work_item},
            key=f"item:{item.item_id}",
            url=item.entry.url,
            feed_id=item.entry.feed_id,
            attempts=item.attempts + 1,
        )
        changes[item.item_id] = {"status": PARKED}
        run.summary.count(Reason.PARKED)
    if changes:
        update_items(run.index, changes)
