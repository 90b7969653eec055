"""Elasticsearch client construction: one place that turns settings into a client."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from pipeline.settings import ElasticsearchSettings

# Statuses worth retrying inside the client (overload and restarts), before our own run-level retry.
RETRY_ON_STATUS = (429, 502, 503, 504)


def make_client(settings: ElasticsearchSettings) -> Elasticsearch:
    """Build a client from the settings: URL, API key or basic auth, TLS, timeouts and retries."""
    options: dict[str, Any] = {
        "request_timeout": settings.request_timeout_seconds,
        "max_retries": settings.max_retries,
        "retry_on_timeout": True,
        "retry_on_status": RETRY_ON_STATUS,
        "verify_certs": settings.verify_certs,
    }
    if settings.ca_certs:
        options["ca_certs"] = settings.ca_certs
    if settings.api_key is not None:
        options["api_key"] = settings.api_key.get_secret_value()
    elif settings.username and settings.password is not None:
        options["basic_auth"] = (settings.username, settings.password.get_secret_value())
    return Elasticsearch(settings.url, **options)
