"""Statistical NER: which backend reads a language, and which stretches of the text it reads.

Backends (``settings.entities.ner_backends``, per language, in order of preference):

* ``corenlp``: the Stanford CoreNLP server started by ``scripts/corenlp`` (``corenlp.py``);
* ``spacy``: the first installed spaCy pipeline of ``settings.entities.spacy_models`` (``spacy_ner.py``).

The first backend that serves the language runs; when none does, the knowledge base and rules
work alone, and the log says so once per language. A backend that fails in the middle of a run
(the server stopped) hands the batch to the next one, and is tried again later.

For languages that capitalise names only (English), the backend reads the stretches around
capitalised words (``ner_context_tokens`` either side) instead of the whole text; a stretch
without a capitalised word other than a common sentence opener holds no name.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pipeline.entities.lexicon import COMMON_WORDS
from pipeline.errors import RetryLater
from pipeline.models import EntityType

logger = logging.getLogger(__name__)

# Labels of the backends' models to our types: CoreNLP (CoNLL and GermEval classes), spaCy
# (OntoNotes for English pipelines, WikiNER for German ones). NORP (nationalities, religious and
# political groups) is "other": a nationality is not an organisation. Numeric and date labels,
# PRODUCT, WORK_OF_ART, LAW and LANGUAGE are not kept: the small pipelines label too much noise
# with them ("Kursk" as a PRODUCT).
LABEL_TYPES: Mapping[str, EntityType] = {
    "PERSON": "person",
    "PER": "person",
    "I-PER": "person",
    "ORGANIZATION": "organisation",
    "ORG": "organisation",
    "I-ORG": "organisation",
    "LOCATION": "location",
    "GPE": "location",
    "LOC": "location",
    "I-LOC": "location",
    "FAC": "location",
    "EVENT": "event",
    "NORP": "other",
    "MISC": "other",
    "I-MISC": "other",
}

# A token for finding capitalised words: letters, digits, inner apostrophes; punctuation alone.
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_SENTENCE_OPENERS = frozenset('.!?:;"“”„«»()[]–—-')


@dataclass(frozen=True, slots=True)
class NerSpan:
    """An entity span found by a statistical model (offsets into the text it was given)."""

    start: int
    end: int
    label: str


class NerBackend(Protocol):
    """A statistical NER model serving some languages."""

    @property
    def name(self) -> str: ...

    def serves(self, language: str) -> bool:
        """Whether this backend can read ``language`` now."""
        ...

    def spans_many(self, texts: Sequence[str], language: str) -> list[list[NerSpan]]:
        """Spans of each text; raises RetryLater when the backend failed (it may work later)."""
        ...


@dataclass(frozen=True, slots=True)
class NerResult:
    """Spans of each text, and the backend that found them (None: no backend served)."""

    spans: list[list[NerSpan]]
    backend: str | None


class NerRouter:
    """Runs each language's texts through the first backend that serves the language."""

    def __init__(
        self,
        backends: Mapping[str, NerBackend],
        preferences: Mapping[str, Sequence[str]],
        context_tokens: Mapping[str, int] | None = None,
    ) -> None:
        self._backends = backends
        self._preferences = preferences
        self._context_tokens = context_tokens or {}
        self._reported: set[tuple[str, str | None]] = set()

    def spans_many(self, texts: Sequence[str], language: str) -> NerResult:
        """Spans in each text from the first backend serving ``language`` that does not fail."""
        margin = self._context_tokens.get(language)
        for name in self._preferences.get(language, ()):
            backend = self._backends.get(name)
            if backend is None or not backend.serves(language):
                continue
            try:
                if margin is None:
                    spans = backend.spans_many(texts, language)
                else:
                    spans = _spans_in_windows(backend, texts, language, margin)
            except RetryLater as error:
                logger.warning(
                    "NER by %s failed for %d %s texts (%s); trying the next backend", name, len(texts), language, error
                )
                continue
            self._report(language, name)
            return NerResult(spans, name)
        self._report(language, None)
        return NerResult([[] for _ in texts], None)

    def _report(self, language: str, backend: str | None) -> None:
        """One log line whenever the backend serving a language changes (or none serves it)."""
        if (language, backend) in self._reported:
            return
        self._reported = {entry for entry in self._reported if entry[0] != language}
        self._reported.add((language, backend))
        if backend is None:
            logger.warning(
                "no NER backend serves %r (tried %s): entities from the knowledge base and rules only",
                language,
                ", ".join(self._preferences.get(language, ())) or "none configured",
            )
        else:
            logger.info("NER for %r by %s", language, backend)


def capitalised_windows(text: str, margin: int, language: str) -> list[tuple[int, int]]:
    """Character ranges around capitalised words, ``margin`` tokens either side, merged.

    A capitalised common word after a sentence break ("The", "But") opens no window.
    """
    common = COMMON_WORDS.get(language, frozenset())
    tokens = [(match.start(), match.end(), match.group()) for match in _TOKEN.finditer(text)]
    windows: list[list[int]] = []
    for position, (_, _, word) in enumerate(tokens):
        if not word[:1].isupper():
            continue
        opens_sentence = position == 0 or tokens[position - 1][2] in _SENTENCE_OPENERS
        if opens_sentence and word.casefold() in common:
            continue
        first, last = max(0, position - margin), min(len(tokens) - 1, position + margin)
        if windows and first <= windows[-1][1] + 1:
            windows[-1][1] = max(windows[-1][1], last)
        else:
            windows.append([first, last])
    return [(tokens[first][0], tokens[last][1]) for first, last in windows]


def _spans_in_windows(backend: NerBackend, texts: Sequence[str], language: str, margin: int) -> list[list[NerSpan]]:
    pieces: list[str] = []
    owners: list[tuple[int, int]] = []  # (text position, offset of the piece in it)
    for position, text in enumerate(texts):
        for start, end in capitalised_windows(text, margin, language):
            pieces.append(text[start:end])
            owners.append((position, start))
    found: list[list[NerSpan]] = [[] for _ in texts]
    if not pieces:
        return found
    for (position, offset), spans in zip(owners, backend.spans_many(pieces, language), strict=True):
        found[position].extend(NerSpan(span.start + offset, span.end + offset, span.label) for span in spans)
    return found
