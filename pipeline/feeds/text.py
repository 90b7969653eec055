"""Plain text from the (already sanitised) HTML that feedparser returns for titles and summaries."""

from __future__ import annotations

import html
import re

# feedparser's sanitiser has already removed scripts, styles and comments and re-serialised the
# tags, so a tag is "<" up to the next ">"; "[^<>]" and the possessive quantifiers keep the scan
# linear on broken input.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*+)?[^<>]*+>")
# Tags after which words must not run together ("<p>a</p><p>b</p>" is "a b", not "ab").
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption"),
        *("figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main"),
        *("nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr"),
        "ul",
    }
)
# C0/C1 controls (other than whitespace), which the loose parser lets through from "&#0;" etc.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})


def html_to_text(markup: str) -> str:
    """Tags removed (block tags become a space), entities decoded, whitespace collapsed."""
    text = _TAG.sub(_replace_tag, markup)
    return clean_text(html.unescape(text))


def clean_text(text: str) -> str:
    """Control characters removed and whitespace collapsed to single spaces."""
    return _WHITESPACE.sub(" ", _CONTROL.sub("", text)).strip()


def _replace_tag(match: re.Match[str]) -> str:
    name = (match.group(2) or "").lower()
    return " " if name in _BLOCK_TAGS else ""
