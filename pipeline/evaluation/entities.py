"""Evaluation of entity linking on a labelled set, and a throughput benchmark.

The labelled set (tests/entities/linking_set.yaml) is a list of short sentences, each with the
mentions the knowledge base should find: ``[surface, expected id]`` or ``[surface, id, role]``.
A surface stands for its first whole-word occurrence not covered by an
earlier expectation (so "Singh" after "Sabrina Singh" is the later, lone "Singh"). Sentences with no expected
mention are false-positive traps.

Metrics (``evaluate_entities``), over knowledge-base-linked predictions only (``ner:`` ids are
not linking decisions and are counted apart):

    accuracy          share of expected mentions found and linked to the right id
    precision         share of linked predictions that match an expected mention and its id
    recall            = accuracy (kept under both names for the usual P/R/F1 triple)
    f1                harmonic mean of precision and recall
    linking_accuracy  share of found expected mentions whose id is right
    role_accuracy     share of expected roles set on the mention
    n                 number of expected mentions

Run ``python -m pipeline.evaluation.entities --help`` for the command line.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from pipeline.entities import EntityExtractor
from pipeline.errors import ConfigError
from pipeline.models import EntityMention
from pipeline.settings import Settings, load_settings, read_yaml_mapping

DEFAULT_LINKING_SET = Path(__file__).resolve().parents[2] / "tests" / "entities" / "linking_set.yaml"
BENCHMARK_CHARS = 4096  # throughput is reported per 4 kB of text, a typical cleaned article


class _LinkingCase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    language: str | None = None
    expect: list[list[str]] = []
    tags: list[str] = []

    @field_validator("expect")
    @classmethod
    def _expectations_have_surface_and_id(cls, value: list[list[str]]) -> list[list[str]]:
        for item in value:
            if len(item) not in (2, 3):
                raise ValueError("each expectation is [surface, id] or [surface, id, role]")
        return value


class _LinkingSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cases: list[_LinkingCase]


@dataclass(frozen=True, slots=True)
class ExpectedMention:
    start: int
    end: int
    entity_id: str
    role: str | None


@dataclass(frozen=True, slots=True)
class LinkingCase:
    """One labelled sentence."""

    text: str
    language: str | None
    expected: tuple[ExpectedMention, ...]
    tags: tuple[str, ...]


@dataclass
class EvaluationReport:
    """Counts of one evaluation run and the mistakes, for reading."""

    cases: int = 0
    expected: int = 0
    found: int = 0
    correct: int = 0
    predicted: int = 0
    roles_expected: int = 0
    roles_correct: int = 0
    ner_only: int = 0
    errors: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, float | int]:
        precision = self.correct / self.predicted if self.predicted else 1.0
        recall = self.correct / self.expected if self.expected else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "accuracy": round(recall, 4),
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "linking_accuracy": round(self.correct / self.found, 4) if self.found else 1.0,
            "role_accuracy": round(self.roles_correct / self.roles_expected, 4) if self.roles_expected else 1.0,
            "n": self.expected,
            "cases": self.cases,
            "false_positives": self.predicted - self.correct,
            "ner_only_mentions": self.ner_only,
        }


def load_linking_set(path: Path) -> list[LinkingCase]:
    """Read the labelled set; a surface missing from its sentence is a ConfigError."""
    data = read_yaml_mapping(path)
    try:
        raw = _LinkingSet.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigError(str(path), key, first["msg"], "see pipeline/evaluation/entities.py") from None
    cases: list[LinkingCase] = []
    for index, case in enumerate(raw.cases):
        expected: list[ExpectedMention] = []
        for item in case.expect:
            surface, entity_id = item[0], item[1]
            taken = [(mention.start, mention.end) for mention in expected]
            start = _free_occurrence(case.text, surface, taken)
            if start < 0:
                raise ConfigError(
                    str(path), f"cases[{index}].expect", f"{surface!r} is not (that often) in the text", "fix it"
                )
            role = item[2] if len(item) == 3 else None
            expected.append(ExpectedMention(start, start + len(surface), entity_id, role))
        cases.append(LinkingCase(case.text, case.language, tuple(expected), tuple(case.tags)))
    return cases


def _free_occurrence(text: str, surface: str, taken: Sequence[tuple[int, int]]) -> int:
    """The first whole-word occurrence of ``surface`` that no earlier expectation covers
    ("Singh" after "Sabrina Singh" is the second "Singh" of the text)."""
    for match in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
        if not any(start < match.end() and match.start() < end for start, end in taken):
            return match.start()
    return -1


def score_case(case: LinkingCase, mentions: Sequence[EntityMention], report: EvaluationReport) -> None:
    """Add one sentence's outcome to the report."""
    linked = [mention for mention in mentions if not mention.entity_id.startswith("ner:")]
    report.ner_only += len(mentions) - len(linked)
    report.cases += 1
    report.predicted += len(linked)
    used: set[int] = set()
    for expected in case.expected:
        report.expected += 1
        if expected.role:
            report.roles_expected += 1
        match = next(
            (
                number
                for number, mention in enumerate(linked)
                if number not in used and mention.start < expected.end and expected.start < mention.end
            ),
            None,
        )
        surface = case.text[expected.start : expected.end]
        if match is None:
            report.errors.append(f"missed   {surface!r} -> {expected.entity_id}  in: {case.text}")
            continue
        used.add(match)
        mention = linked[match]
        report.found += 1
        if mention.entity_id == expected.entity_id:
            report.correct += 1
        else:
            report.errors.append(f"wrong    {surface!r} -> {mention.entity_id} (want {expected.entity_id})")
        if expected.role:
            if mention.role == expected.role:
                report.roles_correct += 1
            else:
                report.errors.append(f"role     {surface!r}: {mention.role!r} (want {expected.role!r})")
    for number, mention in enumerate(linked):
        if number not in used:
            report.errors.append(f"spurious {mention.surface!r} -> {mention.entity_id}  in: {case.text}")


