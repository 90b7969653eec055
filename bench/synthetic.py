"""A synthetic news web for benchmarks, built from the real corpus pages.

Every corpus page is served under many URLs and outlets: as distinct articles (the words of its
text nodes changed in a pattern of its own, so its shingles share nothing with the other
variants while the page structure and extraction cost stay real), as lightly edited copies
(near duplicates), and as identical copies on other outlets (syndication).
"""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime, timedelta

from bench.common import corpus_dir
from pipeline.newsweb import NewsSite, Outlet, SiteArticle
from pipeline.newsweb.site import extraction_pages, title_and_summary

_TEXT_NODE = re.compile(r">([^<]{20,})<")
_WORD = re.compile(r"\b[a-zà-ÿ]{4,}\b")


def vary(html: str, variant: int, *, edit_every: int = 0) -> str:
    """A distinct article from a page (a third of its lowercase words reversed, chosen by a hash of
    the variant and the word's position, so no two variants share a pattern), or a light edit."""

    def text_node(match: re.Match[str]) -> str:
        counter = 0

        def word(found: re.Match[str]) -> str:
            nonlocal counter
            counter += 1
            if edit_every:
                return found.group(0) + "x" if counter % edit_every == variant % edit_every else found.group(0)
            return found.group(0)[::-1] if zlib.crc32(f"{variant}:{counter}".encode()) % 3 == 0 else found.group(0)

        return ">" + _WORD.sub(word, match.group(1)) + "<"

    return _TEXT_NODE.sub(text_node, html)


def synthetic_site(
    articles: int, *, outlets: int = 24, near_duplicate_share: float = 0.1, duplicate_share: float = 0.1
) -> tuple[NewsSite, dict[str, int]]:
    """A site with about ``articles`` articles; returns it and how many of each kind it holds."""
    pages = extraction_pages(corpus_dir())
    site = NewsSite(feed_item_limit=10_000)
    for number in range(outlets):
        site.add_outlet(Outlet(f"outlet-{number:02d}", f"Outlet {number:02d}", None, "rss" if number % 2 else "atom"))
    now = datetime.now(UTC).replace(microsecond=0)
    kinds = {"unique": 0, "near-duplicate": 0, "duplicate": 0}
    position = 0
    variant = 0
    while position < articles:
        for page_id, _, raw in pages:
            if position >= articles:
                break
            html = raw.decode("utf-8", errors="replace")
            roll = (position * 7919) % 100 / 100  # a fixed spread of kinds over the articles
            if roll < duplicate_share and variant > 0:
                kind, body = "duplicate", vary(html, variant - 1)
            elif roll < duplicate_share + near_duplicate_share and variant > 0:
                kind, body = "near-duplicate", vary(vary(html, variant - 1), position, edit_every=50)
            else:
                kind, body = "unique", vary(html, variant)
            title, summary = title_and_summary(body.encode())
            outlet = f"outlet-{position % outlets:02d}"
            published = now - timedelta(seconds=position * 7)
            site.add_article(
                SiteArticle(outlet, f"{page_id[:12]}-{variant}-{position}", title, summary, published, body.encode())
            )
            kinds[kind] += 1
            position += 1
        variant += 1
    return site, kinds
