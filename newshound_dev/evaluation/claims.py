"""Score attributed-claim extraction against a gold corpus (GermEval 2023 SpkAtt or PolNeAR).

The metric is the one of ``shared/corpus/claims/README.md`` (the official GermEval 2023 Task 2
token-overlap scoring):

1. predicted and gold statements are paired one-to-one by linear-sum assignment on the number
   of message (content) tokens they share; a pair needs at least one shared token;
2. message P/R/F1 over token counts: shared tokens of a pair are TP, the rest of the pair's
   tokens FP/FN, and every token of an unpaired statement counts as FP (predicted) or FN (gold);
3. speaker and cue P/R/F1 inside paired statements only, once over tokens ("partial") and once
   over whole spans ("exact": the token strings match after trimming punctuation);
4. statement-level F1: a pair is correct when its message token-F1 is >= 0.5 and the speakers
   overlap (or both have none).

Tokens: GermEval ships its spaCy tokenisation and we use it (punctuation tokens count, as in the
official scorer); PolNeAR has none, so its text is cut with ``\\w+|[^\\w\\s]`` (words and single
punctuation marks, about the same granularity). A predicted span covers every token its
character range overlaps. A predicted message is the content span *minus* the tokens of its own
speaker and cue: gold messages are discontinuous around an inserted "laut X" or ", so X,", and a
``Claim`` holds one continuous content span.
"""

from __future__ import annotations

import json
import re
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]  # scipy ships no stubs

from pipeline.claims.extract import extract_claims
from pipeline.models import Claim, Span

_PUNCTUATION_TOKEN = re.compile(r"^[^\w]+$")
_REGEX_TOKEN = re.compile(r"\w+|[^\w\s]")
_DOCUMENT_DATE = re.compile(r"\((\d{4})-(\d{2})-(\d{2})\)\s*$")


@dataclass(frozen=True, slots=True)
class Statement:
    """One attributed statement as sets of token indices per role."""

    message: frozenset[int]
    speaker: frozenset[int] = frozenset()
    cue: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Document:
    """A corpus document: its text, tokens (character ranges) and gold statements."""

    doc_id: str
    text: str
    language: str
    published: date | None
    token_starts: tuple[int, ...]
    token_ends: tuple[int, ...]
    gold: tuple[Statement, ...]

    def tokens_of(self, start: int, end: int) -> frozenset[int]:
        """Indices of the tokens whose character range overlaps ``[start, end)``."""
        if end <= start:
            return frozenset()
        first = bisect_right(self.token_ends, start)
        last = bisect_left(self.token_starts, end)
        return frozenset(range(first, last))

    def token_text(self, index: int) -> str:
        return self.text[self.token_starts[index] : self.token_ends[index]]


Predictor = Callable[[Document], Sequence[Statement]]


@dataclass(slots=True)
class _Counts:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    def add(self, predicted: frozenset[int], gold: frozenset[int]) -> None:
        self.true_positive += len(predicted & gold)
        self.false_positive += len(predicted - gold)
        self.false_negative += len(gold - predicted)

    def scores(self) -> tuple[float, float, float]:
        tp, fp, fn = self.true_positive, self.false_positive, self.false_negative
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


@dataclass(slots=True)
class _Tally:
    message: _Counts = field(default_factory=_Counts)
    speaker: _Counts = field(default_factory=_Counts)
    cue: _Counts = field(default_factory=_Counts)
    speaker_exact: _Counts = field(default_factory=_Counts)
    cue_exact: _Counts = field(default_factory=_Counts)
    statements_correct: int = 0
    n_gold: int = 0
    n_predicted: int = 0
    n_paired: int = 0


# --- reading the corpora ---------------------------------------------------------------------


