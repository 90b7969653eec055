"""Helpers shared by the CLI commands: settings, the shared corpus, output."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from rich.console import Console

from pipeline.settings import Settings, load_settings

console = Console()
error_console = Console(stderr=True)


def settings_from_environment() -> Settings:
    return load_settings()


def default_corpus_dir() -> Path:
    """The shared corpus: ``NEWSHOUND_SHARED_DIR/corpus`` or ``../shared/corpus`` beside the repository."""
    if os.environ.get("NEWSHOUND_SHARED_DIR"):
        return Path(os.environ["NEWSHOUND_SHARED_DIR"]) / "corpus"
    return Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def print_json_line(document: Any) -> None:
    """One JSON object on one line (the last line of machine-readable commands)."""
    print(json.dumps(document, ensure_ascii=False, default=str), flush=True)
