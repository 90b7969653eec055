"""`newshound search` and `newshound status`."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli.app import app
from pipeline.cli.common import console, print_json_line, resolve_entity, settings_from_environment

if TYPE_CHECKING:
    from pipeline.settings import EntitySettings


def _moment(value: str | None, option: str) -> datetime | None:
    """A date or date-time as typed after --since/--until (UTC unless it says otherwise)."""
    if value is None:
        return None
    from pipeline.errors import QueryError

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{option} {value!r}: a date (2026-12-01) or date and time (2026-12-01T08:00)") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@app.command()
def search(
    query: Annotated[
        str,
        typer.Argument(help='Words (all must match, any word form), "a phrase", -excluded, /regex/; may be empty.'),
    ] = "",
    entity: Annotated[
        list[str] | None,
        typer.Option(help="Only articles naming this entity: an id or a name (Q7747, Jane Fairweather); repeatable."),
    ] = None,
    lang: Annotated[list[str] | None, typer.Option(help="Only articles in this language (de, en); repeatable.")] = None,
    outlet: Annotated[list[str] | None, typer.Option(help="Only this outlet (name or feed id); repeatable.")] = None,
    since: Annotated[str | None, typer.Option(help="Published at or after (2026-12-01 or 2026-12-01T08:00).")] = None,
    until: Annotated[str | None, typer.Option(help="Published at or before.")] = None,
    story: Annotated[str | None, typer.Option(help="Only the reports of this story (a story id).")] = None,
    sort: Annotated[str, typer.Option(help="relevance or date (newest first).")] = "relevance",
    every_report: Annotated[
        bool, typer.Option("--every-report", help="Every matching report, not one per story.")
    ] = False,
    size: Annotated[int, typer.Option(help="Number of hits.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as one JSON line.")] = False,
) -> None:
    """Search the indexed articles: one hit per story, best first, with why it matched."""
    from rich.markup import escape

    from pipeline.entities.extractor import EntityExtractor
    from pipeline.entities.kb import load_knowledge_base
    from pipeline.errors import QueryError
    from pipeline.index.connection import SearchIndex
    from pipeline.search import SearchRequest, search_articles

    if sort not in ("relevance", "date"):
        raise QueryError(f"--sort {sort!r}: use relevance or date")
    settings = settings_from_environment()
    entity_ids = [resolve_entity(name, settings) for name in entity or ()]
    request = SearchRequest(
        query=query,
        entity_ids=tuple(entity_ids),
        languages=tuple(lang or ()),
        outlets=tuple(outlet or ()),
        since=_moment(since, "--since"),
        until=_moment(until, "--until"),
        story_id=story,
        sort="date" if sort == "date" else "relevance",
        collapse=not every_report,
        size=size,
    )
    index = SearchIndex.connect(settings, ensure=False)
    # The query's entities come from the knowledge base alone: no NER backend to set up.
    knowledge_base = load_knowledge_base(settings.config_path(settings.entities.knowledge_base))
    options = settings.entities.model_copy(update={"use_ner": False})
    page = search_articles(index, request, EntityExtractor(knowledge_base, options, backends={}))
    if as_json:
        print_json_line(
            {
                "total": page.total,
                "stories": page.stories,
                "entities": [{"words": e.words, "id": e.entity_id, "name": e.name} for e in page.entities],
                "hits": [hit.to_json() for hit in page.hits],
            }
        )
        if not page.hits:
            raise typer.Exit(1)
        return
    wanted = " ".join([query, *(f"entity:{entity_id}" for entity_id in entity_ids)]).strip()
    stories = f"{page.stories} stor{'y' if page.stories == 1 else 'ies'}"
    console.print(f"{page.total} article(s) in {stories} match [bold]{escape(wanted)}[/]")
    for found in page.entities:
        console.print(f"  [dim]{escape(found.words)} = {escape(found.name)} ({found.entity_id}), in any language[/]")
    for hit in page.hits:
        console.print(
            f"[bold]{escape(hit.title)}[/]  [dim]{escape(hit.outlet or '')} · {hit.published} · {hit.language}[/]"
        )
        if hit.why:
            console.print(f"  [dim]matched: {escape(', '.join(hit.why))}[/]")
        if hit.passage.text:
            console.print("  " + hit.passage.marked("[yellow]", "[/]", escape))
        console.print(f"  [blue]{escape(hit.url or '')}[/]")
        if hit.other_reports:
            again = f"newshound search {shlex.quote(query)} --story {hit.story_id}"
            console.print(f"  [dim]and {hit.other_reports} more report(s): {escape(again)}[/]")
    if not page.hits:
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
        f"word forms: {'language analyzers and ' if index.capabilities.language_analyzers else ''}Newshound's stems, "
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
