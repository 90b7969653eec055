"""Canonical, multilingual named entities: knowledge base and rules always, spaCy NER optionally.

    extractor = EntityExtractor.from_settings(settings)
    extractor.extract("Pentagon-Sprecherin Sabrina Singh sagte ...", "de")
    # -> (EntityMention(entity_id="nh:pentagon", role="Sprecherin", ...),
    #     EntityMention(entity_id="nh:sabrina-singh", role="Sprecherin", ...))

Modules: ``kb`` loads and validates the knowledge base, ``german`` holds the inflection rules,
``tokens`` the tokeniser, ``matcher`` the one-pass alias matcher, ``roles`` turns matches into
mentions with roles, ``ner`` runs optional spaCy NER. See docs/entities.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.entities.kb import AmbiguousAlias, KnowledgeBase, KnownEntity, load_knowledge_base
from pipeline.entities.matcher import AliasIndex, scan
from pipeline.entities.ner import NerRunner, SpacyNer, link_ner_spans
from pipeline.entities.roles import build_mentions
from pipeline.entities.tokens import tokenize
from pipeline.models import EntityMention
from pipeline.settings import EntitySettings, Settings

__all__ = [
    "AmbiguousAlias",
    "EntityExtractor",
    "KnowledgeBase",
    "KnownEntity",
    "load_knowledge_base",
    "normalise_language",
]


def normalise_language(language: str | None) -> str | None:
    """ "de-DE", "de_AT", "DE" -> "de"; empty or None -> None."""
    if not language:
        return None
    return language.strip().replace("_", "-").split("-")[0].lower() or None


@dataclass(frozen=True)
class _CacheKey:
    path: str
    modified_ns: int
    use_ner: bool
    ner_max_chars: int
    models: tuple[tuple[str, tuple[str, ...]], ...]


_EXTRACTORS: dict[_CacheKey, EntityExtractor] = {}


def lead(text: str, max_chars: int) -> str:
    """The start of ``text`` up to ``max_chars``, cut after a sentence or paragraph end when there is one."""
    if max_chars <= 0 or len(text) <= max_chars:
        return text
    window = text[:max_chars]
    cut = max(window.rfind(mark) for mark in (". ", "! ", "? ", "\n", "“ ", '" '))
    if cut < max_chars // 2:
        cut = window.rfind(" ")
    return window[: cut + 1] if cut > 0 else window


class EntityExtractor:
    """Finds entity mentions in cleaned article text and links them to canonical ids."""

    def __init__(
        self,
        knowledge_base: KnowledgeBase,
        options: EntitySettings | None = None,
        ner: NerRunner | None = None,
    ) -> None:
        self._knowledge_base = knowledge_base
        self._options = options or EntitySettings()
        self._index = AliasIndex(knowledge_base)
        self._ner: NerRunner = ner if ner is not None else SpacyNer(self._options.spacy_models)

    @classmethod
    def from_settings(cls, settings: Settings) -> EntityExtractor:
        """The extractor for the knowledge base named in the settings (built once per process)."""
        path = settings.config_path(settings.entities.knowledge_base)
        try:
            modified_ns = path.stat().st_mtime_ns
        except OSError:
            modified_ns = -1  # load_knowledge_base reports the missing file
        options = settings.entities
        key = _CacheKey(
            str(path.resolve()),
            modified_ns,
            options.use_ner,
            options.ner_max_chars,
            tuple(sorted((language, tuple(models)) for language, models in options.spacy_models.items())),
        )
        extractor = _EXTRACTORS.get(key)
        if extractor is None:
            extractor = cls(load_knowledge_base(path), options)
            _EXTRACTORS[key] = extractor
        return extractor

    @property
    def knowledge_base(self) -> KnowledgeBase:
        return self._knowledge_base

    def entity(self, entity_id: str) -> KnownEntity | None:
        """Knowledge-base look-up: names, type and aliases of an entity, or None."""
        return self._knowledge_base.entity(entity_id)

    def extract(self, text: str, language: str | None) -> tuple[EntityMention, ...]:
        """Entity mentions in ``text``, sorted by start offset.

        ``language`` selects language-specific aliases and the NER pipeline; with None only
        the knowledge base and rules run.
        """
        return self.extract_many([(text, language)])[0]

    def extract_many(self, documents: Sequence[tuple[str, str | None]]) -> list[tuple[EntityMention, ...]]:
        """``extract`` for each (text, language), with one NER batch per language for all of them."""
        found: list[list[EntityMention]] = []
        languages: list[str | None] = []
        keys: list[set[str]] = []
        for text, language in documents:
            language = normalise_language(language)
            tokens = tokenize(text)
            found.append(build_mentions(text, tokens, scan(self._index, tokens, language), self._knowledge_base))
            languages.append(language)
            keys.append(set(tokens.keys))
        if self._options.use_ner:
            for language in dict.fromkeys(language for language in languages if language is not None):
                positions = [position for position, other in enumerate(languages) if other == language]
                self._add_ner_mentions(
                    [documents[position][0] for position in positions],
                    language,
                    [found[position] for position in positions],
                    [keys[position] for position in positions],
                )
        for mentions in found:
            mentions.sort(key=lambda mention: (mention.start, mention.end))
        return [tuple(mentions) for mentions in found]

    def _add_ner_mentions(
        self, texts: Sequence[str], language: str, found: Sequence[list[EntityMention]], keys: Sequence[set[str]]
    ) -> None:
        """Add the NER mentions of texts of one language to the knowledge-base mentions found in them."""
        leads = [lead(text, self._options.ner_max_chars) for text in texts]
        spans_per_text = self._ner.spans_many(leads, language)
        if spans_per_text is None:
            return  # no model for the language
        for text, spans, mentions, text_keys in zip(texts, spans_per_text, found, keys, strict=True):
            if spans:
                mentions.extend(
                    link_ner_spans(spans, text, language, mentions, self._index, self._knowledge_base, text_keys)
                )
