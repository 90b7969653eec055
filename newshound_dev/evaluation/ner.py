"""Named-entity recognition scored on gold data: GermEval 2014 TSV and CoNLL IO files.

Formats and scoring follow ``../shared/corpus/ner/README.md``:

* text is rebuilt from the tokens (a space between tokens, none before closing punctuation),
  so the production entity path runs on running text; German sentences are texts of their own,
  a CoNLL ``-DOCSTART-`` document is one text (its sentences joined by a space), as an article;
* predicted character spans are mapped back to the tokens they overlap;
* a prediction counts when its type and exact token span equal a gold span of the outer layer;
  gold spans tagged ``deriv`` or ``part`` are neither rewarded nor punished (a prediction
  overlapping only such spans is ignored); OTH (German) and MISC (English) are one class.

Mentions of the production path map to the gold classes by type (person -> PER, organisation
-> ORG, location -> LOC, event and other -> OTH); a country adjective ("nordkoreanische",
"Japanese") is a name-derived word, which the gold data tags as OTH/MISC or ``deriv``.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.models import EntityMention

GOLD_CLASSES = ("PER", "ORG", "LOC", "OTH")
_CLASS_OF_TAG = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "OTH": "OTH", "MISC": "OTH"}
_CLASS_OF_TYPE = {"person": "PER", "organisation": "ORG", "location": "LOC", "event": "OTH", "other": "OTH"}
# Tokens written without a space before them when the text is rebuilt.
CLOSING_PUNCTUATION = frozenset({".", ",", ";", ":", "!", "?", ")", "]", "}", "%", "...", "'s", "n't"})
# Texts of one language handed to the entity path per call: large enough for NER batching.
BATCH_TEXTS = 64


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """A gold entity: tokens ``first:last`` of its text, a class, and whether it is scored."""

    first: int
    last: int  # exclusive
    label: str  # PER, ORG, LOC, OTH
    scored: bool  # False for deriv and part spans


@dataclass(frozen=True, slots=True)
class GoldText:
    """One text to run: tokens, their offsets in the rebuilt text, and the gold spans."""

    source: str
    language: str
    text: str
    token_starts: tuple[int, ...]
    token_ends: tuple[int, ...]
    spans: tuple[GoldSpan, ...]
    sentences: int


@dataclass(frozen=True, slots=True)
class PredictedSpan:
    """A prediction mapped to tokens."""

    first: int
    last: int
    label: str


@dataclass
class ClassCounts:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    partial: int = 0  # predictions of the right class overlapping a gold span without matching it

    def figures(self) -> dict[str, float | int]:
        precision = _ratio(self.true_positives, self.true_positives + self.false_positives)
        recall = _ratio(self.true_positives, self.true_positives + self.false_negatives)
        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(_f1(precision, recall), 4),
            "gold": self.true_positives + self.false_negatives,
            "predicted": self.true_positives + self.false_positives,
            "partial": self.partial,
        }


@dataclass
class NerReport:
    """Counts of one evaluation run, overall and per class, and the mistakes for reading."""

    per_class: dict[str, ClassCounts] = field(default_factory=lambda: {label: ClassCounts() for label in GOLD_CLASSES})
    ignored: int = 0
    sentences: int = 0
    texts: int = 0
    seconds: float = 0.0
    mistakes: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, object]:
        total = ClassCounts()
        for counts in self.per_class.values():
            total.true_positives += counts.true_positives
            total.false_positives += counts.false_positives
            total.false_negatives += counts.false_negatives
            total.partial += counts.partial
        overall = total.figures()
        return {
            "precision": overall["precision"],
            "recall": overall["recall"],
            "f1": overall["f1"],
            "per_type": {label: counts.figures() for label, counts in self.per_class.items()},
            "partial_matches": total.partial,
            "ignored_predictions": self.ignored,
            "n_gold": overall["gold"],
            "n_predicted": overall["predicted"],
            "n_sentences": self.sentences,
            "n_texts": self.texts,
            "sentences_per_second": round(self.sentences / self.seconds, 1) if self.seconds else 0.0,
        }


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


# --- Reading gold files -------------------------------------------------------------------


def read_gold_folder(folder: Path) -> list[GoldText]:
    """Every ``*.tsv`` (GermEval 2014, German) and ``*.conll.txt`` (CoNLL IO, English) file under ``folder``."""
    if not folder.is_dir():
        raise ConfigError(str(folder), "--corpus", "not a folder", "name a folder with *.tsv or *.conll.txt files")
    texts: list[GoldText] = []
    files = sorted(folder.rglob("*.tsv")) + sorted(folder.rglob("*.conll.txt"))
    for path in files:
        texts.extend(read_germeval(path) if path.suffix == ".tsv" else read_conll(path))
    if not texts:
        raise ConfigError(str(folder), "--corpus", "no *.tsv or *.conll.txt file with sentences", "check the path")
    return texts


def read_germeval(path: Path, language: str = "de") -> list[GoldText]:
    """GermEval 2014 TSV: one text per sentence, outer-layer BIO tags."""
    texts: list[GoldText] = []
    tokens: list[str] = []
    tags: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("#"):
            continue
        if not line.strip():
            if tokens:
                texts.append(_gold_text(f"{path.name}:{number}", language, [tokens], [tags]))
                tokens, tags = [], []
            continue
        columns = line.split("\t")
        if len(columns) < 3:
            raise ConfigError(str(path), f"line {number}", "expected index, token, outer tag", "check the file format")
        tokens.append(columns[1])
        tags.append(columns[2])
    if tokens:
        texts.append(_gold_text(f"{path.name}:end", language, [tokens], [tags]))
    return texts


def read_conll(path: Path, language: str = "en") -> list[GoldText]:
    """CoNLL ``token tag`` lines: one text per ``-DOCSTART-`` document, sentences kept apart for IO tags."""
    documents: list[tuple[list[list[str]], list[list[str]]]] = [([], [])]
    sentence_tokens: list[str] = []
    sentence_tags: list[str] = []

    def end_sentence() -> None:
        nonlocal sentence_tokens, sentence_tags
        if sentence_tokens:
            documents[-1][0].append(sentence_tokens)
            documents[-1][1].append(sentence_tags)
        sentence_tokens, sentence_tags = [], []

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        columns = line.split()
        if not columns:
            end_sentence()
            continue
        if columns[0] == "-DOCSTART-":
            end_sentence()
            if documents[-1][0]:
                documents.append(([], []))
            # A lost line break glues the first token to the marker line: "-DOCSTART- O010 I-MISC".
            if len(columns) == 3 and columns[1].startswith("O") and len(columns[1]) > 1:
                sentence_tokens.append(columns[1][1:])
                sentence_tags.append(columns[2])
            continue
        if len(columns) < 2:
            raise ConfigError(str(path), f"line {number}", "expected a token and a tag", "check the file format")
        sentence_tokens.append(columns[0])
        sentence_tags.append(columns[-1])
    end_sentence()
    return [
        _gold_text(f"{path.name}#{index + 1}", language, sentences, tags)
        for index, (sentences, tags) in enumerate(documents)
        if sentences
    ]


def _gold_text(source: str, language: str, sentences: list[list[str]], tags: list[list[str]]) -> GoldText:
    words = [token for sentence in sentences for token in sentence]
    text, starts, ends = rebuild_text(words)
    spans: list[GoldSpan] = []
    offset = 0
    for sentence_tags in tags:
        spans.extend(
            GoldSpan(span.first + offset, span.last + offset, span.label, span.scored)
            for span in spans_from_tags(sentence_tags)
        )
        offset += len(sentence_tags)
    return GoldText(source, language, text, tuple(starts), tuple(ends), tuple(spans), len(sentences))


def rebuild_text(tokens: Sequence[str]) -> tuple[str, list[int], list[int]]:
    """Running text from tokens and each token's offsets in it."""
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for index, token in enumerate(tokens):
        if index and token not in CLOSING_PUNCTUATION:
            parts.append(" ")
            position += 1
        starts.append(position)
        parts.append(token)
        position += len(token)
        ends.append(position)
    return "".join(parts), starts, ends


