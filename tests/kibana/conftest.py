"""Fixtures of the Kibana tests: the shipped saved objects, the index templates' mappings, versions.

Test modules take everything through fixtures (with ``--import-mode=importlib`` a ``conftest``
cannot be imported by name: ``tests/conftest.py`` would answer).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import PINNED_ELASTICSEARCH_VERSION, REPO_ROOT

from newshound_dev.kibana_checks import mappings_for_patterns
from pipeline.index.capabilities import Capabilities
from pipeline.index.templates import index_definitions
from pipeline.kibana.saved_objects import load_saved_objects
from pipeline.settings import IndexNames

# The test server has no optional modules; a full distribution adds the language analyzers
# (and with them the .de/.en subfields of text fields).
CAPABILITIES = {
    "bare": Capabilities(PINNED_ELASTICSEARCH_VERSION, frozenset()),
    "full": Capabilities(
        PINNED_ELASTICSEARCH_VERSION, frozenset({"analysis-common", "percolator", "lang-painless", "reindex"})
    ),
}

MappingsFor = Callable[[Any, str], dict[str, Any]]


@pytest.fixture(scope="session")
def kibana_folder() -> Path:
    return REPO_ROOT / "config" / "kibana"


@pytest.fixture(scope="session")
def docs_path() -> Path:
    return REPO_ROOT / "docs" / "kibana.md"


@pytest.fixture(scope="session")
def saved_objects(kibana_folder: Path) -> list[dict[str, Any]]:
    return load_saved_objects(kibana_folder)


@pytest.fixture(scope="session")
def data_views_by_name(saved_objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["attributes"]["name"]: item for item in saved_objects if item["type"] == "index-pattern"}


@pytest.fixture(scope="session")
def mappings_for() -> MappingsFor:
    """``mappings_for(patterns, "bare" | "full")``: index pattern -> mapping of the template it reads."""

    def build(patterns: Any, capabilities: str) -> dict[str, Any]:
        definitions = index_definitions(IndexNames("newshound"), CAPABILITIES[capabilities])
        return mappings_for_patterns(patterns, definitions)

    return build


@pytest.fixture(scope="session")
def compose_kibana_version() -> tuple[int, int, int]:
    compose = (REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    found = set(re.findall(r"docker\.elastic\.co/kibana/kibana:(\d+)\.(\d+)\.(\d+)", compose))
    assert len(found) == 1, f"expected one Kibana version in docker-compose.yml, found {found}"
    major, minor, patch = next(iter(found))
    return int(major), int(minor), int(patch)
