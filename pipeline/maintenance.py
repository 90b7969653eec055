"""Daily maintenance: analyse articles indexed before the word-form fields existed, replay dead
letters, refresh feed states, roll over and expire indices, clean up finished work items, and
report feeds that have been failing for a day.

Every part is idempotent and independent: a part that fails (a bug, a refused request) is
recorded and the others still run; an unreachable cluster fails the run (in-process) or the
part's task (Airflow retries it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import ApiError, TransportError

from pipeline.errors import ItemFailure, Reason, RetryLater, Stage
from pipeline.feeds.state import FeedState, is_failing, refreshed
from pipeline.index.articles import analysis_fields
from pipeline.index.bulk import bulk_write
from pipeline.index.connection import retry_of
from pipeline.index.dead_letters import replay_dead_letters
from pipeline.ingest.poll import load_feed_states, save_feed_states
from pipeline.ingest.workitems import DONE
from pipeline.run import Ending, RunContext, RunShell
from pipeline.settings import Settings, load_feed_registry
from pipeline.summary import RunSummary

logger = logging.getLogger(__name__)
Part = Callable[[RunContext], None]


def replay_parked(run: RunContext) -> None:
    """Send parked documents again and requeue parked work items."""
    result = replay_dead_letters(run.index.client, run.index.names)
    run.summary.count(Reason.DEAD_LETTERS_REPLAYED, result.replayed)
    for error in result.errors:
        run.summary.fail(ItemFailure(Stage.MAINTENANCE, Reason.DEAD_LETTER_STILL_FAILING, error))


def refresh_feed_states(run: RunContext) -> None:
    """Align stored feed states with the registry: new intervals, clamped bounds, removed feeds dropped."""
    index, settings = run.index, run.settings
    sources = {source.id: source for source in load_feed_registry(settings).feeds}
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
    run.summary.count(Reason.FEED_STATES_REFRESHED, len(updated))
    run.summary.count(Reason.FEED_STATES_REMOVED, len(removed))


def report_failing_feeds(run: RunContext) -> None:
    """Feeds failing for ``feeds.failing_alert_hours`` or longer, each recorded as a failure of the run."""
    index = run.index
    response = index.client.search(index=index.names.feeds, query={"exists": {"field": "failing_since"}}, size=10_000)
    for hit in response["hits"]["hits"]:
        state = FeedState.from_document(hit["_source"])
        if is_failing(state, run.settings.feeds, run.now()):
            detail = f"failing since {state.failing_since:%Y-%m-%d %H:%M} UTC, {state.error_streak} errors in a row"
            if state.last_error:
                detail += f"; last: {state.last_error_reason} {state.last_error}"
            url = hit["_source"].get("url")
            run.summary.fail(
                ItemFailure(Stage.MAINTENANCE, Reason.FEED_FAILING, detail, url=url, feed_id=state.feed_id)
            )
            logger.warning("feed %s: %s", state.feed_id, detail)


def roll_over_and_expire(run: RunContext) -> None:
    """Roll each time-based alias over when due, and delete rolled-over indices past their retention."""
    index, retention = run.index, run.settings.retention
    aliases = {
        "articles": index.names.articles,
        "claims": index.names.claims,
        "alerts": index.names.alerts,
        "runs": index.names.runs,
        "dead_letters": index.names.dead_letters,
    }
    conditions = {"max_age": f"{int(retention.rollover_max_age_days * 24)}h", "max_docs": retention.rollover_max_docs}
    for kind, alias in aliases.items():
        result = index.client.indices.rollover(alias=alias, conditions=conditions)
        if result.get("rolled_over"):
            run.summary.count(Reason.INDICES_ROLLED_OVER)
            logger.info("rolled %s over to %s", alias, result["new_index"])
        keep_days = retention.delete_after_days.get(kind, 0)
        if keep_days > 0:
            _expire(run, alias, run.now() - timedelta(days=keep_days))


def _expire(run: RunContext, alias: str, cutoff: datetime) -> None:
    client = run.index.client
    members = client.indices.get_alias(name=alias).body
    for name, details in members.items():
        if details["aliases"][alias].get("is_write_index"):
            continue  # the index being written to is never expired
        newest = client.search(index=name, size=0, aggs={"newest": {"max": {"field": "ingested_at"}}})
        value = newest["aggregations"]["newest"]["value"]
        if value is None or datetime.fromtimestamp(value / 1000, UTC) < cutoff:
            client.indices.delete(index=name)
            run.summary.count(Reason.INDICES_DELETED)
            logger.info("deleted %s: nothing newer than %s", name, cutoff.date())


def clean_staging(run: RunContext) -> None:
    """Delete work items finished more than ``retention.staging_done_days`` ago (search, then bulk delete)."""
    index = run.index
    cutoff = (run.now() - timedelta(days=run.settings.retention.staging_done_days)).isoformat()
    query: dict[str, Any] = {
        "bool": {"filter": [{"term": {"status": DONE}}, {"range": {"updated_at": {"lt": cutoff}}}]}
    }
    deleted = 0
    while True:
        hits = index.client.search(index=index.names.staging, query=query, size=1000, source=False)["hits"]["hits"]
        if not hits:
            break
        bulk_write(index.client, [{"_op_type": "delete", "_index": index.names.staging, "_id": h["_id"]} for h in hits])
        index.client.indices.refresh(index=index.names.staging)
        deleted += len(hits)
    run.summary.count(Reason.WORK_ITEMS_CLEANED, deleted)


# Articles analysed per run by analyse_older_articles: a bounded share of the day's work.
ANALYSED_PER_RUN = 20_000
_ANALYSIS_PAGE = 500


def analyse_older_articles(run: RunContext) -> None:
    """Fill the analysis fields (``title_stems``, ``text_stems``) of articles indexed before
    Newshound had them, so other word forms find older news too; at most ``ANALYSED_PER_RUN``
    per run, in the order they were ingested."""
    index = run.index
    query = {"bool": {"must_not": [{"exists": {"field": "text_stems"}}]}}
    after: list[Any] | None = None
    analysed = 0
    while analysed < ANALYSED_PER_RUN:
        page = index.client.search(
            index=index.names.articles,
            query=query,
            size=_ANALYSIS_PAGE,
            sort=[{"ingested_at": "asc"}, {"id": "asc"}],
            search_after=after,
            source_includes=["title", "text", "language"],
        )["hits"]["hits"]
        if not page:
            break
        actions = [
            {
                "_op_type": "update",
                "_index": hit["_index"],
                "_id": hit["_id"],
                "doc": analysis_fields(
                    str(hit["_source"].get("title") or ""),
                    str(hit["_source"].get("text") or ""),
                    hit["_source"].get("language"),
                ),
            }
            for hit in page
        ]
        outcome = bulk_write(index.client, actions)
        analysed += len(outcome.written)
        after = page[-1]["sort"]
    run.summary.count(Reason.ARTICLES_ANALYSED, analysed)


PARTS: dict[str, Part] = {
    "analyse-older-articles": analyse_older_articles,
    "replay-dead-letters": replay_parked,
    "refresh-feed-states": refresh_feed_states,
    "roll-over-and-expire": roll_over_and_expire,
    "clean-staging": clean_staging,
    "report-failing-feeds": report_failing_feeds,
}


def run_part(settings: Settings, name: str, run_id: str) -> dict[str, Any]:
    """One maintenance part (a DAG task): its summary part; an unreachable cluster raises (Airflow retries)."""
    shell = RunShell(settings, "maintenance", run_id=run_id, ending=Ending.PART)
    with shell as run:
        _guarded_part(run, name)
    return shell.summary.to_document()


def finish_maintenance(settings: Settings, run_id: str, parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Merge the parts' summaries into one maintenance run and record it."""
    shell = RunShell(settings, "maintenance", run_id=run_id, ending=Ending.FINISH, ensure_indices=False)
    with shell as run:
        for document in parts:
            run.summary.merge(RunSummary.from_document(document))
    return shell.summary.to_document()


def run_maintenance(settings: Settings) -> RunSummary:
    """Every maintenance part in process (the CLI), in one run."""
    shell = RunShell(settings, "maintenance")
    with shell as run:
        for name in PARTS:
            _guarded_part(run, name)
    return shell.summary


def _guarded_part(run: RunContext, name: str) -> None:
    """Run a part; a failure other than an unreachable cluster is recorded and the others still run."""
    try:
        PARTS[name](run)
    except (RetryLater, ApiError, TransportError) as error:
        if isinstance(error, RetryLater) or retry_of(error, name) is not None:
            raise  # the cluster is gone: the shell fails the run (or the task, for Airflow to retry)
        _record_part_failure(run, name, error)
    except Exception as error:  # a bug in one part must not stop the others
        _record_part_failure(run, name, error)


def _record_part_failure(run: RunContext, name: str, error: Exception) -> None:
    logger.exception("maintenance part %s failed", name)
    detail = f"{name}: {type(error).__name__}: {error}"
    run.summary.fail(ItemFailure(Stage.MAINTENANCE, Reason.MAINTENANCE_PART_FAILED, detail))
