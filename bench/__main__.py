"""`make bench`: every benchmark in turn, each printing its tables; the very last line is one JSON
object with all figures (also written to .cache/bench/latest.json).

Each benchmark runs in a process of its own: memory one leaves behind (Python keeps freed
memory for reuse) would otherwise count in the next one's peak RSS.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, print_table

# (module, what it measures); `python -m module` prints its figures as one JSON object, last.
# Run one after the other on a quiet machine: their figures are speeds.
ALONE = (
    ("bench.throughput", "end-to-end throughput against plain trafilatura"),
    ("bench.alerts", "1,000 and 10,000 watch rules against a 500-article batch"),
    ("bench.enrichment", "entities and claims per second on one core"),
)
# The 20,000-article backfill takes most of the time, and what it measures, memory, does not
# depend on other load. Beside it run, one after the other, a benchmark whose figure is a ratio
# of interleaved timings (other load hits every size alike) and freshness, a latency that is
# then measured in the harder case of continuous ingestion during a backfill.
LONG = ("bench.backfill_memory", "peak memory of a 20,000-article backfill")
BESIDE_LONG = (
    ("bench.dedupe_scaling", "near-duplicate lookup time at 1k, 10k and 100k indexed articles"),
    ("bench.freshness", "feed item to searchable and to alerted, continuous ingestion (during the backfill)"),
)


def machine() -> dict[str, Any]:
    """CPU model, cores, memory and software, for the record beside the figures."""

    def first(path: str, prefix: str) -> str:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError:
            return ""
        return next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith(prefix)), "")

    memory_kb = first("/proc/meminfo", "MemTotal").split(" ")[0]
    return {
        "cpu": first("/proc/cpuinfo", "model name") or "unknown",
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory_kb or 0) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def run_isolated(module: tuple[str, str], figures: dict[str, Any], output: list[str] | None = None) -> None:
    """Run ``python -m module`` and add the figures of its last line; its output is printed as it
    comes, or collected in ``output`` (for a benchmark that runs beside another)."""
    module_name, description = module
    name = module_name.removeprefix("bench.")
    lines = output if output is not None else []
    emit = lines.append if output is not None else (lambda line: print(line, end="", flush=True))
    emit(f"\n=== {module_name}: {description}\n")
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", module_name], cwd=REPO, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    assert process.stdout is not None
    last = ""
    for line in process.stdout:
        emit(line)
        last = line.strip() or last
    # One broken benchmark must not hide the others' figures: its error is a figure too.
    if process.wait() != 0:
        figures[f"{name}_error"] = f"exit status {process.returncode}"
    else:
        try:
            figures.update(json.loads(last))
        except ValueError:
            figures[f"{name}_error"] = f"last line is not JSON: {last[:200]}"
    figures[f"{name}_seconds"] = round(time.perf_counter() - began, 1)


def run_beside(modules: tuple[tuple[str, str], ...], figures: dict[str, Any], output: list[str]) -> None:
    for module in modules:
        run_isolated(module, figures, output)


def main() -> None:
    figures: dict[str, Any] = {"machine": machine()}
    print_table("machine", [(key, str(value)) for key, value in figures["machine"].items()])
    started = time.perf_counter()
    for module in ALONE:
        run_isolated(module, figures)
    beside_output: list[str] = []
    beside = threading.Thread(target=run_beside, args=(BESIDE_LONG, figures, beside_output), name="beside")
    beside.start()
    run_isolated(LONG, figures)
    beside.join()
    print("".join(beside_output), end="", flush=True)
    figures["bench_seconds"] = round(time.perf_counter() - started, 1)
    output = REPO / ".cache" / "bench" / "latest.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
