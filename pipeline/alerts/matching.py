"""Matching a batch of just-indexed articles against the rules, with Elasticsearch's query engine.

    rules + article ids --multi-search (ids filter + named rule queries)--> (rule, article) pairs
        (or the percolator, when the cluster has it and there are many rules)
    pairs --checks Elasticsearch cannot do (mention counts, claim offsets, figure changes)-->
    one AlertCandidate per (rule, story) (or per article), with the highlighted passage

Matching is by article id, never by time: an article published days ago but indexed now is
matched like any other. A rule whose query Elasticsearch rejects is reported and skipped; it
never stops the other rules.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import ApiError

from pipeline.alerts.checks import Found, change_clusters, check
from pipeline.alerts.claim_changes import FigureChange, cluster_claims
from pipeline.alerts.config import QueryRule, Rule
from pipeline.alerts.passages import Passage, best_passage, passage_around
from pipeline.alerts.percolator import PercolatorUnusable, percolate_batch, use_percolator
from pipeline.alerts.queries import Query, highlight_search, ids_scope, named_rules_search, pack_rules
from pipeline.errors import QueryError
from pipeline.highlight import words_passage
from pipeline.index.connection import SearchIndex
from pipeline.search import parse_query
from pipeline.settings import AlertSettings

logger = logging.getLogger(__name__)

# An ids filter of this many ids per search keeps requests small and under the 10,000 hit window.
IDS_PER_SEARCH = 1000
SOURCE_FIELDS = [
    "title",
    "text",
    "canonical_url",
    "url",
    "outlet",
    "feed_id",
    "story_id",
    "language",
    "published",
    "entities",
    "title_entity_ids",
    "claims.claim_id",
    "claims.claim_cluster_id",
    "claims.speaker_keys",
    "claims.speaker_entity_id",
    "claims.speaker_organisation_id",
    "claims.quantities",
    "claims.content_start",
    "claims.content_end",
]
HIGHLIGHT_FIELD_ORDER = ("text", "text.de", "text.en", "title", "title.de", "title.en")


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    """An alert a rule raises for an article; the ledger decides whether it is new."""

    rule_id: str
    rule_kind: str
    alert_key: str  # what makes it one alert: the story (or article), plus the figure of a claim change
    article_id: str
    article_url: str
    article_title: str
    outlet: str
    story_id: str | None
    language: str | None
    published: str | None
    passage: Passage
    matched_terms: tuple[str, ...] = ()
    claim_cluster_id: str | None = None
    change: FigureChange | None = None

    @property
    def alert_id(self) -> str:
        """Deterministic: the same rule and story (or article) always give the same id."""
        return alert_id(self.rule_id, self.alert_key)


def alert_id(rule_id: str, alert_key: str) -> str:
    return hashlib.sha256(f"{rule_id}\0{alert_key}".encode()).hexdigest()[:32]


@dataclass
class BatchMatch:
    """What matching found: the candidates, the raw (rule -> articles) pairs, and rules that failed."""

    candidates: list[AlertCandidate] = field(default_factory=list)
    pairs: dict[str, set[str]] = field(default_factory=dict)
    rule_errors: dict[str, str] = field(default_factory=dict)
    used_percolator: bool = False


def match_batch(
    index: SearchIndex, rules: Sequence[Rule], article_ids: Sequence[str], *, settings: AlertSettings | None = None
) -> list[AlertCandidate]:
    """Run every rule against exactly these articles; one candidate per (rule, story) or (rule, article)."""
    return match_articles(index, rules, article_ids, settings or AlertSettings()).candidates


def match_articles(
    index: SearchIndex, rules: Sequence[Rule], article_ids: Sequence[str], settings: AlertSettings
) -> BatchMatch:
    """match_batch with the details (pairs, rule errors) the alert run counts."""
    article_ids = list(dict.fromkeys(article_ids))
    result = BatchMatch()
    if not rules or not article_ids:
        return result
    if use_percolator(index.capabilities, len(rules), settings):
        try:
            result.pairs = percolate_batch(index, rules, article_ids)
            result.used_percolator = True
        except (ApiError, PercolatorUnusable) as error:
            # A rule the percolator refuses, or a module that is not really there, must not stop alerting.
            logger.warning("percolating failed (%s); matching with the multi-search", error)
    if not result.used_percolator:
        for start in range(0, len(article_ids), IDS_PER_SEARCH):
            chunk = article_ids[start : start + IDS_PER_SEARCH]
            found = search_named_rules(index, rules, ids_scope(chunk), len(chunk), settings, result.rule_errors)
            for rule_id, ids in found.items():
                result.pairs.setdefault(rule_id, set()).update(ids)
    result.candidates = build_candidates(index, rules, result.pairs, settings)
    return result


def search_named_rules(
    index: SearchIndex,
    rules: Sequence[Rule],
    scope: Query,
    size: int,
    settings: AlertSettings,
    errors: dict[str, str],
    sort: Sequence[Any] = ("_doc",),
) -> dict[str, set[str]]:
    """Rule id -> ids of the articles in ``scope`` it matches, through one multi-search."""
    groups = pack_rules(rules, index.capabilities, settings.clause_budget)
    matches: dict[str, set[str]] = {}
    while groups:
        searches: list[Query] = []
        for group in groups:
            searches += [
                {"index": index.names.articles},
                named_rules_search(group, index.capabilities, scope, size, sort),
            ]
        responses = index.client.msearch(searches=searches)["responses"]
        retry: list[list[Rule]] = []
        for group, response in zip(groups, responses, strict=True):
            if "error" in response:
                if len(group) > 1:
                    retry += [[rule] for rule in group]  # find the rule Elasticsearch rejects
                else:
                    errors[group[0].id] = _error_text(response)
                    logger.warning("alert rule %s failed: %s", group[0].id, errors[group[0].id])
                continue
            for hit in response["hits"]["hits"]:
                for name in hit.get("matched_queries") or ():
                    matches.setdefault(name, set()).add(hit["_id"])
        groups = retry
    return matches


def _error_text(response: dict[str, Any]) -> str:
    error = response.get("error")
    if isinstance(error, dict):
        root = (error.get("root_cause") or [error])[0]
        return f"{root.get('type')}: {root.get('reason')}"[:500]
    return str(error)[:500]


@dataclass(frozen=True, slots=True)
class _Hit:
    rule: Rule
    article_id: str
    source: dict[str, Any]
    found: Found


def build_candidates(
    index: SearchIndex, rules: Sequence[Rule], pairs: dict[str, set[str]], settings: AlertSettings
) -> list[AlertCandidate]:
    """Check what Elasticsearch could not, dedupe per (rule, story), and cut the passages."""
    matched_ids = sorted({article_id for ids in pairs.values() for article_id in ids})
    if not matched_ids:
        return []
    sources = fetch_sources(index, matched_ids)
    by_id = {rule.id: rule for rule in rules}
    clusters = cluster_claims(index, change_clusters([by_id[r] for r in pairs if r in by_id], pairs, sources))
    chosen: dict[tuple[str, str], _Hit] = {}
    for rule_id, article_ids in sorted(pairs.items()):
        rule = by_id.get(rule_id)
        if rule is None:
            continue
        for article_id in sorted(article_ids):
            source = sources.get(article_id)
            if source is None:
                continue
            for found in check(rule, article_id, source, clusters, settings.passage_chars):
                hit = _Hit(rule, article_id, source, found)
                current = chosen.get((rule.id, found.key))
                if current is None or _first(hit) < _first(current):
                    chosen[(rule.id, found.key)] = hit
    passages = _highlight(index, [hit for hit in chosen.values() if isinstance(hit.rule, QueryRule)], settings)
    candidates = []
    for hit in chosen.values():
        made = hit.found.passage() if hit.found.passage else None
        passage = made or passages.get((hit.rule.id, hit.article_id))
        passage = passage or _opening(hit.source, settings)
        terms = hit.found.terms or tuple(dict.fromkeys(term.lower() for term in passage.terms))
        candidates.append(_candidate(hit, passage, terms))
    return sorted(candidates, key=lambda c: (c.rule_id, c.alert_key))


def fetch_sources(index: SearchIndex, article_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored fields matching needs, for these articles."""
    sources: dict[str, dict[str, Any]] = {}
    for start in range(0, len(article_ids), IDS_PER_SEARCH):
        chunk = list(article_ids[start : start + IDS_PER_SEARCH])
        response = index.client.search(
            index=index.names.articles, query=ids_scope(chunk), size=len(chunk), source_includes=SOURCE_FIELDS
        )
        sources.update({hit["_id"]: hit["_source"] for hit in response["hits"]["hits"]})
    return sources


