"""NER with spaCy pipelines: the first installed pipeline of each language, only its NER.

For each language, ``settings.entities.spacy_models`` lists pipelines in order of preference;
the first one installed is used, loaded lazily on first use and kept for the life of the
process. Only its NER runs: parser, tagger, lemmatizer and the rest are excluded when loading
(the shared tok2vec too, unless the NER listens to it).
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.entities.ner import NerSpan

logger = logging.getLogger(__name__)

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

_PIPELINES: dict[str, Any] = {}
_PIPELINES_LOCK = threading.Lock()


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
            import spacy  # imported here: a second's start-up cost that runs without spaCy never pay

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

    @property
    def name(self) -> str:
        return "spacy"

    def model_for(self, language: str) -> str | None:
        """The pipeline that serves ``language``, or None."""
        if language not in self._chosen:
            self._chosen[language] = installed_model(self._models.get(language, ()))
        return self._chosen[language]

    def serves(self, language: str) -> bool:
        return self.model_for(language) is not None

    def spans_many(self, texts: Sequence[str], language: str) -> list[list[NerSpan]]:
        """Spans of each text, the texts run through the model as one batch (spaCy's ``pipe``)."""
        name = self.model_for(language)
        if name is None:
            return [[] for _ in texts]
        documents = load_pipeline(name).pipe(texts, batch_size=max(len(texts), 1))
        return [
            [NerSpan(entity.start_char, entity.end_char, entity.label_) for entity in document.ents]
            for document in documents
        ]
