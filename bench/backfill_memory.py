"""Peak memory of a 20,000-article backfill, after 5,000 articles and at the end: it must not grow.

    .venv/bin/python -m bench.backfill_memory      # last line: one JSON object

One ``run_backfill`` over a URL file of 20,000 articles of the local news web (100 outlets), with
the settings of the news web demo, two worker processes and NER as configured. Pages are small
(six paragraphs of corpus sentences, about 3.5 kB) and generated on request from their URL, so
the site holds nothing in memory. A thread samples the resident memory (RSS) of the whole process
tree, this process and its worker processes, every 0.2 s; the backfill's progress callback marks
when 5,000 articles are done. RSS is summed over the processes (shared pages count once per
process, as ``ps`` shows them).
"""

from __future__ import annotations

import json
import random
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped, unused-ignore]

from bench.common import print_table
from bench.corpus_text import article_page, sentences
from bench.services import elasticsearch_url, remove_prefix, start_corenlp
from newshound_dev.newsweb import NewsSite, NewsWebServer, Outlet, SiteArticle
from newshound_dev.newsweb.demo import settings_for_news_web
from pipeline.ingest.backfill import BackfillRequest, run_backfill
from pipeline.ingest.cycle import IngestOptions
from pipeline.settings import load_settings

ARTICLES = 20_000
CHECKPOINT = 5_000
OUTLETS = 100
WORKERS = 2
SAMPLE_SECONDS = 0.2
MEGABYTE = 1024 * 1024


class GeneratedSite(NewsSite):
    """A news web whose article pages are made on request from their path (nothing is stored)."""

    base_time: datetime = datetime.now(UTC).replace(microsecond=0)

    def page(self, path: str) -> SiteArticle | None:
        parts = path.strip("/").split("/")
        if len(parts) != 2 or not parts[1].endswith(".html") or parts[0] not in self.outlets:
            return None
        outlet, slug = parts[0], parts[1].removesuffix(".html")
        randomness = random.Random(slug)
        title = " ".join(randomness.choice(sentences()).split()[:9]).rstrip(",.;:") + f" ({slug})"
        published = self.base_time - timedelta(minutes=randomness.randrange(60 * 24 * 30))
        page = article_page(randomness, self.outlets[outlet].name, title, published, path, paragraphs=6)
        return SiteArticle(outlet, slug, title, "", published, page, "en")


def generated_site(articles: int) -> tuple[GeneratedSite, list[str]]:
    """The site and the paths of its articles."""
    site = GeneratedSite()
    for number in range(OUTLETS):
        site.add_outlet(Outlet(f"outlet-{number:03d}", f"Outlet {number:03d}", "en", "rss"))
    paths = [f"/outlet-{number % OUTLETS:03d}/article-{number:05d}.html" for number in range(articles)]
    return site, paths


@dataclass
class TreeMemory:
    """Samples the RSS of this process and its children in a background thread."""

    interval: float = SAMPLE_SECONDS
    peak: int = 0
    main_peak: int = 0
    workers_peak: int = 0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._root = psutil.Process()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def current(self) -> tuple[int, int]:
        """(RSS of this process, summed RSS of its descendants) in bytes."""
        workers = 0
        for child in self._root.children(recursive=True):
            try:
                workers += child.memory_info().rss
            except psutil.Error:
                continue  # a worker that just exited
        return self._root.memory_info().rss, workers

    def sample(self) -> None:
        main, workers = self.current()
        with self._lock:
            self.peak = max(self.peak, main + workers)
            self.main_peak = max(self.main_peak, main)
            self.workers_peak = max(self.workers_peak, workers)
            self.samples += 1

    def snapshot(self) -> tuple[int, int, int]:
        """(peak of the tree, of this process, of the workers) so far."""
        self.sample()
        with self._lock:
            return self.peak, self.main_peak, self.workers_peak

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Progress:
    """Articles done, from the backfill's per-batch progress callback (it restarts every chunk)."""

    memory: TreeMemory
    checkpoint_at: int
    started: float = field(default_factory=time.perf_counter)
    finished_chunks: int = 0
    done: int = 0
    checkpoint: tuple[int, int, int] | None = None
    checkpoint_seconds: float = 0.0

    def __call__(self, done_in_chunk: int, chunk_total: int) -> None:
        self.done = self.finished_chunks + done_in_chunk
        if done_in_chunk >= chunk_total:
            self.finished_chunks += chunk_total
        if self.checkpoint is None and self.done >= self.checkpoint_at:
            self.checkpoint = self.memory.snapshot()
            self.checkpoint_seconds = time.perf_counter() - self.started


