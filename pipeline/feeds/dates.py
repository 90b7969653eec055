"""Entry dates: feedparser's reading of a feed's date text, kept only when it is believable.

feedparser reads nearly anything as a date. Found by running hostile and foreign feeds through it:
"9999-12-31" and "0001-01-01" are taken as written; "12" becomes the year 1101, "99" 9801;
"10:00" becomes today at 10:00 (it fills the date in from the clock); "2024-02-30" becomes
1 March; "2024/03/05", "2025年3月5日" and "2025년 3월 5일" all become 1 December of the year.
A wrong date is worse than none: entries are sorted newest first, so a year-9999 entry would
lead every poll, and ``new_entries`` treats a changed date as a re-published article. So:

1. the date must lie between ``EARLIEST_DATE`` and one day after the fetch (clocks and time
   zones of servers are off by hours, not days);
2. the year must be written in the text (4 digits, or 2 as RFC 822 allows; one year either way
   for time zones at New Year);
3. text that starts with a 4-digit year, or contains CJK characters (Chinese, Japanese and
   Korean dates are written year, month, day), must spell a real date (its first three numbers;
   an 8-digit number is ISO 8601's YYYYMMDD) within a day of feedparser's (time zones again).

Anything else gives None: the date is unknown, and the feed's text stays in ``published_raw``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from pipeline.feeds.text import clean_text

# Before the web there were no feeds; an earlier date is a parse of something that is not a date.
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
# How far past the fetch time a date may lie (server clocks and time-zone mistakes).
FUTURE_TOLERANCE = timedelta(days=1)
# The feed's date text as kept in ``FeedEntry.published_raw``: enough for any real date format,
# short enough that a hostile feed cannot store a megabyte per entry.
MAX_RAW_DATE_CHARS = 100

# \d matches any Unicode decimal digit, so fullwidth "２０２４" counts too (int() reads it).
_NUMBER = re.compile(r"\d+")
_YEAR_FIRST = re.compile(r"\s*\d{4}(?:\d{4})?(?!\d)")
# Han (with extension A), hiragana, katakana, Hangul syllables and jamo, CJK punctuation.
_CJK = re.compile(r"[\u1100-\u11ff\u3000-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def raw_date_text(value: object) -> str | None:
    """The feed's date text, cleaned of control characters and cut to ``MAX_RAW_DATE_CHARS``."""
    if not isinstance(value, str):
        return None
    return clean_text(value)[:MAX_RAW_DATE_CHARS] or None


def believable_date(parsed: datetime, raw: str | None, *, fetched_at: datetime) -> datetime | None:
    """``parsed`` (feedparser's reading of ``raw``, aware) when rules 1-3 above accept it, else None.

    ``fetched_at`` (aware) is when the document was fetched: passed in, so that no clock is read here.
    """
    if not EARLIEST_DATE <= parsed <= fetched_at + FUTURE_TOLERANCE:
        return None
    if raw is None:
        return parsed  # no text to check it against (feedparser keeps it; a direct caller may not)
    numbers = _numbers(raw)
    if not _year_written(parsed.year, numbers):
        return None
    if (_YEAR_FIRST.match(raw) or _CJK.search(raw)) and not _same_day(parsed.date(), numbers):
        return None
    return parsed


def _numbers(raw: str) -> list[int]:
    """The numbers written in ``raw``, with "20251201" (ISO 8601 basic format) as 2025, 12, 1."""
    numbers: list[int] = []
    for digits in _NUMBER.findall(raw):
        if len(digits) == 8:
            numbers.extend((int(digits[:4]), int(digits[4:6]), int(digits[6:])))
        else:
            numbers.append(int(digits))
    return numbers


def _year_written(year: int, numbers: list[int]) -> bool:
    years = {year - 1, year, year + 1}
    short_years = {candidate % 100 for candidate in years}
    return any(number in years or (number < 100 and number in short_years) for number in numbers)


def _same_day(parsed: date, numbers: list[int]) -> bool:
    """True when the text's year, month, day (month and day default to 1) is within a day of ``parsed``."""
    if not numbers:
        return False
    year, month, day = [*numbers, 1, 1][:3]
    try:
        written = date(year, month, day)
    except (ValueError, OverflowError):
        return False  # "2024-02-30", "令和6年" (year 6): no such date, so feedparser's is invented
    return abs(written - parsed) <= timedelta(days=1)
