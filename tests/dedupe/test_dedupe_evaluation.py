"""`newshound eval dedupe`: the pair format of ../shared/corpus/dedupe/README.md, the metric
arithmetic, the in-memory pair decision (the same as the lookup against Elasticsearch), the
development pairs generated from the shared corpus, and the command end to end."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import fingerprinted_article
from typer.testing import CliRunner

from newshound_dev.dedupe_pairs import (
    DIFFERENT_KINDS,
    DUPLICATE_KINDS,
    NEAR_DUPLICATE_KINDS,
    SAME_STORY_KINDS,
    development_pairs,
)
from newshound_dev.dedupe_templates import TEMPLATE_KINDS
from newshound_dev.evaluation.dedupe import (
    LABELS,
    LabelledPair,
    PairOutcome,
    PairSide,
    confusion_table,
    dedupe_metrics,
    pair_json,
    parse_pairs,
    read_pairs,
    write_pairs,
)
from pipeline.cli.main import app
from pipeline.dedupe.lookup import decide_pair
from pipeline.errors import ConfigError
from pipeline.models import Article
from pipeline.settings import DedupeSettings

runner = CliRunner()
README_METRICS = {
    "same_article_precision",
    "same_article_recall",
    "same_article_f1",
    "false_merges",
    "exact_recall",
    "story_precision",
    "story_recall",
    "story_f1",
    "n_pairs",
}
NOW = datetime(2024, 10, 30, 12, tzinfo=UTC)


def pair_line(**changes: Any) -> str:
    document: dict[str, Any] = {
        "id": "p-1",
        "a": {
            "title": "A",
            "text": "Erster Absatz.\n\nZweiter.",
            "url": "https://a.example/1",
            "published": "2016-07-19",
        },
        "b": {"title": "B", "text": "Erster Absatz.", "url": "https://b.example/1", "published": None},
        "label": "duplicate",
        "kind": "agency_packaging",
        "lang": "de",
    }
    document.update(changes)
    return json.dumps(document, ensure_ascii=False)


# --- the pair format ---------------------------------------------------------------------------


def test_the_reader_takes_dates_times_nulls_and_optional_fields() -> None:
    timed = {"title": "T", "text": "x", "url": "https://c.example/", "published": "2016-07-21T09:30:00+02:00"}
    lines = [pair_line(), "", pair_line(id="p-2", b=timed, kind=None, lang=None, note="extra keys are ignored")]
    first, second = parse_pairs(lines, "pairs.jsonl")
    assert first.a.published == datetime(2016, 7, 19, tzinfo=UTC) and first.b.published is None
    assert (first.label, first.kind, first.lang) == ("duplicate", "agency_packaging", "de")
    assert second.b.published == datetime(2016, 7, 21, 7, 30, tzinfo=UTC) and second.kind is None


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["{not json"], "pairs.jsonl: line 1: not JSON"),
        ([pair_line(), json.dumps({"id": "x", "a": {}, "b": {}})], "line 2: a.title: Field required"),
        ([pair_line(label="dup")], "line 1: label: Input should be"),
        ([pair_line(label="dup")], "(fix: label is one of duplicate, near_duplicate, same_story, different)"),
        ([pair_line(b={"title": "B", "text": "t", "url": "u", "published": "yesterday"})], "line 1: b.published"),
        ([pair_line(a={"title": "A", "url": "u"})], "line 1: a.text: Field required"),
        ([pair_line(), pair_line()], "line 2: id: 'p-1' is also the id of line 1"),
        (["", "  "], "no pairs"),
    ],
)
def test_format_errors_name_the_file_the_line_and_the_field(lines: list[str], expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_pairs(lines, "pairs.jsonl")
    assert expected in str(error.value)


def test_written_pairs_read_back_the_same(tmp_path: Path) -> None:
    pairs = parse_pairs([pair_line(), pair_line(id="p-2", label="different", kind=None)], "given")
    write_pairs(pairs, tmp_path / "out" / "pairs.jsonl")
    assert read_pairs(tmp_path / "out" / "pairs.jsonl") == pairs
    with pytest.raises(ConfigError, match="cannot read it"):
        read_pairs(tmp_path / "missing.jsonl")


# --- metrics -----------------------------------------------------------------------------------


def outcome(label: str, decided: str, kind: str = "k") -> PairOutcome:
    side = PairSide("t", "x", "https://x.example/", None)
    pair = LabelledPair(f"{label}-{decided}", side, side, label, kind, "de")  # type: ignore[arg-type]
    return PairOutcome(pair, decided, 0.0, 0, 0, 0, 0.0)  # type: ignore[arg-type]


HAND_MADE = [
    outcome("duplicate", "duplicate"),
    outcome("duplicate", "near_duplicate"),
    outcome("duplicate", "different"),
    outcome("near_duplicate", "near_duplicate"),
    outcome("near_duplicate", "same_story"),
    outcome("same_story", "near_duplicate"),  # a false merge
    outcome("same_story", "same_story"),
    outcome("different", "different"),
    outcome("different", "same_story"),
    outcome("different", "duplicate"),  # a false merge
]


def test_metric_arithmetic_on_a_hand_made_set() -> None:
    metrics = dedupe_metrics(HAND_MADE)
    # same article: 5 labelled, 5 decided, 3 of them right; story: 7 labelled, 8 decided, 6 right
    assert metrics == {
        "same_article_precision": 0.6,
        "same_article_recall": 0.6,
        "same_article_f1": 0.6,
        "false_merges": 2,
        "exact_recall": 0.3333,
        "story_precision": 0.75,
        "story_recall": 0.8571,
        "story_f1": 0.8,
        "n_pairs": 10,
    }
    assert set(metrics) == README_METRICS
    empty = dedupe_metrics([outcome("different", "different")])
    assert empty["same_article_precision"] is None and empty["exact_recall"] is None and empty["false_merges"] == 0


def test_the_confusion_table_counts_decisions_per_label_and_kind() -> None:
    header, *rows = confusion_table(HAND_MADE)
    assert header.split()[:2] == ["label", "n"] and header.split()[2:6] == list(LABELS)
    assert rows[0].split() == ["duplicate", "3", "1", "1", "0", "1", "0.33"]
    assert rows[3].split() == ["different", "3", "1", "0", "1", "1", "0.33"]
    by_kind = confusion_table(HAND_MADE, by_kind=True)
    assert [row.split()[0] for row in by_kind[1:]] == [f"{label}/k" for label in LABELS]


# --- the decision of one pair, without Elasticsearch ------------------------------------------------

SETTINGS = DedupeSettings()
TEXT = (
    "Nordkorea habe etwa 10.000 Soldaten zur Ausbildung nach Russland geschickt, sagte die Sprecherin am Montag. "
    "Ein Teil dieser Soldaten sei bereits näher an die Ukraine herangerückt. Die USA seien besorgt, dass die "
    "Truppen im Kampf eingesetzt würden. Kiew startete im August einen Einmarsch in russisches Territorium. "
) * 3
FACTS = ("e:Q423", "e:Q159", "e:Q212", "e:nh:sabrina-singh", "n:10000")


def article(article_id: str, text: str, published: datetime | None, keys: tuple[str, ...] = FACTS) -> Article:
    return fingerprinted_article(article_id, text, published, keys)


def test_an_exact_copy_is_a_duplicate_and_an_edited_copy_a_near_duplicate() -> None:
    original = article("a", TEXT, NOW)
    copy = article("b", TEXT.upper().replace(". ", ".\n\n"), NOW)
    assert decide_pair(original, copy, SETTINGS, NOW).duplicate_of == "a"
    edited = article("b", TEXT.replace("August", "Juli", 1) + " Weitere Einzelheiten nannte sie nicht.", NOW)
    decision = decide_pair(original, edited, SETTINGS, NOW)
    assert decision.duplicate_of is None and decision.near_duplicate_of == "a" and decision.story_id == "a"
    assert decide_pair(original, dataclasses.replace(copy, id="a"), SETTINGS, NOW).story_id == "a"  # itself: no copy
    assert decide_pair(original, dataclasses.replace(copy, id="a"), SETTINGS, NOW).duplicate_of is None


def test_near_duplicates_are_only_found_through_a_shared_band_key() -> None:
    original = article("a", TEXT, NOW, keys=())
    edited = article("b", TEXT.replace("August", "Juli", 1), NOW, keys=())
    no_band = dataclasses.replace(edited, minhash_bands=("99:none",))
    assert decide_pair(original, edited, SETTINGS, NOW).near_duplicate_of == "a"
    assert decide_pair(original, no_band, SETTINGS, NOW).story_id == "b"  # the search would not return a


def test_a_story_needs_shared_facts_inside_the_window() -> None:
    original = article("a", "Ein ganz anderer Text über dieselben Leute.", NOW)
    report = article("b", "Noch ein anderer Text, mit eigenen Worten geschrieben.", NOW + timedelta(hours=30))
    assert decide_pair(original, report, SETTINGS, NOW).story_id == "a"
    later = dataclasses.replace(report, published=NOW + timedelta(hours=SETTINGS.story_window_hours + 1))
    assert decide_pair(original, later, SETTINGS, NOW).story_id == "b"
    undated = dataclasses.replace(original, published=None)  # indexed with the time it was first seen: now
    assert decide_pair(undated, report, SETTINGS, NOW).story_id == "a"
    assert decide_pair(undated, later, SETTINGS, NOW).story_id == "b"
    fewer = dataclasses.replace(report, story_keys=FACTS[:2])
    assert decide_pair(original, fewer, SETTINGS, NOW).story_id == "b"


# --- the development pairs -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_pairs(shared_corpus: Path) -> list[LabelledPair]:
    return development_pairs(shared_corpus)


def test_the_development_pairs_are_deterministic(shared_corpus: Path, dev_pairs: list[LabelledPair]) -> None:
    again = development_pairs(shared_corpus)
    assert [pair_json(p) for p in again] == [pair_json(p) for p in dev_pairs]
    other = development_pairs(shared_corpus, seed=16)
    assert [pair_json(p) for p in other] != [pair_json(p) for p in dev_pairs]


def test_the_development_pairs_cover_every_label_and_kind_in_both_languages(dev_pairs: list[LabelledPair]) -> None:
    assert 300 <= len(dev_pairs) <= 600
    assert len({p.id for p in dev_pairs}) == len(dev_pairs)
    assert all(p.a.url != p.b.url for p in dev_pairs)
    for label in LABELS:
        assert {"de", "en"} <= {p.lang for p in dev_pairs if p.label == label}, label
    kinds = {(p.label, p.kind) for p in dev_pairs}
    expected = (
        {("duplicate", kind) for kind in DUPLICATE_KINDS}
        | {("near_duplicate", kind) for kind in NEAR_DUPLICATE_KINDS}
        | {("same_story", kind) for kind in [*SAME_STORY_KINDS, "seed_reports", "real_other_outlet"]}
        | {("different", kind) for kind in [*DIFFERENT_KINDS, *TEMPLATE_KINDS, "same_topic_other_day"]}
    )
    assert kinds == expected
    (seeds,) = [p for p in dev_pairs if p.kind == "seed_reports"]
    assert seeds.label == "same_story" and "10.000" in seeds.a.text and "10.000" in seeds.b.text


def test_the_hard_kinds_carry_what_they_are_named_for(dev_pairs: list[LabelledPair]) -> None:
    by_kind: dict[str, list[LabelledPair]] = {}
    for pair in dev_pairs:
        by_kind.setdefault(pair.kind or "", []).append(pair)
    dateline = re.compile(r"^[\w/. ,-]+\((?:dpa|AFP|KNA|epd|Reuters|AP|dpa/lby|dts)\)\s*[-–—.]")
    for pair in by_kind["dateline"]:  # the first line, or the second below a repeated headline
        assert any(dateline.match(line) for line in [line for line in pair.b.text.split("\n") if line][:2]), pair.id
    assert all(p.a.text != p.b.text for kind in DUPLICATE_KINDS if kind != "exact_copy" for p in by_kind[kind])
    assert any("\u00ad" in p.b.text for p in by_kind["typography"])
    for kind in TEMPLATE_KINDS:  # the same frame on another day, with other figures
        for pair in by_kind[kind]:
            assert pair.a.published and pair.b.published and pair.b.published > pair.a.published
            assert pair.a.text != pair.b.text
    for pair in by_kind["shared_boilerplate"]:  # an editor's note of 30 words or more in both
        shared = set(pair.a.text.split("\n")) & set(pair.b.text.split("\n"))
        assert any(len(line.split()) >= 30 for line in shared), pair.id
    for pair in by_kind["follow_up_background"]:  # a later article that reuses a's background
        assert pair.b.published and pair.a.published and pair.b.published > pair.a.published
        assert any(paragraph in pair.a.text for paragraph in pair.b.text.split("\n") if len(paragraph) > 80)


# --- the command -----------------------------------------------------------------------------------


@pytest.fixture
def small_pairs(dev_pairs: list[LabelledPair], tmp_path: Path) -> Iterator[tuple[Path, list[LabelledPair]]]:
    """Two pairs of every kind, written as a file in the format."""
    chosen: list[LabelledPair] = []
    for pair in dev_pairs:
        if sum(1 for other in chosen if other.kind == pair.kind) < 2:
            chosen.append(pair)
    path = tmp_path / "pairs.jsonl"
    write_pairs(chosen, path)
    yield path, chosen


def test_the_command_prints_tables_and_the_metrics_as_its_last_line(
    small_pairs: tuple[Path, list[LabelledPair]],
) -> None:
    path, pairs = small_pairs
    result = runner.invoke(app, ["eval", "dedupe", "--pairs", str(path), "--mistakes"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    metrics = json.loads(lines[-1])
    assert set(metrics) >= README_METRICS and metrics["n_pairs"] == len(pairs) and metrics["seconds"] > 0
    assert metrics["ner"] == {"de": "corenlp", "en": "corenlp"}
    assert any(line.startswith("label ") for line in lines) and any(line.startswith("label/kind") for line in lines)
    assert any(line.startswith("duplicate/dateline ") for line in lines)
    # Equal words in equal order are one content hash whatever the case, spacing or punctuation.
    rows = {line.split()[0]: line.split() for line in lines if line.startswith("duplicate/")}
    for kind in ("exact_copy", "typography", "reflowed"):
        assert rows[f"duplicate/{kind}"][1:3] == ["2", "2"], rows[f"duplicate/{kind}"]
    label_rows = [line.split() for line in lines if line.split()[:1] and line.split()[0] in LABELS]
    wrongly_decided = sum(int(row[1]) - int(row[2 + LABELS.index(row[0])]) for row in label_rows)
    assert sum(1 for line in lines if line.startswith("dev-")) == wrongly_decided  # --mistakes: one line each


def test_the_command_reports_a_bad_pairs_file_and_bad_options(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text(pair_line() + "\n" + pair_line(id="p-2", label="same") + "\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "dedupe", "--pairs", str(path)])
    assert result.exit_code == 2 and f"{path}: line 2: label" in result.output
    result = runner.invoke(app, ["eval", "dedupe", "--pairs", str(path), "--seed", "3"])
    assert result.exit_code == 2 and "only the development pairs have a seed" in result.output


# --- the in-memory decision is the lookup's --------------------------------------------------------


@pytest.mark.integration
def test_the_pair_decision_is_the_lookup_against_elasticsearch(settings: Any, dev_pairs: list[LabelledPair]) -> None:
    """For every kind: index a, let DuplicateFinder decide b against the real index, and compare."""
    from newshound_dev.evaluation.dedupe import build_pair_articles
    from pipeline.build import Toolkit
    from pipeline.dedupe.lookup import DuplicateFinder
    from pipeline.index.articles import article_document
    from pipeline.index.connection import SearchIndex

    chosen: dict[str | None, LabelledPair] = {}
    for pair in dev_pairs:
        chosen.setdefault(pair.kind, pair)
    pairs = list(chosen.values())
    built = build_pair_articles(pairs, Toolkit.load(settings))
    index = SearchIndex.connect(settings)
    now = datetime.now(UTC)
    decided = set()
    for pair, (first, second) in zip(pairs, built, strict=True):
        stamp = now.isoformat()
        document = article_document(
            first, claims=[], first_seen=stamp, last_changed=stamp, version=1, ingested_at=stamp
        )
        index.client.index(index=index.names.articles, id=first.id, document=document, refresh=True)
        (through_index,) = DuplicateFinder(index, settings.dedupe).decide_all([second], now)
        in_memory = decide_pair(first, second, settings.dedupe, now).apply(second)
        assert (in_memory.duplicate_of, in_memory.near_duplicate_of, in_memory.story_id) == (
            through_index.duplicate_of,
            through_index.near_duplicate_of,
            through_index.story_id,
        ), pair.id
        story = "story" if in_memory.story_id == first.id else "own story"
        decided.add("duplicate" if in_memory.duplicate_of else "near" if in_memory.near_duplicate_of else story)
        index.client.delete(index=index.names.articles, id=first.id, refresh=True)
    assert decided == {"duplicate", "near", "story", "own story"}