def spans_from_tags(tags: Sequence[str]) -> list[GoldSpan]:
    """Spans of BIO or IO tags ("B-PER", "I-ORGpart", "I-MISC"); an I- after another class opens a span."""
    spans: list[GoldSpan] = []
    current: tuple[int, str] | None = None  # start, full tag class ("ORGpart")
    for index, tag in enumerate([*tags, "O"]):
        prefix, _, kind = tag.partition("-")
        continues = prefix == "I" and current is not None and current[1] == kind
        if current is not None and not continues:
            spans.append(_gold_span(current[0], index, current[1]))
            current = None
        if prefix in ("B", "I") and kind and not continues:
            current = (index, kind)
    return spans


def _gold_span(first: int, last: int, kind: str) -> GoldSpan:
    base = re.sub(r"(deriv|part)$", "", kind)
    label = _CLASS_OF_TAG.get(base, "OTH")
    return GoldSpan(first, last, label, scored=base == kind)


# --- Scoring ------------------------------------------------------------------------------


def mention_label(mention: EntityMention) -> str:
    """The gold class a production mention stands for."""
    if mention.derived:
        return "OTH"
    return _CLASS_OF_TYPE[mention.type]


def predicted_spans(gold: GoldText, mentions: Iterable[EntityMention]) -> list[PredictedSpan]:
    """Mentions mapped to the tokens their characters overlap."""
    predicted: list[PredictedSpan] = []
    for mention in mentions:
        covered = [
            index
            for index, (start, end) in enumerate(zip(gold.token_starts, gold.token_ends, strict=True))
            if start < mention.end and mention.start < end
        ]
        if covered:
            predicted.append(PredictedSpan(covered[0], covered[-1] + 1, mention_label(mention)))
    return list(dict.fromkeys(predicted))


