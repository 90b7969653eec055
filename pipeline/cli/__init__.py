"""The ``newshound`` command line: one entry point, subcommands in the modules beside this one."""

from __future__ import annotations

import logging
import os
import sys

import typer

from pipeline.errors import Fatal

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Newshound: news ingestion into Elasticsearch.")
eval_app = typer.Typer(no_args_is_help=True, help="Evaluate a stage against a gold corpus (last line: JSON).")
app.add_typer(eval_app, name="eval")


def main() -> None:
    """Console entry point: configure logging, run the command, turn Fatal errors into a clear message."""
    logging.basicConfig(
        level=os.environ.get("NEWSHOUND_LOG_LEVEL", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        app()
    except Fatal as error:
        print(f"newshound: {error}", file=sys.stderr)
        sys.exit(2)


# The subcommands register themselves on ``app`` when imported; they need ``app`` defined above.
from pipeline.cli import claims, evaluate, feeds, ingest, operations, search, watch  # noqa: E402, F401
