"""The claim scorer on both corpora (read from the shared folder, never copied here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newshound_dev.evaluation.claims import (
    Document,
    Statement,
    evaluate_claims,
    gold_predictor,
    read_documents,
    score_documents,
)

GERMEVAL = "claims/germeval2023-spkatt-news-de"
POLNEAR = "claims/polnear-en"
# Regression floors for the first 60 documents, a few points under what the rules reach
# (docs/claims.md: German 0.59 message / 0.74 speaker, English 0.67 / 0.67 on this slice).
FLOORS = {GERMEVAL: (0.54, 0.68), POLNEAR: (0.62, 0.61)}


@pytest.mark.parametrize("corpus", [GERMEVAL, POLNEAR])
def test_gold_predictions_score_perfectly(shared_corpus: Path, corpus: str) -> None:
    documents = list(read_documents(shared_corpus / corpus, limit=30))
    result = score_documents(documents, gold_predictor)
    for key in ("message_f1", "speaker_f1", "speaker_f1_exact", "cue_f1", "cue_f1_exact", "statement_f1"):
        assert result[key] == 1.0, key
    assert result["n_gold"] == result["n_predicted"] > 0


def test_scorer_counts_unpaired_and_partial_statements() -> None:
    text = "a b c d e f g h"
    starts = tuple(range(0, len(text), 2))
    document = Document("t", text, "en", None, starts, tuple(s + 1 for s in starts), (
        Statement(frozenset({0, 1, 2, 3}), frozenset({5}), frozenset({4})),
    ))  # fmt: skip

    def half_right(_: Document) -> list[Statement]:
        return [
            Statement(frozenset({2, 3, 6}), frozenset({5, 7}), frozenset()),
            Statement(frozenset({7}), frozenset(), frozenset()),
        ]

    result = score_documents([document], half_right)
    assert result["message_precision"] == 0.5  # 2 shared of 3 + 1 unpaired predicted tokens
    assert result["message_recall"] == 0.5
    assert result["speaker_precision"] == 0.5 and result["speaker_recall"] == 1.0
    assert result["speaker_f1_exact"] == 0.0
    assert result["cue_recall"] == 0.0
    assert result["n_paired"] == 1


@pytest.mark.slow
@pytest.mark.parametrize("corpus", [GERMEVAL, POLNEAR])
def test_extractor_stays_above_floor(shared_corpus: Path, corpus: str) -> None:
    result = evaluate_claims(shared_corpus / corpus, limit=60)
    message_floor, speaker_floor = FLOORS[corpus]
    assert result["n_docs"] == 60
    assert result["message_f1"] >= message_floor
    assert result["speaker_f1"] >= speaker_floor
    assert result["docs_per_second"] > 0
