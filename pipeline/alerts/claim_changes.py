"""Claim changes: a new claim joins a claim cluster whose earlier claim gave another figure.

The Pentagon said 3,000 North Korean soldiers last week; on Monday its spokeswoman said 10,000:
both claims share the Pentagon cluster (pipeline/claims/clusters.py), and the Monday claim is a
change from 3,000 to 10,000 soldiers. "Earlier" is the claim's own date (its resolved time
expression, else the article's publication date), so the order of indexing does not matter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.index.connection import SearchIndex

_CLUSTER_CLAIMS_LIMIT = 2000
_CLAIM_FIELDS = ["claim_id", "claim_cluster_id", "quantities", "claim_date", "published", "outlet", "article_id"]


@dataclass(frozen=True, slots=True)
class FigureChange:
    """One figure of a claim that differs from an earlier claim's figure for the same unit."""

    cluster_id: str
    claim_id: str
    unit: str
    before: float
    after: float
    # (date, value, outlet) of the cluster's figures for this unit, oldest first.
    timeline: tuple[tuple[str, float, str], ...] = ()

    def describe(self) -> str:
        return f"{_number(self.before)} -> {_number(self.after)} {self.unit}"

    def to_document(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "from": self.before,
            "to": self.after,
            "cluster_id": self.cluster_id,
            "claim_id": self.claim_id,
            "description": self.describe(),
            "timeline": [list(row) for row in self.timeline],
        }


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def _order(claim: dict[str, Any]) -> tuple[str, str]:
    return (str(claim.get("claim_date") or "")[:10], str(claim.get("published") or ""))


def figure_changes(
    claim: dict[str, Any], cluster: Sequence[dict[str, Any]], unit: str | None = None
) -> list[FigureChange]:
    """The figures of ``claim`` (a claims-index document) that an earlier claim of its cluster gave differently."""
    own = _order(claim)
    earlier = sorted((c for c in cluster if c.get("claim_id") != claim.get("claim_id") and _order(c) < own), key=_order)
    changes: list[FigureChange] = []
    seen_units: set[str] = set()
    for quantity in claim.get("quantities") or []:
        quantity_unit = quantity.get("unit")
        if not quantity_unit or quantity_unit in seen_units or (unit and quantity_unit != unit):
            continue
        value = float(quantity["value"])
        before = [
            float(q["value"])
            for c in earlier
            for q in c.get("quantities") or []
            if q.get("unit") == quantity_unit and q.get("value") is not None
        ]
        differing = [number for number in before if number != value]
        if not differing:
            continue
        seen_units.add(quantity_unit)
        changes.append(
            FigureChange(
                cluster_id=str(claim.get("claim_cluster_id") or claim.get("claim_id")),
                claim_id=str(claim.get("claim_id")),
                unit=quantity_unit,
                before=differing[0],
                after=value,
                timeline=_timeline(cluster, quantity_unit),
            )
        )
    return changes


def _timeline(cluster: Iterable[dict[str, Any]], unit: str) -> tuple[tuple[str, float, str], ...]:
    rows = []
    for claim in sorted(cluster, key=_order):
        for quantity in claim.get("quantities") or []:
            if quantity.get("unit") == unit and quantity.get("value") is not None:
                rows.append((_order(claim)[0], float(quantity["value"]), str(claim.get("outlet") or "")))
    return tuple(rows)


def cluster_claims(index: SearchIndex, cluster_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Claims-index documents of these clusters, by cluster id."""
    if not cluster_ids:
        return {}
    response = index.client.search(
        index=index.names.claims,
        query={"terms": {"claim_cluster_id": list(cluster_ids)}},
        size=_CLUSTER_CLAIMS_LIMIT,
        source_includes=_CLAIM_FIELDS,
    )
    clusters: dict[str, list[dict[str, Any]]] = {}
    for hit in response["hits"]["hits"]:
        source = hit["_source"]
        clusters.setdefault(str(source.get("claim_cluster_id") or hit["_id"]), []).append(source)
    return clusters
