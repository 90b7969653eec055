"""Time expressions of a claim ("am Montag", "letzte Woche", "on Monday") and their dates.

Dates are resolved against the article's publication date: a weekday is the most recent such
day on or before it, "letzte Woche"/"last week" the Monday of the week before, an explicit day
and month the latest such date not after publication.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonnabend": 5, "sonntag": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_MONTHS = {
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12, "january": 1,
    "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "october": 10, "december": 12,
    "jan.": 1, "feb.": 2, "aug.": 8, "sept.": 9, "oct.": 10, "nov.": 11, "dec.": 12,
}  # fmt: skip
_WEEKDAY = "|".join(_WEEKDAYS)
_MONTH = "|".join(re.escape(name) for name in _MONTHS)
_RELATIVE_DAYS = {"heute": 0, "today": 0, "gestern": -1, "yesterday": -1, "vorgestern": -2}
_LAST = r"letzte|letzten|vergangene|vergangenen|last|past"
_NEXT = r"nächste|nächsten|kommende|kommenden|next|coming"

_EXPRESSION = re.compile(
    rf"\b(?:(?:am|on|last|this|vergangenen|letzten)\s+)?(?P<weekday>{_WEEKDAY})(?:abend|morgen|nachmittag|vormittag)?\b"
    rf"|\b(?:am\s+|on\s+)?(?P<day>\d{{1,2}})\.?\s+(?P<month>{_MONTH})(?:\s+(?P<year>\d{{4}}))?\b"
    rf"|\b(?:on\s+)?(?P<month2>{_MONTH})\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?(?:,\s+(?P<year2>\d{{4}}))?\b"
    rf"|\b(?P<last>{_LAST})\s+(?P<last_unit>woche|week|monat|month|jahr|year|jahres|monats)\b"
    rf"|\b(?P<next>{_NEXT})\s+(?P<next_unit>woche|week|monat|month|jahr|year)\b"
    r"|\b(?P<relative>heute|today|gestern|yesterday|vorgestern)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """A time expression's text and offsets, and its date when it could be resolved."""

    text: str
    start: int
    end: int
    resolved: date | None


def _resolve(match: re.Match[str], published: date | None) -> date | None:
    if match.group("day") or match.group("day2"):
        day = int(match.group("day") or match.group("day2"))
        month = _MONTHS[(match.group("month") or match.group("month2")).lower()]
        year_text = match.group("year") or match.group("year2")
        if year_text:
            year = int(year_text)
        elif published is None:
            return None
        else:
            year = published.year if (month, day) <= (published.month, published.day) else published.year - 1
        try:
            return date(year, month, day)
        except ValueError:
            return None
    if published is None:
        return None
    if match.group("weekday"):
        weekday = _WEEKDAYS[match.group("weekday").lower()]
        return published - timedelta(days=(published.weekday() - weekday) % 7)
    if match.group("relative"):
        return published + timedelta(days=_RELATIVE_DAYS[match.group("relative").lower()])
    unit = (match.group("last_unit") or match.group("next_unit") or "").lower()
    step = -1 if match.group("last") else 1
    if unit in {"woche", "week"}:
        monday = published - timedelta(days=published.weekday())
        return monday + timedelta(weeks=step)
    if unit in {"monat", "monats", "month"}:
        month_index = published.year * 12 + published.month - 1 + step
        return date(month_index // 12, month_index % 12 + 1, 1)
    return date(published.year + step, 1, 1)


def find_time_expressions(text: str, start: int, end: int, published: date | None) -> list[TimeExpression]:
    """Time expressions in ``text[start:end]``, in text order."""
    return [
        TimeExpression(match.group(), match.start(), match.end(), _resolve(match, published))
        for match in _EXPRESSION.finditer(text, start, end)
    ]
