"""Polling: fetch the feeds that are due, stage their new entries, then record each feed's state.

Feed state lives in Elasticsearch (one document per feed), so any worker can poll any feed.
The order matters: entries are staged before the state that marks them seen is saved, so a
crash in between means polling them again (staging is create-once), never losing them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from pipeline.errors import ItemFailure, Reason, Stage
from pipeline.feeds.parse import ParsedFeed, parse_feed
from pipeline.feeds.state import FeedState, after_failure, after_success, is_due, new_entries, request_validators
from pipeline.fetch.client import Fetcher
from pipeline.fetch.results import FeedResponse
from pipeline.index.bulk import bulk_write
from pipeline.index.connection import SearchIndex
from pipeline.ingest.workitems import stage_entries
from pipeline.models import FeedEntry
from pipeline.run import RunContext
from pipeline.settings import FeedSource, Settings
from pipeline.summary import RunSummary

logger = logging.getLogger(__name__)


@dataclass
class PollResult:
    item_ids: list[str] = field(default_factory=list)
    polled_feeds: list[str] = field(default_factory=list)


def load_feed_states(index: SearchIndex, feed_ids: Sequence[str]) -> dict[str, FeedState]:
    """The stored state of each feed (feeds never polled are absent)."""
    if not feed_ids:
        return {}
    response = index.client.mget(index=index.names.feeds, ids=list(feed_ids))
    return {doc["_id"]: FeedState.from_document(doc["_source"]) for doc in response["docs"] if doc.get("found")}


def save_feed_states(index: SearchIndex, states: Sequence[FeedState], sources: dict[str, FeedSource]) -> None:
    actions = []
    for state in states:
        source = sources.get(state.feed_id)
        document = {
            **state.to_document(),
            "url": source.url if source else None,
            "outlet": source.outlet if source else None,
        }
        actions.append({"_op_type": "index", "_index": index.names.feeds, "_id": state.feed_id, "_source": document})
    outcome = bulk_write(index.client, actions)
    if outcome.failures:
        logger.warning("could not save %d feed states: %s", len(outcome.failures), outcome.failures[0].error)


def poll_feeds(run: RunContext, sources: Sequence[FeedSource], *, force: bool = False) -> PollResult:
    """Poll the due feeds (all of them with ``force``) and stage their new entries."""
    index, settings, summary, now = run.index, run.settings, run.summary, run.now()
    started = time.perf_counter()
    states = load_feed_states(index, [source.id for source in sources])
    due = [source for source in sources if force or is_due(states.get(source.id), now)]
    summary.count(Reason.FEEDS_DUE, len(due))
    responses = asyncio.run(_fetch_feeds(due, states, settings, now))
    result = PollResult()
    new_states: list[FeedState] = []
    for source, response in zip(due, responses, strict=True):
        state = states.get(source.id)
        result.polled_feeds.append(source.id)
        parsed = response if isinstance(response, ItemFailure) else None
        if isinstance(response, FeedResponse) and response.not_modified:
            summary.count(Reason.FEED_NOT_MODIFIED)
            new_states.append(
                after_success(
                    state,
                    source,
                    settings.feeds,
                    now=now,
                    entries=[],
                    new_count=0,
                    etag=response.etag,
                    last_modified=response.last_modified,
                    not_modified=True,
                )
            )
            continue
        feed = _parse(source, response, settings, summary, now) if isinstance(response, FeedResponse) else parsed
        if isinstance(feed, ItemFailure):
            summary.fail(feed)
            new_states.append(
                after_failure(state, source, settings.feeds, now=now, reason=feed.reason, detail=feed.detail)
            )
            continue
        assert isinstance(response, FeedResponse) and feed is not None
        fresh = new_entries(state, feed.entries)
        result.item_ids.extend(stage_entries(index, fresh, summary.run_id))
        summary.count(Reason.ENTRIES_NEW, len(fresh))
        new_states.append(
            after_success(
                state,
                source,
                settings.feeds,
                now=now,
                entries=feed.entries,
                new_count=len(fresh),
                etag=response.etag,
                last_modified=response.last_modified,
                not_modified=False,
            )
        )
    save_feed_states(index, new_states, {source.id: source for source in sources})
    summary.time("poll", time.perf_counter() - started)
    return result


def read_feeds(run: RunContext, sources: Sequence[FeedSource]) -> list[FeedEntry]:
    """All current entries of these feeds, fetched unconditionally, without touching their state (backfill)."""
    responses = asyncio.run(_fetch_feeds(sources, {}, run.settings, run.now()))
    entries: list[FeedEntry] = []
    for source, response in zip(sources, responses, strict=True):
        feed = (
            _parse(source, response, run.settings, run.summary, run.now())
            if isinstance(response, FeedResponse)
            else response
        )
        if isinstance(feed, ItemFailure):
            run.summary.fail(feed)
            continue
        entries.extend(feed.entries)
    return entries


def _parse(
    source: FeedSource, response: FeedResponse, settings: Settings, summary: RunSummary, fetched_at: datetime
) -> ParsedFeed | ItemFailure:
    """The feed's entries, or why it cannot be used; links refused on the way are recorded."""
    parsed = parse_feed(
        response.body,
        source,
        base_url=response.final_url,
        content_type=response.content_type,
        content_language=response.content_language,
        max_bytes=settings.feeds.max_feed_bytes,
        max_entries=settings.feeds.max_entries_per_poll,
        allowed_hosts=settings.fetch.allowed_hosts,
        fetched_at=fetched_at,
    )
    for refused in parsed.refused_links:
        summary.fail(ItemFailure(Stage.POLL, Reason.UNSAFE_URL, refused.reason, url=refused.url, feed_id=source.id))
    return parsed.failure or parsed


async def _fetch_feeds(
    sources: Sequence[FeedSource], states: dict[str, FeedState], settings: Settings, now: datetime
) -> list[FeedResponse | ItemFailure]:
    """Every feed's response, or its fetch failure recorded as a failure of polling that feed."""
    async with Fetcher(settings.fetch) as fetcher:
        tasks = []
        for source in sources:
            etag, last_modified = request_validators(states.get(source.id), now)
            tasks.append(fetcher.fetch_feed(source.url, etag=etag, last_modified=last_modified))
        responses = await asyncio.gather(*tasks)
    return [
        replace(response, stage=Stage.POLL, url=source.url, feed_id=source.id)
        if isinstance(response, ItemFailure)
        else response
        for source, response in zip(sources, responses, strict=True)
    ]
