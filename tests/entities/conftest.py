"""Fixtures of the entity tests: the repository's knowledge base and extractors built on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.entities import EntityExtractor, KnowledgeBase, load_knowledge_base
from pipeline.settings import EntitySettings, Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_BASE = REPO_ROOT / "config" / "entities.yaml"
LINKING_SET = Path(__file__).resolve().parent / "linking_set.yaml"


def entity_settings(use_ner: bool) -> Settings:
    """Settings pointing at the repository's config folder (no newshound.yaml involved)."""
    return Settings(config_dir=REPO_ROOT / "config", entities=EntitySettings(use_ner=use_ner))


@pytest.fixture(scope="session")
def knowledge_base() -> KnowledgeBase:
    return load_knowledge_base(KNOWLEDGE_BASE)


@pytest.fixture(scope="session")
def extractor() -> EntityExtractor:
    """Knowledge base and rules only."""
    return EntityExtractor.from_settings(entity_settings(use_ner=False))


@pytest.fixture(scope="session")
def ner_extractor() -> EntityExtractor:
    """With spaCy NER where a pipeline is installed (here: English only)."""
    return EntityExtractor.from_settings(entity_settings(use_ner=True))
