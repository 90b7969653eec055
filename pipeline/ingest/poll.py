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
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.errors import Reason
from pipeline.feeds.parse import ParsedFeed, parse_feed
from pipeline.feeds.state import FeedState, after_failure, after_success, is_due, new_entries, request_validators
from pipeline.fetch import FeedResponse, Fetcher, FetchFailure
from pipeline.index import SearchIndex, search_errors_as_retry
from pipeline.index.bulk import bulk_write
from pipeline.ingest.workitems import stage_entries
from pipeline.models import FeedEntry
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
    with search_errors_as_retry("reading feed states"):
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


def poll_feeds(
    index: SearchIndex,
    settings: Settings,
    sources: Sequence[FeedSource],
    summary: RunSummary,
    *,
    now: datetime,
    force: bool = False,
    fetcher_options: dict[str, Any] | None = None,
) -> PollResult:
    """Poll the due feeds (all of them with ``force``) and stage their new entries."""
    started = time.perf_counter()
    states = load_feed_states(index, [source.id for source in sources])
    due = [source for source in sources if force or is_due(states.get(source.id), now)]
    summary.count("feeds-due", len(due))
    responses = asyncio.run(_fetch_feeds(due, states, settings, fetcher_options or {}, now))
    result = PollResult()
    new_states: list[FeedState] = []
    for source, response in zip(due, responses, strict=True):
        state = states.get(source.id)
        result.polled_feeds.append(source.id)
        if isinstance(response, FetchFailure):
            summary.fail("poll", response.reason, response.detail, url=source.url, feed_id=source.id)
            new_states.append(
                after_failure(state, source, settings.feeds, now=now, reason=response.reason, detail=response.detail)
            )
            continue
        if response.not_modified:
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
        parsed = _parse(source, response, settings)
        for refused in parsed.refused_links:
            summary.fail("poll", Reason.UNSAFE_URL, refused.reason, url=refused.url, feed_id=source.id)
        if parsed.error is not None:
            summary.fail("poll", Reason.FEED_ERROR, parsed.error, url=source.url, feed_id=source.id)
            new_states.append(
                after_failure(state, source, settings.feeds, now=now, reason=Reason.FEED_ERROR, detail=parsed.error)
            )
            continue
        fresh = new_entries(state, parsed.entries)
        result.item_ids.extend(stage_entries(index, fresh, summary.run_id))
        summary.count("entries-new", len(fresh))
        new_states.append(
            after_success(
                state,
                source,
                settings.feeds,
                now=now,
                entries=parsed.entries,
                new_count=len(fresh),
                etag=response.etag,
                last_modified=response.last_modified,
                not_modified=False,
            )
        )
    save_feed_states(index, new_states, {source.id: source for source in sources})
    summary.time("poll", time.perf_counter() - started)
    return result


def read_feeds(
    settings: Settings,
    sources: Sequence[FeedSource],
    summary: RunSummary,
    *,
    now: datetime,
    fetcher_options: dict[str, Any] | None = None,
) -> list[FeedEntry]:
    """All current entries of these feeds, fetched unconditionally, without touching their state (backfill)."""
    responses = asyncio.run(_fetch_feeds(sources, {}, settings, fetcher_options or {}, now))
    entries: list[FeedEntry] = []
    for source, response in zip(sources, responses, strict=True):
        if isinstance(response, FetchFailure):
            summary.fail("poll", response.reason, response.detail, url=source.url, feed_id=source.id)
            continue
        parsed = _parse(source, response, settings)
        if parsed.error is not None:
            summary.fail("poll", Reason.FEED_ERROR, parsed.error, url=source.url, feed_id=source.id)
            continue
        entries.extend(parsed.entries)
    return entries


def _parse(source: FeedSource, response: FeedResponse, settings: Settings) -> ParsedFeed:
    return parse_feed(
        response.body,
        source,
        base_url=response.final_url,
        content_type=response.content_type,
        content_language=response.content_language,
        max_bytes=settings.feeds.max_feed_bytes,
        max_entries=settings.feeds.max_entries_per_poll,
        allowed_hosts=settings.fetch.allowed_hosts,
    )


async def _fetch_feeds(
    sources: Sequence[FeedSource],
    states: dict[str, FeedState],
    settings: Settings,
    options: dict[str, Any],
    now: datetime,
) -> list[Any]:
    async with Fetcher(settings.fetch, **options) as fetcher:
        tasks = []
        for source in sources:
            etag, last_modified = request_validators(states.get(source.id), now)
            tasks.append(fetcher.fetch_feed(source.url, etag=etag, last_modified=last_modified))
        return list(await asyncio.gather(*tasks))
