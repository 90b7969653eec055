"""Evaluation of entity linking on a labelled set.

The labelled set (``linking_set.yaml`` beside this module; ``holdout_set.yaml`` was written after
tuning) is a list of short sentences, each with the
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

Run it with ``newshound eval entities [--set FILE] [--no-ner] [--mistakes]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from pipeline.entities.extractor import EntityExtractor
from pipeline.errors import ConfigError
from pipeline.models import EntityMention
from pipeline.settings import Settings, read_yaml_mapping, validated

LINKING_SET = Path(__file__).resolve().parent / "linking_set.yaml"
# Written after the matcher was tuned, and not tuned on.
HOLDOUT_SET = Path(__file__).resolve().parent / "holdout_set.yaml"


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
    raw = validated(_LinkingSet, read_yaml_mapping(path), str(path), docs="newshound_dev/evaluation/entities.py")
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
