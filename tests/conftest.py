"""Session-wide test set-up: the shared corpus, environment isolation (more fixtures in tests/fixtures/)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_corpus_dir() -> Path:
    """The shared corpus: ``NEWSHOUND_SHARED_DIR`` or ``../shared/corpus`` beside the repository."""
    base = os.environ.get("NEWSHOUND_SHARED_DIR")
    return Path(base) / "corpus" if base else REPO_ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    path = shared_corpus_dir()
    if not path.is_dir():
        pytest.fail(
            f"shared corpus not found at {path}; set NEWSHOUND_SHARED_DIR to the folder holding corpus/"
        )
    return path


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings overrides from the developer's shell must not leak into tests."""
    for name in list(os.environ):
        if (name.startswith("NEWSHOUND_") and name != "NEWSHOUND_SHARED_DIR") or name.startswith(
            "ELASTICSEARCH_"
        ):
            monkeypatch.delenv(name)
    yield
