"""Duplicates and stories scored on labelled article pairs (``newshound eval dedupe``).

The pair format and the metrics are those of ``../shared/corpus/dedupe/README.md``: one JSON
object a line, ``{"id", "a": {title, text, url, published}, "b": {...}, "label", "kind", "lang"}``
with ``label`` one of ``duplicate``, ``near_duplicate``, ``same_story``, ``different``.

Each side is built as ingestion builds an article whose text came with its feed entry
(``pipeline.build.build_articles``): cleaning with the settings' rules, language detection,
entities (knowledge base, and NER when the settings' CoreNLP server answers), claims,
fingerprints and story keys, ``published`` as the article date. Then b is decided against a
as if a were the one article in the index (``pipeline.dedupe.lookup.decide_pair``: the
production rule, the searches' conditions applied in memory), so no search engine is needed.
The decision is one of the labels: ``duplicate`` (same content hash), ``near_duplicate``
(MinHash similarity at or above the threshold), ``same_story`` (b joins a's story),
``different``.

Metrics (the last line of the command, JSON):

    same_article_precision/recall/f1  positives: duplicate and near_duplicate, labelled and decided
    false_merges                      same_story or different pairs decided duplicate or near duplicate
    exact_recall                      share of duplicate pairs decided duplicate (equal content hash)
    story_precision/recall/f1         positives: every label but different; decided: any but different
    n_pairs, seconds
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from pipeline.build import Toolkit
    from pipeline.models import Article
    from pipeline.settings import Settings

Label = Literal["duplicate", "near_duplicate", "same_story", "different"]
LABELS: tuple[Label, ...] = ("duplicate", "near_duplicate", "same_story", "different")
SAME_ARTICLE = frozenset({"duplicate", "near_duplicate"})
SAME_STORY = frozenset({"duplicate", "near_duplicate", "same_story"})
# Sides built per call of the build stage: NER reads one call's texts in one batch per language.
BUILD_BATCH = 64
_FEED_ID = "eval-dedupe"


@dataclass(frozen=True, slots=True)
class PairSide:
    """One article of a pair, as an extractor would return it."""

    title: str
    text: str
    url: str
    published: datetime | None  # timezone-aware; a date alone is midnight UTC


@dataclass(frozen=True, slots=True)
class LabelledPair:
    """Two articles and what they are to each other (b is the later one, decided against a)."""

    id: str
    a: PairSide
    b: PairSide
    label: Label
    kind: str | None = None
    lang: str | None = None


class _SideModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    text: str
    url: str
    published: datetime | date | None = None


class _PairModel(BaseModel):
    model_config = ConfigDict(extra="ignore")  # informative extras (a note, a source) are allowed

    id: str
    a: _SideModel
    b: _SideModel
    label: Label
    kind: str | None = None
    lang: str | None = None


def _moment(value: datetime | date | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_pairs(lines: Iterable[str], source: str) -> list[LabelledPair]:
    """Pairs from JSON lines (blank lines skipped); a bad line raises ``ConfigError`` naming the
    source, the line and the field."""
    pairs: list[LabelledPair] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise ConfigError(source, where, f"not JSON ({error.msg})", "one JSON object a line") from error
        try:
            model = _PairModel.model_validate(raw)
        except ValidationError as error:
            first = error.errors()[0]
            key = ".".join(str(part) for part in first["loc"]) or "(object)"
            fix = f"label is one of {', '.join(LABELS)}" if key == "label" else "see ../shared/corpus/dedupe/README.md"
            raise ConfigError(source, f"{where}: {key}", first["msg"], fix) from error
        if model.id in seen:
            raise ConfigError(
                source, f"{where}: id", f"{model.id!r} is also the id of line {seen[model.id]}", "ids are unique"
            )
        seen[model.id] = number
        sides = [PairSide(s.title, s.text, s.url, _moment(s.published)) for s in (model.a, model.b)]
        pairs.append(LabelledPair(model.id, sides[0], sides[1], model.label, model.kind, model.lang))
    if not pairs:
        raise ConfigError(
            source, "(file)", "no pairs", "one JSON object a line, as ../shared/corpus/dedupe/README.md says"
        )
    return pairs


def read_pairs(path: Path) -> list[LabelledPair]:
    """The pairs of a JSON Lines file (``parse_pairs``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            str(path), "--pairs", f"cannot read it ({error.strerror})", "give a JSON Lines file"
        ) from error
    return parse_pairs(text.splitlines(), str(path))