def evaluate_entities_report(labelled_set: Path, settings: Settings) -> EvaluationReport:
    """Run the extractor over the labelled set and count (the report keeps the mistakes)."""
    extractor = EntityExtractor.from_settings(settings)
    report = EvaluationReport()
    for case in load_linking_set(labelled_set):
        score_case(case, extractor.extract(case.text, case.language), report)
    return report


def evaluate_entities(labelled_set: Path, settings: Settings) -> dict[str, float | int]:
    """Accuracy, precision, recall, F1 and counts of canonical linking on a labelled set."""
    return evaluate_entities_report(labelled_set, settings).metrics()


def read_corpus_texts(path: Path, limit: int) -> list[str]:
    """Texts of a benchmark corpus: a folder of .txt files or a JSON-lines file."""
    if path.is_dir():
        return [file.read_text(encoding="utf-8") for file in sorted(path.glob("*.txt"))[:limit]]
    texts: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record: dict[str, Any] = json.loads(line)
            text = record.get("text") or record.get("originalText") or ""
            if text:
                texts.append(str(text))
            if len(texts) >= limit:
                break
    return texts


def benchmark_entities(texts: Sequence[str], language: str | None, extractor: EntityExtractor) -> dict[str, float]:
    """Milliseconds per article and per 4 kB of text, one core, after a warm-up pass."""
    for text in texts[:3]:
        extractor.extract(text, language)  # loads NER pipelines and fills caches
    durations: list[float] = []
    started = time.perf_counter()
    for text in texts:
        before = time.perf_counter()
        extractor.extract(text, language)
        durations.append(time.perf_counter() - before)
    total = time.perf_counter() - started
    characters = sum(len(text) for text in texts)
    return {
        "articles": len(texts),
        "mean_chars": round(characters / len(texts)) if texts else 0,
        "ms_per_article_median": round(statistics.median(durations) * 1000, 3) if durations else 0.0,
        "ms_per_4kB": round(total * 1000 * BENCHMARK_CHARS / characters, 3) if characters else 0.0,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: evaluate on the labelled set, or benchmark throughput on a corpus."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.evaluation.entities", description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_LINKING_SET, help="labelled set (YAML)")
    parser.add_argument("--no-ner", action="store_true", help="knowledge base and rules only")
    parser.add_argument("--errors", action="store_true", help="print every mistake")
    parser.add_argument("--benchmark", type=Path, help="corpus to time: folder of .txt or JSON lines")
    parser.add_argument("--language", default="de", help="language of the benchmark corpus")
    parser.add_argument("--limit", type=int, default=200, help="articles to time")
    args = parser.parse_args(argv)
    overrides = {"entities.use_ner": False} if args.no_ner else {}
    settings = load_settings(overrides=overrides)
    if args.benchmark:
        texts = read_corpus_texts(args.benchmark, args.limit)
        result = benchmark_entities(texts, args.language, EntityExtractor.from_settings(settings))
        print(json.dumps(result, indent=2))
        return 0
    report = evaluate_entities_report(args.set, settings)
    if args.errors:
        for line in report.errors:
            print(line)
    print(json.dumps(report.metrics(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
