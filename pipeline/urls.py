"""Canonical URLs and the document ids derived from them; URLs as the fetcher requests them.

The id of an article is a hash of its canonical URL, so fetching the same article again (through
a tracking link, another feed, a retried task) always lands on the same document.
``fetchable_url`` is the lossless form a URL travels in between stages (feed entries, redirects):
``normalise_url`` drops parts (tracking and blank query parameters, fragments) and is for ids only.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

import httpx

# A declared canonical pointing at a bare home page is a common CMS bug, not a statement about the article.
_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.php", "/home"})
# C0 controls, DEL and C1 controls are never part of an address; feeds smuggle them in as "&#0;".
_URL_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# A host as httpx sends it: a name (punycode, lower case), IPv4 or IPv6. Anything else ("%20" from
# a space, "%25" from an IPv6 zone id) is malformed, whatever a lenient parser made of it.
_REQUEST_HOST = re.compile(r"[a-z0-9_.-]+|[0-9a-fA-F:.]+")


def fetchable_url(url: str) -> str:
    """``url`` as the fetcher will request it; ValueError ("malformed URL: ...") when it cannot be.

    Control characters are removed; raw spaces and non-ASCII characters are percent-encoded,
    scheme and host lower-cased, an internationalised host written in punycode (IDNA 2008, as
    httpx sends it). Nothing else changes, so the server sees the address the feed gave. Relative
    and non-http(s) URLs are normalised too: judging them is ``url_refusal``'s job.
    """
    cleaned = _URL_CONTROLS.sub("", url).strip()
    try:
        parsed = httpx.URL(cleaned)
        _ = parsed.host  # decodes the IDNA host: raises for labels such as "xn--"
    except (httpx.InvalidURL, UnicodeError) as error:
        raise ValueError(f"malformed URL: {error}") from None
    host = parsed.raw_host.decode("ascii")
    if host and not _REQUEST_HOST.fullmatch(host):
        raise ValueError(f"malformed URL: invalid host {host!r}")
    return str(parsed)


def without_controls(url: str) -> str:
    """``url`` without control characters, for reports about a URL that is not used."""
    return _URL_CONTROLS.sub("", url).strip()


def normalise_url(url: str) -> str:
    """Lowercase scheme and host; drop default ports, tracking parameters (utm_*, fbclid...) and fragments."""
    import courlan  # a tenth of a second to import; the feed stage and `check-feed` do not need it

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
    import courlan

    host = (urlsplit(url).hostname or "").lower()
    try:
        domain = courlan.extract_domain(url)
    except (ValueError, TypeError):
        domain = None
    return str(domain) if domain else host


def article_id(canonical: str) -> str:
    """The document id of the article at ``canonical`` (128 bits of SHA-256, hex)."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
