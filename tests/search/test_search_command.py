"""`newshound search` against the real test Elasticsearch (no analysis-common: Newshound's own
analysis), on the two seed reports ingested from the local news web."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli.main import app

runner = CliRunner()
pytestmark = pytest.mark.integration

OUTLETS = {"Nachrichtenblatt", "Weltrundschau"}


@pytest.fixture(scope="module")
def seeds_environment(
    tmp_path_factory: pytest.TempPathFactory, elasticsearch_url: str, corenlp_url: str, shared_corpus: Path
) -> Any:
    """The two German seed reports, ingested once for the module under a prefix of its own."""
    import uuid

    from elasticsearch import Elasticsearch

    from pipeline.index.templates import remove_indices

    prefix = f"tsearch{uuid.uuid4().hex[:8]}"
    env = {
        "ELASTICSEARCH_URL": elasticsearch_url,
        "NEWSHOUND_ELASTICSEARCH__INDEX_PREFIX": prefix,
        "NEWSHOUND_INGEST__RUN_DATA_DIR": str(tmp_path_factory.mktemp("runs")),
        "NEWSHOUND_INGEST__WORKERS": "1",
        "NEWSHOUND_SHARED_DIR": str(shared_corpus.parent),
        # Module-scoped: set before the per-test environment isolation runs.
        "NEWSHOUND_ENTITIES__CORENLP__URL": corenlp_url,
    }
    ingested = runner.invoke(
        app, ["ingest", "--demo", "--json", "--feed", "nachrichtenblatt", "--feed", "weltrundschau"], env=env
    )
    assert ingested.exit_code == 0, ingested.output
    yield env
    client = Elasticsearch(elasticsearch_url, request_timeout=30)
    remove_indices(client, prefix)
    client.close()


def search(env: dict[str, str], *arguments: str) -> Any:
    return runner.invoke(app, ["search", *arguments], env=env)


def found(env: dict[str, str], *arguments: str) -> dict[str, Any]:
    result = search(env, *arguments, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def outlets_of(page: dict[str, Any]) -> set[str]:
    return {hit["outlet"] for hit in page["hits"]}


@pytest.mark.parametrize(
    "query", ["Soldat", "nordkoreanischen", "north korea", "Streitkraft", "Sprecherin", "Sekretär"]
)
def test_other_word_forms_compound_parts_and_other_languages_find_both_reports(
    seeds_environment: Any, query: str
) -> None:
    page = found(seeds_environment, query, "--every-report")
    assert outlets_of(page) == OUTLETS, page
    # Collapsed by story: every report is either a hit or counted under one.
    collapsed = found(seeds_environment, query)
    assert sum(1 + hit["other_reports"] for hit in collapsed["hits"]) == 2
    assert collapsed["stories"] == len(collapsed["hits"])


def test_a_hit_says_why_it_matched_and_shows_the_words_it_matched(seeds_environment: Any) -> None:
    page = found(seeds_environment, "north korea", "--every-report")
    for hit in page["hits"]:
        assert "entity North Korea (Q423)" in hit["why"]
        assert "[" in hit["passage"], hit["passage"]  # Nordkorea / nordkoreanische marked
    soldat = found(seeds_environment, "Soldat", "--every-report")
    assert all(hit["why"] == ["words Soldat"] for hit in soldat["hits"]), soldat
    assert all("[Soldaten]" in hit["passage"] or "[Soldat" in hit["passage"] for hit in soldat["hits"]), soldat


def test_filters_narrow_the_hits(seeds_environment: Any) -> None:
    assert outlets_of(found(seeds_environment, "Soldat", "--outlet", "weltrundschau", "--every-report")) == {
        "Weltrundschau"
    }
    assert search(seeds_environment, "Soldat", "--lang", "en").exit_code == 1
    assert search(seeds_environment, "Soldat", "--since", "2100-01-01").exit_code == 1
    assert outlets_of(found(seeds_environment, "Soldat", "--until", "2100-01-01", "--every-report")) == OUTLETS
    everything = found(seeds_environment, "Soldat", "--every-report", "--sort", "date")
    dates = [hit["published"] for hit in everything["hits"]]
    assert dates == sorted(dates, reverse=True)
    story = everything["hits"][0]["story_id"]
    in_story = found(seeds_environment, "--story", story)
    assert {hit["story_id"] for hit in in_story["hits"]} == {story}


def test_an_excluded_word_removes_the_reports_that_have_it(seeds_environment: Any) -> None:
    with_yun = found(seeds_environment, "Yun", "--every-report")
    assert with_yun["hits"], with_yun
    without = search(seeds_environment, "Soldat -Yun", "--every-report", "--json")
    remaining = json.loads(without.output.strip().splitlines()[-1])["hits"] if without.exit_code == 0 else []
    assert {hit["id"] for hit in remaining}.isdisjoint(hit["id"] for hit in with_yun["hits"])


@pytest.mark.parametrize(
    ("query", "message"),
    [('Soldaten "Kursk', "unbalanced quote at character 10"), ("/[a/", "the search engine refused the query")],
)
def test_a_query_the_engine_cannot_run_is_one_line_not_a_traceback(
    seeds_environment: Any, query: str, message: str
) -> None:
    result = search(seeds_environment, query)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
