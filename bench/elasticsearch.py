"""The Elasticsearch the benchmarks use: ``ELASTICSEARCH_URL``, or the local one on port 9200 (started if needed)."""

from __future__ import annotations

import os
import subprocess
import sys

from elasticsearch import Elasticsearch

from bench.common import REPO


def elasticsearch_url() -> str:
    if os.environ.get("ELASTICSEARCH_URL"):
        return os.environ["ELASTICSEARCH_URL"]
    subprocess.run([sys.executable, str(REPO / "scripts" / "elasticsearch"), "start"], check=True)
    return "http://127.0.0.1:9200"


def remove_prefix(url: str, prefix: str) -> None:
    """Delete a benchmark's indices and templates (by name: wildcard deletes may be refused)."""
    client = Elasticsearch(url, request_timeout=60)
    names = list(client.indices.get(index=f"{prefix}-*", expand_wildcards="all").body)
    if names:
        client.indices.delete(index=",".join(names))
    for template in client.indices.get_index_template(name=f"{prefix}-*").body.get("index_templates", []):
        client.indices.delete_index_template(name=template["name"])
    client.close()
