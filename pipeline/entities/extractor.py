"""The entity stage's entry point: ``EntityExtractor`` finds the knowledge base's names and rules'
matches, then statistical NER's, and links them all to stable ids.

    extractor = EntityExtractor.from_settings(settings)
    extractor.extract("Pentagon-Sprecherin Sabrina Singh sagte ...", "de")
    # -> (EntityMention(entity_id="nh:pentagon", role="Sprecherin", ...),
    #     EntityMention(entity_id="nh:sabrina-singh", role="Sprecherin", ...))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.entities.corenlp import CoreNlpNer
from pipeline.entities.kb import AmbiguousAlias, KnowledgeBase, KnownEntity, load_knowledge_base
from pipeline.entities.linking import link_ner_spans
from pipeline.entities.matcher import AliasIndex, scan
from pipeline.entities.ner import NerBackend, NerRouter
from pipeline.entities.roles import build_mentions
from pipeline.entities.spacy_ner import SpacyNer
from pipeline.entities.tokens import TokenList, tokenize
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
    options: str  # the entity settings as JSON (pydantic models with dicts do not hash)


_EXTRACTORS: dict[_CacheKey, EntityExtractor] = {}


def ner_backends(options: EntitySettings) -> dict[str, NerBackend]:
    """The NER backends the settings can name, by name."""
    return {"corenlp": CoreNlpNer(options.corenlp), "spacy": SpacyNer(options.spacy_models)}


class EntityExtractor:
    """Finds entity mentions in cleaned article text and links them to canonical ids."""

    def __init__(
        self,
        knowledge_base: KnowledgeBase,
        options: EntitySettings | None = None,
        backends: dict[str, NerBackend] | None = None,
    ) -> None:
        self._knowledge_base = knowledge_base
        self._options = options or EntitySettings()
        self._index = AliasIndex(knowledge_base)
        self._ner = NerRouter(
            backends if backends is not None else ner_backends(self._options),
            self._options.ner_backends,
            self._options.ner_context_tokens,
            self._options.ner_cache_pieces,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> EntityExtractor:
        """The extractor for the knowledge base named in the settings (built once per process)."""
        path = settings.config_path(settings.entities.knowledge_base)
        try:
            modified_ns = path.stat().st_mtime_ns
        except OSError:
            modified_ns = -1  # load_knowledge_base reports the missing file
        key = _CacheKey(str(path.resolve()), modified_ns, settings.entities.model_dump_json())
        extractor = _EXTRACTORS.get(key)
        if extractor is None:
            extractor = cls(load_knowledge_base(path), settings.entities)
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

        ``language`` selects language-specific aliases and the NER backend; with None only
        the knowledge base and rules run.
        """
        return self.extract_many([(text, language)])[0]

    def extract_many(self, documents: Sequence[tuple[str, str | None]]) -> list[tuple[EntityMention, ...]]:
        """``extract`` for each (text, language), with one NER batch per language for all of them."""
        found: list[list[EntityMention]] = []
        languages: list[str | None] = []
        token_lists: list[TokenList] = []
        for text, language in documents:
            language = normalise_language(language)
            tokens = tokenize(text)
            found.append(build_mentions(text, tokens, scan(self._index, tokens, language), self._knowledge_base))
            languages.append(language)
            token_lists.append(tokens)
        if self._options.use_ner:
            for language in dict.fromkeys(language for language in languages if language is not None):
                positions = [position for position, other in enumerate(languages) if other == language]
                texts = [documents[position][0] for position in positions]
                spans_per_text = self._ner.spans_many(
                    texts, [token_lists[position] for position in positions], language
                )
                for position, text, spans in zip(positions, texts, spans_per_text, strict=True):
                    if spans:
                        found[position] = link_ner_spans(
                            spans,
                            text,
                            token_lists[position],
                            language,
                            found[position],
                            self._index,
                            self._knowledge_base,
                        )
        return [tuple(sorted(mentions, key=lambda mention: (mention.start, mention.end))) for mentions in found]

    def resolve(self, name: str) -> EntityMention | None:
        """The entity a name typed by a person stands for, with the id ingestion gives it.

        The knowledge base first (any language); else the name as NER reads it (English, then
        German model), so "Jane Fairweather" becomes ``ner:person:jane-fairweather``, as in an
        article; None when nothing in the name reads as a name.
        """
        name = " ".join(name.split())
        whole = (0, len(name))
        for mention in self.extract(name, None):
            if (mention.start, mention.end) == whole:
                return mention
        if self._options.use_ner:
            for language in ("en", "de"):
                mentions = self.extract(name, language)
                # One name, maybe after a title or role ("Dr. Anna Weber", "Sprecherin Jana Velten").
                if len(mentions) == 1 and mentions[0].end == whole[1]:
                    return mentions[0]
        return None
