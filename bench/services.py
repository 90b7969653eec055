"""The services the benchmarks use: ``ELASTICSEARCH_URL`` or the local Elasticsearch on port 9200,
and the CoreNLP server of the settings or the local one on port 9000 (each started if needed)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import psutil
from elasticsearch import Elasticsearch

from bench.common import REPO
from pipeline.index.templates import remove_indices
from pipeline.settings import Settings


def elasticsearch_url() -> str:
    if os.environ.get("ELASTICSEARCH_URL"):
        return os.environ["ELASTICSEARCH_URL"]
    subprocess.run([sys.executable, str(REPO / "scripts" / "elasticsearch"), "start"], check=True)
    return "http://127.0.0.1:9200"


def start_corenlp() -> None:
    """The local CoreNLP server (NER), unless the settings name another one."""
    if not os.environ.get("NEWSHOUND_ENTITIES__CORENLP__URL"):
        subprocess.run([sys.executable, str(REPO / "scripts" / "corenlp"), "start"], check=True)


def warm_up_ner(settings: Settings, texts: Sequence[str]) -> None:
    """Run NER over ``texts`` once, untimed: a freshly started JVM compiles its hot code over the
    first few hundred articles and costs about twice as much meanwhile (measured: 39.7 against
    19.9 ms per article), which a server that runs for days pays once."""
    from pipeline.entities.extractor import EntityExtractor

    extractor = EntityExtractor.from_settings(settings)
    for language in ("en", "de"):
        for start in range(0, len(texts), 20):
            extractor.extract_many([(text, language) for text in texts[start : start + 20]])


def process_tree_cpu_seconds(pidfile: Path) -> float | None:
    """CPU seconds of the process named in ``pidfile`` and all its descendants, or None."""
    try:
        root = psutil.Process(int(pidfile.read_text().strip()))
        processes = [root, *root.children(recursive=True)]
        return sum(sum(process.cpu_times()[:2]) for process in processes)
    except (OSError, ValueError, psutil.Error):
        return None


def remove_prefix(url: str, prefix: str) -> None:
    """Delete a benchmark's indices and templates (by name: wildcard deletes may be refused)."""
    client = Elasticsearch(url, request_timeout=60)
    remove_indices(client, prefix)
    client.close()
