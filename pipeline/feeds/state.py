"""Per-feed polling state and scheduling: pure functions of the old state, the poll and the clock.

The state of one feed is one JSON document in Elasticsearch (``to_document``/``from_document``;
the caller stores it, and may add keys of its own, which ``from_document`` ignores).

Scheduling rules (docs/feeds.md explains the reasoning):

- A feed starts at its registry interval, else ``feeds.default_poll_interval_minutes``; the
  interval always stays within ``feeds.min_poll_interval_minutes``..``max_poll_interval_minutes``.
- After a poll where at least half of the entries were new, the interval halves: the feed turns
  over faster than we look, and items may scroll out of it before we see them.
- After a poll with nothing new (or a 304), the interval grows by half: a quiet feed costs
  its server and us less, and reaches the maximum after about seven quiet polls.
- Otherwise (some new, under half) the interval is right and stays.
- The first poll of a feed (all entries are new by definition) does not adapt the interval;
  changing the registry interval restarts adaptation from the new value.
- A failed poll keeps the interval and waits interval * 2^(streak - 1), capped at
  ``feeds.error_backoff_max_minutes``; the next success resets the streak.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.models import FeedEntry
from pipeline.settings import FeedSettings, FeedSource

STATE_VERSION = 1
# Entry keys remembered per feed: enough for several polls of a full feed (a poll adds an id and
# a link and a dated version per entry), so an entry that stays in the feed is never seen as new again.
RECENT_KEYS_LIMIT = 750
# A poll in which more than this share of the known entries (at least VOLATILE_MIN_ENTRIES of
# them) changed date is a feed that stamps items with the request time: dates are ignored.
VOLATILE_SHARE = 0.5
VOLATILE_MIN_ENTRIES = 4
NEW_SHARE_TO_SHORTEN = 0.5
SHORTEN_FACTOR = 0.5
LENGTHEN_FACTOR = 1.5
# Validators (ETag, Last-Modified) are not sent when the last full (200) response is older than
# this, so a server that answers 304 after a change cannot hide new entries for long.
UNCONDITIONAL_AFTER = timedelta(hours=6)
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class FeedState:
    """What we know about one feed between polls (times are UTC-aware)."""

    feed_id: str
    poll_interval_minutes: float
    base_interval_minutes: float
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    last_full_fetch_at: datetime | None = None
    last_new_entry_at: datetime | None = None
    next_poll_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    recent_entry_keys: tuple[str, ...] = ()
    error_streak: int = 0
    failing_since: datetime | None = None
    last_error: str | None = None
    last_error_reason: str | None = None
    last_error_at: datetime | None = None
    total_polls: int = 0
    total_failures: int = 0
    total_new_entries: int = 0

    def to_document(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601 strings)."""
        document: dict[str, Any] = {"state_version": STATE_VERSION}
        for key, value in asdict(self).items():
            if isinstance(value, datetime):
                document[key] = value.isoformat()
            elif isinstance(value, tuple):
                document[key] = list(value)
            else:
                document[key] = value
        return document

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> FeedState:
        """Read ``to_document``'s output back; unknown keys are ignored, missing ones defaulted."""
        interval = _float(document.get("poll_interval_minutes"), 0.0)
        return cls(
            feed_id=str(document.get("feed_id") or ""),
            poll_interval_minutes=interval,
            base_interval_minutes=_float(document.get("base_interval_minutes"), interval),
            last_polled_at=_datetime(document.get("last_polled_at")),
            last_success_at=_datetime(document.get("last_success_at")),
            last_full_fetch_at=_datetime(document.get("last_full_fetch_at")),
            last_new_entry_at=_datetime(document.get("last_new_entry_at")),
            next_poll_at=_datetime(document.get("next_poll_at")),
            etag=_optional_string(document.get("etag")),
            last_modified=_optional_string(document.get("last_modified")),
            recent_entry_keys=tuple(
                str(key) for key in document.get("recent_entry_keys") or () if isinstance(key, str)
            ),
            error_streak=int(_float(document.get("error_streak"), 0)),
            failing_since=_datetime(document.get("failing_since")),
            last_error=_optional_string(document.get("last_error")),
            last_error_reason=_optional_string(document.get("last_error_reason")),
            last_error_at=_datetime(document.get("last_error_at")),
            total_polls=int(_float(document.get("total_polls"), 0)),
            total_failures=int(_float(document.get("total_failures"), 0)),
            total_new_entries=int(_float(document.get("total_new_entries"), 0)),
        )


