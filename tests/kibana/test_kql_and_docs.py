"""KQL field extraction, and the "Search in Kibana" examples of docs/kibana.md against the templates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO_ROOT

from newshound_dev.kibana_checks import (
    KQL,
    KQL_NESTED,
    KQL_RANGE,
    FieldUse,
    KqlField,
    field_problems,
    kql_fields,
    kql_uses,
)

# The queries the guide must keep (the brief's examples), each with its data view.
REQUIRED_EXAMPLES = {
    ("Newshound articles", 'entity_ids : "Q7747" and language : "de"'),
    ("Newshound articles", 'text : "Soldaten" and outlet : "Weltrundschau"'),
    ("Newshound claims", 'speaker_entity_id : "nh:sabrina-singh" and quantity_values >= 10000'),
    ("Newshound articles", 'story_id : "<story id>"'),
    ("Newshound articles", 'extraction_source : "feed"'),
}
ANALYZER_SECTION = "With language analyzers"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", []),
        ("Soldaten", []),
        ('entity_ids : "Q7747" and language : "de"', [("entity_ids", ":", ""), ("language", ":", "")]),
        ('title : (Nordkorea or "North Korea")', [("title", ":", "")]),
        ("not status : success", [("status", ":", "")]),
        ("quantity_values >= 10000 and claim_count<3", [("quantity_values", ">=", ""), ("claim_count", "<", "")]),
        ("near_duplicate_of : *", [("near_duplicate_of", ":", "")]),
        (
            'claims:{ speaker_key : "nh:x" and quantity_values > 5 } or outlet : A',
            [
                ("claims", "{", ""),
                ("claims.speaker_key", ":", "claims"),
                ("claims.quantity_values", ">", "claims"),
                ("outlet", ":", ""),
            ],
        ),
        (r'text : "say \"hello\"" and url : https\://x', [("text", ":", ""), ("url", ":", "")]),
    ],
)
def test_kql_fields(query: str, expected: list[tuple[str, str, str]]) -> None:
    assert kql_fields(query) == [KqlField(*item) for item in expected]


@pytest.mark.parametrize(
    "query",
    [
        'title : "unclosed',
        "title : (a or b",
        "title : a)",
        "title :",
        "title >= (1 or 2)",
        ": value",
        '"quoted field" : value',
        "entity_ids : nh:sabrina-singh",  # an id with a colon must be quoted
        "{ a : b }",
    ],
)
def test_kql_that_does_not_parse_is_refused(query: str) -> None:
    with pytest.raises(ValueError, match="KQL"):
        kql_fields(query)


def doc_examples(docs_path: Path) -> list[tuple[str, str, str, str]]:
    """(subsection, data view, query, finds) of every table row in "## Search in Kibana"."""
    text = docs_path.read_text(encoding="utf-8")
    section = text.split("\n## Search in Kibana\n", 1)[1].split("\n## ", 1)[0]
    examples = []
    subsection = ""
    for line in section.splitlines():
        if line.startswith("### "):
            subsection = line[4:].strip()
        row = re.fullmatch(r"\|\s*([^|`]+?)\s*\|\s*`([^`]+)`\s*\|\s*(.+?)\s*\|", line)
        if row:
            examples.append((subsection, row.group(1), row.group(2), row.group(3)))
    return examples


def test_the_guide_keeps_its_examples(docs_path: Path) -> None:
    examples = doc_examples(docs_path)
    found = {(data_view, query) for _, data_view, query, _ in examples}
    assert found >= REQUIRED_EXAMPLES, REQUIRED_EXAMPLES - found
    assert len(examples) >= 15
    assert any(subsection == ANALYZER_SECTION for subsection, *_ in examples)


def test_every_example_query_names_real_fields(
    docs_path: Path, data_views_by_name: dict[str, dict[str, Any]], mappings_for: Any
) -> None:
    """Each query parses, and its fields exist with a fitting type in the data view's template.

    Examples under "With language analyzers" are checked against the mapping of a full cluster
    (text fields have .de/.en subfields there), the others against the bare test cluster's.
    """
    problems = []
    for subsection, name, query, _ in doc_examples(docs_path):
        assert name in data_views_by_name, f"unknown data view {name!r} in the guide"
        pattern = data_views_by_name[name]["attributes"]["title"]
        capabilities = "full" if subsection == ANALYZER_SECTION else "bare"
        uses = set(kql_uses(query, f"docs: {query}"))
        assert uses or subsection == ANALYZER_SECTION, f"an example without a field: {query}"
        problems += field_problems({pattern: uses}, mappings_for([pattern], capabilities))
    assert problems == []


def test_analyzer_examples_really_need_the_full_cluster(
    docs_path: Path, data_views_by_name: dict[str, dict[str, Any]], mappings_for: Any
) -> None:
    """The subsection is honest: its queries use subfields the bare test cluster does not have."""
    for subsection, name, query, _ in doc_examples(docs_path):
        if subsection != ANALYZER_SECTION:
            continue
        pattern = data_views_by_name[name]["attributes"]["title"]
        uses = {FieldUse(field.field, KQL, "docs") for field in kql_fields(query) if field.operator == ":"}
        assert field_problems({pattern: uses}, mappings_for([pattern], "bare")), query


def test_kql_uses_say_how_each_field_is_used() -> None:
    uses = kql_uses('claims:{ quantity_values >= 5 } and outlet : "A"', "test")
    assert [(use.field, use.usage, use.nested_path) for use in uses] == [
        ("claims", KQL_NESTED, ""),
        ("claims.quantity_values", KQL_RANGE, "claims"),
        ("outlet", KQL, ""),
    ]


def test_readme_search_examples_name_real_fields(
    data_views_by_name: dict[str, dict[str, Any]], mappings_for: Any
) -> None:
    readme = REPO_ROOT / "README.md"
    examples = doc_examples(readme)
    assert len(examples) >= 5
    problems = []
    for _, name, query, _ in examples:
        pattern = data_views_by_name[name]["attributes"]["title"]
        problems += field_problems({pattern: set(kql_uses(query, f"README: {query}"))}, mappings_for([pattern], "bare"))
    assert problems == []
