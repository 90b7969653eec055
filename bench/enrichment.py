"""Enrichment throughput on one core: entities (knowledge base, and with NER by the CoreNLP
server) and claims, in articles per second, over German and English news text, and the CPU an
article's NER costs in this process and in the CoreNLP server.

    .venv/bin/python -m bench.enrichment        # last line: one JSON object
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from bench.common import REPO, best_of, corpus_dir, print_table
from bench.corpus_text import gold_texts
from bench.services import process_tree_cpu_seconds, start_corenlp, warm_up_ner
from pipeline.claims.extract import extract_claims
from pipeline.entities.extractor import EntityExtractor
from pipeline.settings import load_settings

ARTICLES_PER_LANGUAGE = 200
CORENLP_PIDFILE = REPO / ".cache" / "corenlp" / "instances" / "9000" / "corenlp.pid"


def texts() -> dict[str, list[str]]:
    """200 German (Wikinews) and 200 English (PolNeAR) article texts from the shared corpus."""
    claims = corpus_dir() / "claims"
    found: dict[str, list[str]] = {"de": [], "en": []}
    for language, name, field in (("de", "germeval2023-spkatt-news-de", "originalText"), ("en", "polnear-en", "text")):
        with open(claims / name / "docs.jsonl", encoding="utf-8") as handle:
            for line in handle:
                found[language].append(json.loads(line)[field])
                if len(found[language]) == ARTICLES_PER_LANGUAGE:
                    break
    return found


def _each(stage: Callable[[str, str], object], documents: list[str], language: str) -> None:
    for text in documents:
        stage(text, language)


def run() -> dict[str, Any]:
    start_corenlp()
    # No NER cache: the timed passes read the same texts again.
    settings = load_settings(overrides={"entities.ner_cache_pieces": 0})
    with_ner = EntityExtractor.from_settings(settings)
    warm_up_ner(settings, gold_texts())
    kb_only = EntityExtractor.from_settings(
        settings.model_copy(update={"entities": settings.entities.model_copy(update={"use_ner": False})})
    )
    corpus = texts()
    results: dict[str, Any] = {}
    rows = []
    for language, documents in corpus.items():
        kilobytes = sum(len(text.encode()) for text in documents) / 1024
        for text in documents[:5]:  # warm-up: models load lazily
            with_ner.extract(text, language)
            kb_only.extract(text, language)
        server_before, own_before = process_tree_cpu_seconds(CORENLP_PIDFILE), time.process_time()
        ner_seconds = best_of(1, partial(_each, with_ner.extract, documents, language))
        server_after, own_after = process_tree_cpu_seconds(CORENLP_PIDFILE), time.process_time()
        if server_before is not None and server_after is not None:
            server_ms = (server_after - server_before) * 1000 / len(documents)
            own_ms = (own_after - own_before) * 1000 / len(documents)
            results[f"ner_cpu_ms_per_article_{language}"] = round(server_ms + own_ms, 1)
            rows.append((f"NER CPU ({language})", f"{server_ms:6.1f} ms CoreNLP + {own_ms:5.1f} ms Python per article"))
        timings = {
            "entities_kb": best_of(3, partial(_each, kb_only.extract, documents, language)),
            "entities_ner": ner_seconds,
            "claims": best_of(3, partial(_each, extract_claims, documents, language)),
        }
        for stage, seconds in timings.items():
            rate = len(documents) / seconds
            results[f"{stage}_{language}_articles_per_s"] = round(rate, 1)
            rows.append((f"{stage} ({language})", f"{rate:8.1f} articles/s  {seconds / kilobytes * 4000:6.2f} ms/4kB"))
    print_table(f"enrichment, one core, {ARTICLES_PER_LANGUAGE} articles per language", rows)
    return results


if __name__ == "__main__":
    print(json.dumps(run()))
