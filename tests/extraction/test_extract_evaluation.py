"""The extraction evaluation: the benchmark metric, a small corpus, and the whole dev set."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from newshound_dev.evaluation.extraction import PLAIN_SETTINGS, evaluate_extraction, score_texts


def test_metric_identical_texts() -> None:
    scores = score_texts(["Eins zwei drei vier fünf.\nSechs sieben."], ["Eins zwei drei vier fünf. Sechs sieben."])
    assert scores == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "accuracy": 1.0, "n": 1}


def test_metric_empty_prediction_lowers_recall_only() -> None:
    gold = "one two three four five six"
    scores = score_texts([gold, gold], [gold, ""])
    assert scores["precision"] == 1.0  # the empty page is not in the precision mean
    assert scores["recall"] == 0.5
    assert scores["f1"] == round(2 * 0.5 / 1.5, 4)
    assert scores["accuracy"] == 0.5


def test_metric_shingles_are_multisets_and_case_sensitive() -> None:
    gold = "a b c d"  # one shingle
    # Predicted "a b c d a b c d": shingles abcd, bcda, cdab, dabc, abcd -> 1 of 5 shared.
    assert score_texts([gold], ["a b c d a b c d"])["precision"] == 0.2
    assert score_texts([gold], ["A b c d"])["recall"] == 0.0
    assert score_texts(["Hi there"], ["Hi there!"])["f1"] == 1.0  # 1-3 tokens: one shingle


def number(result: dict[str, object], key: str) -> float:
    value = result[key]
    assert isinstance(value, int | float), key
    return float(value)


def small_corpus(source: Path, target: Path, page_ids: list[str]) -> Path:
    truth = json.loads((source / "ground-truth.json").read_text(encoding="utf-8"))
    (target / "html").mkdir(parents=True)
    for page_id in page_ids:
        shutil.copy(source / "html" / f"{page_id}.html.gz", target / "html")
    subset = {page_id: truth[page_id] for page_id in page_ids}
    (target / "ground-truth.json").write_text(json.dumps(subset), encoding="utf-8")
    return target


def test_evaluation_on_a_few_pages(shared_corpus: Path, tmp_path: Path) -> None:
    source = shared_corpus / "extraction"
    page_ids = sorted(path.name.split(".")[0] for path in (source / "html").glob("*.html.gz"))[:4]
    result = evaluate_extraction(small_corpus(source, tmp_path / "corpus", page_ids))

    assert result["n"] == 4
    for key in ("precision", "recall", "f1", "accuracy", "baseline_f1", "best_plain_f1"):
        assert 0.0 <= number(result, key) <= 1.0, key
    assert number(result, "f1") > 0.8
    assert result["best_plain_setting"] in PLAIN_SETTINGS
    assert number(result, "f1_gain_over_best_plain") == round(number(result, "f1") - number(result, "best_plain_f1"), 4)
    assert number(result, "seconds_per_page") > 0 and number(result, "baseline_seconds_per_page") > 0
    plain = result["plain"]
    assert isinstance(plain, dict) and set(plain) == set(PLAIN_SETTINGS)
    json.dumps(result)  # one JSON line for the CLI


@pytest.mark.slow
def test_whole_dev_set_beats_plain_trafilatura(shared_corpus: Path) -> None:
    result = evaluate_extraction(shared_corpus / "extraction")

    assert result["n"] == 121
    assert number(result, "f1") > number(result, "baseline_f1")
    assert number(result, "f1") > number(result, "best_plain_f1")
    assert result["no_text_pages"] == 0
    # Removals that hit gold text: credits and copyright lines the benchmark counts as article text.
    assert number(result, "removed_in_gold") <= 8
