"""Shared bits of the benchmarks: where the corpus is, timing, and printing a result table."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from newshound_dev.corpus import shared_corpus_dir

REPO = Path(__file__).resolve().parent.parent


def corpus_dir() -> Path:
    """The shared corpus, by the one rule in ``newshound_dev.corpus``."""
    return shared_corpus_dir()


def best_of(
    runs: int, work: Callable[[], object], *, clock: Callable[[], float] = time.process_time, warm_up: bool = False
) -> float:
    """The fastest of ``runs`` timings: the least disturbed by other load. CPU time of this process
    by default; wall clock (``time.perf_counter``) for work another process does, such as searches."""
    if warm_up:
        work()  # caches, and the server's JIT
    best = float("inf")
    for _ in range(runs):
        started = clock()
        work()
        best = min(best, clock() - started)
    return best


def print_table(title: str, rows: Iterable[tuple[str, str]]) -> None:
    rows = list(rows)
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
