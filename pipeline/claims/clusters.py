"""Claim clusters: one statement made by one speaker (or organisation), followed across outlets and time.

A claim joins the cluster of the most similar earlier claim that shares a speaker key (the
speaker's entity, the speaker's organisation, or the speaker's normalised name) within the
window, if the similarity reaches ``claims.cluster_similarity``; otherwise it starts a cluster.
"Pentagon-Sprecherin Sabrina Singh" shares the Pentagon key with "das US-Pentagon", so the
Pentagon's 3,000 soldiers and Singh's 10,000 soldiers land in one cluster with a timeline.
Candidates come from a terms query on the claims index plus the claims of the current batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pipeline.claims.similarity import claim_similarity, speaker_key
from pipeline.index.articles import claim_id
from pipeline.index.connection import SearchIndex
from pipeline.models import Article, Claim, Quantity, Span
from pipeline.settings import ClaimSettings

# (article id, claim position) -> (cluster id, speaker key)
ClusterAssignment = dict[tuple[str, int], tuple[str, str | None]]
_CANDIDATE_LIMIT = 1000


def speaker_keys(claim: Claim) -> frozenset[str]:
    """Everything that identifies who made the claim: person, organisation, or the name as written."""
    keys = {key for key in (claim.speaker_entity_id, claim.speaker_organisation_id) if key}
    if not keys:
        fallback = speaker_key(claim)
        if fallback:
            keys.add(fallback)
    return frozenset(keys)


@dataclass(frozen=True, slots=True)
class _KnownClaim:
    claim_id: str
    cluster_id: str
    keys: frozenset[str]
    claim: Claim


def claim_from_document(document: dict[str, Any]) -> Claim:
    """Rebuild the parts of a stored claim that similarity looks at (offsets are not needed)."""
    content = document.get("content") or ""
    speaker = document.get("speaker")
    quantities = tuple(
        Quantity(float(q["value"]), q.get("unit"), q.get("surface") or "", bool(q.get("approximate")), 0, 0)
        for q in document.get("quantities") or []
        if q.get("value") is not None
    )
    resolved = document.get("time_resolved")
    return Claim(
        content=Span(content, 0, len(content)),
        kind=document.get("kind") or "indirect",
        speaker=Span(speaker, 0, len(speaker)) if speaker else None,
        speaker_entity_id=document.get("speaker_entity_id"),
        speaker_name=document.get("speaker_name"),
        speaker_role=document.get("speaker_role"),
        speaker_organisation_id=document.get("speaker_organisation_id"),
        quantities=quantities,
        time_expression=document.get("time_expression"),
        time_resolved=date.fromisoformat(resolved[:10]) if resolved else None,
        language=document.get("language"),
    )


class ClaimClusterer:
    """Assigns claim cluster ids to the claims of a batch of articles."""

    def __init__(self, index: SearchIndex, settings: ClaimSettings) -> None:
        self.index = index
        self.settings = settings

    def assign(self, articles: Sequence[Article], now: datetime) -> ClusterAssignment:
        """Cluster ids for every claim of these articles, in article and claim order."""
        keyed = [
            (article, position, claim, speaker_keys(claim))
            for article in articles
            for position, claim in enumerate(article.claims)
        ]
        all_keys = sorted({key for *_, keys in keyed for key in keys})
        known = self._stored_candidates(all_keys, [article.id for article in articles], now)
        assignment: ClusterAssignment = {}
        for article, position, claim, keys in keyed:
            identifier = claim_id(article, claim)
            cluster = identifier
            if keys:
                best = self._best_candidate(claim, keys, identifier, known)
                if best is not None:
                    cluster = best.cluster_id
                known.append(_KnownClaim(identifier, cluster, keys, claim))
            assignment[(article.id, position)] = (cluster, speaker_key(claim))
        return assignment

    def _best_candidate(
        self, claim: Claim, keys: frozenset[str], identifier: str, known: Sequence[_KnownClaim]
    ) -> _KnownClaim | None:
        """The most similar earlier claim of the same speaker, preferring one that counts the same thing.

        A figure ("10,000 soldiers") continues the cluster of earlier figures about the same unit,
        even when a quote of the same speaker shares more words: the timeline is about the figure.
        """
        units = {quantity.unit for quantity in claim.quantities if quantity.unit}
        ranked = []
        for candidate in known:
            if candidate.claim_id == identifier or not (candidate.keys & keys):
                continue
            similarity = claim_similarity(claim, candidate.claim)
            if similarity < self.settings.cluster_similarity:
                continue
            same_unit = bool(units & {q.unit for q in candidate.claim.quantities if q.unit})
            ranked.append((same_unit, similarity, candidate))
        if not ranked:
            return None
        return max(ranked, key=lambda row: (row[0], row[1]))[2]

    def _stored_candidates(
        self, keys: Sequence[str], batch_article_ids: Sequence[str], now: datetime
    ) -> list[_KnownClaim]:
        if not keys:
            return []
        since = (now - timedelta(days=self.settings.cluster_window_days)).isoformat()
        response = self.index.client.search(
            index=self.index.names.claims,
            query={
                "bool": {
                    "filter": [{"terms": {"speaker_keys": list(keys)}}, {"range": {"claim_date": {"gte": since}}}],
                    # An updated article's old claims are about to be replaced; do not match them.
                    "must_not": [{"terms": {"article_id": list(batch_article_ids)}}],
                }
            },
            sort=[{"claim_date": "desc"}],
            size=_CANDIDATE_LIMIT,
        )
        return [
            _KnownClaim(
                hit["_id"],
                hit["_source"].get("claim_cluster_id") or hit["_id"],
                frozenset(hit["_source"].get("speaker_keys") or ()),
                claim_from_document(hit["_source"]),
            )
            for hit in response["hits"]["hits"]
        ]


@dataclass
class ClaimCluster:
    """A cluster and its timeline: the claims in date order, and how their figures moved."""

    cluster_id: str
    speakers: list[str] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)

    @property
    def figures(self) -> list[tuple[str, float, str | None, str]]:
        """(date, value, unit, outlet) of every quantity in the cluster, oldest first."""
        rows = []
        for claim in self.claims:
            for quantity in claim.get("quantities") or []:
                rows.append(
                    (
                        str(claim.get("claim_date", ""))[:10],
                        float(quantity["value"]),
                        quantity.get("unit"),
                        str(claim.get("outlet", "")),
                    )
                )
        return rows

    def to_document(self) -> dict[str, Any]:
        return {
            "cluster_id": self.cluster_id,
            "speakers": self.speakers,
            "claims": self.claims,
            "figures": [list(row) for row in self.figures],
        }


def clusters_for_entity(index: SearchIndex, entity_id: str, *, limit: int = 10) -> list[ClaimCluster]:
    """The claim clusters whose speaker (person or organisation) is this entity, largest first."""
    index.client.indices.refresh(index=index.names.claims)
    response = index.client.search(
        index=index.names.claims,
        query={"terms": {"speaker_keys": [entity_id]}},
        aggs={"clusters": {"terms": {"field": "claim_cluster_id", "size": limit}}},
        size=0,
    )
    cluster_ids = [bucket["key"] for bucket in response["aggregations"]["clusters"]["buckets"]]
    if not cluster_ids:
        return []
    claims = index.client.search(
        index=index.names.claims,
        query={"terms": {"claim_cluster_id": cluster_ids}},
        sort=[{"claim_date": "asc"}, {"published": "asc"}],
        size=_CANDIDATE_LIMIT,
    )["hits"]["hits"]
    clusters = {cluster_id: ClaimCluster(cluster_id) for cluster_id in cluster_ids}
    for hit in claims:
        source = hit["_source"]
        cluster = clusters[source["claim_cluster_id"]]
        cluster.claims.append(source)
        speaker = source.get("speaker")
        if speaker and speaker not in cluster.speakers:
            cluster.speakers.append(speaker)
    return sorted(clusters.values(), key=lambda c: (-len(c.claims), c.cluster_id))
