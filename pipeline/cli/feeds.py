"""`newshound check-feed`: one local feed file through the same guarded parsing as polling."""

from __future__ import annotations

from pathlib import Path

from pipeline.cli import app
from pipeline.cli.common import print_json_line, settings_from_environment


@app.command("check-feed")
def check_feed(path: Path) -> None:
    """Parse a local feed file (``.gz`` = gzip-encoded) exactly as polling would; print one JSON line."""
    from pipeline.feeds.check import check_feed_file

    print_json_line(check_feed_file(path, settings_from_environment()))