def _first(hit: _Hit) -> tuple[str, str]:
    """The story's alert names its earliest article (then the smallest id, for determinism)."""
    return (str(hit.source.get("published") or ""), hit.article_id)


def _highlight(index: SearchIndex, hits: Sequence[_Hit], settings: AlertSettings) -> dict[tuple[str, str], Passage]:
    """Elasticsearch's highlight of each query rule in the article chosen for its alert."""
    sources = {hit.article_id: hit.source for hit in hits}
    by_rule: dict[str, list[str]] = {}
    rules: dict[str, QueryRule] = {}
    for hit in hits:
        assert isinstance(hit.rule, QueryRule)
        by_rule.setdefault(hit.rule.id, []).append(hit.article_id)
        rules[hit.rule.id] = hit.rule
    if not by_rule:
        return {}
    searches: list[Query] = []
    order = sorted(by_rule)
    for rule_id in order:
        body = highlight_search(rules[rule_id], index.capabilities, by_rule[rule_id], settings.passage_chars)
        searches += [{"index": index.names.articles}, body]
    responses = index.client.msearch(searches=searches)["responses"]
    passages: dict[tuple[str, str], Passage] = {}
    for rule_id, response in zip(order, responses, strict=True):
        for hit in response.get("hits", {}).get("hits", []):
            highlight = hit.get("highlight") or {}
            fragments = [fragment for name in HIGHLIGHT_FIELD_ORDER for fragment in highlight.get(name, [])]
            source = sources.get(hit["_id"], {})
            text = str(source.get("text") or "")
            if fragments:
                passages[(rule_id, hit["_id"])] = best_passage(fragments, text, settings.passage_chars)
                continue
            # Matched through the analysed fields only ("Soldaten" for "Soldat"): the engine's
            # highlighter does not see those words in the text, the same analysis in Python does.
            parts = words_of_rule(rules[rule_id])
            found = words_passage(text, source.get("language"), parts, settings.passage_chars, first=True)
            if found is not None:
                passages[(rule_id, hit["_id"])] = found
    return passages


def words_of_rule(rule: QueryRule) -> list[str]:
    """The words and phrases a simple-syntax rule asks for (none if it cannot be read as such)."""
    try:
        parts = parse_query(rule.query)
    except QueryError:
        return []
    return [*parts.words, *parts.phrases]


def _opening(source: dict[str, Any], settings: AlertSettings) -> Passage:
    """No passage found (e.g. a highlight failed): the article's first sentence."""
    text = str(source.get("text") or source.get("title") or "")
    return passage_around(text, [], settings.passage_chars)


def _candidate(hit: _Hit, passage: Passage, terms: tuple[str, ...]) -> AlertCandidate:
    source = hit.source
    return AlertCandidate(
        rule_id=hit.rule.id,
        rule_kind=hit.rule.kind,
        alert_key=hit.found.key,
        article_id=hit.article_id,
        article_url=str(source.get("canonical_url") or source.get("url") or ""),
        article_title=str(source.get("title") or ""),
        outlet=str(source.get("outlet") or ""),
        story_id=source.get("story_id"),
        language=source.get("language"),
        published=source.get("published"),
        passage=passage,
        matched_terms=terms,
        claim_cluster_id=hit.found.cluster_id,
        change=hit.found.change,
    )
