"""Helpers shared by the tests and their fixtures (importable: tests/ is on pytest's pythonpath)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_ELASTICSEARCH_PORT = int(os.environ.get("NEWSHOUND_TEST_ES_PORT", "9250"))
# Captured at import, before per-test isolation clears the environment.
EXTERNAL_ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL")
# The CoreNLP server (NER) of the test session: started by scripts/corenlp on this port.
TEST_CORENLP_PORT = int(os.environ.get("NEWSHOUND_TEST_CORENLP_PORT", "9031"))
TEST_CORENLP_URL = f"http://127.0.0.1:{TEST_CORENLP_PORT}"
# The one pin of the server version (pyproject.toml [tool.newshound]), which scripts/elasticsearch runs.
with open(REPO_ROOT / "pyproject.toml", "rb") as _pyproject:
    PINNED_ELASTICSEARCH_VERSION = str(tomllib.load(_pyproject)["tool"]["newshound"]["elasticsearch-version"])


class ElasticsearchNode:
    """The session's Elasticsearch; ``stop``/``start`` exist only for a node this session started."""

    def __init__(self, url: str, port: int | None) -> None:
        self.url = url
        self.port = port

    @property
    def managed(self) -> bool:
        return self.port is not None

    def _script(self, *args: str) -> None:
        subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "elasticsearch"), *args], check=True)

    def stop(self) -> None:
        assert self.port is not None, "cannot stop an external Elasticsearch"
        self._script("stop", "--port", str(self.port))

    def start(self, *, fresh: bool = False) -> None:
        assert self.port is not None, "cannot start an external Elasticsearch"
        self._script("start", "--port", str(self.port), *(["--fresh"] if fresh else []))


def start_corenlp(port: int) -> None:
    """Start the session's CoreNLP server (scripts/corenlp; fetched from Maven Central on first use)."""
    subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "corenlp"), "start", "--port", str(port)], check=True)


def stop_corenlp(port: int) -> None:
    subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "corenlp"), "stop", "--port", str(port)], check=True)


def entity_settings(use_ner: bool) -> Any:
    """Settings of the repository's config folder (no newshound.yaml involved) with the session's
    CoreNLP server, for tests of the entity stage alone."""
    from pipeline.settings import CoreNlpSettings, EntitySettings, Settings

    entities = EntitySettings(use_ner=use_ner, corenlp=CoreNlpSettings(url=TEST_CORENLP_URL))
    return Settings(config_dir=REPO_ROOT / "config", entities=entities)


def make_test_settings(elasticsearch_url: str, prefix: str, tmp_path: Path, **overrides: Any) -> Any:
    from pipeline.settings import load_settings

    values: dict[str, Any] = {
        "elasticsearch.url": elasticsearch_url,
        "elasticsearch.index_prefix": prefix,
        "ingest.run_data_dir": str(tmp_path / "runs"),
        "ingest.workers": 1,
        "fetch.per_host_delay_seconds": 0.0,
        "fetch.per_host_concurrency": 8,
        "fetch.allowed_hosts": ["127.0.0.1"],
        "fetch.retries": 0,
        "entities.corenlp.url": TEST_CORENLP_URL,
    }
    values.update(overrides)
    return load_settings(environ={}, overrides=values)


def airflow_environment(home: Path, **extra: str) -> dict[str, str]:
    """Environment for running Airflow commands against this repository's DAGs."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEWSHOUND_", "ELASTICSEARCH_", "AIRFLOW"))
    }
    environment.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "PYTHONPATH": str(REPO_ROOT),
            "NEWSHOUND_ENTITIES__CORENLP__URL": TEST_CORENLP_URL,
        }
    )
    environment.update(extra)
    return environment


class StoppingProxy:
    """Forwards HTTP to Elasticsearch and calls ``on_bulk(count, body)`` before forwarding each bulk request.

    The outage tests stop the real node from that callback, so the bulk in flight and everything
    after it fail for real, as in an outage in the middle of a bulk.
    """

    def __init__(self, upstream: str, on_bulk: Any) -> None:
        self.upstream = upstream
        self.bulk_requests = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if "/_bulk" in self.path:
                    proxy.bulk_requests += 1
                    on_bulk(proxy.bulk_requests, body)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                try:
                    response = httpx.request(
                        self.command, upstream + self.path, content=body, headers=headers, timeout=30
                    )
                except httpx.HTTPError:
                    self.close_connection = True
                    self.connection.close()  # the client sees the connection drop, as with a dead node
                    return
                self.send_response(response.status_code)
                for name, value in response.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def fingerprinted_article(article_id: str, text: str, published: Any, story_keys: tuple[str, ...] = ()) -> Any:
    """An article carrying the fingerprints ingestion gives ``text`` (default dedupe settings)."""
    from pipeline.dedupe.fingerprints import fingerprint
    from pipeline.models import Article
    from pipeline.settings import DedupeSettings

    options = DedupeSettings()
    prints = fingerprint(
        text, shingle_words=options.shingle_words, num_permutations=options.num_permutations, bands=options.lsh_bands
    )
    return Article(
        article_id,
        f"https://x.example/{article_id}",
        f"https://x.example/{article_id}",
        "X",
        "T",
        text,
        "feed",
        prints.content_hash,
        published=published,
        minhash_bands=prints.band_keys,
        minhash_signature=prints.signature,
        shingle_count=prints.shingle_count,
        story_keys=story_keys,
    )
