"""Running the pipeline against the local news web: its feeds as a registry, settings that allow it."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

from newshound_dev.newsweb.server import NewsWebServer
from pipeline.settings import FeedSource, Settings


def news_web_sources(server: NewsWebServer) -> list[FeedSource]:
    """One registry entry per outlet of the local news web."""
    sources = []
    for outlet_id, url in sorted(server.feed_urls().items()):
        outlet = server.site.outlets[outlet_id]
        sources.append(FeedSource(id=outlet_id, url=url, outlet=outlet.name, language=outlet.language, tags=("demo",)))
    return sources


def settings_for_news_web(settings: Settings, server: NewsWebServer) -> Settings:
    """Allow fetching from the loopback news web and drop the politeness delay meant for real sites."""
    fetch = settings.fetch.model_copy(
        update={
            "allowed_hosts": (*settings.fetch.allowed_hosts, server.host),
            "per_host_delay_seconds": 0.0,
            "per_host_concurrency": max(settings.fetch.per_host_concurrency, 8),
        }
    )
    return settings.model_copy(update={"fetch": fetch})


def internet_reachable(sources: Sequence[FeedSource], *, timeout: float = 3.0, tries: int = 3) -> bool:
    """True if a TCP connection to one of the first feeds' hosts succeeds (an offline check for demos)."""
    for source in list(sources)[:tries]:
        parts = urlsplit(source.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname or "", port), timeout=timeout):
                return True
        except OSError:
            continue
    return False
