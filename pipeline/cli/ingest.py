"""`newshound ingest`, `retry-dead-letters` and `newsweb`."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli.app import app
from pipeline.cli.common import console, default_corpus_dir, print_json_line, settings_from_environment
from pipeline.errors import ConfigError

# A command imports the stages it runs when it runs (start-up, docs/performance.md).
if TYPE_CHECKING:
    from newshound_dev.newsweb import NewsWebServer
    from pipeline.ingest.cycle import ProgressCallback
    from pipeline.summary import RunSummary


@app.command()
def ingest(
    demo: Annotated[bool, typer.Option(help="Ingest the local news web built from the shared corpus.")] = False,
    auto_demo: Annotated[bool, typer.Option(help="Use the local news web if the internet is unreachable.")] = False,
    corpus: Annotated[Path | None, typer.Option(help="Shared corpus folder for the demo.")] = None,
    feed: Annotated[list[str] | None, typer.Option(help="Only these feed ids (repeatable).")] = None,
    force: Annotated[bool, typer.Option(help="Poll every feed, due or not.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON line.")] = False,
) -> None:
    """Run one ingest cycle over the feed registry and print a summary of counts."""
    from newshound_dev.newsweb.demo import internet_reachable, news_web_sources, settings_for_news_web
    from pipeline.ingest.cycle import IngestOptions, run_ingest
    from pipeline.settings import load_feed_registry

    settings = settings_from_environment()
    sources = list(load_feed_registry(settings).feeds)
    if auto_demo and not demo and not internet_reachable(sources):
        console.print("[yellow]internet unreachable: ingesting the local news web instead (demo)[/]")
        demo = True
    with _news_web(demo, corpus) as server:
        if server is not None:
            settings = settings_for_news_web(settings, server)
            sources = news_web_sources(server)
            force = True
        if feed:
            unknown = set(feed) - {source.id for source in sources}
            if unknown:
                raise ConfigError("--feed", ",".join(sorted(unknown)), "no such feed id in the registry")
            sources = [source for source in sources if source.id in set(feed)]
        with _progress(enabled=sys.stdout.isatty() and not as_json) as progress:
            summary = run_ingest(settings, IngestOptions(sources=sources, force_poll=force, progress=progress))
    if as_json:
        print_json_line(summary.to_document())
    else:
        print_summary(summary)
    raise typer.Exit(0 if summary.status == "success" else 1)


@app.command("retry-dead-letters")
def retry_dead_letters() -> None:
    """Replay parked documents and requeue parked work items."""
    from pipeline.index.connection import SearchIndex
    from pipeline.index.dead_letters import replay_dead_letters

    settings = settings_from_environment()
    index = SearchIndex.connect(settings)
    result = replay_dead_letters(index.client, index.names)
    console.print(f"replayed {result.replayed}, still failing {result.still_failing}")
    for error in result.errors[:20]:
        console.print(f"  {error}")
    print_json_line({"replayed": result.replayed, "still_failing": result.still_failing})
    raise typer.Exit(0 if result.still_failing == 0 else 1)


@app.command()
def newsweb(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8765,
    corpus: Annotated[Path | None, typer.Option(help="Shared corpus folder.")] = None,
) -> None:
    """Serve the local news web (feeds and pages from the shared corpus) until interrupted."""
    from newshound_dev.newsweb import NewsSite, NewsWebServer

    server = NewsWebServer(NewsSite.from_corpus(corpus or default_corpus_dir()), port=port)
    console.print(f"news web on {server.base_url}; feeds:")
    for outlet, url in sorted(server.feed_urls().items()):
        console.print(f"  {outlet}: {url}")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


def print_summary(summary: RunSummary) -> None:
    """The end-of-run table: counts per reason, then the first failures with where and why."""
    from rich.table import Table

    console.print(f"[bold]ingest run {summary.run_id}[/]: {summary.status} in {summary.duration_seconds:.1f} s")
    table = Table()
    table.add_column("reason")
    table.add_column("count", justify="right")
    for reason, count in sorted(summary.counts.items()):
        table.add_row(reason, str(count))
    console.print(table)
    if summary.failures:
        failures = Table(title=f"failures ({len(summary.failures)} recorded)")
        for column in ("stage", "reason", "feed", "url", "detail"):
            failures.add_column(column, overflow="fold")
        for failure in summary.failures[:15]:
            failures.add_row(
                failure.stage, failure.reason, failure.feed_id or "", failure.url or "", failure.detail[:120]
            )
        console.print(failures)


@contextlib.contextmanager
def _news_web(enabled: bool, corpus: Path | None) -> Iterator[NewsWebServer | None]:
    from newshound_dev.newsweb import NewsSite, NewsWebServer

    if not enabled:
        yield None
        return
    corpus_dir = corpus or default_corpus_dir()
    if not corpus_dir.is_dir():
        raise ConfigError(
            "--corpus",
            str(corpus_dir),
            "shared corpus not found",
            "pass --corpus or set NEWSHOUND_SHARED_DIR",
        )
    with NewsWebServer(NewsSite.from_corpus(corpus_dir)) as server:
        yield server


@contextlib.contextmanager
def _progress(*, enabled: bool) -> Iterator[ProgressCallback | None]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not enabled:
        yield None
        return
    columns = (TextColumn("articles"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("ingest", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
