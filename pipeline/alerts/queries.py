"""Rules as Elasticsearch queries, and rules grouped into the searches of one multi-search.

Pure: no I/O. Each rule becomes a filter-only bool query over the article fields. Some rules
need a check Elasticsearch cannot do (``min_mentions`` counts mentions; a claim "about" an entity
needs the mention's offsets inside the claim); their query finds the candidates and matching.py
checks the rest in Python. The same queries are stored in the percolator index (percolator.py).

A batch is matched with few searches: the rules are packed into searches of ``clause_budget``
leaf clauses, each rule a named ``should`` clause, the batch's ids a filter; every hit reports
the names of the rules it matched (``matched_queries``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pipeline.alerts.config import ClaimChangeRule, ClaimRule, EntityRule, QueryRule, Rule
from pipeline.alerts.passages import MARK_END, MARK_START
from pipeline.analysis import ANALYZED_LANGUAGES
from pipeline.errors import QueryError
from pipeline.index.capabilities import Capabilities
from pipeline.index.templates import LANGUAGE_ANALYZERS
from pipeline.search import QueryParts, outlet_filter, parse_query, text_clauses

Query = dict[str, Any]

# Title words weigh more in `watch test`'s ranking; matching itself is filter-only.
TITLE_BOOST = 2
# simple_query_string's operators: a rule using them is matched by that syntax alone.
_OPERATORS = set("|+*~()\\")


def query_fields(rule: QueryRule, capabilities: Capabilities) -> list[str]:
    """Title and text, plus their ``.de``/``.en`` subfields (for the rule's languages) when the cluster has them."""
    fields = [f"title^{TITLE_BOOST}", "text"]
    if capabilities.language_analyzers:
        languages = [language for language in (rule.languages or LANGUAGE_ANALYZERS) if language in LANGUAGE_ANALYZERS]
        for language in languages:
            fields += [f"title.{language}^{TITLE_BOOST}", f"text.{language}"]
    return fields


def text_query(rule: QueryRule, capabilities: Capabilities) -> Query:
    """The rule's full-text query. A simple-syntax rule also matches other forms of its words
    (``pipeline.search``'s analysis: "Soldat" alerts on "Soldaten", "Regierung" on
    "Bundesregierung") on every engine."""
    typed = typed_query(rule, capabilities)
    analysed = analysed_query(rule, capabilities) if rule.syntax == "simple" else None
    return typed if analysed is None else {"bool": {"should": [typed, analysed], "minimum_should_match": 1}}


def typed_query(rule: QueryRule, capabilities: Capabilities) -> Query:
    """The rule's words as typed (simple_query_string or, with syntax: lucene, query_string); also
    the highlight query: the engine's highlighter cannot show the analysed fields' matches, those
    are found in Python (matching.py)."""
    fields = query_fields(rule, capabilities)
    if rule.syntax == "lucene":
        return {
            "query_string": {
                "query": rule.query,
                "fields": fields,
                "default_operator": rule.operator.upper(),
                "lenient": True,
            }
        }
    return {
        "simple_query_string": {
            "query": rule.query,
            "fields": fields,
            "default_operator": rule.operator,
            "lenient": True,
        }
    }


def analysed_query(rule: QueryRule, capabilities: Capabilities) -> Query | None:
    """The rule's words in any form, in the article's language; None when the query says more than
    words, phrases and exclusions (simple_query_string's operators alone then decide)."""
    try:
        parts = parse_query(rule.query)
    except QueryError:
        return None
    if parts.patterns or parts.empty or any(set(word) & _OPERATORS for word in parts.words):
        return None
    if rule.operator == "and":
        return text_clauses(parts, [], parts.words, capabilities, typed=False)
    each = [QueryParts(words=(word,)) for word in parts.words] + [QueryParts(phrases=(p,)) for p in parts.phrases]
    query = {
        "bool": {
            "should": [text_clauses(part, [], part.words, capabilities, typed=False) for part in each],
            "minimum_should_match": 1,
        }
    }
    if parts.excluded:
        excluded = text_clauses(QueryParts(excluded=parts.excluded), [], [], capabilities, typed=False)
        query["bool"]["must_not"] = excluded["bool"]["must_not"]
    return query


def _nested_claims(*filters: Query) -> Query:
    return {"nested": {"path": "claims", "query": {"bool": {"filter": list(filters)}}}}


def rule_query(rule: Rule, capabilities: Capabilities) -> Query:
    """The filter that selects the articles a rule may alert on."""
    filters: list[Query] = []
    if rule.languages:
        filters.append({"terms": {"language": list(rule.languages)}})
    if rule.outlets:
        filters.append(outlet_filter(rule.outlets))
    if isinstance(rule, EntityRule):
        field = "title_entity_ids" if rule.in_title else "entity_ids"
        filters.append({"term": {field: rule.entity}})
        if rule.in_title and rule.min_mentions:
            filters.append({"term": {"entity_ids": rule.entity}})
    elif isinstance(rule, QueryRule):
        filters.append(text_query(rule, capabilities))
    elif isinstance(rule, ClaimRule):
        by = _nested_claims({"term": {"claims.speaker_keys": rule.entity}})
        about: Query = {
            "bool": {"filter": [{"term": {"entity_ids": rule.entity}}, {"range": {"claim_count": {"gt": 0}}}]}
        }
        if rule.role == "speaker":
            filters.append(by)
        elif rule.role == "about":
            filters.append(about)
        else:
            filters.append({"bool": {"should": [by, about], "minimum_should_match": 1}})
    elif isinstance(rule, ClaimChangeRule):
        claim_filters: list[Query] = [
            {"term": {"claims.quantities.unit": rule.unit}}
            if rule.unit
            else {"exists": {"field": "claims.quantities.unit"}}
        ]
        if rule.entity:
            claim_filters.append({"term": {"claims.speaker_keys": rule.entity}})
        filters.append(_nested_claims(*claim_filters))
    return {"bool": {"filter": filters}}


def clause_count(rule: Rule, capabilities: Capabilities) -> int:
    """An upper estimate of the leaf clauses the rule's query expands to (for packing searches)."""
    count = 1 + (1 if rule.languages else 0) + (2 if rule.outlets else 0)
    if isinstance(rule, QueryRule):
        words = max(len(re.findall(r"\w+", rule.query)), 1)
        # The typed fields, then each analysed language's title and text stems and its filter.
        count += words * (len(query_fields(rule, capabilities)) + 2 * len(ANALYZED_LANGUAGES)) + len(ANALYZED_LANGUAGES)
    elif isinstance(rule, ClaimRule | ClaimChangeRule):
        count += 3
    return count


def pack_rules(rules: Sequence[Rule], capabilities: Capabilities, budget: int) -> list[list[Rule]]:
    """Rules in groups whose estimated clauses stay within ``budget`` (a rule over budget goes alone)."""
    groups: list[list[Rule]] = []
    used = budget
    for rule in rules:
        cost = clause_count(rule, capabilities)
        if used + cost > budget:
            groups.append([])
            used = 0
        groups[-1].append(rule)
        used += cost
    return groups


def named_rules_search(
    rules: Sequence[Rule], capabilities: Capabilities, scope: Query, size: int, sort: Sequence[Any] = ("_doc",)
) -> Query:
    """One search of the multi-search: articles in ``scope`` matching any rule, each rule named by its id."""
    should = []
    for rule in rules:
        query = rule_query(rule, capabilities)
        query["bool"]["_name"] = rule.id
        should.append(query)
    return {
        "query": {"bool": {"filter": [scope], "should": should, "minimum_should_match": 1}},
        "size": size,
        "_source": False,
        "sort": list(sort),
        "track_total_hits": False,
    }


def ids_scope(article_ids: Sequence[str]) -> Query:
    return {"ids": {"values": list(article_ids)}}


def highlight_search(rule: QueryRule, capabilities: Capabilities, article_ids: Sequence[str], chars: int) -> Query:
    """A search that returns the rule's highlighted passage in each of these articles."""
    text_fields = ["text", *(f"text.{language}" for language in LANGUAGE_ANALYZERS)]
    title_fields = ["title", *(f"title.{language}" for language in LANGUAGE_ANALYZERS)]
    # A few fragments, best first: passages.best_passage joins two when no one fragment has every term.
    fields: dict[str, Any] = {name: {"fragment_size": chars, "number_of_fragments": 5} for name in text_fields}
    fields.update({name: {"number_of_fragments": 0} for name in title_fields})
    if not capabilities.language_analyzers:
        fields = {name: value for name, value in fields.items() if "." not in name}
    return {
        "query": ids_scope(article_ids),
        "size": len(article_ids),
        "_source": False,
        "highlight": {
            "type": "unified",
            "highlight_query": typed_query(rule, capabilities),
            "pre_tags": [MARK_START],
            "post_tags": [MARK_END],
            "require_field_match": False,
            "order": "score",
            "fields": fields,
        },
    }
