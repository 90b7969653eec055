"""Statistical NER: which backend reads a language, and which stretches of the text it reads.

Backends (``settings.entities.ner_backends``, per language, in order of preference):

* ``corenlp``: the Stanford CoreNLP server started by ``scripts/corenlp`` (``corenlp.py``);
* ``spacy``: the first installed spaCy pipeline of ``settings.entities.spacy_models`` (``spacy_ner.py``).

The first backend that serves the language runs; when none does, the knowledge base and rules
work alone, and the log says so once per language. A backend that fails in the middle of a run
(the server stopped) hands the batch to the next one, and is tried again later.

For languages that capitalise names only (English), the backend reads the stretches around
capitalised words (``ner_context_tokens`` words either side) instead of the whole text; a
stretch without a capitalised word other than a common sentence opener holds no name.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pipeline.entities.lexicon import COMMON_WORDS
from pipeline.entities.tokens import Gap, TokenList
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


class NerRouter:
    """Runs each language's texts through the first backend that serves the language."""

    def __init__(
        self,
        backends: Mapping[str, NerBackend],
        preferences: Mapping[str, Sequence[str]],
        context_tokens: Mapping[str, int] | None = None,
        cached_pieces: int = 0,
    ) -> None:
        self._backends = backends
        self._preferences = preferences
        self._context_tokens = context_tokens or {}
        self._reported: set[tuple[str, str | None]] = set()
        self._cache: OrderedDict[tuple[str, str, str], list[NerSpan]] = OrderedDict()
        self._cached_pieces = cached_pieces

    def spans_many(self, texts: Sequence[str], token_lists: Sequence[TokenList], language: str) -> list[list[NerSpan]]:
        """Spans in each text (given with its tokens) from the first backend serving ``language``
        that does not fail."""
        margin = self._context_tokens.get(language)
        pieces: list[str] = []
        owners: list[tuple[int, int]] = []  # (text position, offset of the piece in it)
        for position, (text, tokens) in enumerate(zip(texts, token_lists, strict=True)):
            ranges = [(0, len(text))] if margin is None else capitalised_windows(tokens, margin, language)
            for start, end in ranges:
                pieces.append(text[start:end])
                owners.append((position, start))
        for name in self._preferences.get(language, ()):
            backend = self._backends.get(name)
            if backend is None or not backend.serves(language):
                continue
            try:
                piece_spans = self._cached_spans(backend, name, pieces, language)
            except RetryLater as error:
                logger.warning(
                    "NER by %s failed for %d %s texts (%s); trying the next backend", name, len(texts), language, error
                )
                continue
            self._report(language, name)
            found: list[list[NerSpan]] = [[] for _ in texts]
            for (position, offset), spans in zip(owners, piece_spans, strict=True):
                found[position].extend(NerSpan(span.start + offset, span.end + offset, span.label) for span in spans)
            return found
        self._report(language, None)
        return [[] for _ in texts]

    def _cached_spans(
        self, backend: NerBackend, name: str, pieces: Sequence[str], language: str
    ) -> list[list[NerSpan]]:
        """Spans of each piece; pieces read before (syndicated copies, repeated boilerplate) come
        from a bounded cache, the rest from the backend in one call."""
        keys = [(name, language, piece) for piece in pieces]
        found: dict[tuple[str, str, str], list[NerSpan]] = {}
        for key in keys:
            if key in self._cache:
                found[key] = self._cache[key]
                self._cache.move_to_end(key)
        missing = [key for key in dict.fromkeys(keys) if key not in found]
        if missing:
            for key, spans in zip(missing, backend.spans_many([key[2] for key in missing], language), strict=True):
                found[key] = spans
                if self._cached_pieces:
                    self._cache[key] = spans
            while len(self._cache) > self._cached_pieces:
                self._cache.popitem(last=False)
        return [found[key] for key in keys]

    def _report(self, language: str, backend: str | None) -> None:
        """One log line whenever the backend serving a language changes (or none serves it)."""
        if (language, backend) in self._reported:
            return
        self._reported = {entry for entry in self._reported if entry[0] != language}
        self._reported.add((language, backend))
        if backend is None:
            tried = self._preferences.get(language, ())
            # A language with no backend configured is expected (Japanese pages); one whose backends
            # are all down is not.
            logger.log(
                logging.WARNING if tried else logging.INFO,
                "no NER backend serves %r (tried %s): entities from the knowledge base and rules only",
                language,
                ", ".join(tried) or "none configured",
            )
        else:
            logger.info("NER for %r by %s", language, backend)


def capitalised_windows(tokens: TokenList, margin: int, language: str) -> list[tuple[int, int]]:
    """Character ranges around capitalised words, ``margin`` words either side, merged.

    A capitalised common word that opens a sentence (after punctuation or a line break: "The",
    "But") opens no window.
    """
    common = COMMON_WORDS.get(language, frozenset())
    texts, keys, gaps = tokens.texts, tokens.keys, tokens.gaps
    count = len(texts)
    windows: list[list[int]] = []
    for position in range(count):
        if not texts[position][:1].isupper():
            continue
        if keys[position] in common and (position == 0 or gaps[position - 1] is Gap.BREAK):
            continue
        first, last = max(0, position - margin), min(count - 1, position + margin)
        if windows and first <= windows[-1][1] + 1:
            windows[-1][1] = max(windows[-1][1], last)
        else:
            windows.append([first, last])
    return [(tokens.starts[first], tokens.ends[last]) for first, last in windows]
