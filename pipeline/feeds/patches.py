"""A fix to feedparser 6.0.14 that input checks cannot make: its sanitiser's unclosed-comment scan.

``_HTMLSanitizer.parse_comment`` looks for the end of an unclosed ``<!--`` in HTML content
with ``re.search(r'--[^>]*>')``, which backtracks quadratically over a run of dashes: 160 kB of
``<!--`` in one description took 25 s, a megabyte would take many minutes. The HTML sits inside
escaped text or CDATA, so no check of the XML can see it. The replacement finds the same match
with two ``str.find`` calls: the leftmost "--" after the opener, then the first ">" after it.
The patch is applied only to the pinned version; tests/feeds check that it is in place.
"""

from __future__ import annotations

import importlib.metadata
import logging
from typing import Any

from feedparser.sanitizer import _HTMLSanitizer

logger = logging.getLogger(__name__)

PATCHED_FEEDPARSER_VERSION = "6.0.14"


def apply_feedparser_patches() -> bool:
    """Install the linear comment scan; True when it is in place (idempotent)."""
    if _HTMLSanitizer.parse_comment is _parse_comment:
        return True
    version = importlib.metadata.version("feedparser")
    if version != PATCHED_FEEDPARSER_VERSION:
        logger.warning(
            "feedparser %s is not the patched version %s: unclosed HTML comments stay slow",
            version,
            PATCHED_FEEDPARSER_VERSION,
        )
        return False
    _HTMLSanitizer.parse_comment = _parse_comment
    return True


def _parse_comment(self: Any, i: int, report: int = 1) -> int:
    """feedparser's ``_HTMLSanitizer.parse_comment`` with the backtracking regex replaced."""
    end: int = super(_HTMLSanitizer, self).parse_comment(i, report)
    if end >= 0:
        return end
    # Unclosed comment: re.search(r"--[^>]*>", rawdata, i + 4) matches at the first "--" iff a
    # ">" follows it anywhere (then no later "--" can do better), and ends after that ">".
    rawdata: str = self.rawdata
    dashes = rawdata.find("--", i + 4)
    if dashes != -1:
        close = rawdata.find(">", dashes + 2)
        if close != -1:
            return close + 1
    # unclosed comment: like feedparser, drop the rest rather than emit it as text
    return len(rawdata)
