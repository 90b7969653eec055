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
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, print_table

# (module, what it measures); `python -m module` prints its figures as one JSON object, last.
BENCHMARKS = (
    ("bench.throughput", "end-to-end throughput against plain trafilatura"),
    ("bench.dedupe_scaling", "near-duplicate lookup time at 1k, 10k and 100k indexed articles"),
    ("bench.alerts", "1,000 and 10,000 watch rules against a 500-article batch"),
    ("bench.backfill_memory", "peak memory of a 20,000-article backfill"),
    ("bench.freshness", "feed item to searchable and to alerted, continuous ingestion"),
    ("bench.enrichment", "entities and claims per second on one core"),
    ("bench.startup", "start-up of newshound --help, check-feed and search"),
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


def run_isolated(module_name: str, figures: dict[str, Any]) -> str | None:
    """Run ``python -m module_name``, passing its output through; add the figures of its last line."""
    process = subprocess.Popen(
        [sys.executable, "-m", module_name], cwd=REPO, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    assert process.stdout is not None
    last = ""
    for line in process.stdout:
        print(line, end="", flush=True)
        last = line.strip() or last
    if process.wait() != 0:
        return f"exit status {process.returncode}"
    try:
        figures.update(json.loads(last))
    except ValueError:
        return f"last line is not JSON: {last[:200]}"
    return None


def main() -> None:
    figures: dict[str, Any] = {"machine": machine()}
    print_table("machine", [(key, str(value)) for key, value in figures["machine"].items()])
    started = time.perf_counter()
    for module_name, description in BENCHMARKS:
        print(f"\n=== {module_name}: {description}", flush=True)
        began = time.perf_counter()
        error = run_isolated(module_name, figures)
        if error:  # one broken benchmark must not hide the others' figures
            figures[f"{module_name.removeprefix('bench.')}_error"] = error
        figures[f"{module_name.removeprefix('bench.')}_seconds"] = round(time.perf_counter() - began, 1)
    figures["bench_seconds"] = round(time.perf_counter() - started, 1)
    output = REPO / ".cache" / "bench" / "latest.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
