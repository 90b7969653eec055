"""Pure parts of search: taking a typed query apart, finding entities in it, the request body."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pipeline.errors import QueryError
from pipeline.index.capabilities import Capabilities
from pipeline.search import (
    QueryParts,
    SearchRequest,
    find_query_entities,
    parse_query,
    search_body,
)

EMBEDDED = Capabilities(version="9.2.8", modules=frozenset())
FULL = Capabilities(version="9.2.8", modules=frozenset({"analysis-common", "percolator"}))


def test_a_query_is_taken_apart_into_words_phrases_exclusions_and_patterns() -> None:
    parts = parse_query('Soldaten  "north korea" -Gerücht -"fake news" /sold.*/ Kursk')
    assert parts == QueryParts(
        words=("Soldaten", "Kursk"),
        phrases=("north korea",),
        excluded=("Gerücht", "fake news"),
        patterns=("sold.*",),
    )
    assert parse_query("   ").empty
    assert parse_query("and/or 3-2 -").words == ("and/or", "3-2")


@pytest.mark.parametrize(
    ("query", "where"),
    [('"north korea', "quote at character 1"), ('Soldaten "Kursk', "quote at character 10"), ("/sold.*", "slash")],
)
def test_an_unclosed_quote_or_slash_is_one_clear_error(query: str, where: str) -> None:
    with pytest.raises(QueryError, match=where) as raised:
        parse_query(query)
    assert "\n" not in str(raised.value)


def test_an_excluded_pattern_is_refused() -> None:
    with pytest.raises(QueryError, match="cannot be excluded"):
        parse_query("-/sold.*/")


def lookup(typed: str) -> tuple[str, str] | None:
    names = {
        "north korea": ("Q423", "North Korea"),
        "nordkorea": ("Q423", "North Korea"),
        "putin": ("Q7747", "Vladimir Putin"),
    }
    return names.get(typed.lower())


def test_entities_are_the_longest_runs_of_words_that_name_one() -> None:
    entities, rest = find_query_entities(["Soldaten", "north", "korea", "Putin"], [], lookup)
    assert [(e.words, e.entity_id) for e in entities] == [("north korea", "Q423"), ("Putin", "Q7747")]
    assert rest == ["Soldaten"]
    entities, rest = find_query_entities([], ["Nordkorea"], lookup)
    assert [e.entity_id for e in entities] == ["Q423"] and rest == []


def leaves(query: Any) -> list[dict[str, Any]]:
    """Every leaf clause (multi_match, term, regexp...) of a query, depth first."""
    if isinstance(query, list):
        return [leaf for item in query for leaf in leaves(item)]
    if not isinstance(query, dict):
        return []
    found = []
    for kind, body in query.items():
        if kind in ("multi_match", "term", "terms", "regexp", "range"):
            found.append({kind: body})
        else:
            found += leaves(body)
    return found


def test_words_are_matched_with_the_analysis_of_each_language() -> None:
    body = search_body(SearchRequest(query="Soldaten"), parse_query("Soldaten"), [], ["Soldaten"], EMBEDDED)
    matches = [leaf["multi_match"] for leaf in leaves(body["query"]) if "multi_match" in leaf]
    analysed = [m for m in matches if any(f.startswith("text_stems") for f in m["fields"])]
    # One clause per analysed language, each with that language's terms for the word.
    assert len(analysed) == 2
    assert all(m["operator"] == "and" for m in matches)
    assert not any("text.de" in m["fields"] for m in matches)  # no analyzers on this engine
    full = search_body(SearchRequest(query="Soldaten"), parse_query("Soldaten"), [], ["Soldaten"], FULL)
    assert any("text.de" in m["multi_match"]["fields"] for m in leaves(full["query"]) if "multi_match" in m)


def test_an_entity_matches_by_words_or_by_id_and_the_clause_is_named() -> None:
    parts = parse_query("north korea")
    entities, rest = find_query_entities(parts.words, parts.phrases, lookup)
    body = search_body(SearchRequest(query="north korea"), parts, entities, rest, EMBEDDED)
    terms = [
        leaf["term"]["entity_ids"] for leaf in leaves(body["query"]) if "term" in leaf and "entity_ids" in leaf["term"]
    ]
    assert terms and all(term["value"] == "Q423" for term in terms)
    # One name per language's clause (Elasticsearch keeps one query per name), the same entity.
    names = [term["_name"] for term in terms]
    assert len(set(names)) == len(names) and all(name.endswith("|entity:Q423:North Korea") for name in names)


def test_filters_sort_and_collapse() -> None:
    from datetime import UTC, datetime

    request = SearchRequest(
        query="",
        languages=("de",),
        outlets=("weltrundschau",),
        since=datetime(2026, 12, 1, tzinfo=UTC),
        entity_ids=("Q423",),
        sort="date",
    )
    body = search_body(request, parse_query(""), [], [], EMBEDDED)
    filters = json.dumps(body["query"]["bool"]["filter"])
    assert '"language": ["de"]' in filters and "weltrundschau" in filters and "2026-12-01T00:00:00+00:00" in filters
    assert '{"term": {"entity_ids": "Q423"}}' in filters
    assert body["sort"][0] == {"published": {"order": "desc"}}
    assert body["collapse"]["field"] == "story_id"
    # The reports of one story are all shown.
    story = search_body(SearchRequest(story_id="s1"), parse_query(""), [], [], EMBEDDED)
    assert "collapse" not in story


# Elasticsearch 9's built-in language analyzers (reference: "Language analyzers", text analysis;
# they ship in the analysis-common module). No server with that module runs here (the integ-test
# distribution lacks it and no 9.x module or full distribution is on Maven Central), so the
# full-distribution path is checked against the documented names.
DOCUMENTED_LANGUAGE_ANALYZERS = {"arabic", "armenian", "basque", "bengali", "brazilian", "bulgarian", "catalan",
    "cjk", "czech", "danish", "dutch", "english", "estonian", "finnish", "french", "galician", "german", "greek",
    "hindi", "hungarian", "indonesian", "irish", "italian", "latvian", "lithuanian", "norwegian", "persian",
    "portuguese", "romanian", "russian", "serbian", "sorani", "spanish", "swedish", "turkish", "thai"}  # fmt: skip


def test_with_analysis_common_text_fields_use_documented_analyzers_and_search_uses_them() -> None:
    from pipeline.index.templates import article_mappings

    properties = article_mappings(FULL)["properties"]
    for field in ("title", "text", "summary"):
        subfields = properties[field]["fields"]
        assert {subfields["de"]["analyzer"], subfields["en"]["analyzer"]} == {"german", "english"}
        assert {subfields[language]["analyzer"] for language in ("de", "en")} <= DOCUMENTED_LANGUAGE_ANALYZERS
    bare = article_mappings(EMBEDDED)["properties"]
    assert "fields" not in bare["text"] and bare["text_stems"] == {"type": "text", "analyzer": "whitespace"}
    # The German clause asks text.de (the analyzer stems "Soldat") beside Newshound's stems, never text.en.
    body = search_body(SearchRequest(query="Soldat"), parse_query("Soldat"), [], ["Soldat"], FULL)
    german = next(c for c in body["query"]["bool"]["should"] if c["bool"]["filter"] == [{"term": {"language": "de"}}])
    fields = {field for leaf in leaves(german) if "multi_match" in leaf for field in leaf["multi_match"]["fields"]}
    assert {"text.de", "title.de^3", "text_stems", "title_stems^3"} <= fields and "text.en" not in fields


@pytest.mark.parametrize(
    ("typed", "language", "marked"),
    [
        ("Soldat", "de", {"Soldaten"}),
        ("Regierung", "de", {"Bundesregierung"}),
        ("Streitkraft", "de", {"Streitkräfte"}),
        ("Größe", "de", {"Größe", "Grösse", "Groesse"}),
        ("troop", "en", {"troops"}),
        ("Kiew", "de", None),
    ],
)
def test_a_passage_marks_every_form_of_the_words(typed: str, language: str, marked: set[str] | None) -> None:
    from pipeline.highlight import words_passage

    text = "Die Bundesregierung und die Streitkräfte. Soldaten in Kursk. Größe, Grösse, Groesse. U.S. troops."
    passage = words_passage(text, language, [typed], 300)
    assert (set(passage.terms) if passage else None) == marked
    longer = " ".join([text] * 5)
    first = words_passage(longer, language, [typed], 60, first=True)
    assert (first is None) == (marked is None)
    if first is not None:
        assert set(first.terms) <= (marked or set()) and first.text in longer
