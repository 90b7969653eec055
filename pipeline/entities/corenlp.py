"""Statistical NER by a Stanford CoreNLP server on loopback (German and English CRF models).

Stanford CoreNLP is GPL v3: Newshound never imports or bundles it. ``scripts/corenlp`` fetches
it from Maven Central and runs its HTTP server as a separate program; this module only sends
text and reads JSON back, as it does with Elasticsearch. Measured on the development parts of
the gold data (``newshound eval ner``): German GermEval 2014 F1 0.76, English wikigold 0.62,
about 20,000 tokens a second on one core; see docs/entities.md.

Texts of one call are joined into as few requests as the server's size limit allows, with a
blank line between them (a sentence break for the server) and mapped back by offset. Only the
token labels are read: the server's own mention builder adds pronouns ("he", "his") as people.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import httpx

from pipeline.entities.ner import NerSpan
from pipeline.errors import Reason, RetryLater
from pipeline.settings import CoreNlpSettings

logger = logging.getLogger(__name__)

# Between two texts of one request: a blank line is a sentence break (``newlineIsSentenceBreak``).
TEXT_SEPARATOR = "\n\n"
OUTSIDE = "O"
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")
# Properties of every request: tokenise, split sentences, run the CRF and nothing else (no
# part-of-speech tagger, no numeric, date or fine-grained classifiers).
BASE_PROPERTIES: Mapping[str, str] = {
    "annotators": "tokenize,ssplit,ner",
    "outputFormat": "json",
    "enforceRequirements": "false",
    "ssplit.newlineIsSentenceBreak": "two",
    "ner.useSUTime": "false",
    "ner.applyNumericClassifiers": "false",
    "ner.applyFineGrained": "false",
    "ner.buildEntityMentions": "false",
}


class CoreNlpNer:
    """NER through the CoreNLP server named in the settings, for the languages it has a model for."""

    def __init__(self, options: CoreNlpSettings, client: httpx.Client | None = None) -> None:
        self._options = options
        self._client = client or _shared_client(options.timeout_seconds, options.connect_timeout_seconds)
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._up = False

    @property
    def name(self) -> str:
        return "corenlp"

    def serves(self, language: str) -> bool:
        """Whether a model is configured for ``language`` and the server answers (checked again
        after ``recheck_seconds`` when it did not, so a server started later is picked up)."""
        if language not in self._options.models:
            return False
        with self._lock:
            now = time.monotonic()
            if self._checked_at is None or (not self._up and now - self._checked_at >= self._options.recheck_seconds):
                was_checked = self._checked_at is not None
                self._up = self._answers()
                self._checked_at = now
                if not self._up and not was_checked:
                    logger.warning(
                        "CoreNLP server at %s does not answer: NER for %s falls back to the next backend "
                        "(start it with: scripts/corenlp start)",
                        self._options.url,
                        ", ".join(sorted(self._options.models)),
                    )
                elif self._up and was_checked:
                    logger.warning("CoreNLP server at %s answers again: NER by CoreNLP resumes", self._options.url)
            return self._up

    def _answers(self) -> bool:
        try:
            return self._client.get(
                f"{self._options.url}/live", timeout=self._options.connect_timeout_seconds
            ).is_success
        except httpx.HTTPError:
            return False

    def spans_many(self, texts: Sequence[str], language: str) -> list[list[NerSpan]]:
        """Entity spans of each text (offsets into that text), labels as the model names them."""
        found: list[list[NerSpan]] = [[] for _ in texts]
        properties = json.dumps(
            {
                **BASE_PROPERTIES,
                "tokenize.language": language,
                "ner.model": self._options.models[language],
            }
        )
        for request in _requests(texts, self._options.max_request_chars):
            body = request.body
            document = self._annotate(body, properties)
            to_index = _utf16_to_index(body)
            for start, end, label in _labelled_runs(document):
                start, end = to_index(start), to_index(end)
                number = bisect.bisect_right(request.starts, start) - 1
                shift = request.starts[number] - request.offsets[number]
                found[request.texts[number]].append(NerSpan(start - shift, end - shift, label))
        return found

    def _annotate(self, body: str, properties: str) -> dict[str, Any]:
        try:
            response = self._client.post(
                f"{self._options.url}/", params={"properties": properties}, content=body.encode("utf-8")
            )
        except httpx.HTTPError as error:
            self._mark_down()
            raise RetryLater(Reason.NER_UNAVAILABLE, f"CoreNLP at {self._options.url}: {error}") from error
        if response.status_code != 200:
            if response.status_code >= 500:
                self._mark_down()
            raise RetryLater(Reason.NER_UNAVAILABLE, f"CoreNLP answered {response.status_code}: {response.text[:200]}")
        result: dict[str, Any] = response.json()
        return result

    def _mark_down(self) -> None:
        with self._lock:
            self._up = False
            self._checked_at = time.monotonic()


_CLIENTS: dict[tuple[float, float], httpx.Client] = {}
_CLIENTS_LOCK = threading.Lock()


def _shared_client(timeout: float, connect_timeout: float) -> httpx.Client:
    """One connection pool per process and timeouts: extractors come and go, connections stay."""
    with _CLIENTS_LOCK:
        client = _CLIENTS.get((timeout, connect_timeout))
        if client is None:
            client = httpx.Client(timeout=httpx.Timeout(timeout, connect=connect_timeout))
            _CLIENTS[(timeout, connect_timeout)] = client
        return client


class _Request:
    """Pieces of texts joined into one request body: for each, the text's position in the call,
    where the piece starts in the body and where it starts in its text."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.texts: list[int] = []
        self.starts: list[int] = []
        self.offsets: list[int] = []
        self.length = 0

    def add(self, position: int, offset: int, piece: str) -> None:
        if self.parts:
            self.parts.append(TEXT_SEPARATOR)
            self.length += len(TEXT_SEPARATOR)
        self.texts.append(position)
        self.starts.append(self.length)
        self.offsets.append(offset)
        self.parts.append(piece)
        self.length += len(piece)

    @property
    def body(self) -> str:
        return "".join(self.parts)


