"""Start-up of the ``newshound`` command: wall time and peak memory of short commands.

    .venv/bin/python -m bench.startup        # last line: one JSON object

Each command runs as a fresh process (best of five, wall clock, peak RSS), beside the baseline of
a bare ``python -c pass`` in the same run, so the ratio is what Newshound adds to the interpreter;
once as installed by ``make install`` (bytecode compiled) and once without bytecode:

- ``newshound --help``
- ``newshound check-feed FILE``: a 30-entry RSS file through the polling parser
- ``newshound search WORD``: one search against the Elasticsearch of ELASTICSEARCH_URL, else the
  local one on port 9200 (started when it is not running), under a throw-away index prefix

Beside the times, the heaviest modules each command imports (``python -X importtime``,
cumulative) show where the rest goes. Targets (issue 13): --help and check-feed under 0.6 s,
search under 1.2 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.common import print_table
from bench.services import elasticsearch_url, remove_prefix

RUNS = 5
NEWSHOUND = str(Path(sys.executable).with_name("newshound"))
ENTRIES = 30

# Runs the command given as arguments and prints its peak RSS: the maximum over the children of
# this small parent is exactly the one command's.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)\n"
    "sys.stderr.buffer.write(done.stderr)\n"
)


def measure(command: Sequence[str], environ: Mapping[str, str]) -> tuple[float, float]:
    """(best wall seconds, peak RSS in MB) of ``command`` over RUNS fresh processes. Exit status 1
    counts as done (``search`` that finds nothing); anything else stops the benchmark."""
    best, peak_kb = float("inf"), 0
    for _ in range(RUNS):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", _MEASURE, *command], env=dict(environ), capture_output=True, text=True, check=True
        )
        best = min(best, time.perf_counter() - started)
        rss_kb, status = (int(value) for value in result.stdout.split())
        if status not in (0, 1):
            raise SystemExit(f"bench.startup: {' '.join(command)} exited {status}: {result.stderr[-2000:]}")
        peak_kb = max(peak_kb, rss_kb)
    # The measuring parent's own start is part of the wall time; the baseline pays it too.
    return best, peak_kb / 1024


def heaviest_imports(command: Sequence[str], environ: Mapping[str, str], count: int = 5) -> list[tuple[str, float]]:
    """The ``count`` top-level imports with the largest cumulative time, from ``-X importtime``."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *command], env=dict(environ), capture_output=True, text=True
    )
    top_level: list[tuple[str, float]] = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        if not name.startswith("  "):  # indented names were imported by the one above them
            top_level.append((name.strip(), int(cumulative) / 1e6))
    return sorted(top_level, key=lambda item: item[1], reverse=True)[:count]


def write_feed(path: Path) -> Path:
    """An RSS 2.0 feed of ENTRIES items with HTML descriptions, like a news site's."""
    items = "".join(
        f"<item><title>Report {number}</title><link>https://news.example.org/2026/12/report-{number}</link>"
        f"<guid>https://news.example.org/2026/12/report-{number}</guid>"
        f"<pubDate>Mon, 07 Dec 2026 {number % 24:02d}:00:00 +0000</pubDate>"
        f"<description>&lt;p&gt;The &lt;b&gt;ministry&lt;/b&gt; said on Monday that {number} people were"
        f" evacuated.&lt;/p&gt;</description></item>"
        for number in range(ENTRIES)
    )
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        f"<link>https://news.example.org/</link><description>All news</description>{items}</channel></rss>",
        encoding="utf-8",
    )
    return path


def main() -> None:
    url = elasticsearch_url()
    prefix = f"bench-startup-{uuid.uuid4().hex[:8]}"
    environ = {**os.environ, "ELASTICSEARCH_URL": url, "NEWSHOUND_ELASTICSEARCH__INDEX_PREFIX": prefix}
    # Without bytecode: every module compiled from source at each start, as after an install that
    # did not compile (uv's default) where PYTHONDONTWRITEBYTECODE is set. An empty cache folder
    # stands in for the missing .pyc files.
    scratch = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    cold = {**environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(scratch / "no-bytecode")}
    # The search needs the indices to exist; creating them is not part of what is measured.
    subprocess.run([NEWSHOUND, "setup"], env=environ, check=True, stdout=subprocess.DEVNULL)
    feed = write_feed(scratch / "feed.xml")
    # `newshound` is a console script (a Python file), so `python -X importtime newshound` works.
    commands = {
        "python": [sys.executable, "-c", "pass"],
        "help": [NEWSHOUND, "--help"],
        "check_feed": [NEWSHOUND, "check-feed", str(feed)],
        "search": [NEWSHOUND, "search", "Putin"],
    }
    try:
        installed = {name: measure(command, environ) for name, command in commands.items()}
        compiling = {name: measure(command, cold) for name, command in commands.items()}
        imports = {name: heaviest_imports(command, environ) for name, command in commands.items() if name != "python"}
    finally:
        remove_prefix(url, prefix)

    figures: dict[str, Any] = {}
    rows = []
    for name, command in commands.items():
        (seconds, rss_mb), (cold_seconds, _) = installed[name], compiling[name]
        ratio = seconds / installed["python"][0]
        figures[f"startup_{name}_seconds"] = round(seconds, 3)
        figures[f"startup_{name}_rss_mb"] = round(rss_mb, 1)
        figures[f"startup_{name}_ratio"] = round(ratio, 2)
        figures[f"startup_{name}_no_bytecode_seconds"] = round(cold_seconds, 3)
        label = "python -c pass" if name == "python" else " ".join(["newshound", *command[1:2]])
        rows.append(
            (label, f"{seconds:.3f} s  {rss_mb:.0f} MB  ({ratio:.1f}x)   without bytecode {cold_seconds:.3f} s")
        )
    print_table(f"start-up, best of {RUNS} fresh processes (wall clock, peak RSS, ratio to python)", rows)
    for name, heaviest in imports.items():
        print_table(
            f"heaviest imports of {name} (cumulative)", [(module, f"{seconds:.3f} s") for module, seconds in heaviest]
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
