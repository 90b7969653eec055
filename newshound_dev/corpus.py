"""Where the shared development corpus lives: the one rule the CLI, benchmarks, scripts and tests use.

The corpus stays outside the repository (some of its parts may not be copied into it, see each
folder's README): ``$NEWSHOUND_SHARED_DIR/corpus`` when that variable is set, else
``../shared/corpus`` beside the checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DIR_VARIABLE = "NEWSHOUND_SHARED_DIR"
REPOSITORY = Path(__file__).resolve().parent.parent


def shared_corpus_dir() -> Path:
    """``$NEWSHOUND_SHARED_DIR/corpus`` if set, else ``<repository>/../shared/corpus``."""
    # Read on every call, not at import: tests and the CLI's callers set the variable later.
    base = os.environ.get(SHARED_DIR_VARIABLE)
    return Path(base) / "corpus" if base else REPOSITORY.parent / "shared" / "corpus"


def missing_corpus_message(path: Path) -> str:
    """What to say when ``path`` (the shared corpus or a folder of it) is not there."""
    return f"shared corpus not found at {path}; set {SHARED_DIR_VARIABLE} to the folder holding corpus/"