def megabytes(value: int) -> float:
    return value / MEGABYTE


def run(articles: int = ARTICLES, checkpoint: int = CHECKPOINT) -> dict[str, Any]:
    url = elasticsearch_url()
    start_corenlp()
    prefix = f"bench-backfill-{uuid.uuid4().hex[:8]}"
    site, paths = generated_site(articles)
    with tempfile.TemporaryDirectory(prefix="bench-backfill-") as folder:
        settings = load_settings(
            overrides={
                "elasticsearch.url": url,
                "elasticsearch.index_prefix": prefix,
                "ingest.workers": WORKERS,
                "ingest.run_data_dir": str(Path(folder) / "runs"),
            }
        )
        try:
            with NewsWebServer(site) as server:
                url_file = Path(folder) / "urls.txt"
                url_file.write_text("".join(f"{server.base_url}{path}\n" for path in paths), encoding="utf-8")
                tuned = settings_for_news_web(settings, server)
                with TreeMemory() as memory:
                    baseline = memory.snapshot()[0]
                    progress = Progress(memory, checkpoint)
                    summary = run_backfill(
                        tuned, BackfillRequest(url_file=url_file), IngestOptions(alerts=False, progress=progress)
                    )
                    seconds = time.perf_counter() - progress.started
                    final = memory.snapshot()
        finally:
            remove_prefix(url, prefix)
    if progress.checkpoint is None:
        raise RuntimeError(f"the backfill stopped after {progress.done} articles: {dict(summary.counts)}")
    indexed = summary.counts["new"] + summary.counts["updated"]
    rate = indexed / seconds
    late_rate = (progress.done - checkpoint) / max(seconds - progress.checkpoint_seconds, 1e-9)
    peak_5k, peak_20k = megabytes(progress.checkpoint[0]), megabytes(final[0])
    rows = [
        (
            "backfill",
            f"{indexed:,} articles indexed in {seconds:.0f} s = {rate:.1f} articles/s (status {summary.status})",
        ),
        (f"after the first {checkpoint:,}", f"{late_rate:.1f} articles/s"),
        ("RSS before the run", f"{megabytes(baseline):7.0f} MB"),
        (
            f"peak RSS, first {checkpoint:,} articles",
            f"{peak_5k:7.0f} MB  (this process {megabytes(progress.checkpoint[1]):.0f} MB, "
            f"workers {megabytes(progress.checkpoint[2]):.0f} MB)",
        ),
        (
            f"peak RSS, all {progress.done:,} articles",
            f"{peak_20k:7.0f} MB  (this process {megabytes(final[1]):.0f} MB, workers {megabytes(final[2]):.0f} MB)",
        ),
        ("ratio", f"{peak_20k / peak_5k:.3f}  ({memory.samples} samples)"),
        ("counts", ", ".join(f"{reason} {count}" for reason, count in sorted(summary.counts.items()))),
    ]
    stage_rows = [
        (stage, f"{stage_seconds:7.1f} s  {stage_seconds / max(indexed, 1) * 1000:6.1f} ms/article")
        for stage, stage_seconds in sorted(summary.timings.items(), key=lambda item: -item[1])
    ]
    print_table(f"backfill of {articles:,} URLs, {WORKERS} workers: peak RSS of the process tree", rows)
    print_table("time per stage (CPU stages summed over the worker processes)", stage_rows)
    return {
        "backfill_peak_rss_mb_5k": round(peak_5k, 1),
        "backfill_peak_rss_mb_20k": round(peak_20k, 1),
        "backfill_peak_rss_ratio": round(peak_20k / peak_5k, 3),
        "backfill_articles_per_s": round(rate, 2),
        "backfill_articles": indexed,
        "backfill_seconds": round(seconds, 1),
    }


if __name__ == "__main__":
    print(json.dumps(run()))
