"""Helpers shared by the CLI commands: settings, the shared corpus, output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from pipeline.settings import Settings

console = Console()


def settings_from_environment() -> Settings:
    """The settings of config/ with the environment's overrides (imported here: half a second)."""
    from pipeline.settings import load_settings

    return load_settings()


def default_corpus_dir() -> Path:
    """The shared corpus, by the one rule in ``newshound_dev.corpus``."""
    from newshound_dev.corpus import shared_corpus_dir  # development tooling: imported only when used

    return shared_corpus_dir()


def resolve_entity(name_or_id: str, settings: Settings) -> str:
    """An entity id as given, or the id ingestion gives the name: the knowledge base's, else the
    NER name's, with the type the index already knows for that name when it knows one."""
    from elasticsearch import ApiError, TransportError

    from pipeline.entities.extractor import EntityExtractor
    from pipeline.errors import ConfigError, NewshoundError
    from pipeline.index.articles import indexed_entity_ids
    from pipeline.index.connection import SearchIndex
    from pipeline.models import ENTITY_ID

    if ENTITY_ID.fullmatch(name_or_id):
        return name_or_id
    mention = EntityExtractor.from_settings(settings).resolve(name_or_id)
    if mention is None:
        raise ConfigError(
            "--entity",
            name_or_id,
            "neither a knowledge-base entity nor a name",
            "give a name as news writes it (Jane Fairweather) or an id (Q7747, nh:pentagon)",
        )
    if not mention.entity_id.startswith("ner:"):
        return mention.entity_id
    try:
        index = SearchIndex.connect(settings, ensure=False)
        known = indexed_entity_ids(index.client, index.names.articles, mention.entity_id)
    except (NewshoundError, ApiError, TransportError):  # no index to ask: the type NER reads the name with
        return mention.entity_id
    return known[0] if known else mention.entity_id


def print_json_line(document: Any) -> None:
    """One JSON object on one line (the last line of machine-readable commands)."""
    print(json.dumps(document, ensure_ascii=False, default=str), flush=True)
