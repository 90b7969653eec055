"""`newshound check-feed`: local feed files through the same guarded parsing as polling."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import app
from pipeline.cli.common import print_json_line, settings_from_environment


@app.command("check-feed")
def check_feed(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="Feed files; a name ending in .gz is gzip-encoded.")
    ],
) -> None:
    """Parse local feed files exactly as polling would; print one JSON line per file, in order.

    Exits 0 whenever every file was handled, also when a file is not a usable feed: the line says why.
    """
    from pipeline.feeds.check import check_feed_files

    for report in check_feed_files(paths, settings_from_environment()):
        print_json_line(report)
