"""Fixtures of the entity tests: the repository's knowledge base and extractors built on it."""

from __future__ import annotations

import pytest
from helpers import REPO_ROOT, entity_settings

from pipeline.entities.extractor import EntityExtractor
from pipeline.entities.kb import KnowledgeBase, load_knowledge_base

KNOWLEDGE_BASE = REPO_ROOT / "config" / "entities.yaml"


@pytest.fixture(scope="session")
def knowledge_base() -> KnowledgeBase:
    return load_knowledge_base(KNOWLEDGE_BASE)


@pytest.fixture(scope="session")
def extractor() -> EntityExtractor:
    """Knowledge base and rules only."""
    return EntityExtractor.from_settings(entity_settings(use_ner=False))


@pytest.fixture(scope="session")
def ner_extractor() -> EntityExtractor:
    """With NER: CoreNLP for German and English, as in production."""
    return EntityExtractor.from_settings(entity_settings(use_ner=True))