def initial_state(source: FeedSource, settings: FeedSettings) -> FeedState:
    """The state of a feed never polled: due now, at its starting interval."""
    interval = _clamp(_base_interval(source, settings), settings)
    return FeedState(feed_id=source.id, poll_interval_minutes=interval, base_interval_minutes=interval)


def is_due(state: FeedState | None, now: datetime) -> bool:
    """True when the feed should be polled at ``now`` (never polled, or its time has come)."""
    if state is None or state.next_poll_at is None:
        return True
    return _utc(now) >= _utc(state.next_poll_at)


def entry_keys(entries: Sequence[FeedEntry]) -> list[str]:
    """The keys remembered for each entry of one poll: its id and its link, and its dated version.

    An id or link shared by several entries of the poll identifies none of them (some feeds give
    every item the same guid, or link every item to the home page); such an entry is keyed by
    the pair instead.
    """
    keys: list[str] = []
    for entry, identity in zip(entries, _keys_per_entry(entries), strict=True):
        keys.extend(identity)
        version = _version_key(entry)
        if version is not None:
            keys.append(version)
    return keys


def _version_key(entry: FeedEntry) -> str | None:
    """Identity plus publication date: a new value means the entry was re-published."""
    if entry.published is None:
        return None
    return f"v\n{entry.entry_id or entry.url}\n{_utc(entry.published).isoformat()}"


def new_entries(state: FeedState | None, entries: Sequence[FeedEntry]) -> list[FeedEntry]:
    """The entries not seen in earlier polls, and seen entries re-published with a newer date.

    Compares entries, not validators: some servers send the same ETag or Last-Modified after a
    change, so a 200 with old validators is still read entry by entry. A known entry whose date
    changed is returned too (its page is fetched again, so a changed article becomes an update),
    unless most known entries changed date at once: some feeds stamp every item with the time of
    the request, and re-fetching all of them on every poll would only hammer the site.
    """
    seen = set(state.recent_entry_keys) if state is not None else set()
    fresh, republished = [], []
    for entry, keys in zip(entries, _keys_per_entry(entries), strict=True):
        if not any(key in seen for key in keys):
            fresh.append(entry)
            continue
        version = _version_key(entry)
        if version is not None:
            republished.append((entry, version not in seen))
    changed = [entry for entry, is_changed in republished if is_changed]
    volatile = len(republished) >= VOLATILE_MIN_ENTRIES and len(changed) > VOLATILE_SHARE * len(republished)
    return fresh if volatile else fresh + changed


def request_validators(state: FeedState | None, now: datetime) -> tuple[str | None, str | None]:
    """(ETag, Last-Modified) to send with the next request, or (None, None) for a full fetch.

    Validators are dropped when the last 200 is older than UNCONDITIONAL_AFTER: a server that
    keeps answering 304 after the feed changed would otherwise hide it for ever.
    """
    if state is None or state.last_full_fetch_at is None:
        return None, None
    if _utc(now) - _utc(state.last_full_fetch_at) >= UNCONDITIONAL_AFTER:
        return None, None
    return state.etag, state.last_modified


def after_success(
    state: FeedState | None,
    source: FeedSource,
    settings: FeedSettings,
    *,
    now: datetime,
    entries: Sequence[FeedEntry],
    new_count: int,
    etag: str | None,
    last_modified: str | None,
    not_modified: bool,
) -> FeedState:
    """The state after a poll that returned the feed (or 304 Not Modified)."""
    now = _utc(now)
    # On a feed's first successful poll every entry is new: that says nothing about its pace.
    first_poll = state is None or state.last_success_at is None
    state = _current(state, source, settings)
    interval = state.poll_interval_minutes
    if not first_poll:
        interval = _adapted_interval(interval, len(entries), new_count, not_modified)
    interval = _clamp(interval, settings)
    keys = state.recent_entry_keys
    if entries:
        current = list(dict.fromkeys(entry_keys(entries)))
        limit = max(RECENT_KEYS_LIMIT, 2 * len(current))
        keys = tuple(dict.fromkeys([*current, *state.recent_entry_keys]))[:limit]
    return replace(
        state,
        poll_interval_minutes=interval,
        last_polled_at=now,
        last_success_at=now,
        last_full_fetch_at=state.last_full_fetch_at if not_modified else now,
        last_new_entry_at=now if new_count > 0 else state.last_new_entry_at,
        next_poll_at=now + timedelta(minutes=interval),
        etag=etag if etag is not None or not not_modified else state.etag,
        last_modified=last_modified if last_modified is not None or not not_modified else state.last_modified,
        recent_entry_keys=keys,
        error_streak=0,
        failing_since=None,
        total_polls=state.total_polls + 1,
        total_new_entries=state.total_new_entries + max(new_count, 0),
    )


