"""The console entry point: every command module registered on ``app``, logging configured."""

from __future__ import annotations

import logging
import os

# Importing a command module registers its commands on ``app``; each keeps its heavy imports inside.
from pipeline.cli import claims, evaluate, feeds, ingest, operations, search, watch  # noqa: F401
from pipeline.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """Run ``newshound``; NEWSHOUND_LOG_LEVEL (default WARNING) sets how much is logged to stderr."""
    logging.basicConfig(
        level=os.environ.get("NEWSHOUND_LOG_LEVEL", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    app()
