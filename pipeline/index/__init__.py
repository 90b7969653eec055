"""The search-engine layer: connection, capabilities, templates, bulk writes, dead letters."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError
from elasticsearch import ConnectionError as SearchConnectionError

from pipeline.errors import Reason, RetryLater
from pipeline.index.capabilities import Capabilities, detect_capabilities
from pipeline.index.client import make_client
from pipeline.index.templates import ensure_indices
from pipeline.settings import IndexNames, Settings, redact_url

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
        # The message reaches run summaries, logs and the CLI: never with the URL's password.
        with search_errors_as_retry(f"connecting to {redact_url(settings.elasticsearch.url)}"):
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


@contextlib.contextmanager
def search_errors_as_retry(action: str) -> Iterator[None]:
    """Turn "cluster unreachable or overloaded" into RetryLater(search-unavailable); let the rest through."""
    try:
        yield
    except SearchConnectionError as error:
        raise RetryLater(Reason.SEARCH_UNAVAILABLE, f"{action}: {error}") from error
    except ApiError as error:
        if error.meta.status in UNAVAILABLE_STATUSES:
            raise RetryLater(Reason.SEARCH_UNAVAILABLE, f"{action}: HTTP {error.meta.status}") from error
        raise
    except TransportError as error:
        raise RetryLater(Reason.SEARCH_UNAVAILABLE, f"{action}: {error}") from error