def _requests(texts: Sequence[str], max_chars: int) -> Iterator[_Request]:
    """Texts packed into requests of at most ``max_chars``; a longer text is cut at paragraph
    breaks (a paragraph longer than the limit at the last space before it)."""
    request = _Request()
    for position, text in enumerate(texts):
        for piece_start, piece in _pieces(text, max_chars):
            if request.parts and request.length + len(TEXT_SEPARATOR) + len(piece) > max_chars:
                yield request
                request = _Request()
            request.add(position, piece_start, piece)
    if request.parts:
        yield request


def _pieces(text: str, max_chars: int) -> Iterator[tuple[int, str]]:
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = max_chars
        yield start, text[start : start + cut]
        start += cut
    yield start, text[start:]


def _utf16_to_index(body: str) -> Callable[[int], int]:
    """Java counts offsets in UTF-16 code units: characters beyond the BMP (emoji) count twice."""
    if body.isascii() or not _BEYOND_BMP.search(body):
        return lambda offset: offset
    index_of: list[int] = []
    for index, character in enumerate(body):
        index_of.extend([index] * (2 if ord(character) > 0xFFFF else 1))
    index_of.append(len(body))
    return lambda offset: index_of[min(offset, len(index_of) - 1)]


def _labelled_runs(document: Mapping[str, Any]) -> Iterator[tuple[int, int, str]]:
    """Runs of adjacent tokens with the same label, as character offsets into the request."""
    for sentence in document.get("sentences", ()):
        current: list[Any] | None = None
        for token in sentence.get("tokens", ()):
            label = token.get("ner", OUTSIDE)
            if current is not None and label == current[2]:
                current[1] = token["characterOffsetEnd"]
                continue
            if current is not None:
                yield current[0], current[1], current[2]
                current = None
            if label != OUTSIDE:
                current = [token["characterOffsetBegin"], token["characterOffsetEnd"], label]
        if current is not None:
            yield current[0], current[1], current[2]