def _side_json(side: PairSide) -> dict[str, Any]:
    published = side.published
    if (
        published is not None
        and published.time() == datetime.min.time()
        and published.utcoffset() == UTC.utcoffset(None)
    ):
        when: str | None = published.date().isoformat()
    else:
        when = published.isoformat() if published else None
    return {"title": side.title, "text": side.text, "url": side.url, "published": when}


def pair_json(pair: LabelledPair) -> dict[str, Any]:
    """The pair as a JSON object of the format."""
    document: dict[str, Any] = {"id": pair.id, "a": _side_json(pair.a), "b": _side_json(pair.b), "label": pair.label}
    if pair.kind is not None:
        document["kind"] = pair.kind
    if pair.lang is not None:
        document["lang"] = pair.lang
    return document


def write_pairs(pairs: Iterable[LabelledPair], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for pair in pairs:
            out.write(json.dumps(pair_json(pair), ensure_ascii=False) + "\n")


# --- scoring -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairOutcome:
    """What the pipeline decided for one pair, with the evidence behind it."""

    pair: LabelledPair
    decided: Label
    similarity: float  # estimated MinHash similarity of the cleaned texts
    shared_entities: int
    shared_numbers: int
    shared_quote_trigrams: int
    overlap: float
    only_in_a: tuple[str, ...] = ()  # cleaned lines of one side missing from the other
    only_in_b: tuple[str, ...] = ()

    @property
    def correct(self) -> bool:
        return self.decided == self.pair.label


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0


def dedupe_metrics(outcomes: Sequence[PairOutcome]) -> dict[str, Any]:
    """The README's metrics of decided pairs (None where a ratio has nothing to divide by)."""
    labelled_article = [o for o in outcomes if o.pair.label in SAME_ARTICLE]
    decided_article = [o for o in outcomes if o.decided in SAME_ARTICLE]
    article_hits = sum(1 for o in decided_article if o.pair.label in SAME_ARTICLE)
    labelled_story = [o for o in outcomes if o.pair.label in SAME_STORY]
    decided_story = [o for o in outcomes if o.decided in SAME_STORY]
    story_hits = sum(1 for o in decided_story if o.pair.label in SAME_STORY)
    duplicates = [o for o in outcomes if o.pair.label == "duplicate"]
    article_precision = _ratio(article_hits, len(decided_article))
    article_recall = _ratio(article_hits, len(labelled_article))
    story_precision = _ratio(story_hits, len(decided_story))
    story_recall = _ratio(story_hits, len(labelled_story))
    return {
        "same_article_precision": article_precision,
        "same_article_recall": article_recall,
        "same_article_f1": _f1(article_precision, article_recall),
        "false_merges": len(decided_article) - article_hits,
        "exact_recall": _ratio(sum(1 for o in duplicates if o.decided == "duplicate"), len(duplicates)),
        "story_precision": story_precision,
        "story_recall": story_recall,
        "story_f1": _f1(story_precision, story_recall),
        "n_pairs": len(outcomes),
    }


def confusion_table(outcomes: Sequence[PairOutcome], *, by_kind: bool = False) -> list[str]:
    """Rows of labels (or label/kind), columns of decisions, as aligned text lines."""
    counts: dict[str, Counter[str]] = {}
    for outcome in outcomes:
        row: str = outcome.pair.label
        if by_kind:
            row = f"{row}/{outcome.pair.kind or '-'}"
        counts.setdefault(row, Counter())[outcome.decided] += 1
    order: dict[str, int] = {label: position for position, label in enumerate(LABELS)}
    rows = sorted(counts, key=lambda row: (order[row.split("/")[0]], row))
    width = max([len("label/kind" if by_kind else "label"), *(len(row) for row in rows)])
    header = f"{'label/kind' if by_kind else 'label':<{width}} {'n':>4}  " + "  ".join(
        f"{label:>14}" for label in LABELS
    )
    lines = [header + "  right"]
    for row in rows:
        total = sum(counts[row].values())
        right = counts[row][row.split("/")[0]]
        cells = "  ".join(f"{counts[row][label]:>14}" for label in LABELS)
        lines.append(f"{row:<{width}} {total:>4}  {cells}  {right / total:5.2f}")
    return lines


def mistake_lines(outcome: PairOutcome) -> list[str]:
    """A wrong pair in a few lines: what was decided, the evidence, and the lines that differ."""
    pair = outcome.pair
    hours = None
    if pair.a.published and pair.b.published:
        hours = round((pair.b.published - pair.a.published).total_seconds() / 3600)
    lines = [
        f"{pair.id} {pair.label}/{pair.kind or '-'} ({pair.lang or '?'}) decided {outcome.decided}: "
        f"similarity {outcome.similarity:.3f}, shared entities {outcome.shared_entities}, numbers "
        f"{outcome.shared_numbers}, quote trigrams {outcome.shared_quote_trigrams}, overlap {outcome.overlap:.2f}, "
        f"hours apart {hours}"
    ]
    for name, only in (("a", outcome.only_in_a), ("b", outcome.only_in_b)):
        for line in only[:3]:
            lines.append(f"    only in {name}: {line[:140]}")
    return lines


@dataclass
class DedupeReport:
    outcomes: list[PairOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def tables(self) -> list[str]:
        lines = confusion_table(self.outcomes)
        if any(outcome.pair.kind for outcome in self.outcomes):
            lines += ["", *confusion_table(self.outcomes, by_kind=True)]
        return lines

    def mistakes(self) -> list[str]:
        return [line for outcome in self.outcomes if not outcome.correct for line in mistake_lines(outcome)]

    def metrics(self) -> dict[str, Any]:
        return {**dedupe_metrics(self.outcomes), "seconds": round(self.seconds, 1)}


def _side_key(side: PairSide, lang: str | None) -> tuple[str, str, str, datetime | None, str | None]:
    return (side.title, side.text, side.url, side.published, lang)


def build_pair_articles(pairs: Sequence[LabelledPair], toolkit: Toolkit) -> list[tuple[Article, Article]]:
    """(a, b) of each pair built as ingestion builds an article from its feed entry's text; a side
    that occurs in several pairs is built once."""
    from pipeline.build import BuildJob, build_articles
    from pipeline.errors import ItemFailure
    from pipeline.extract import detect_language
    from pipeline.models import FeedEntry

    sides: dict[tuple[str, str, str, datetime | None, str | None], PairSide] = {}
    for pair in pairs:
        for side in (pair.a, pair.b):
            sides.setdefault(_side_key(side, pair.lang), side)
    keys = list(sides)
    built: dict[tuple[str, str, str, datetime | None, str | None], Article] = {}
    for start in range(0, len(keys), BUILD_BATCH):
        chunk = keys[start : start + BUILD_BATCH]
        jobs = []
        for key in chunk:
            side = sides[key]
            # As extraction chooses a page's language with no declared one: detected, else the hint.
            language = detect_language(side.text) or key[-1]
            entry = FeedEntry(_FEED_ID, "eval", side.url, side.url, side.title, side.text, side.published, language)
            jobs.append(BuildJob(entry, None))
        for key, result in zip(chunk, build_articles(jobs, toolkit), strict=True):
            if isinstance(result, ItemFailure):
                raise RuntimeError(f"building {sides[key].url} failed: {result.detail}")
            built[key] = result.article
    return [(built[_side_key(pair.a, pair.lang)], built[_side_key(pair.b, pair.lang)]) for pair in pairs]


def decide_outcome(first: Article, second: Article, pair: LabelledPair, toolkit: Toolkit, now: datetime) -> PairOutcome:
    """The pipeline's decision for b (``second``) with a (``first``) already indexed."""
    from pipeline.dedupe.fingerprints import estimated_similarity, story_match
    from pipeline.dedupe.lookup import decide_pair

    if first.id == second.id:  # one URL for both: ingestion would overwrite a; score them as two articles
        second = dataclasses.replace(second, id=second.id + "-b")
    decision = decide_pair(first, second, toolkit.settings.dedupe, now)
    decided: Label
    if decision.duplicate_of is not None:
        decided = "duplicate"
    elif decision.near_duplicate_of is not None:
        decided = "near_duplicate"
    elif decision.story_id == first.id:
        decided = "same_story"
    else:
        decided = "different"
    match = story_match(first.story_keys, second.story_keys)
    lines_a, lines_b = first.text.split("\n"), second.text.split("\n")
    set_a, set_b = set(lines_a), set(lines_b)
    return PairOutcome(
        pair,
        decided,
        estimated_similarity(first.minhash_signature, second.minhash_signature),
        match.shared_entities,
        match.shared_numbers,
        match.shared_quote_trigrams,
        match.overlap,
        tuple(line for line in lines_a if line not in set_b),
        tuple(line for line in lines_b if line not in set_a),
    )


def evaluate_dedupe(pairs: Sequence[LabelledPair], settings: Settings) -> DedupeReport:
    """Build both sides of every pair through the production path and decide b against a."""
    from pipeline.build import Toolkit

    started = time.perf_counter()
    toolkit = Toolkit.load(settings)
    now = datetime.now(UTC)
    report = DedupeReport()
    for pair, (first, second) in zip(pairs, build_pair_articles(pairs, toolkit), strict=True):
        report.outcomes.append(decide_outcome(first, second, pair, toolkit, now))
    report.seconds = time.perf_counter() - started
    return report
