"""A connected cluster with Newshound's indices (``SearchIndex``), and the one translation of the
client's errors into ``RetryLater``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError
from elasticsearch import ConnectionError as SearchConnectionError

from pipeline.errors import Reason, RetryLater
from pipeline.index.capabilities import Capabilities, detect_capabilities
from pipeline.index.client import make_client
from pipeline.index.templates import ensure_indices
from pipeline.settings import IndexNames, Settings

logger = logging.getLogger(__name__)

# HTTP statuses meaning "the cluster cannot take this now", as opposed to "this request is wrong".
UNAVAILABLE_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class SearchIndex:
    """A connected cluster with Newshound's indices in place."""

    client: Elasticsearch
    names: IndexNames
    capabilities: Capabilities

    @classmethod
    def connect(cls, settings: Settings, *, ensure: bool = True) -> SearchIndex:
        """Connect, detect what the cluster can do, and create templates and indices if needed."""
        client = make_client(settings.elasticsearch)
        capabilities = detect_capabilities(client)
        if ensure:
            ensure_indices(client, settings.index_names, capabilities, settings.elasticsearch)
        return cls(client=client, names=settings.index_names, capabilities=capabilities)


def find_document(client: Elasticsearch, alias: str, document_id: str) -> tuple[str, dict[str, Any]] | None:
    """(concrete index, source) of a document by id behind an alias that may span rolled-over indices.

    ``GET alias/_doc/id`` fails once an alias has two indices; an ``ids`` query does not.
    """
    hits = client.search(index=alias, query={"ids": {"values": [document_id]}}, size=1)["hits"]["hits"]
    return (hits[0]["_index"], hits[0]["_source"]) if hits else None


def retry_of(error: BaseException, action: str) -> RetryLater | None:
    """The ``RetryLater`` a search-engine client error stands for ("cluster unreachable or
    overloaded"), or None when it is something else (a bad request is a bug, not a reason to wait).

    The one translation: the run shell (``pipeline.run``) and the command line apply it around
    everything they run, so code below them calls the client directly. The message reaches run
    summaries, logs and the terminal: ``action`` must not carry the URL's password.
    """
    if isinstance(error, SearchConnectionError):
        return RetryLater(Reason.SEARCH_UNAVAILABLE, f"{action}: {error}")
    if isinstance(error, ApiError):
        if error.meta.status in UNAVAILABLE_STATUSES:
            return RetryLater(Reason.SEARCH_UNAVAILABLE, f"{action}: HTTP {error.meta.status}")
        return None
    if isinstance(error, TransportError):
        return RetryLater(Reason.SEARCH_UNAVAILABLE, f"{action}: {error}")
    return None


def missing_index_message(error: BaseException) -> str | None:
    """What a person should do when a read found no index (nothing set up under this prefix yet),
    or None for any other error."""
    if not isinstance(error, ApiError) or error.meta.status != 404 or error.error != "index_not_found_exception":
        return None
    body = error.body if isinstance(error.body, dict) else {}
    name = (body.get("error") or {}).get("index", "")
    return f"index {name!r} does not exist: run `newshound setup` (or `newshound ingest`) first"
