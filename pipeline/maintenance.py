"""Daily maintenance: replay dead letters, refresh feed states, roll over and expire indices,
clean up finished work items, and report feeds that have been failing for a day.

Every part is idempotent and independent: one failing part is recorded and the others still run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.errors import RetryLater
from pipeline.feeds.state import FeedState, is_failing, refreshed
from pipeline.index import SearchIndex, search_errors_as_retry
from pipeline.index.bulk import bulk_write
from pipeline.index.dead_letters import replay_dead_letters
from pipeline.index.runs import record_run
from pipeline.ingest.poll import load_feed_states, save_feed_states
from pipeline.ingest.workitems import DONE
from pipeline.settings import Settings, load_feed_registry
from pipeline.summary import RunSummary

logger = logging.getLogger(__name__)
Part = Callable[[SearchIndex, Settings, RunSummary, datetime], None]


def replay_parked(index: SearchIndex, settings: Settings, summary: RunSummary, now: datetime) -> None:
    """Send parked documents again and requeue parked work items."""
    result = replay_dead_letters(index.client, index.names)
    summary.count("dead-letters-replayed", result.replayed)
    for error in result.errors:
        summary.fail("maintenance", "dead-letter-still-failing", error)


def refresh_feed_states(index: SearchIndex, settings: Settings, summary: RunSummary, now: datetime) -> None:
    """Align stored feed states with the registry: new intervals, clamped bounds, removed feeds dropped."""
    sources = {source.id: source for source in load_feed_registry(settings).feeds}
    with search_errors_as_retry("reading feed states"):
        response = index.client.search(index=index.names.feeds, size=10_000, source_includes=["feed_id"])
    stored_ids = [hit["_id"] for hit in response["hits"]["hits"]]
    states = load_feed_states(index, stored_ids)
    updated: list[FeedState] = []
    for feed_id, state in states.items():
        source = sources.get(feed_id)
        if source is None:
            continue
        fresh = refreshed(state, source, settings.feeds)
        if fresh != state:
            updated.append(fresh)
    save_feed_states(index, updated, sources)
    removed = [feed_id for feed_id in stored_ids if feed_id not in sources]
    if removed:
        bulk_write(index.client, [{"_op_type": "delete", "_index": index.names.feeds, "_id": f} for f in removed])
    summary.count("feed-states-refreshed", len(updated))
    summary.count("feed-states-removed", len(removed))


def report_failing_feeds(index: SearchIndex, settings: Settings, summary: RunSummary, now: datetime) -> None:
    """Feeds failing for ``feeds.failing_alert_hours`` or longer, each recorded as a failure of the run."""
    with search_errors_as_retry("reading feed states"):
        response = index.client.search(
            index=index.names.feeds, query={"exists": {"field": "failing_since"}}, size=10_000
        )
    for hit in response["hits"]["hits"]:
        state = FeedState.from_document(hit["_source"])
        if is_failing(state, settings.feeds, now):
            detail = f"failing since {state.failing_since:%Y-%m-%d %H:%M} UTC, {state.error_streak} errors in a row"
            if state.last_error:
                detail += f"; last: {state.last_error_reason} {state.last_error}"
            summary.fail("maintenance", "feed-failing", detail, url=hit["_source"].get("url"), feed_id=state.feed_id)
            logger.warning("feed %s: %s", state.feed_id, detail)


def roll_over_and_expire(index: SearchIndex, settings: Settings, summary: RunSummary, now: datetime) -> None:
    """Roll each time-based alias over when due, and delete rolled-over indices past their retention."""
    retention = settings.retention
    aliases = {
        "articles": index.names.articles,
        "claims": index.names.claims,
        "alerts": index.names.alerts,
        "runs": index.names.runs,
        "dead_letters": index.names.dead_letters,
    }
    conditions = {"max_age": f"{int(retention.rollover_max_age_days * 24)}h", "max_docs": retention.rollover_max_docs}
    for kind, alias in aliases.items():
        with search_errors_as_retry(f"rolling over {alias}"):
            result = index.client.indices.rollover(alias=alias, conditions=conditions)
        if result.get("rolled_over"):
            summary.count("indices-rolled-over")
            logger.info("rolled %s over to %s", alias, result["new_index"])
        keep_days = retention.delete_after_days.get(kind, 0)
        if keep_days > 0:
            _expire(index, alias, now - timedelta(days=keep_days), summary)


def _expire(index: SearchIndex, alias: str, cutoff: datetime, summary: RunSummary) -> None:
    with search_errors_as_retry(f"reading the indices of {alias}"):
        members = index.client.indices.get_alias(name=alias).body
    for name, details in members.items():
        if details["aliases"][alias].get("is_write_index"):
            continue  # the index being written to is never expired
        newest = index.client.search(index=name, size=0, aggs={"newest": {"max": {"field": "ingested_at"}}})
        value = newest["aggregations"]["newest"]["value"]
        if value is None or datetime.fromtimestamp(value / 1000, UTC) < cutoff:
            index.client.indices.delete(index=name)
            summary.count("indices-deleted")
            logger.info("deleted %s: nothing newer than %s", name, cutoff.date())


def clean_staging(index: SearchIndex, settings: Settings, summary: RunSummary, now: datetime) -> None:
    """Delete work items finished more than ``retention.staging_done_days`` ago (search, then bulk delete)."""
    cutoff = (now - timedelta(days=settings.retention.staging_done_days)).isoformat()
    query: dict[str, Any] = {
        "bool": {"filter": [{"term": {"status": DONE}}, {"range": {"updated_at": {"lt": cutoff}}}]}
    }
    deleted = 0
    while True:
        with search_errors_as_retry("reading finished work items"):
            hits = index.client.search(index=index.names.staging, query=query, size=1000, source=False)["hits"]["hits"]
        if not hits:
            break
        bulk_write(index.client, [{"_op_type": "delete", "_index": index.names.staging, "_id": h["_id"]} for h in hits])
        index.client.indices.refresh(index=index.names.staging)
        deleted += len(hits)
    summary.count("work-items-cleaned", deleted)


PARTS: dict[str, Part] = {
    "replay-dead-letters": replay_parked,
    "refresh-feed-states": refresh_feed_states,
    "roll-over-and-expire": roll_over_and_expire,
    "clean-staging": clean_staging,
    "report-failing-feeds": report_failing_feeds,
}


def run_part(settings: Settings, name: str, *, now: datetime | None = None) -> dict[str, Any]:
    """One maintenance part (a DAG task); returns its summary document, failures recorded in it."""
    summary = RunSummary(kind="maintenance")
    try:
        PARTS[name](SearchIndex.connect(settings), settings, summary, now or datetime.now(UTC))
        summary.finish("success")
    except Exception as error:  # recorded with the part's name; the other parts still run
        logger.exception("maintenance part %s failed", name)
        summary.fail("maintenance", f"{name}-failed", f"{type(error).__name__}: {error}")
        summary.finish("failed")
    return summary.to_document()


def finish_maintenance(settings: Settings, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge the parts' summaries into one maintenance run and record it."""
    summary = RunSummary(kind="maintenance")
    failed = False
    for document in parts:
        part = RunSummary.from_document(document)
        summary.merge(part)
        failed = failed or part.status != "success"
    try:
        index: SearchIndex | None = SearchIndex.connect(settings, ensure=False)
    except RetryLater:
        index = None
    record_run(summary.finish("partial" if failed else "success"), index, Path(settings.ingest.run_data_dir))
    return summary.to_document()


def run_maintenance(settings: Settings, *, now: datetime | None = None) -> RunSummary:
    """Every maintenance part in process (the CLI), then the merged run summary."""
    documents = [run_part(settings, name, now=now) for name in PARTS]
    return RunSummary.from_document(finish_maintenance(settings, documents))
