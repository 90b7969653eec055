"""`newshound eval ner`: reading GermEval 2014 TSV and CoNLL IO files, the scoring rules of
../shared/corpus/ner/README.md, and the production entity path on the development parts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newshound_dev.evaluation.ner import (
    GoldSpan,
    NerReport,
    PredictedSpan,
    read_conll,
    read_germeval,
    rebuild_text,
    score_text,
    spans_from_tags,
)
from pipeline.cli.main import app

runner = CliRunner()

GERMEVAL = """#\thttp://example.org/a\t[2010-01-01]
1\tPentagon-Sprecherin\tB-ORGpart\tO
2\tSabrina\tB-PER\tO
3\tSingh\tI-PER\tO
4\tsagte\tO\tO
5\tin\tO\tO
6\tder\tO\tO
7\tdeutschen\tB-LOCderiv\tO
8\tHauptstadt\tO\tO
9\tBerlin\tB-LOC\tO
10\t.\tO\tO

#\thttp://example.org/b\t[2010-01-02]
1\tDie\tO\tO
2\tNATO\tB-ORG\tO
3\ttagte\tO\tO
4\t.\tO\tO

"""
CONLL = """-DOCSTART- OEcho I-MISC
is O
an O
album O
by O
New I-ORG
Order I-ORG
. O

-DOCSTART- O

Mark I-PER
Rutte I-PER
visited O
Japanese I-MISC
sites O
. O
"""


def test_text_is_rebuilt_with_offsets_and_no_space_before_closing_punctuation() -> None:
    text, starts, ends = rebuild_text(["Berlin", ",", "sagte", "er", "(", "dpa", ")", "."])
    assert text == "Berlin, sagte er ( dpa)."
    assert [text[start:end] for start, end in zip(starts, ends, strict=True)][:3] == ["Berlin", ",", "sagte"]


def test_bio_and_io_tags_become_spans_and_deriv_part_are_not_scored() -> None:
    assert spans_from_tags(["B-PER", "I-PER", "O", "B-LOCderiv", "B-ORG", "B-ORG"]) == [
        GoldSpan(0, 2, "PER", True),
        GoldSpan(3, 4, "LOC", False),
        GoldSpan(4, 5, "ORG", True),
        GoldSpan(5, 6, "ORG", True),
    ]
    assert spans_from_tags(["I-MISC", "I-MISC", "I-ORG", "O", "I-PER"]) == [
        GoldSpan(0, 2, "OTH", True),  # MISC and OTH are one class
        GoldSpan(2, 3, "ORG", True),
        GoldSpan(4, 5, "PER", True),
    ]


def test_files_are_read_as_texts(tmp_path: Path) -> None:
    (tmp_path / "dev.tsv").write_text(GERMEVAL, encoding="utf-8")
    (tmp_path / "dev.conll.txt").write_text(CONLL, encoding="utf-8")
    german = read_germeval(tmp_path / "dev.tsv")
    assert [gold.text for gold in german] == [
        "Pentagon-Sprecherin Sabrina Singh sagte in der deutschen Hauptstadt Berlin.",
        "Die NATO tagte.",
    ]
    english = read_conll(tmp_path / "dev.conll.txt")
    assert [gold.text for gold in english] == ["Echo is an album by New Order.", "Mark Rutte visited Japanese sites."]
    assert english[0].spans[0] == GoldSpan(0, 1, "OTH", True)  # the token glued to -DOCSTART-


def test_scoring_counts_exact_spans_and_ignores_deriv_and_part(tmp_path: Path) -> None:
    (tmp_path / "dev.tsv").write_text(GERMEVAL, encoding="utf-8")
    gold = read_germeval(tmp_path / "dev.tsv")[0]
    report = NerReport()
    predictions = [
        PredictedSpan(0, 1, "ORG"),  # only overlaps the ORGpart span: ignored
        PredictedSpan(1, 3, "PER"),  # exact: true positive
        PredictedSpan(6, 7, "OTH"),  # only overlaps LOCderiv: ignored
        PredictedSpan(7, 9, "LOC"),  # "Hauptstadt Berlin": partial, a false positive and a miss
    ]
    score_text(gold, predictions, report, keep_mistakes=True)
    metrics = report.metrics()
    assert report.ignored == 2
    assert report.per_class["PER"].true_positives == 1
    assert report.per_class["LOC"].false_positives == 1 and report.per_class["LOC"].false_negatives == 1
    assert metrics["partial_matches"] == 1
    assert metrics["precision"] == 0.5 and metrics["recall"] == 0.5


def test_eval_ner_command_prints_scores_as_its_last_line(tmp_path: Path) -> None:
    (tmp_path / "dev.tsv").write_text(GERMEVAL, encoding="utf-8")
    (tmp_path / "dev.conll.txt").write_text(CONLL, encoding="utf-8")
    result = runner.invoke(app, ["eval", "ner", "--corpus", str(tmp_path)])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.strip().splitlines()[-1])
    assert scores["n_sentences"] == 4 and scores["n_texts"] == 4
    assert set(scores["per_type"]) == {"PER", "ORG", "LOC", "OTH"}
    assert scores["sentences_per_second"] > 0 and 0 < scores["f1"] <= 1
    assert runner.invoke(app, ["eval", "ner", "--corpus", str(tmp_path / "missing")]).exit_code != 0


@pytest.mark.slow
@pytest.mark.parametrize(("folder", "floor"), [("germeval2014-de-dev", 0.75), ("wikigold-en-dev", 0.66)])
def test_development_parts_stay_above_the_targets(shared_corpus: Path, folder: str, floor: float) -> None:
    """Regression floors on the development parts (measured: German 0.761, English 0.679)."""
    result = runner.invoke(app, ["eval", "ner", "--corpus", str(shared_corpus / "ner" / folder)])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.strip().splitlines()[-1])
    assert scores["f1"] >= floor, scores
