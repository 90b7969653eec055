"""End-to-end throughput against a baseline measured in the same run.

Pipeline: the local news web (a synthetic site of about 2,400 articles built from the corpus
pages, 10% near duplicates and 10% syndicated copies) -> poll -> fetch -> extract -> clean ->
entities -> claims -> fingerprints -> dedupe and stories -> bulk index into the real
Elasticsearch, with ``ingest.workers`` processes for the CPU stages (both cores by default).
Baseline: plain ``trafilatura.extract`` over the same pages, one after the other, in one process.

    .venv/bin/python -m bench.throughput      # last line: one JSON object
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

import psutil
import trafilatura
from elasticsearch import Elasticsearch

from bench.common import REPO, print_table
from bench.corpus_text import gold_texts
from bench.services import elasticsearch_url, process_tree_cpu_seconds, remove_prefix, start_corenlp, warm_up_ner
from bench.synthetic import synthetic_site
from newshound_dev.newsweb import NewsWebServer
from newshound_dev.newsweb.demo import news_web_sources, settings_for_news_web
from pipeline.ingest.cycle import IngestOptions, run_ingest
from pipeline.settings import load_settings

ARTICLES = 2420


CORES = os.cpu_count() or 1


def cpu_seconds() -> dict[str, float]:
    """CPU seconds so far of this process, of its finished worker processes, of Elasticsearch and
    of the CoreNLP server (NER)."""
    own = psutil.Process().cpu_times()
    result = {"main process": own.user + own.system, "worker processes": own.children_user + own.children_system}
    servers = {
        "elasticsearch": REPO / ".cache" / "elasticsearch" / "instances" / "9200" / "elasticsearch.pid",
        "corenlp (NER)": REPO / ".cache" / "corenlp" / "instances" / "9000" / "corenlp.pid",
    }
    for name, pidfile in servers.items():
        seconds = process_tree_cpu_seconds(pidfile)
        if seconds is not None:
            result[name] = seconds
    return result


def elasticsearch_work(url: str, prefix: str) -> dict[str, int]:
    """Operations of the benchmark's indices so far (documents indexed, searches, refreshes, merges)."""
    client = Elasticsearch(url, request_timeout=60)
    totals = client.indices.stats(index=f"{prefix}-*", metric="indexing,search,refresh,merge")["_all"]["total"]
    client.close()
    return {
        "index operations": totals["indexing"]["index_total"],
        "search queries": totals["search"]["query_total"],
        "refreshes": totals["refresh"]["total"],
        "merges": totals["merges"]["total"],
        "indexing ms": totals["indexing"]["index_time_in_millis"],
        "search ms": totals["search"]["query_time_in_millis"],
        "refresh ms": totals["refresh"]["total_time_in_millis"],
        "merge ms": totals["merges"]["total_time_in_millis"],
    }


def trafilatura_only(pages: list[bytes]) -> float:
    """Seconds for plain trafilatura over every page, in this process."""
    started = time.perf_counter()
    for page in pages:
        trafilatura.extract(page.decode("utf-8", errors="replace"), include_comments=False)
    return time.perf_counter() - started


def run(articles: int = ARTICLES) -> dict[str, Any]:
    site, kinds = synthetic_site(articles)
    pages = [article.page for items in site.articles.values() for article in items]
    url = elasticsearch_url()
    start_corenlp()
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    settings = load_settings(
        overrides={
            "elasticsearch.url": url,
            "elasticsearch.index_prefix": prefix,
            "ingest.run_data_dir": ".cache/bench/runs",
            # The site's 20 word-swapped variants of each page repeat two thirds of the stretches
            # NER reads (distinct real pages: 7%): a cache of NER results would measure the
            # generator, not the pipeline.
            "entities.ner_cache_pieces": 0,
        }
    )
    warm_up_ner(settings, gold_texts())
    try:
        with NewsWebServer(site) as server:
            tuned = settings_for_news_web(settings, server)
            before = cpu_seconds()
            started = time.perf_counter()
            summary = run_ingest(tuned, IngestOptions(sources=news_web_sources(server), force_poll=True))
            pipeline_seconds = time.perf_counter() - started
            cpu = {name: after - before[name] for name, after in cpu_seconds().items()}
            work = elasticsearch_work(url, prefix)
    finally:
        remove_prefix(url, prefix)
    baseline_seconds = trafilatura_only(pages)
    indexed = summary.counts["new"]
    pipeline_rate = indexed / pipeline_seconds
    baseline_rate = len(pages) / baseline_seconds
    workers = tuned.ingest.workers or "all cores"
    rows = [
        (
            "articles in the site",
            f"{len(pages)} ({kinds['unique']} distinct, {kinds['near-duplicate']} near "
            f"duplicates, {kinds['duplicate']} syndicated copies)",
        ),
        (
            "pipeline",
            f"{indexed} articles in {pipeline_seconds:.1f} s = {pipeline_rate:.1f} articles/s "
            f"(workers: {workers}; status {summary.status})",
        ),
        ("trafilatura only", f"{len(pages)} pages in {baseline_seconds:.1f} s = {baseline_rate:.1f} articles/s"),
        ("ratio pipeline / trafilatura", f"{pipeline_rate / baseline_rate:.2f}"),
        (
            "duplicates / near duplicates found",
            f"{summary.counts['duplicate']} / {summary.counts['near-duplicate']} "
            f"(made: {kinds['duplicate']} / {kinds['near-duplicate']})",
        ),
    ]
    print_table("end-to-end throughput", rows)
    stage_rows = [
        (stage, f"{seconds:8.1f} s   {seconds / max(indexed, 1) * 1000:6.1f} ms/article")
        for stage, seconds in sorted(summary.timings.items(), key=lambda item: -item[1])
    ]
    print_table("time per stage (CPU stages summed over the worker processes)", stage_rows)
    cpu_rows = [
        (name, f"{seconds:8.1f} s   {seconds / max(indexed, 1) * 1000:6.1f} ms/article")
        for name, seconds in cpu.items()
    ]
    cpu_rows.append(("cores available x wall time", f"{CORES * pipeline_seconds:8.1f} s"))
    print_table("CPU used during the pipeline run, by process", cpu_rows)
    print_table(
        "Elasticsearch work for the run (all its indices)",
        [(name, f"{value:9,}   {value / max(indexed, 1):7.1f} per article") for name, value in work.items()],
    )
    return {
        "pipeline_articles_per_s": round(pipeline_rate, 2),
        "trafilatura_articles_per_s": round(baseline_rate, 2),
        "throughput_ratio": round(pipeline_rate / baseline_rate, 3),
        "throughput_articles": indexed,
        "stage_seconds": {stage: round(seconds, 2) for stage, seconds in summary.timings.items()},
        "cpu_seconds": {name: round(seconds, 1) for name, seconds in cpu.items()},
    }


if __name__ == "__main__":
    print(json.dumps(run()))
