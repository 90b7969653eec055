"""Per-feed polling state: when a feed is due, which entries are new, how the interval adapts."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from pipeline.feeds.state import (
    RECENT_KEYS_LIMIT,
    UNCONDITIONAL_AFTER,
    FeedState,
    after_failure,
    after_success,
    entry_keys,
    initial_state,
    is_due,
    is_failing,
    new_entries,
    request_validators,
)
from pipeline.models import FeedEntry
from pipeline.settings import FeedSettings, FeedSource

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SETTINGS = FeedSettings(
    default_poll_interval_minutes=15,
    min_poll_interval_minutes=5,
    max_poll_interval_minutes=240,
    error_backoff_max_minutes=1440,
    failing_alert_hours=24,
)
SOURCE = FeedSource(id="example", url="https://news.example.com/feed.xml", outlet="Example")


def entry(number: int, *, entry_id: str | None = None, url: str | None = None) -> FeedEntry:
    return FeedEntry(
        feed_id="example",
        outlet="Example",
        url=url or f"https://news.example.com/{number}",
        entry_id=entry_id if entry_id is not None else f"id-{number}",
        title=f"Entry {number}",
        summary="",
        published=None,
        language="en",
    )


def success(state: FeedState | None, entries: list[FeedEntry], now: datetime = T0, **options: Any) -> FeedState:
    """One successful poll as the poller runs it: compute the new entries, then the state."""
    options.setdefault("etag", None)
    options.setdefault("last_modified", None)
    options.setdefault("not_modified", False)
    options.setdefault("source", SOURCE)
    fresh = new_entries(state, entries)
    return after_success(
        state, options.pop("source"), SETTINGS, now=now, entries=entries, new_count=len(fresh), **options
    )


def failure(state: FeedState | None, now: datetime = T0, source: FeedSource = SOURCE) -> FeedState:
    return after_failure(state, source, SETTINGS, now=now, reason="fetch-timeout", detail="read timed out")


# --- due or not --------------------------------------------------------------------------------


def test_a_feed_never_polled_is_due() -> None:
    assert is_due(None, T0)
    assert is_due(initial_state(SOURCE, SETTINGS), T0)


def test_due_exactly_at_the_next_poll_time() -> None:
    state = success(None, [entry(1)])
    assert state.next_poll_at == T0 + timedelta(minutes=15)
    assert not is_due(state, T0 + timedelta(minutes=14, seconds=59))
    assert is_due(state, T0 + timedelta(minutes=15))
    assert is_due(state, T0 + timedelta(hours=3))


def test_due_compares_instants_across_time_zones() -> None:
    state = success(None, [entry(1)])
    berlin = timezone(timedelta(hours=2))
    assert not is_due(state, datetime(2024, 5, 1, 14, 10, tzinfo=berlin))  # 12:10 UTC
    assert is_due(state, datetime(2024, 5, 1, 14, 15, tzinfo=berlin))
    assert is_due(state, datetime(2024, 5, 1, 12, 15))  # naive: taken as UTC


# --- new entries -------------------------------------------------------------------------------


def test_first_poll_everything_is_new_then_nothing() -> None:
    entries = [entry(1), entry(2)]
    assert new_entries(None, entries) == entries
    state = success(None, entries)
    assert new_entries(state, entries) == []
    assert new_entries(state, [entry(3), *entries]) == [entry(3)]


def test_new_entries_found_although_the_validators_did_not_change() -> None:
    """The server sends the same ETag after a change: the entries decide, not the validators."""
    state = success(None, [entry(1), entry(2)], etag='"v1"', last_modified="Wed, 01 May 2024 11:00:00 GMT")
    later = T0 + timedelta(minutes=15)
    polled = [entry(3), entry(1), entry(2)]
    assert new_entries(state, polled) == [entry(3)]
    state = success(state, polled, later, etag='"v1"', last_modified="Wed, 01 May 2024 11:00:00 GMT")
    assert state.total_new_entries == 3
    assert state.last_new_entry_at == later


def test_an_entry_is_known_by_its_id_or_its_link() -> None:
    state = success(None, [entry(1), entry(2)])
    new_guid_same_link = entry(1, entry_id="regenerated-guid")
    same_guid_new_link = entry(2, url="https://news.example.com/2?utm_source=rss")
    assert new_entries(state, [new_guid_same_link, same_guid_new_link]) == []


def test_shared_guids_and_shared_links_do_not_hide_new_entries() -> None:
    """Some feeds give every item the same guid, others link every item to the home page."""
    same_guid = [entry(1, entry_id="feed"), entry(2, entry_id="feed")]
    state = success(None, same_guid)
    assert new_entries(state, [entry(3, entry_id="feed"), *same_guid]) == [entry(3, entry_id="feed")]
    home = "https://news.example.com/"
    same_link = [entry(1, url=home), entry(2, url=home)]
    state = success(None, same_link)
    assert new_entries(state, [entry(3, url=home), *same_link]) == [entry(3, url=home)]


def test_recent_keys_are_bounded_and_keep_the_current_poll() -> None:
    state: FeedState | None = None
    for poll in range(5):
        entries = [entry(poll * 200 + number) for number in range(200)]
        state = success(state, entries, T0 + timedelta(hours=poll))
        assert set(entry_keys(entries)) <= set(state.recent_entry_keys)
    assert state is not None
    assert len(state.recent_entry_keys) == max(RECENT_KEYS_LIMIT, 2 * 400)


def test_not_modified_keeps_keys_and_validators() -> None:
    state = success(None, [entry(1)], etag='"v1"', last_modified="Wed, 01 May 2024 11:00:00 GMT")
    after = success(state, [], T0 + timedelta(minutes=15), not_modified=True)
    assert after.recent_entry_keys == state.recent_entry_keys
    assert (after.etag, after.last_modified) == ('"v1"', "Wed, 01 May 2024 11:00:00 GMT")
    assert after.last_full_fetch_at == T0


def test_validators_are_dropped_when_the_last_full_fetch_is_old() -> None:
    assert request_validators(None, T0) == (None, None)
    state = success(None, [entry(1)], etag='"v1"', last_modified="Wed, 01 May 2024 11:00:00 GMT")
    assert request_validators(state, T0 + timedelta(hours=1)) == ('"v1"', "Wed, 01 May 2024 11:00:00 GMT")
    # a server that keeps answering 304 cannot hide a change for longer than this
    state = success(state, [], T0 + timedelta(hours=1), not_modified=True)
    assert request_validators(state, T0 + UNCONDITIONAL_AFTER) == (None, None)


# --- the interval ------------------------------------------------------------------------------


def test_starting_interval_is_the_registry_value_else_the_default() -> None:
    assert success(None, [entry(1)]).poll_interval_minutes == 15
    own = SOURCE.model_copy(update={"poll_interval_minutes": 10.0})
    assert success(None, [entry(1)], source=own).poll_interval_minutes == 10
    too_fast = SOURCE.model_copy(update={"poll_interval_minutes": 1.0})
    assert success(None, [entry(1)], source=too_fast).poll_interval_minutes == 5  # the minimum


def test_first_poll_does_not_adapt_although_everything_is_new() -> None:
    assert success(None, [entry(n) for n in range(50)]).poll_interval_minutes == 15


def test_quiet_feed_slows_down_to_the_maximum() -> None:
    state = success(None, [entry(1)])
    intervals = []
    for poll in range(1, 12):
        state = success(state, [entry(1)], T0 + timedelta(hours=poll))
        intervals.append(state.poll_interval_minutes)
    assert intervals[:3] == [22.5, 33.75, 50.625]
    assert intervals[-1] == 240
    assert max(intervals) == 240


def test_busy_feed_speeds_up_to_the_minimum() -> None:
    state = success(None, [entry(n) for n in range(10)])
    intervals = []
    for poll in range(1, 6):
        fresh = [entry(poll * 100 + n) for n in range(10)]  # every entry new
        state = success(state, fresh, T0 + timedelta(hours=poll))
        intervals.append(state.poll_interval_minutes)
    assert intervals == [7.5, 5, 5, 5, 5]


def test_some_new_entries_keep_the_interval() -> None:
    state = success(None, [entry(n) for n in range(10)])
    state = success(state, [entry(100), *[entry(n) for n in range(9)]], T0 + timedelta(minutes=15))
    assert state.poll_interval_minutes == 15


def test_not_modified_counts_as_quiet() -> None:
    state = success(None, [entry(1)])
    state = success(state, [], T0 + timedelta(minutes=15), not_modified=True)
    assert state.poll_interval_minutes == 22.5


def test_registry_interval_change_restarts_adaptation() -> None:
    known = [entry(1), entry(2), entry(3)]
    state = success(None, known)
    for poll in range(1, 5):
        state = success(state, known, T0 + timedelta(hours=poll))
    assert state.poll_interval_minutes > 60
    changed = SOURCE.model_copy(update={"poll_interval_minutes": 20.0})
    state = success(state, [entry(4), *known], T0 + timedelta(hours=6), source=changed)
    assert state.poll_interval_minutes == 20  # 1 of 4 new: the new start value stays


# --- failures ----------------------------------------------------------------------------------


def test_failures_back_off_exponentially_up_to_the_cap() -> None:
    state = success(None, [entry(1)])
    delays = []
    for attempt in range(1, 10):
        now = T0 + timedelta(days=attempt)
        state = failure(state, now)
        assert state.next_poll_at is not None
        delays.append((state.next_poll_at - now) / timedelta(minutes=1))
    assert delays == [15, 30, 60, 120, 240, 480, 960, 1440, 1440]
    assert state.error_streak == 9
    assert state.poll_interval_minutes == 15  # the adaptive interval is kept for later
    assert state.last_error == "fetch-timeout: read timed out"
    assert state.last_error_reason == "fetch-timeout"
    assert state.failing_since == T0 + timedelta(days=1)


def test_a_success_resets_the_streak_but_keeps_the_last_error() -> None:
    state = failure(failure(None, T0), T0 + timedelta(hours=1))
    assert state.error_streak == 2 and is_due(state, T0 + timedelta(hours=2))
    recovered = success(state, [entry(1)], T0 + timedelta(hours=2))
    assert recovered.error_streak == 0
    assert recovered.failing_since is None
    assert recovered.last_error == "fetch-timeout: read timed out"  # history for `newshound status`
    assert recovered.next_poll_at == T0 + timedelta(hours=2, minutes=15)
    assert (recovered.total_polls, recovered.total_failures) == (3, 2)


def test_a_first_poll_that_fails_is_retried_at_the_starting_interval() -> None:
    state = failure(None)
    assert state.next_poll_at == T0 + timedelta(minutes=15)
    assert state.last_success_at is None


def test_parse_errors_are_not_prefixed_twice() -> None:
    state = after_failure(
        None, SOURCE, SETTINGS, now=T0, reason="feed-error", detail="feed-error: not a feed (HTML page)"
    )
    assert state.last_error == "feed-error: not a feed (HTML page)"


def test_failing_for_a_day_is_reported() -> None:
    state = failure(None, T0)
    assert not is_failing(state, SETTINGS, T0 + timedelta(hours=23))
    state = failure(state, T0 + timedelta(hours=23))
    assert is_failing(state, SETTINGS, T0 + timedelta(hours=24))
    assert not is_failing(success(state, [entry(1)], T0 + timedelta(hours=25)), SETTINGS, T0 + timedelta(hours=26))


# --- the stored document ---------------------------------------------------------------------


def test_document_round_trip_through_json() -> None:
    state = failure(success(None, [entry(1), entry(2)], etag='"x"'), T0 + timedelta(minutes=15))
    document = json.loads(json.dumps(state.to_document()))
    assert document["state_version"] == 1
    assert document["next_poll_at"] == "2024-05-01T12:30:00+00:00"
    assert FeedState.from_document(document) == state


def test_from_document_ignores_extra_keys_and_fills_missing_ones() -> None:
    document = {
        "feed_id": "example",
        "poll_interval_minutes": 30,
        "next_poll_at": "2024-05-01T12:30:00Z",
        "url": "https://news.example.com/feed.xml",  # the poller adds these
        "outlet": "Example",
        "recent_entry_keys": ["a", 3, "b"],
    }
    state = FeedState.from_document(document)
    assert state.next_poll_at == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert state.recent_entry_keys == ("a", "b")
    assert (state.error_streak, state.total_polls, state.etag) == (0, 0, None)
    # the stored interval differs from the registry's start value: adaptation restarts from it
    assert success(state, [entry(1)], T0).poll_interval_minutes == 15


@pytest.mark.parametrize(
    "broken", [{}, {"next_poll_at": "yesterday", "error_streak": "many", "poll_interval_minutes": None}]
)
def test_from_document_never_fails(broken: dict[str, Any]) -> None:
    state = FeedState.from_document(broken)
    assert is_due(state, T0)
    assert success(state, [entry(1)]).poll_interval_minutes == 15


def test_a_republished_entry_is_new_again_but_a_volatile_feed_is_not() -> None:
    entries = [dataclasses.replace(entry(n), published=T0 - timedelta(hours=n)) for n in range(6)]
    state = success(None, entries)
    assert new_entries(state, entries) == []
    republished = dataclasses.replace(entries[2], published=T0 + timedelta(hours=2))
    changed_feed = [*entries[:2], republished, *entries[3:]]
    assert new_entries(state, changed_feed) == [republished]
    state = success(state, changed_feed)
    assert new_entries(state, changed_feed) == []
    # Every item stamped with the request time: dates say nothing, only unseen items are new.
    stamped = [dataclasses.replace(e, published=T0 + timedelta(days=1)) for e in changed_feed] + [entry(99)]
    assert new_entries(state, stamped) == [stamped[-1]]