def _germeval_document(raw: dict[str, object]) -> Document:
    tokens = raw["tokens"]
    assert isinstance(tokens, list)
    gold: list[Statement] = []
    annotations = raw["annotations"]
    assert isinstance(annotations, list)
    for annotation in annotations:
        roles = {name: frozenset(annotation[name]["tokenIds"]) for name in ("quote", "speaker", "cue")}
        gold.append(Statement(roles["quote"], roles["speaker"], roles["cue"]))
    name = str(raw.get("documentName", ""))
    found = _DOCUMENT_DATE.search(name)
    published = date(int(found[1]), int(found[2]), int(found[3])) if found else None
    return Document(
        doc_id=str(raw["doc_id"]),
        text=str(raw["originalText"]),
        language="de",
        published=published,
        token_starts=tuple(int(token["charBegin"]) for token in tokens),
        token_ends=tuple(int(token["charEnd"]) for token in tokens),
        gold=tuple(gold),
    )


def _polnear_document(raw: dict[str, object]) -> Document:
    text = str(raw["text"])
    matches = list(_REGEX_TOKEN.finditer(text))
    document = Document(
        doc_id=str(raw["doc_id"]),
        text=text,
        language="en",
        published=date.fromisoformat(str(raw["publication_date"])) if raw.get("publication_date") else None,
        token_starts=tuple(match.start() for match in matches),
        token_ends=tuple(match.end() for match in matches),
        gold=(),
    )
    attributions = raw["attributions"]
    assert isinstance(attributions, list)
    gold = []
    for attribution in attributions:
        roles = {}
        for name in ("content", "source", "cue"):
            roles[name] = frozenset().union(
                *(document.tokens_of(part["start"], part["end"]) for part in attribution[name])
            )
        gold.append(Statement(roles["content"], roles["source"], roles["cue"]))
    return replace(document, gold=tuple(gold))


def read_documents(corpus_dir: Path, *, limit: int | None = None) -> Iterator[Document]:
    """Documents of ``corpus_dir/docs.jsonl``, GermEval or PolNeAR (told apart by their fields)."""
    with (corpus_dir / "docs.jsonl").open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if limit is not None and number >= limit:
                return
            raw = json.loads(line)
            if "annotations" in raw and "originalText" in raw:
                yield _germeval_document(raw)
            elif "attributions" in raw and "text" in raw:
                yield _polnear_document(raw)
            else:
                raise ValueError(f"{corpus_dir / 'docs.jsonl'}: line {number + 1} is neither GermEval nor PolNeAR")


# --- predictions ------------------------------------------------------------------------------


def claim_statement(document: Document, claim: Claim) -> Statement:
    """The tokens of a predicted claim; the message leaves out its own speaker and cue tokens."""

    def tokens(span: Span | None) -> frozenset[int]:
        return document.tokens_of(span.start, span.end) if span else frozenset()

    speaker, cue = tokens(claim.speaker), tokens(claim.cue)
    return Statement(tokens(claim.content) - speaker - cue, speaker, cue)


def gold_predictor(document: Document) -> Sequence[Statement]:
    """A predictor that returns the gold statements: the scorer must give it a perfect score."""
    return document.gold


# --- scoring ----------------------------------------------------------------------------------


def _pairs(predicted: Sequence[Statement], gold: Sequence[Statement]) -> list[tuple[int, int]]:
    """One-to-one pairs (predicted index, gold index) maximising the shared message tokens."""
    if not predicted or not gold:
        return []
    overlap = [[len(p.message & g.message) for g in gold] for p in predicted]
    rows, columns = linear_sum_assignment(overlap, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, columns, strict=True) if overlap[r][c] > 0]


def _trimmed_text(document: Document, tokens: frozenset[int]) -> tuple[str, ...]:
    words = [document.token_text(index) for index in sorted(tokens)]
    while words and _PUNCTUATION_TOKEN.match(words[0]):
        words.pop(0)
    while words and _PUNCTUATION_TOKEN.match(words[-1]):
        words.pop()
    return tuple(words)


