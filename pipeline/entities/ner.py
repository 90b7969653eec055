"""Optional statistical NER with spaCy, for entities the knowledge base does not know.

For each language, ``settings.entities.spacy_models`` lists pipelines in order of preference;
the first one installed is used, loaded lazily on first use and kept for the life of the
process. Only its NER runs: parser, tagger, lemmatizer and the rest are excluded when loading
(the shared tok2vec too, unless the NER listens to it). No pipeline for the language means
knowledge base and rules only.

NER spans that overlap a knowledge-base mention are dropped (the knowledge base wins). The
rest are linked to a knowledge-base entity through its aliases where possible ("Singh" when
NER says it is a person and only one entity has that surname), else kept as
``ner:<type>:<normalised surface>`` so that Kibana can aggregate them.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pipeline.entities.kb import KnowledgeBase
from pipeline.entities.lexicon import DETERMINERS
from pipeline.entities.matcher import AliasIndex, lookup_surface
from pipeline.entities.tokens import normalise
from pipeline.models import EntityMention, EntityType

logger = logging.getLogger(__name__)

# spaCy labels (OntoNotes for English pipelines, WikiNER for German ones) to our types.
# NORP (nationalities, religious and political groups) is "other": a nationality is not an
# organisation, and country adjectives are already linked to their country by the knowledge
# base. Numeric and date labels, PRODUCT, WORK_OF_ART, LAW and LANGUAGE are not kept: the
# small pipelines label too much noise with them ("Kursk" as a PRODUCT).
LABEL_TYPES: Mapping[str, EntityType] = {
    "PERSON": "person",
    "PER": "person",
    "ORG": "organisation",
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
    "EVENT": "event",
    "NORP": "other",
    "MISC": "other",
}

# Components that never help NER; excluded so that loading and running stay fast.
NON_NER_COMPONENTS = (
    "parser",
    "tagger",
    "morphologizer",
    "lemmatizer",
    "trainable_lemmatizer",
    "attribute_ruler",
    "senter",
    "sentencizer",
    "entity_linker",
    "entity_ruler",
    "textcat",
    "textcat_multilabel",
    "spancat",
    "span_finder",
)

_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")
_PIPELINES: dict[str, Any] = {}
_PIPELINES_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class NerSpan:
    """An entity span found by a statistical model."""

    start: int
    end: int
    label: str


class NerRunner(Protocol):
    """Finds entity spans in texts of one language; returns None when no model serves the language."""

    def spans_many(self, texts: Sequence[str], language: str) -> list[list[NerSpan]] | None: ...


def installed_model(candidates: Sequence[str]) -> str | None:
    """The first of ``candidates`` installed as a Python package, or None."""
    for name in candidates:
        if importlib.util.find_spec(name) is not None:
            return name
    return None


def load_pipeline(name: str) -> Any:
    """The spaCy pipeline ``name`` with only its NER, loaded once per process."""
    with _PIPELINES_LOCK:
        pipeline = _PIPELINES.get(name)
        if pipeline is None:
            import spacy  # imported here: a second's start-up cost that KB-only runs never pay

            pipeline = spacy.load(name, exclude=list(NON_NER_COMPONENTS))
            if "tok2vec" in pipeline.pipe_names and not _ner_listens_to_tok2vec(pipeline):
                pipeline.remove_pipe("tok2vec")
            logger.info("loaded spaCy pipeline %s with components %s", name, pipeline.pipe_names)
            _PIPELINES[name] = pipeline
        return pipeline


def _ner_listens_to_tok2vec(pipeline: Any) -> bool:
    try:
        architecture = pipeline.config["components"]["ner"]["model"]["tok2vec"]["@architectures"]
    except KeyError:
        return True  # unknown layout: keep the shared layer rather than break the model
    return "Listener" in str(architecture)


class SpacyNer:
    """NER with the first installed spaCy pipeline of each language."""

    def __init__(self, models: Mapping[str, Sequence[str]]) -> None:
        self._models = models
        self._chosen: dict[str, str | None] = {}

    def model_for(self, language: str) -> str | None:
        """The pipeline that serves ``language``, or None."""
        if language not in self._chosen:
            self._chosen[language] = installed_model(self._models.get(language, ()))
        return self._chosen[language]

    def spans_many(self, texts: Sequence[str], language: str) -> list[list[NerSpan]] | None:
        """Spans of each text, the texts run through the model as one batch (spaCy's ``pipe``):
        about a third cheaper per text than one call each for article leads and titles."""
        name = self.model_for(language)
        if name is None:
            return None
        documents = load_pipeline(name).pipe(texts, batch_size=max(len(texts), 1))
        return [
            [NerSpan(entity.start_char, entity.end_char, entity.label_) for entity in document.ents]
            for document in documents
        ]


def link_ner_spans(
    spans: Sequence[NerSpan],
    text: str,
    language: str,
    kb_mentions: Sequence[EntityMention],
    index: AliasIndex,
    knowledge_base: KnowledgeBase,
    article_keys: set[str],
) -> list[EntityMention]:
    """Mentions for NER spans outside knowledge-base mentions, linked to the KB where possible."""
    named = {mention.entity_id for mention in kb_mentions}
    taken = sorted((mention.start, mention.end) for mention in kb_mentions)
    mentions: list[EntityMention] = []
    # Surnames of people NER found in full, so that a later "Fairweather" gets the id of
    # "Jane Fairweather" (the small models often label a lone surname ORG or GPE).
    people: dict[str, EntityMention] = {}
    for span in spans:
        entity_type = LABEL_TYPES.get(span.label)
        if entity_type is None or _overlaps(taken, span.start, span.end):
            continue
        start, end = _trimmed(text, span.start, span.end)
        if start >= end:
            continue
        surface = text[start:end]
        target = lookup_surface(index, surface, language, named)
        entity = knowledge_base.entity(target.entity_id) if target and target.entity_id else None
        if entity is not None:
            mentions.append(EntityMention(entity.id, entity.name, entity.type, surface, start, end, "ner"))
            continue
        words = surface.split()
        if language == "de":
            words = _without_genitive(words, article_keys)
        person = people.get(normalise(words[0])) if len(words) == 1 else None
        if person is not None:
            mentions.append(EntityMention(person.entity_id, person.name, "person", surface, start, end, "ner"))
            continue
        name = " ".join(words)
        entity_id = f"ner:{entity_type}:{' '.join(normalise(word) for word in words)}"
        mention = EntityMention(entity_id, name, entity_type, surface, start, end, "ner")
        mentions.append(mention)
        if entity_type == "person" and len(words) > 1:
            people.setdefault(normalise(words[-1]), mention)
    return mentions


def _overlaps(taken: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(other_start < end and start < other_end for other_start, other_end in taken)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets without a leading determiner, a possessive "'s" or edge punctuation."""
    surface = text[start:end]
    while True:
        first, _, rest = surface.partition(" ")
        if rest and first.casefold() in DETERMINERS:
            start += len(first) + 1
            surface = rest
            continue
        break
    if surface.endswith(("'s", "’s")):
        surface = surface[:-2]
        end -= 2
    leading = _EDGE_PUNCTUATION.match(surface)
    if leading:
        start += leading.end()
    trailing = _EDGE_PUNCTUATION.search(surface)
    if trailing and trailing.start() > 0:
        end -= len(surface) - trailing.start()
    return start, end


def _without_genitive(words: list[str], article_keys: set[str]) -> list[str]:
    """Strip a German genitive -s where the same name appears without it in the article
    ("Kirbys" next to "Kirby"); "Paris" or "Scholz" stay as they are."""
    last = words[-1]
    if len(last) > 3 and last.endswith("s") and normalise(last[:-1]) in article_keys:
        return [*words[:-1], last[:-1]]
    return words
