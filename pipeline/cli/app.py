"""The ``newshound`` application object the command modules register on, and its error handling.

Only ``typer`` and ``pipeline.errors`` are imported here: a command imports what it needs when it
runs, so ``newshound --help`` and ``check-feed`` start in a fraction of a second (docs/performance.md).
"""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from pipeline.errors import Fatal, RetryLater

# Exit statuses beside 0 (done) and 1 (done, nothing found): scripts tell "fix something" from "wait".
EXIT_FATAL = 2
EXIT_RETRY_LATER = 3


class NewshoundCommands(TyperGroup):
    """Every command's errors that a person can act on become one line on stderr and an exit status:
    ``Fatal`` (configuration, deployment) exits 2, ``RetryLater`` and the search engine's
    unavailability exit 3. Anything else is a bug and keeps its traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click Context
        try:
            return super().invoke(ctx)
        except Fatal as error:
            _fail(f"newshound: {error}", EXIT_FATAL)
        except RetryLater as error:
            _fail(f"newshound: try again later: {error}", EXIT_RETRY_LATER)
        except Exception as error:
            if not _is_search_error(error):
                raise
            from pipeline.index.connection import missing_index_message, retry_of

            retry = retry_of(error, "Elasticsearch")
            if retry is not None:
                _fail(f"newshound: try again later: {retry}", EXIT_RETRY_LATER)
            missing = missing_index_message(error)
            if missing is None:
                raise
            _fail(f"newshound: {missing}", EXIT_FATAL)


def _fail(message: str, status: int) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(status)


def _is_search_error(error: Exception) -> bool:
    """An exception of the Elasticsearch client, told without importing it (that takes a second)."""
    return type(error).__module__.startswith(("elasticsearch", "elastic_transport"))


app = typer.Typer(
    cls=NewshoundCommands,
    no_args_is_help=True,
    add_completion=False,
    help="Newshound: news ingestion into Elasticsearch.",
)
eval_app = typer.Typer(no_args_is_help=True, help="Evaluate a stage against a gold corpus (last line: JSON).")
app.add_typer(eval_app, name="eval")