def after_failure(
    state: FeedState | None,
    source: FeedSource,
    settings: FeedSettings,
    *,
    now: datetime,
    reason: str,
    detail: str,
) -> FeedState:
    """The state after a failed poll: back off exponentially, remember the error."""
    now = _utc(now)
    state = _current(state, source, settings)
    streak = state.error_streak + 1
    # 2 ** streak overflows a float long before a streak that long; the cap applies anyway.
    delay = min(state.poll_interval_minutes * 2.0 ** min(streak - 1, 60), settings.error_backoff_max_minutes)
    reason = str(reason)
    detail = detail.strip()
    if not detail:
        message = reason
    elif detail.startswith(reason):
        message = detail  # parse errors already read "feed-error: ..."
    else:
        message = f"{reason}: {detail}"
    return replace(
        state,
        last_polled_at=now,
        next_poll_at=now + timedelta(minutes=delay),
        error_streak=streak,
        failing_since=state.failing_since or now,
        last_error=message[:MAX_ERROR_CHARS],
        last_error_reason=reason,
        last_error_at=now,
        total_polls=state.total_polls + 1,
        total_failures=state.total_failures + 1,
    )


def is_failing(state: FeedState | None, settings: FeedSettings, now: datetime) -> bool:
    """True when the feed has failed without a success for ``feeds.failing_alert_hours`` or more."""
    if state is None or state.failing_since is None:
        return False
    return _utc(now) - _utc(state.failing_since) >= timedelta(hours=settings.failing_alert_hours)


def _current(state: FeedState | None, source: FeedSource, settings: FeedSettings) -> FeedState:
    """The state to update: a new one, or the stored one restarted if the registry interval changed."""
    fresh = initial_state(source, settings)
    if state is None:
        return fresh
    if state.base_interval_minutes != fresh.base_interval_minutes or state.poll_interval_minutes <= 0:
        return replace(
            state,
            feed_id=source.id,
            poll_interval_minutes=fresh.poll_interval_minutes,
            base_interval_minutes=fresh.base_interval_minutes,
        )
    return replace(state, feed_id=source.id, poll_interval_minutes=_clamp(state.poll_interval_minutes, settings))


def _adapted_interval(interval: float, entry_count: int, new_count: int, not_modified: bool) -> float:
    if not_modified or new_count <= 0:
        return interval * LENGTHEN_FACTOR
    if entry_count > 0 and new_count / entry_count >= NEW_SHARE_TO_SHORTEN:
        return interval * SHORTEN_FACTOR
    return interval


def _base_interval(source: FeedSource, settings: FeedSettings) -> float:
    return source.poll_interval_minutes or settings.default_poll_interval_minutes


def _clamp(interval: float, settings: FeedSettings) -> float:
    upper = settings.max_poll_interval_minutes
    lower = min(settings.min_poll_interval_minutes, upper)
    return min(max(interval, lower), upper)


def _keys_per_entry(entries: Sequence[FeedEntry]) -> list[list[str]]:
    ids = _counts(entry.entry_id for entry in entries)
    links = _counts(entry.url for entry in entries)
    per_entry: list[list[str]] = []
    for entry in entries:
        keys = []
        if entry.entry_id and ids[entry.entry_id] == 1:
            keys.append(entry.entry_id)
        if entry.url and links[entry.url] == 1 and entry.url not in keys:
            keys.append(entry.url)
        if not keys:
            keys.append(f"{entry.entry_id}\n{entry.url}")
        per_entry.append(keys)
    return per_entry


def _counts(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def _utc(moment: datetime) -> datetime:
    """Aware datetimes converted to UTC; naive ones are taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return _utc(value)
    if not isinstance(value, str) or not value:
        return None
    try:
        return _utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _float(value: object, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        return float(value)
    except ValueError:
        return default


def _optional_string(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def refreshed(state: FeedState, source: FeedSource, settings: FeedSettings) -> FeedState:
    """The stored state brought in line with the registry and the settings (maintenance).

    A changed registry interval restarts adaptation from it; an interval outside the configured
    bounds is clamped; the next poll moves earlier if the interval shrank.
    """
    current = _current(state, source, settings)
    if current.last_polled_at is None or current.error_streak > 0:
        return current  # never polled (due now) or backing off after errors: leave the schedule alone
    next_poll = _utc(current.last_polled_at) + timedelta(minutes=current.poll_interval_minutes)
    if current.next_poll_at is None or next_poll < _utc(current.next_poll_at):
        return replace(current, next_poll_at=next_poll)
    return current
