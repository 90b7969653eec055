"""Freshness: from an item appearing in a feed to its article being searchable, and to its alert.

    .venv/bin/python -m bench.freshness      # last line: one JSON object

Continuous ingestion runs as the ingest DAG runs it, one cycle after the other (``run_ingest``
in a loop, a short pause when a cycle found nothing due), against a local news web of 12 outlets
whose feeds are polled every 30 s (interval fixed: ``feeds.*_poll_interval_minutes`` = 0.5).
A publisher adds 60 articles at random moments over two minutes, each to a random outlet; an
item's clock starts when it is added to its feed. A watcher searches the articles alias every
0.25 s for the published URLs; a watch rule (``per: article``) on a word every new article
carries sends each one to a webhook receiver on loopback, which notes when it arrived.

What this leaves out: the scheduler's own latency between DAG runs (Airflow adds seconds per task
launch; docs/performance.md discusses it).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from bench.common import print_table
from bench.corpus_text import article_page, sentences
from bench.services import elasticsearch_url, remove_prefix, start_corenlp
from newshound_dev.newsweb import NewsSite, NewsWebServer, Outlet, SiteArticle
from newshound_dev.newsweb.demo import news_web_sources, settings_for_news_web
from pipeline.ingest.cycle import IngestOptions, run_ingest
from pipeline.settings import load_settings

ITEMS = 60
OUTLETS = 12
PUBLISH_SECONDS = 120.0
FEED_INTERVAL_MINUTES = 0.5
WATCH_SECONDS = 0.25
IDLE_PAUSE_SECONDS = 1.0
DRAIN_TIMEOUT_SECONDS = 180.0
MARKER = "Zephyrquill"  # the watched word: in every published article, in nothing else
SEED = 7
SECRET_ENV = "NEWSHOUND_BENCH_WEBHOOK_SECRET"


@dataclass
class Clocks:
    """When each article URL appeared in its feed, became searchable, and reached the receiver."""

    appeared: dict[str, float] = field(default_factory=dict)
    searchable: dict[str, float] = field(default_factory=dict)
    alerted: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pending_search(self) -> list[str]:
        with self.lock:
            return [url for url in self.appeared if url not in self.searchable]

    def note(self, table: dict[str, float], url: str) -> None:
        with self.lock:
            table.setdefault(url, time.monotonic())

    def done(self) -> bool:
        with self.lock:
            return len(self.appeared) == ITEMS and all(
                url in self.searchable and url in self.alerted for url in self.appeared
            )


def start_receiver(clocks: Clocks) -> ThreadingHTTPServer:
    """A webhook endpoint on loopback noting the arrival of each alerted article."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            for alert in body.get("alerts", []):
                clocks.note(clocks.alerted, str(alert["article"]["url"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="receiver", daemon=True).start()
    return server


def watches_file(folder: Path, receiver_url: str) -> Path:
    os.environ.setdefault(SECRET_ENV, uuid.uuid4().hex)  # webhooks are always signed
    path = folder / "watches.yaml"
    path.write_text(
        f"""version: 1
settings:
  retry_backoff_minutes: 1
notifiers:
  bench-hook:
    type: webhook
    url: {receiver_url}/hook
    secret_env: {SECRET_ENV}
rules:
  - id: freshness-probe
    kind: query
    query: {MARKER}
    per: article
    notifiers: [bench-hook]
""",
        encoding="utf-8",
    )
    return path


def publish(site: NewsSite, base_url: str, clocks: Clocks, stop: threading.Event) -> None:
    """Add ITEMS articles at random moments over PUBLISH_SECONDS, each to a random outlet."""
    randomness = random.Random(SEED)
    moments = sorted(randomness.uniform(0, PUBLISH_SECONDS) for _ in range(ITEMS))
    started = time.monotonic()
    outlets = sorted(site.outlets)
    for number, moment in enumerate(moments):
        if stop.wait(max(0.0, started + moment - time.monotonic())):
            return
        outlet = site.outlets[randomness.choice(outlets)]
        slug = f"fresh-{number:03d}"
        title = f"{MARKER} report {number}: " + " ".join(randomness.choice(sentences()).split()[:8])
        published = datetime.now(UTC)
        path = f"/{outlet.id}/{slug}.html"
        page = article_page(randomness, outlet.name, title, published, path, paragraphs=5)
        site.add_article(SiteArticle(outlet.id, slug, title, f"{MARKER}: {title}", published, page, "en"))
        clocks.note(clocks.appeared, base_url + path)


def watch_search(client: Elasticsearch, alias: str, clocks: Clocks, stop: threading.Event) -> None:
    """Search for the published URLs until each is found."""
    while not stop.wait(WATCH_SECONDS):
        pending = clocks.pending_search()
        if not pending:
            continue
        response = client.search(
            index=alias,
            size=len(pending),
            query={"bool": {"should": [{"terms": {"url": pending}}, {"terms": {"canonical_url": pending}}]}},
            source_includes=["url", "canonical_url"],
        )
        for hit in response["hits"]["hits"]:
            for key in ("url", "canonical_url"):
                if hit["_source"].get(key) in pending:
                    clocks.note(clocks.searchable, hit["_source"][key])


def ingest_continuously(settings: Any, options: IngestOptions, stop: threading.Event, cycles: list[float]) -> None:
    while not stop.is_set():
        started = time.monotonic()
        summary = run_ingest(settings, options)
        cycles.append(time.monotonic() - started)
        if not summary.counts.get("new"):
            stop.wait(IDLE_PAUSE_SECONDS)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def describe(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):5.1f} s, p95 {percentile(values, 0.95):5.1f} s, "
        f"max {max(values):5.1f} s  (n={len(values)})"
    )


