"""Fixtures of the entity tests: the repository's knowledge base and extractors built on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import TEST_CORENLP_URL

from pipeline.entities import EntityExtractor, KnowledgeBase, load_knowledge_base
from pipeline.settings import CoreNlpSettings, EntitySettings, Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_BASE = REPO_ROOT / "config" / "entities.yaml"
LINKING_SET = Path(__file__).resolve().parent / "linking_set.yaml"


def entity_settings(use_ner: bool) -> Settings:
    """Settings pointing at the repository's config folder (no newshound.yaml involved) and
    at the session's CoreNLP server."""
    entities = EntitySettings(use_ner=use_ner, corenlp=CoreNlpSettings(url=TEST_CORENLP_URL))
    return Settings(config_dir=REPO_ROOT / "config", entities=entities)


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
