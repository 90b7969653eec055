"""Checks Elasticsearch cannot make, for one rule and one matched article.

Pure. Entity rules: mention counts and the title's mentions; claim rules: a claim by the entity
(speaker or speaker's organisation) or with the entity's mention inside its content; claim-change
rules: a figure that an earlier claim of the cluster gave differently (claim_changes.py). Each
match says what makes it one alert (``key``) and how to cut its passage, which is done only for
the article an alert ends up naming.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from pipeline.alerts.claim_changes import FigureChange, figure_changes
from pipeline.alerts.config import ClaimChangeRule, ClaimRule, EntityRule, QueryRule, Rule
from pipeline.alerts.passages import Passage, find_terms, passage_around


@dataclass(frozen=True, slots=True)
class Found:
    """A confirmed match: its alert key, a passage maker (None: highlight later), terms, claim details."""

    key: str
    passage: Callable[[], Passage] | None = None
    terms: tuple[str, ...] = ()
    cluster_id: str | None = None
    change: FigureChange | None = None


def _title_passage(title: str, names: set[str]) -> Passage:
    return Passage(title, find_terms(title, names))


def _key(rule: Rule, article_id: str, source: dict[str, Any]) -> str:
    if rule.per == "article":
        return f"article:{article_id}"
    return f"story:{source.get('story_id') or article_id}"


def check(
    rule: Rule,
    article_id: str,
    source: dict[str, Any],
    clusters: dict[str, list[dict[str, Any]]],
    chars: int,
) -> list[Found]:
    """What a rule Elasticsearch matched really gives for this article (nothing when a check fails)."""
    key = _key(rule, article_id, source)
    text = str(source.get("text") or "")
    if isinstance(rule, QueryRule):
        return [Found(key)]
    if isinstance(rule, EntityRule):
        mentions = _mentions(source, rule.entity)
        if rule.min_mentions and len(mentions) < rule.min_mentions:
            return []
        surfaces = tuple(dict.fromkeys(str(m.get("surface") or "") for m in mentions if m.get("surface")))
        if rule.in_title:
            title = str(source.get("title") or "")
            names = {*surfaces, *(str(m.get("name") or "") for m in mentions)}
            passage = partial(_title_passage, title, names)
        else:
            passage = partial(passage_around, text, _spans(mentions), chars)
        return [Found(key, passage, surfaces)]
    if isinstance(rule, ClaimRule):
        return _claim_hits(rule, source, key, chars)
    return _change_hits(rule, source, key, clusters, chars)


def _mentions(source: dict[str, Any], entity_id: str) -> list[dict[str, Any]]:
    return [mention for mention in source.get("entities") or [] if mention.get("id") == entity_id]


def _spans(mentions: Sequence[dict[str, Any]]) -> list[tuple[int, int]]:
    return [
        (int(m["start"]), int(m["end"])) for m in mentions if m.get("start") is not None and m.get("end") is not None
    ]


def _claim_span(claim: dict[str, Any]) -> tuple[int, int] | None:
    start, end = claim.get("content_start"), claim.get("content_end")
    return (int(start), int(end)) if start is not None and end is not None else None


def _claim_hits(rule: ClaimRule, source: dict[str, Any], key: str, chars: int) -> list[Found]:
    text = str(source.get("text") or "")
    mentions = _spans(_mentions(source, rule.entity))
    for claim in source.get("claims") or []:
        span = _claim_span(claim)
        speakers = set(claim.get("speaker_keys") or ()) | {
            claim.get("speaker_entity_id"),
            claim.get("speaker_organisation_id"),
        }
        by = rule.entity in speakers
        about = span is not None and any(span[0] <= s and e <= span[1] for s, e in mentions)
        if not ((rule.role != "about" and by) or (rule.role != "speaker" and about)):
            continue
        inside = [(s, e) for s, e in mentions if span and span[0] <= s and e <= span[1]]
        highlights = inside or ([span] if span else [])
        passage = partial(passage_around, text, highlights, chars, anchor=span)
        return [Found(key, passage, (), claim.get("claim_cluster_id"))]
    return []


def _change_claims(rule: ClaimChangeRule, source: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for claim in source.get("claims") or []:
        units = {q.get("unit") for q in claim.get("quantities") or [] if q.get("unit")}
        if not units or (rule.unit and rule.unit not in units):
            continue
        if rule.entity and rule.entity not in set(claim.get("speaker_keys") or ()):
            continue
        found.append(claim)
    return found


def change_clusters(rules: Sequence[Rule], pairs: dict[str, set[str]], sources: dict[str, dict[str, Any]]) -> list[str]:
    cluster_ids: set[str] = set()
    for rule in rules:
        if isinstance(rule, ClaimChangeRule):
            for article_id in pairs.get(rule.id, ()):
                for claim in _change_claims(rule, sources.get(article_id, {})):
                    cluster_ids.add(str(claim.get("claim_cluster_id") or claim.get("claim_id")))
    return sorted(cluster_ids)


def _change_hits(
    rule: ClaimChangeRule,
    source: dict[str, Any],
    key: str,
    clusters: dict[str, list[dict[str, Any]]],
    chars: int,
) -> list[Found]:
    text = str(source.get("text") or "")
    hits = []
    for claim in _change_claims(rule, source):
        cluster = clusters.get(str(claim.get("claim_cluster_id") or claim.get("claim_id")), [])
        stored = next((c for c in cluster if c.get("claim_id") == claim.get("claim_id")), None)
        if stored is None:
            continue
        for change in figure_changes(stored, cluster, rule.unit):
            span = _claim_span(claim)
            surfaces = [str(q.get("surface")) for q in claim.get("quantities") or [] if q.get("unit") == change.unit]
            region = text[span[0] : span[1]] if span else ""
            figures = [(span[0] + s, span[0] + e) for s, e in find_terms(region, surfaces)] if span else []
            spans = figures or ([span] if span else [])
            passage = partial(passage_around, text, spans, chars, anchor=span)
            change_key = f"{key}|{change.unit}={change.after:g}"
            hits.append(Found(change_key, passage, tuple(surfaces), change.cluster_id, change))
    return hits
