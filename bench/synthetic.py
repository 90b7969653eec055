"""A synthetic news web for benchmarks, built from the real corpus pages.

Every corpus page is served under many URLs and outlets: as distinct articles (the words of its
text nodes changed in a pattern of its own, so its shingles share nothing with the other
variants while the page structure and extraction cost stay real), as lightly edited copies
(near duplicates), and as identical copies on other outlets (syndication).
"""

from __future__ import annotations

import random
import re
import zlib
from datetime import UTC, datetime, timedelta

from bench.common import corpus_dir
from newshound_dev.newsweb import NewsSite, Outlet, SiteArticle
from newshound_dev.newsweb.site import extraction_pages, title_and_summary

_TEXT_NODE = re.compile(r">([^<]{20,})<")
_WORD = re.compile(r"\b[a-zà-ÿ]{4,}\b")


def vary(html: str, variant: int, *, edit_every: int = 0) -> str:
    """A distinct article from a page, or a light edit of it.

    Distinct: in every text node a third of the lowercase words swap places, chosen by a seed of
    the variant, so the vocabulary (stop words included, which extraction relies on) stays real
    while the word shingles no longer match. Light edit (``edit_every``): one word in that many
    gets a letter appended.
    """
    node_number = 0

    def text_node(match: re.Match[str]) -> str:
        nonlocal node_number
        node_number += 1
        text = match.group(1)
        words = list(_WORD.finditer(text))
        if edit_every:
            replaced = {
                w.start(): w.group(0) + "x" for i, w in enumerate(words) if i % edit_every == variant % edit_every
            }
        else:
            chooser = random.Random(zlib.crc32(f"{variant}:{node_number}".encode()))
            chosen = [w for w in words if chooser.random() < 1 / 3]
            shuffled = [w.group(0) for w in chosen]
            chooser.shuffle(shuffled)
            replaced = {w.start(): new for w, new in zip(chosen, shuffled, strict=True)}
        if not replaced:
            return match.group(0)
        pieces, last = [], 0
        for word in words:
            if word.start() in replaced:
                pieces.append(text[last : word.start()])
                pieces.append(replaced[word.start()])
                last = word.end()
        pieces.append(text[last:])
        return ">" + "".join(pieces) + "<"

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
    # Distinct bodies made so far, per corpus page: copies and edits are always of one of these.
    distinct: dict[str, list[str]] = {}
    position = 0
    variant = 0
    while position < articles:
        for page_id, _, raw in pages:
            if position >= articles:
                break
            earlier = distinct.setdefault(page_id, [])
            roll = (position * 7919) % 100 / 100  # a fixed spread of kinds over the articles
            if earlier and roll < duplicate_share:
                kind, body = "duplicate", earlier[position % len(earlier)]
            elif earlier and roll < duplicate_share + near_duplicate_share:
                kind, body = "near-duplicate", vary(earlier[position % len(earlier)], position, edit_every=50)
            else:
                kind, body = "unique", vary(raw.decode("utf-8", errors="replace"), variant)
                earlier.append(body)
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