def _add_exact(counts: _Counts, document: Document, predicted: frozenset[int], gold: frozenset[int]) -> None:
    predicted_text, gold_text = _trimmed_text(document, predicted), _trimmed_text(document, gold)
    if predicted_text and predicted_text == gold_text:
        counts.true_positive += 1
        return
    counts.false_positive += bool(predicted_text)
    counts.false_negative += bool(gold_text)


def _score_document(tally: _Tally, document: Document, predicted: Sequence[Statement]) -> None:
    gold = document.gold
    tally.n_gold += len(gold)
    tally.n_predicted += len(predicted)
    pairs = _pairs(predicted, gold)
    tally.n_paired += len(pairs)
    paired_predicted = {p for p, _ in pairs}
    paired_gold = {g for _, g in pairs}
    for p, g in pairs:
        prediction, truth = predicted[p], gold[g]
        tally.message.add(prediction.message, truth.message)
        tally.speaker.add(prediction.speaker, truth.speaker)
        tally.cue.add(prediction.cue, truth.cue)
        _add_exact(tally.speaker_exact, document, prediction.speaker, truth.speaker)
        _add_exact(tally.cue_exact, document, prediction.cue, truth.cue)
        shared = len(prediction.message & truth.message)
        message_f1 = 2 * shared / (len(prediction.message) + len(truth.message))
        speakers_agree = bool(prediction.speaker & truth.speaker) or not (prediction.speaker or truth.speaker)
        tally.statements_correct += message_f1 >= 0.5 and speakers_agree
    for index, prediction in enumerate(predicted):
        if index not in paired_predicted:
            tally.message.false_positive += len(prediction.message)
    for index, truth in enumerate(gold):
        if index not in paired_gold:
            tally.message.false_negative += len(truth.message)


def score_documents(documents: Sequence[Document], predict: Predictor) -> dict[str, float | int]:
    """Score ``predict`` on ``documents``; the seam the tests use to check the scorer itself."""
    tally = _Tally()
    seconds = 0.0
    characters = 0
    for document in documents:
        started = time.perf_counter()
        predicted = predict(document)
        seconds += time.perf_counter() - started
        characters += len(document.text)
        _score_document(tally, document, predicted)
    result: dict[str, float | int] = {}
    for name, counts in (
        ("message", tally.message),
        ("speaker", tally.speaker),
        ("cue", tally.cue),
        ("speaker_exact", tally.speaker_exact),
        ("cue_exact", tally.cue_exact),
    ):
        precision, recall, f1 = counts.scores()
        prefix, _, suffix = name.partition("_")
        suffix = f"_{suffix}" if suffix else ""
        result[f"{prefix}_precision{suffix}"] = round(precision, 4)
        result[f"{prefix}_recall{suffix}"] = round(recall, 4)
        result[f"{prefix}_f1{suffix}"] = round(f1, 4)
    statement_precision = tally.statements_correct / tally.n_predicted if tally.n_predicted else 0.0
    statement_recall = tally.statements_correct / tally.n_gold if tally.n_gold else 0.0
    total = statement_precision + statement_recall
    result["statement_f1"] = round(2 * statement_precision * statement_recall / total if total else 0.0, 4)
    result["n_docs"] = len(documents)
    result["n_gold"] = tally.n_gold
    result["n_predicted"] = tally.n_predicted
    result["n_paired"] = tally.n_paired
    result["docs_per_second"] = round(len(documents) / seconds, 1) if seconds else 0.0
    result["ms_per_4kb"] = round(1000 * seconds / characters * 4096, 3) if characters else 0.0
    return result


def extractor_predictor(document: Document) -> Sequence[Statement]:
    """Predict with :func:`pipeline.claims.extract_claims`."""
    claims = extract_claims(document.text, document.language, published=document.published)
    return [claim_statement(document, claim) for claim in claims]


def evaluate_claims(corpus_dir: Path, *, limit: int | None = None) -> dict[str, float | int]:
    """Score the claim extractor on ``corpus_dir/docs.jsonl`` (the first ``limit`` documents)."""
    documents = list(read_documents(corpus_dir, limit=limit))
    return score_documents(documents, extractor_predictor)
