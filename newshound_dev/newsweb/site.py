"""The content of the local news web: outlets, their articles and their feeds.

Built from the shared corpus: every extraction page is served under its original outlet
(the host of its source URL) and the two German seed texts become articles of two outlets.
Tests and benchmarks add articles at run time; feeds change accordingly.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

# Feeds list the newest items only, like real ones.
FEED_ITEM_LIMIT = 50

SEED_OUTLETS = {
    "000_fa1d1d3df9522426.txt": ("nachrichtenblatt", "Nachrichtenblatt", "rss"),
    "004_acf23cb9a31ceae1.txt": ("weltrundschau", "Weltrundschau", "atom"),
}
SEED_TITLES = {
    "000_fa1d1d3df9522426.txt": "Nordkoreanische Soldaten in Russland: Pentagon erhöht Zahl auf 10.000",
}


@dataclass(frozen=True, slots=True)
class Outlet:
    id: str
    name: str
    language: str | None
    feed_format: str  # "rss" or "atom"


@dataclass(frozen=True, slots=True)
class SiteArticle:
    outlet: str
    slug: str
    title: str
    summary: str
    published: datetime
    page: bytes
    language: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return f"/{self.outlet}/{self.slug}.html"


@dataclass
class NewsSite:
    """Outlets and articles; thread-safe so a test can add articles while the server runs."""

    outlets: dict[str, Outlet] = field(default_factory=dict)
    articles: dict[str, list[SiteArticle]] = field(default_factory=dict)
    robots_txt: str = "User-agent: *\nDisallow: /private/\n"
    # Outlets whose feed keeps the same ETag/Last-Modified after it changed (a real-world server bug).
    lying_validators: set[str] = field(default_factory=set)
    # Feeds list the newest items only, like real ones (benchmarks raise it to list everything).
    feed_item_limit: int = FEED_ITEM_LIMIT
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_outlet(self, outlet: Outlet) -> None:
        with self._lock:
            self.outlets.setdefault(outlet.id, outlet)
            self.articles.setdefault(outlet.id, [])

    def add_article(self, article: SiteArticle) -> SiteArticle:
        """Publish an article (replacing one with the same slug: an update)."""
        with self._lock:
            items = self.articles.setdefault(article.outlet, [])
            items[:] = [existing for existing in items if existing.slug != article.slug]
            items.append(article)
        return article

    def remove_article(self, outlet: str, slug: str) -> None:
        with self._lock:
            self.articles[outlet] = [a for a in self.articles.get(outlet, []) if a.slug != slug]

    def page(self, path: str) -> SiteArticle | None:
        parts = path.strip("/").split("/")
        if len(parts) != 2 or not parts[1].endswith(".html"):
            return None
        slug = parts[1][: -len(".html")]
        with self._lock:
            return next((a for a in self.articles.get(parts[0], []) if a.slug == slug), None)

    def feed_paths(self) -> dict[str, str]:
        """Outlet id -> path of its feed."""
        return {outlet_id: f"/feeds/{outlet_id}.xml" for outlet_id in self.outlets}

    def feed_document(self, outlet_id: str, base_url: str) -> bytes | None:
        """The outlet's feed (RSS 2.0 or Atom 1.0) with its newest items."""
        with self._lock:
            outlet = self.outlets.get(outlet_id)
            items = sorted(self.articles.get(outlet_id, []), key=lambda a: a.published, reverse=True)
        if outlet is None:
            return None
        items = items[: self.feed_item_limit]
        if outlet.feed_format == "atom":
            return _atom(outlet, items, base_url)
        return _rss(outlet, items, base_url)

    def feed_last_modified(self, outlet_id: str) -> datetime | None:
        with self._lock:
            items = self.articles.get(outlet_id, [])
            return max((a.published for a in items), default=None)

    @property
    def article_count(self) -> int:
        with self._lock:
            return sum(len(items) for items in self.articles.values())

    @classmethod
    def from_corpus(
        cls,
        corpus_dir: Path,
        *,
        base_time: datetime | None = None,
        include_extraction: bool = True,
        include_seeds: bool = True,
    ) -> NewsSite:
        """The default site: the seed articles and the extraction pages of the shared corpus."""
        site = cls()
        base_time = base_time or datetime.now(UTC).replace(microsecond=0)
        if include_seeds:
            for offset, (name, (outlet_id, outlet_name, feed_format)) in enumerate(SEED_OUTLETS.items()):
                text = (corpus_dir / "seeds" / name).read_text(encoding="utf-8")
                site.add_outlet(Outlet(outlet_id, outlet_name, "de", feed_format))
                site.add_article(seed_article(name, text, outlet_id, outlet_name, base_time - timedelta(hours=offset)))
        if include_extraction:
            for index, (page_id, url, page) in enumerate(extraction_pages(corpus_dir)):
                outlet_id = outlet_id_for(url)
                site.add_outlet(Outlet(outlet_id, urlsplit(url).hostname or outlet_id, None, "rss"))
                title, summary = title_and_summary(page)
                published = base_time - timedelta(minutes=13 * (index + 3))
                site.add_article(SiteArticle(outlet_id, page_id[:16], title, summary, published, page))
        return site


