"""`newshound claims`: who claimed what about an entity, cluster by cluster, with the timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli.app import app
from pipeline.cli.common import console, print_json_line, resolve_entity, settings_from_environment

if TYPE_CHECKING:
    from pipeline.claims.clusters import ClaimCluster


@app.command("claims")
def claims_command(
    entity: Annotated[str, typer.Option(help="Entity id (Q7747, nh:pentagon) or a name, e.g. Pentagon.")],
    limit: Annotated[int, typer.Option(help="Number of clusters.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print clusters as one JSON line.")] = False,
) -> None:
    """Claim clusters whose speaker is the entity (person or organisation), each with its timeline."""
    from pipeline.claims.clusters import clusters_for_entity
    from pipeline.index.connection import SearchIndex

    settings = settings_from_environment()
    entity_id = resolve_entity(entity, settings)
    clusters = clusters_for_entity(SearchIndex.connect(settings, ensure=False), entity_id, limit=limit)
    if as_json:
        print_json_line({"entity_id": entity_id, "clusters": [cluster.to_document() for cluster in clusters]})
        return
    if not clusters:
        console.print(f"no claims by {entity_id}")
        raise typer.Exit(1)
    for cluster in clusters:
        print_cluster(cluster)


def print_cluster(cluster: ClaimCluster) -> None:
    from rich.table import Table

    console.print(
        f"[bold]{' / '.join(cluster.speakers) or '(unknown speaker)'}[/]  [dim]cluster {cluster.cluster_id}[/]"
    )
    table = Table(show_header=True)
    for column in ("date", "outlet", "speaker", "figures", "claim"):
        table.add_column(column, overflow="fold")
    for claim in cluster.claims:
        numbers = ", ".join(_figure(q["value"], q.get("unit")) for q in claim.get("quantities") or [])
        table.add_row(
            str(claim.get("claim_date", ""))[:10],
            str(claim.get("outlet", "")),
            str(claim.get("speaker", "")),
            numbers,
            str(claim.get("content", ""))[:160],
        )
    console.print(table)
    figures = cluster.figures
    if len({value for _, value, _, _ in figures}) > 1:
        console.print("figures over time: " + " -> ".join(f"{_figure(v, u)} ({d}, {o})" for d, v, u, o in figures))


def _figure(value: float, unit: str | None) -> str:
    number = f"{value:,.0f}" if value == int(value) else f"{value:,}"
    return f"{number} {unit}" if unit else number
