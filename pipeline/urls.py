"""Canonical URLs and the document ids derived from them.

The id of an article is a hash of its canonical URL, so fetching the same article again (through
a tracking link, another feed, a retried task) always lands on the same document.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit, urlunsplit

import courlan

# A declared canonical pointing at a bare home page is a common CMS bug, not a statement about the article.
_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.php", "/home"})


def normalise_url(url: str) -> str:
    """Lowercase scheme and host; drop default ports, tracking parameters (utm_*, fbclid...) and fragments."""
    url = url.strip()
    try:
        normalised = courlan.normalize_url(url)
    except (ValueError, TypeError):
        normalised = url
    parts = urlsplit(normalised)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def canonical_url(fetched_url: str, declared_url: str | None = None) -> str:
    """The article's canonical URL: the page's own declaration when trustworthy, else the fetched URL.

    A declaration (``<link rel=canonical>`` or og:url) is trusted when it is an http(s) URL on the
    same registered domain as the page and not a home page. A cross-domain canonical usually marks
    syndication; that copy keeps its own id and is linked to the original by the duplicate check.
    """
    fetched = normalise_url(fetched_url)
    if not declared_url:
        return fetched
    declared = normalise_url(declared_url)
    parts = urlsplit(declared)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path in _HOME_PATHS:
        return fetched
    if registered_domain(declared) != registered_domain(fetched):
        return fetched
    return declared


def registered_domain(url: str) -> str:
    """The registered domain ("bbc.co.uk" for www.bbc.co.uk), or the host when it has none (IPs)."""
    host = (urlsplit(url).hostname or "").lower()
    try:
        domain = courlan.extract_domain(url)
    except (ValueError, TypeError):
        domain = None
    return str(domain) if domain else host


def article_id(canonical: str) -> str:
    """The document id of the article at ``canonical`` (128 bits of SHA-256, hex)."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