def extraction_pages(corpus_dir: Path) -> list[tuple[str, str, bytes]]:
    """(page id, original URL, HTML bytes) of every page in the extraction corpus, sorted by id."""
    folder = corpus_dir / "extraction"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for path in sorted((folder / "html").glob("*.html.gz")):
        page_id = path.name.removesuffix(".html.gz")
        if page_id in truth:
            pages.append((page_id, str(truth[page_id]["url"]), gzip.decompress(path.read_bytes())))
    return pages


def outlet_id_for(url: str) -> str:
    host = (urlsplit(url).hostname or "unknown").lower().removeprefix("www.")
    return re.sub(r"[^a-z0-9]+", "-", host).strip("-")


def title_and_summary(page: bytes) -> tuple[str, str]:
    """A feed title and summary for a real page: its <title> and meta description."""
    text = page.decode("utf-8", errors="replace")
    title_match = re.search(r"<title[^>]*>(.*?)</title>", text, re.S | re.I)
    title = html.unescape(re.sub(r"\s+", " ", title_match.group(1))).strip() if title_match else ""
    description = re.search(
        r'<meta[^>]+(?:name|property)=["\'](?:og:)?description["\'][^>]*content=["\']([^"\']*)', text, re.I
    )
    summary = html.unescape(description.group(1)).strip() if description else ""
    return title or "Untitled", summary


def seed_article(name: str, text: str, outlet_id: str, outlet_name: str, published: datetime) -> SiteArticle:
    """Render a seed text as the article page of a German outlet, boilerplate and noise included."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if name in SEED_TITLES:
        title, body = SEED_TITLES[name], lines
    else:  # the seed starts with its headline
        title, body = lines[0], lines[1:]
    slug = hashlib.sha1(name.encode()).hexdigest()[:12]
    summary = body[0][:240] if body else ""
    page = render_article_page(outlet_name, title, body, published, language="de", url_path=f"/{outlet_id}/{slug}.html")
    return SiteArticle(outlet_id, slug, title, summary, published, page, "de", ("ausland",))


def render_article_page(
    outlet_name: str, title: str, paragraphs: list[str], published: datetime, *, language: str, url_path: str
) -> bytes:
    """A plausible article page: navigation, headline, byline, body, related links, footer."""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    iso = published.isoformat()
    document = f"""<!DOCTYPE html>
<html lang="{language}"><head><meta charset="utf-8">
<title>{escape(title)} | {escape(outlet_name)}</title>
<meta property="og:title" content="{escape(title)}">
<meta property="og:site_name" content="{escape(outlet_name)}">
<meta name="author" content="Redaktion {escape(outlet_name)}">
<meta property="article:published_time" content="{iso}">
</head><body>
<header><nav><a href="/">Startseite</a> <a href="/politik">Politik</a> <a href="/ausland">Ausland</a>
<a href="/abo">Jetzt abonnieren</a></nav></header>
<main><article>
<h1>{escape(title)}</h1>
<p class="byline">Von Redaktion {escape(outlet_name)},
<time datetime="{iso}">{published:%d.%m.%Y %H:%M}</time></p>
{body}
</article>
<aside><h2>Meistgelesen</h2><ul><li><a href="/a">Wetter: Sturm über Norddeutschland</a></li>
<li><a href="/b">Bundesliga: Die Ergebnisse des Spieltags</a></li></ul></aside></main>
<footer><p>© {published:%Y} {escape(outlet_name)}. Alle Rechte vorbehalten.</p>
<a href="/impressum">Impressum</a> <a href="/datenschutz">Datenschutz</a></footer>
</body></html>"""
    return document.encode("utf-8")


def _rss(outlet: Outlet, items: list[SiteArticle], base_url: str) -> bytes:
    entries = []
    for item in items:
        categories = "".join(f"<category>{escape(tag)}</category>" for tag in item.tags)
        entries.append(
            f"<item><title>{escape(item.title)}</title><link>{escape(base_url + item.path)}</link>"
            f'<guid isPermaLink="false">{escape(outlet.id)}:{escape(item.slug)}</guid>'
            f"<pubDate>{format_datetime(item.published)}</pubDate>"
            f"<description>{escape(item.summary)}</description>{categories}</item>"
        )
    language = f"<language>{outlet.language}</language>" if outlet.language else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(outlet.name)}</title><link>{escape(base_url)}/</link>"
        f"<description>{escape(outlet.name)} news</description>{language}{''.join(entries)}</channel></rss>"
    ).encode()


def _atom(outlet: Outlet, items: list[SiteArticle], base_url: str) -> bytes:
    updated = max((item.published for item in items), default=datetime(2000, 1, 1, tzinfo=UTC))
    entries = []
    for item in items:
        entries.append(
            f"<entry><title>{escape(item.title)}</title>"
            f'<link rel="alternate" href="{escape(base_url + item.path)}"/>'
            f"<id>tag:{escape(outlet.id)},2024:{escape(item.slug)}</id>"
            f"<updated>{item.published.isoformat()}</updated><published>{item.published.isoformat()}</published>"
            f"<summary>{escape(item.summary)}</summary></entry>"
        )
    language = f' xml:lang="{outlet.language}"' if outlet.language else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"{language}>'
        f"<title>{escape(outlet.name)}</title><id>tag:{escape(outlet.id)},2024:feed</id>"
        f'<link rel="alternate" href="{escape(base_url)}/"/><updated>{updated.isoformat()}</updated>'
        f"{''.join(entries)}</feed>"
    ).encode()
