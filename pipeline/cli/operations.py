"""`newshound setup`, `backfill` and `maintenance`: the operations the DAGs also run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli.app import app
from pipeline.cli.common import console, print_json_line, settings_from_environment
from pipeline.cli.ingest import print_summary

if TYPE_CHECKING:
    from pipeline.summary import RunSummary


@app.command()
def setup(
    kibana_url: Annotated[str | None, typer.Option(help="Import the Kibana saved objects into this Kibana.")] = None,
) -> None:
    """Create index templates, indices and aliases; with --kibana-url also import Kibana's saved objects
    (as the user of KIBANA_USERNAME and KIBANA_PASSWORD, when set)."""
    from pipeline.index.connection import SearchIndex

    settings = settings_from_environment()
    index = SearchIndex.connect(settings)
    console.print(f"indices ready under prefix {index.names.prefix!r} (Elasticsearch {index.capabilities.version})")
    if kibana_url:
        from pipeline.kibana.importer import import_saved_objects
        from pipeline.kibana.saved_objects import load_saved_objects, with_index_prefix

        # The saved objects name the default prefix; a deployment with another one gets them rewritten.
        objects = with_index_prefix(load_saved_objects(settings.config_path("kibana")), index.names.prefix)
        password = settings.kibana.password
        result = import_saved_objects(
            kibana_url,
            objects,
            username=settings.kibana.username,
            password=password.get_secret_value() if password is not None else None,
        )
        console.print(f"Kibana: {result}")
        if not result.ok:
            raise typer.Exit(1)


@app.command()
def backfill(
    feed: Annotated[list[str] | None, typer.Option(help="Feed id of the registry (repeatable).")] = None,
    url: Annotated[list[str] | None, typer.Option(help="Article URL (repeatable).")] = None,
    url_file: Annotated[Path | None, typer.Option(help="File with one URL per line.")] = None,
    since: Annotated[datetime | None, typer.Option(help="Feed entries published at or after.")] = None,
    until: Annotated[datetime | None, typer.Option(help="Feed entries published at or before.")] = None,
    alert: Annotated[bool, typer.Option(help="Alert on the backfilled articles (default: mark them seen).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON line.")] = False,
) -> None:
    """(Re)ingest feeds or URLs in bounded memory, chunk by chunk."""
    from pipeline.ingest.backfill import BackfillRequest, run_backfill
    from pipeline.ingest.cycle import IngestOptions

    request = BackfillRequest(
        feed_ids=tuple(feed or ()),
        urls=tuple(url or ()),
        url_file=url_file,
        since=since.replace(tzinfo=since.tzinfo or UTC) if since else None,
        until=until.replace(tzinfo=until.tzinfo or UTC) if until else None,
    )
    summary = run_backfill(settings_from_environment(), request, IngestOptions(alerts=alert))
    _report(summary, as_json)
    raise typer.Exit(0 if summary.status == "success" else 1)


@app.command()
def maintenance(
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON line.")] = False,
) -> None:
    """Replay dead letters, refresh feed states, roll over and expire indices, report failing feeds."""
    from pipeline.maintenance import run_maintenance

    summary = run_maintenance(settings_from_environment())
    _report(summary, as_json)
    raise typer.Exit(0 if summary.status == "success" else 1)


def _report(summary: RunSummary, as_json: bool) -> None:
    if as_json:
        print_json_line(summary.to_document())
    else:
        print_summary(summary)
