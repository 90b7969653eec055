"""`newshound search` and `newshound status`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pipeline.cli.app import app
from pipeline.cli.common import console, print_json_line, resolve_entity, settings_from_environment

if TYPE_CHECKING:
    from pipeline.settings import EntitySettings

# Title matches weigh most; language subfields exist only on clusters with the analyzers and are
# ignored by the query otherwise.
SEARCH_FIELDS = [
    "title^3",
    "title.de^3",
    "title.en^3",
    "text",
    "text.de",
    "text.en",
    "summary",
    "entity_names^2",
]


def search_query(query: str, entity_ids: Sequence[str] = ()) -> dict[str, Any]:
    """The query `newshound search` sends: simple_query_string over titles, text and entity names,
    and only articles naming every one of ``entity_ids``."""
    text: dict[str, Any] = (
        {"simple_query_string": {"query": query, "fields": SEARCH_FIELDS, "default_operator": "and"}}
        if query.strip()
        else {"match_all": {}}
    )
    if not entity_ids:
        return text
    return {"bool": {"must": [text], "filter": [{"term": {"entity_ids": entity_id}} for entity_id in entity_ids]}}


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to find; may be empty with --entity.")] = "",
    entity: Annotated[
        list[str] | None,
        typer.Option(help="Only articles naming this entity: an id or a name (Q7747, Jane Fairweather); repeatable."),
    ] = None,
    size: Annotated[int, typer.Option(help="Number of hits.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print hits as one JSON line.")] = False,
) -> None:
    """Search the indexed articles and print the top hits."""
    from rich.markup import escape

    from pipeline.index.connection import SearchIndex

    settings = settings_from_environment()
    entity_ids = [resolve_entity(name, settings) for name in entity or ()]
    index = SearchIndex.connect(settings, ensure=False)
    response = index.client.search(
        index=index.names.articles,
        query=search_query(query, entity_ids),
        size=size,
        highlight={"fields": {"text": {"fragment_size": 160, "number_of_fragments": 1}}},
        source_includes=["title", "outlet", "published", "canonical_url", "story_id", "language"],
    )
    hits = response["hits"]["hits"]
    if as_json:
        print_json_line([{**hit["_source"], "id": hit["_id"], "score": hit["_score"]} for hit in hits])
        return
    total = response["hits"]["total"]["value"]
    wanted = " ".join([query, *(f"entity:{entity_id}" for entity_id in entity_ids)]).strip()
    console.print(f"{total} article(s) match [bold]{escape(wanted)}[/]")
    for hit in hits:
        source = hit["_source"]
        console.print(f"[bold]{source.get('title')}[/]  [dim]{source.get('outlet')} · {source.get('published')}[/]")
        for fragment in hit.get("highlight", {}).get("text", []):
            console.print("  " + fragment.replace("<em>", "[yellow]").replace("</em>", "[/]"))
        console.print(f"  [blue]{source.get('canonical_url')}[/]")
    if not hits:
        raise typer.Exit(1)


def ner_status(options: EntitySettings) -> dict[str, str | None]:
    """The backend that would read each configured language now (None: knowledge base and rules only)."""
    from pipeline.entities.extractor import ner_backends

    if not options.use_ner:
        return dict.fromkeys(options.ner_backends)
    backends = ner_backends(options)
    return {
        language: next((name for name in names if name in backends and backends[name].serves(language)), None)
        for language, names in options.ner_backends.items()
    }


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print status as one JSON line.")] = False,
) -> None:
    """Cluster, indices and counts, NER, failing feeds, parked work and the last runs."""
    from rich.table import Table

    from pipeline.alerts.ledger import parked_alert_count
    from pipeline.index.connection import SearchIndex
    from pipeline.index.dead_letters import count_parked
    from pipeline.index.runs import recent_runs

    settings = settings_from_environment()
    index = SearchIndex.connect(settings, ensure=False)
    client = index.client
    health = client.cluster.health()
    names = index.names
    counts = {
        alias: int(client.count(index=alias)["count"])
        for alias in (names.articles, names.claims, names.alerts, names.runs, names.dead_letters, names.feeds)
    }
    failing = client.search(
        index=names.feeds,
        query={"range": {"error_streak": {"gt": 0}}},
        sort=[{"error_streak": "desc"}],
        size=50,
    )["hits"]["hits"]
    last_runs = [
        {key: run.get(key) for key in ("run_id", "kind", "status", "started_at", "duration_seconds", "counts")}
        for run in recent_runs(index, size=5)
    ]
    ner = ner_status(settings.entities)
    report = {
        "cluster": {
            "status": health["status"],
            "version": index.capabilities.version,
            "modules": sorted(index.capabilities.modules),
        },
        "documents": counts,
        "dead_letters_parked": count_parked(client, names),
        "alert_deliveries_parked": parked_alert_count(index),
        "failing_feeds": [hit["_source"] for hit in failing],
        "ner": ner,
        "last_runs": last_runs,
    }
    if as_json:
        print_json_line(report)
        return
    console.print(
        f"cluster: {health['status']}, Elasticsearch {index.capabilities.version}, "
        f"language analyzers: {'yes' if index.capabilities.language_analyzers else 'no'}, "
        f"percolator: {'yes' if index.capabilities.percolator else 'no'}"
    )
    serving = ", ".join(f"{language}: {backend or 'none (knowledge base only)'}" for language, backend in ner.items())
    console.print(f"NER: {serving} (CoreNLP at {settings.entities.corenlp.url})")
    table = Table(title="documents")
    table.add_column("index")
    table.add_column("count", justify="right")
    for alias, count in counts.items():
        table.add_row(alias, str(count))
    table.add_row("dead letters parked", str(report["dead_letters_parked"]))
    table.add_row("alert deliveries parked", str(report["alert_deliveries_parked"]))
    console.print(table)
    if failing:
        feeds = Table(title="failing feeds")
        for column in ("feed", "errors in a row", "last error", "since", "next poll"):
            feeds.add_column(column, overflow="fold")
        for hit in failing:
            state = hit["_source"]
            feeds.add_row(
                state.get("feed_id"),
                str(state.get("error_streak")),
                f"{state.get('last_error_reason') or ''} {state.get('last_error') or ''}"[:100],
                str(state.get("failing_since") or state.get("last_error_at") or ""),
                str(state.get("next_poll_at") or ""),
            )
        console.print(feeds)
    for run in last_runs:
        console.print(f"run {run['run_id']} {run['kind']} {run['status']} at {run['started_at']}: {run['counts']}")
