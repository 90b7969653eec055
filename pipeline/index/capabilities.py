"""What the connected cluster can do: optional modules are detected, never assumed.

The test server (integ-test-zip) has no ``analysis-common`` (language analyzers), no
``percolator``, no ``lang-painless`` and no ``reindex``; a full distribution has them all.
Newshound uses them when present and falls back otherwise, logging each fallback once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from elasticsearch import Elasticsearch

logger = logging.getLogger(__name__)
_already_logged: set[str] = set()


@dataclass(frozen=True, slots=True)
class Capabilities:
    """Version and modules present on every node of the cluster."""

    version: str
    modules: frozenset[str]

    @property
    def language_analyzers(self) -> bool:
        return "analysis-common" in self.modules

    @property
    def percolator(self) -> bool:
        return "percolator" in self.modules

    @property
    def major_version(self) -> int:
        return int(self.version.split(".")[0])


def detect_capabilities(client: Elasticsearch) -> Capabilities:
    """Ask the cluster for its nodes' modules and plugins (``GET _nodes/plugins``)."""
    response = client.nodes.info(metric="plugins")
    nodes = list(response["nodes"].values())
    per_node = [
        frozenset(item["name"] for item in (node.get("modules") or []) + (node.get("plugins") or [])) for node in nodes
    ]
    modules = frozenset.intersection(*per_node) if per_node else frozenset()
    versions = sorted({str(node.get("version", "0")) for node in nodes})
    capabilities = Capabilities(version=versions[0] if versions else "0", modules=modules)
    if not capabilities.language_analyzers:
        log_once("no-analysis-common", "cluster lacks analysis-common: text fields use the standard analyzer only")
    return capabilities


def log_once(key: str, message: str) -> None:
    """Log a fallback once per process, not once per call."""
    if key not in _already_logged:
        _already_logged.add(key)
        logger.info(message)
