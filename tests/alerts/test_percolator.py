"""The percolator path's requests and answers (the test server has no percolator module)."""

from __future__ import annotations

import json
from typing import Any

from helpers import PINNED_ELASTICSEARCH_VERSION

from pipeline.alerts.config import ClaimRule, EntityRule, QueryRule, Rule
from pipeline.alerts.percolator import (
    PERCOLATED_FIELDS,
    percolate_search,
    percolator_document,
    percolator_mappings,
    read_percolate_hits,
    rule_actions,
    rules_version,
    use_percolator,
)
from pipeline.alerts.queries import named_rules_search, pack_rules, rule_query, text_query
from pipeline.index.capabilities import Capabilities
from pipeline.settings import AlertSettings

BARE = Capabilities(PINNED_ELASTICSEARCH_VERSION, frozenset({"x-pack-core"}))
FULL = Capabilities(PINNED_ELASTICSEARCH_VERSION, frozenset({"percolator", "analysis-common", "lang-painless"}))


def rules() -> list[Rule]:
    return [
        EntityRule(id="korea", kind="entity", entity="Q423", notifiers=("hook",)),
        QueryRule(id="kursk", kind="query", query="Soldaten Kursk", languages=("de",), notifiers=("hook",)),
        ClaimRule(id="singh", kind="claim", entity="nh:sabrina-singh", role="speaker", notifiers=("hook",)),
    ]


def test_the_percolator_is_used_only_when_the_cluster_has_it_and_rules_are_many() -> None:
    settings = AlertSettings(percolator_min_rules=100)
    assert not use_percolator(BARE, 10_000, settings)
    assert not use_percolator(FULL, 99, settings)
    assert use_percolator(FULL, 100, settings)


def test_rules_index_maps_the_queried_article_fields_and_a_percolator_field() -> None:
    mappings = percolator_mappings(FULL, "v1")
    properties = mappings["properties"]
    assert properties["query"] == {"type": "percolator"}
    assert properties["claims"]["type"] == "nested"
    assert properties["text"]["fields"]["de"]["analyzer"] == "german"  # same analysis as the articles
    assert set(PERCOLATED_FIELDS) <= set(properties) and mappings["_meta"] == {"rules_version": "v1"}


def test_each_rule_is_stored_as_its_own_query() -> None:
    actions = rule_actions(rules(), FULL, "v1", "t-alert-rules")
    assert [action["_id"] for action in actions] == ["korea", "kursk", "singh"]
    stored = {action["_id"]: action["_source"] for action in actions}
    assert stored["korea"]["query"] == {"bool": {"filter": [{"term": {"entity_ids": "Q423"}}]}}
    kursk = stored["kursk"]["query"]["bool"]["filter"]
    assert kursk[0] == {"terms": {"language": ["de"]}}
    typed, analysed = kursk[1]["bool"]["should"]  # the words as typed, or in any form
    assert typed["simple_query_string"]["fields"] == ["title^2", "text", "title.de^2", "text.de"]
    assert typed["simple_query_string"]["default_operator"] == "and"
    assert "text_stems" in json.dumps(analysed)
    assert stored["singh"]["query"]["bool"]["filter"][0]["nested"]["path"] == "claims"
    assert all(
        source["rules_version"] == "v1" and source["rule_id"] == identifier for identifier, source in stored.items()
    )


def test_rules_version_changes_with_any_rule_and_only_then() -> None:
    first = rules_version(rules(), FULL)
    assert first == rules_version(rules(), FULL)
    changed = [*rules()[:2], ClaimRule(id="singh", kind="claim", entity="nh:pentagon", notifiers=("hook",))]
    assert rules_version(changed, FULL) != first


def test_percolate_request_and_reading_which_rule_matched_which_article() -> None:
    article: dict[str, Any] = {"title": "T", "text": "x", "entity_ids": ["Q423"], "minhash_bands": ["a"], "claims": []}
    document = percolator_document(article)
    assert "minhash_bands" not in document and document["entity_ids"] == ["Q423"]
    body = percolate_search([document, document], after="kursk")
    assert body["query"] == {"percolate": {"field": "query", "documents": [document, document]}}
    assert body["search_after"] == ["kursk"] and body["sort"] == [{"rule_id": "asc"}]
    hits = [
        {"_source": {"rule_id": "korea"}, "fields": {"_percolator_document_slot": [0, 2]}},
        {"_source": {"rule_id": "kursk"}, "fields": {"_percolator_document_slot": [1]}},
    ]
    assert read_percolate_hits(hits, ["a", "b", "c"]) == {"korea": {"a", "c"}, "kursk": {"b"}}


def test_multi_search_packs_named_rules_within_the_clause_budget() -> None:
    many = [QueryRule(id=f"q{n}", kind="query", query="eins zwei drei", notifiers=("h",)) for n in range(10)]
    # 1 + 3 words x (2 fields + 2 languages x 2 stems fields) + 2 language filters = 21 clauses each
    groups = pack_rules(many, BARE, 90)
    assert [len(group) for group in groups] == [4, 4, 2]
    body = named_rules_search(groups[0], BARE, {"ids": {"values": ["a"]}}, 1)
    query = body["query"]["bool"]
    assert query["filter"] == [{"ids": {"values": ["a"]}}] and query["minimum_should_match"] == 1
    assert [clause["bool"]["_name"] for clause in query["should"]] == ["q0", "q1", "q2", "q3"]
    assert body["_source"] is False and body["sort"] == ["_doc"]


def test_lucene_syntax_and_or_operator() -> None:
    rule = QueryRule(
        id="l", kind="query", query='title:Pentagon AND "Sabrina Singh"', syntax="lucene", notifiers=("h",)
    )
    assert text_query(rule, BARE)["query_string"]["default_operator"] == "AND"
    either = QueryRule(id="o", kind="query", query="a b", operator="or", outlets=("weltrundschau",), notifiers=("h",))
    filters = rule_query(either, BARE)["bool"]["filter"]
    assert filters[0]["bool"]["should"] == [
        {"terms": {"outlet": ["weltrundschau"]}},
        {"terms": {"feed_id": ["weltrundschau"]}},
    ]
    typed, analysed = filters[1]["bool"]["should"]
    assert typed["simple_query_string"]["default_operator"] == "or"
    assert analysed["bool"]["minimum_should_match"] == 1 and len(analysed["bool"]["should"]) == 2  # a or b