def score_text(gold: GoldText, predictions: Sequence[PredictedSpan], report: NerReport, keep_mistakes: bool) -> None:
    """Add one text's true and false positives and negatives to the report."""
    scored = {(span.first, span.last, span.label) for span in gold.spans if span.scored}
    matched: set[tuple[int, int, str]] = set()
    for prediction in predictions:
        key = (prediction.first, prediction.last, prediction.label)
        overlapping = [span for span in gold.spans if span.first < prediction.last and prediction.first < span.last]
        if key in scored:
            matched.add(key)
            report.per_class[prediction.label].true_positives += 1
            continue
        if overlapping and not any(span.scored for span in overlapping):
            report.ignored += 1
            continue
        counts = report.per_class[prediction.label]
        counts.false_positives += 1
        if any(span.scored and span.label == prediction.label for span in overlapping):
            counts.partial += 1
        if keep_mistakes:
            report.mistakes.append(f"spurious {prediction.label} {_words(gold, prediction)!r}  [{gold.source}]")
    for first, last, label in scored - matched:
        report.per_class[label].false_negatives += 1
        if keep_mistakes:
            report.mistakes.append(f"missed   {label} {_words(gold, GoldSpan(first, last, label, True))!r}")


def _words(gold: GoldText, span: GoldSpan | PredictedSpan) -> str:
    return gold.text[gold.token_starts[span.first] : gold.token_ends[span.last - 1]]


Extract = Callable[[Sequence[tuple[str, str | None]]], list[tuple[EntityMention, ...]]]


def evaluate_ner(texts: Sequence[GoldText], extract: Extract, keep_mistakes: bool = False) -> NerReport:
    """Run ``extract`` (the production ``EntityExtractor.extract_many``) over the gold texts and score."""
    report = NerReport()
    for batch_start in range(0, len(texts), BATCH_TEXTS):
        batch = texts[batch_start : batch_start + BATCH_TEXTS]
        started = time.perf_counter()
        results = extract([(gold.text, gold.language) for gold in batch])
        report.seconds += time.perf_counter() - started
        for gold, mentions in zip(batch, results, strict=True):
            score_text(gold, predicted_spans(gold, mentions), report, keep_mistakes)
            report.sentences += gold.sentences
            report.texts += 1
    return report


def language_counts(texts: Sequence[GoldText]) -> dict[str, int]:
    """Sentences per language, for the report."""
    counts: Counter[str] = Counter()
    for gold in texts:
        counts[gold.language] += gold.sentences
    return dict(counts)