def starting_site() -> NewsSite:
    """Outlets with one older article each, ingested before the clock starts."""
    site = NewsSite()
    randomness = random.Random(SEED + 1)
    earlier = datetime.now(UTC) - timedelta(hours=2)
    for number in range(OUTLETS):
        outlet = Outlet(f"fresh-{number:02d}", f"Frischblatt {number:02d}", "en", "rss" if number % 2 else "atom")
        site.add_outlet(outlet)
        path = f"/{outlet.id}/earlier.html"
        page = article_page(randomness, outlet.name, f"Earlier news {number}", earlier, path, paragraphs=5)
        site.add_article(SiteArticle(outlet.id, "earlier", f"Earlier news {number}", "", earlier, page, "en"))
    return site


def run() -> dict[str, Any]:
    url = elasticsearch_url()
    start_corenlp()
    prefix = f"bench-fresh-{uuid.uuid4().hex[:8]}"
    clocks = Clocks()
    cycles: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-freshness-") as folder:
        receiver = start_receiver(clocks)
        receiver_url = f"http://127.0.0.1:{receiver.server_address[1]}"
        settings = load_settings(
            overrides={
                "elasticsearch.url": url,
                "elasticsearch.index_prefix": prefix,
                "ingest.run_data_dir": str(Path(folder) / "runs"),
                "alerts.watches": str(watches_file(Path(folder), receiver_url)),
                "feeds.default_poll_interval_minutes": FEED_INTERVAL_MINUTES,
                "feeds.min_poll_interval_minutes": FEED_INTERVAL_MINUTES,
                "feeds.max_poll_interval_minutes": FEED_INTERVAL_MINUTES,
            }
        )
        site = starting_site()
        stop = threading.Event()
        try:
            with NewsWebServer(site) as server:
                tuned = settings_for_news_web(settings, server)
                options = IngestOptions(sources=news_web_sources(server))
                warm_up = run_ingest(tuned, options)
                client = Elasticsearch(url, request_timeout=30)
                alias = tuned.index_names.articles
                threads = [
                    threading.Thread(target=ingest_continuously, args=(tuned, options, stop, cycles), name="ingest"),
                    threading.Thread(target=watch_search, args=(client, alias, clocks, stop), name="watcher"),
                    threading.Thread(target=publish, args=(site, server.base_url, clocks, stop), name="publisher"),
                ]
                for thread in threads:
                    thread.start()
                deadline = time.monotonic() + PUBLISH_SECONDS + DRAIN_TIMEOUT_SECONDS
                while not clocks.done() and time.monotonic() < deadline:
                    time.sleep(1.0)
                stop.set()
                for thread in threads:
                    thread.join()
                client.close()
        finally:
            stop.set()
            receiver.shutdown()
            receiver.server_close()
            remove_prefix(url, prefix)
    to_search = [clocks.searchable[u] - clocks.appeared[u] for u in clocks.appeared if u in clocks.searchable]
    to_alert = [clocks.alerted[u] - clocks.appeared[u] for u in clocks.appeared if u in clocks.alerted]
    if not to_search or not to_alert:
        raise RuntimeError(f"nothing became searchable or alerted (warm-up: {warm_up.status} {dict(warm_up.counts)})")
    rows = [
        ("items published", f"{len(clocks.appeared)} over {PUBLISH_SECONDS:.0f} s on {OUTLETS} feeds"),
        ("feed interval", f"{FEED_INTERVAL_MINUTES * 60:.0f} s"),
        ("feed -> searchable", describe(to_search)),
        ("feed -> alert delivered", describe(to_alert)),
        ("ingest cycles", f"{len(cycles)}, median {statistics.median(cycles):.1f} s, max {max(cycles):.1f} s"),
        ("missing", f"{ITEMS - len(to_search)} never searchable, {ITEMS - len(to_alert)} never alerted"),
    ]
    print_table("freshness with continuous ingestion", rows)
    return {
        "freshness_items": len(clocks.appeared),
        "freshness_median_seconds": round(statistics.median(to_search), 1),
        # The later of the two clocks: an item is fresh once it is both searchable and alerted.
        "freshness_p95_seconds": round(max(percentile(to_search, 0.95), percentile(to_alert, 0.95)), 1),
        "freshness_searchable_p95_seconds": round(percentile(to_search, 0.95), 1),
        "freshness_alert_median_seconds": round(statistics.median(to_alert), 1),
        "freshness_alert_p95_seconds": round(percentile(to_alert, 0.95), 1),
        "freshness_missing": (ITEMS - len(to_search)) + (ITEMS - len(to_alert)),
    }


if __name__ == "__main__":
    print(json.dumps(run()))
