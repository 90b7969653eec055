"""`newshound eval search`: the known-item queries, and the evaluation against the real server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newshound_dev.evaluation.search import CorpusArticle, Vocabulary, compound_query, other_forms, rank_of, scores
from pipeline.cli.main import app


def articles(*texts: str) -> list[CorpusArticle]:
    return [CorpusArticle(f"de-{n}", "de", "", text) for n, text in enumerate(texts)]


def test_other_forms_are_attested_elsewhere_and_absent_from_the_article() -> None:
    corpus = articles("Die Soldaten kämpfen.", "Ein Soldat kam.", "Des Soldats Ende.", "Die Bundesregierung tagt.")
    vocabulary = Vocabulary(corpus)
    assert other_forms("Soldaten", "de", vocabulary, {"die", "soldaten", "kämpfen"}) == ["Soldat", "Soldats"]
    assert other_forms("Soldaten", "de", vocabulary, {"soldaten", "soldat", "soldats"}) == []
    # English names do not inflect: only lower-case forms are offered.
    english = Vocabulary([CorpusArticle("en-0", "en", "", "Rhodes voted. Rhode Island votes.")])
    assert other_forms("votes", "en", english, {"votes"}) == ["voted"]


def test_a_compound_query_asks_a_noun_part_after_a_noun_modifier() -> None:
    corpus = articles(
        "Die Bundesregierung beschließt Gesetze gegen Raubkopien.",
        "Die Regierung tagt. Der Bund zahlt. Das Gesetz gilt. Eine Stellung.",
        "Eine Regierung fällt. Die Stellung hält.",
        "Die Herstellung stockt, heißt es in Briefen.",
        "Ein Brief kam.",
        # Words in every tenth article or more say little: the corpus needs others.
        *(f"Füllwort{n} Beiwort{n}" for n in range(20)),
    )
    vocabulary = Vocabulary(corpus)
    query = compound_query(corpus[0], vocabulary)
    assert query is not None and query.split()[0] == "Regierung"
    # "Her-stellung" is no compound: "her" is no noun of the corpus.
    assert compound_query(corpus[3], vocabulary) is None


def test_scores() -> None:
    assert rank_of("b", ["a", "b"]) == 2 and rank_of("c", ["a"]) is None
    assert scores([1, 2, None, None]) == {"recall_at_10": 0.5, "mrr": 0.375, "n_queries": 4}


@pytest.mark.integration
def test_eval_search_finds_most_german_articles_and_the_old_search_almost_none(
    elasticsearch_url: str, shared_corpus: Path
) -> None:
    result = CliRunner().invoke(
        app,
        ["eval", "search", "--corpus", str(shared_corpus / "claims"), "--articles", "120", "--queries", "60"],
        env={"ELASTICSEARCH_URL": elasticsearch_url},
    )
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.output.strip().splitlines()[-1])
    assert report["articles"] == 240 and report["n_queries"] >= 150
    assert {"recall_at_10", "mrr", "n_queries"} <= set(report)
    assert report["de"]["recall_at_10"] >= 0.85, report["de"]
    assert report["de_compound"]["n_queries"] > 0 and report["de_entity"]["n_queries"] > 0
    assert report["baseline_de"]["recall_at_10"] < 0.1 < report["de"]["recall_at_10"] - 0.5
