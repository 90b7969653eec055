"""Session-wide test set-up: real services on loopback, isolated per test.

- ``elasticsearch_url``: the real server. ``scripts/elasticsearch`` starts one on port 9250 for
  the session (fresh data, stopped at the end), unless ``ELASTICSEARCH_URL`` names one.
- ``settings``: settings for one test, with its own index prefix (indices deleted afterwards).
- ``news_web``: the local news web built from the shared corpus, on a free port.
- ``airflow_home``: an AIRFLOW_HOME with a migrated database, once per session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_ELASTICSEARCH_PORT = int(os.environ.get("NEWSHOUND_TEST_ES_PORT", "9250"))
# Captured at import, before per-test isolation clears the environment.
EXTERNAL_ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL")


def shared_corpus_dir() -> Path:
    """The shared corpus: ``NEWSHOUND_SHARED_DIR/corpus`` or ``../shared/corpus`` beside the repository."""
    base = os.environ.get("NEWSHOUND_SHARED_DIR")
    return Path(base) / "corpus" if base else REPO_ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    path = shared_corpus_dir()
    if not path.is_dir():
        pytest.fail(f"shared corpus not found at {path}; set NEWSHOUND_SHARED_DIR to the folder holding corpus/")
    return path


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings overrides from the developer's shell must not leak into tests."""
    for name in list(os.environ):
        if (name.startswith("NEWSHOUND_") and name != "NEWSHOUND_SHARED_DIR") or name.startswith("ELASTICSEARCH_"):
            monkeypatch.delenv(name)
    yield


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


@pytest.fixture(scope="session")
def elasticsearch_node() -> Iterator[ElasticsearchNode]:
    if EXTERNAL_ELASTICSEARCH_URL:
        yield ElasticsearchNode(EXTERNAL_ELASTICSEARCH_URL, None)
        return
    node = ElasticsearchNode(f"http://127.0.0.1:{TEST_ELASTICSEARCH_PORT}", TEST_ELASTICSEARCH_PORT)
    node.start(fresh=True)
    yield node
    node.stop()


@pytest.fixture(scope="session")
def elasticsearch_url(elasticsearch_node: ElasticsearchNode) -> str:
    return elasticsearch_node.url


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
    }
    values.update(overrides)
    return load_settings(environ={}, overrides=values)


@pytest.fixture
def index_prefix(elasticsearch_url: str) -> Iterator[str]:
    """A fresh index prefix for one test; its indices and templates are deleted afterwards."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    yield prefix
    from elasticsearch import Elasticsearch

    client = Elasticsearch(elasticsearch_url, request_timeout=30)
    try:
        names = list(client.indices.get(index=f"{prefix}-*", expand_wildcards="all").body)
        if names:
            client.indices.delete(index=",".join(names))
        templates = client.indices.get_index_template(name=f"{prefix}-*").body.get("index_templates", [])
        for template in templates:
            client.indices.delete_index_template(name=template["name"])
    except Exception:  # the node may be down after an outage drill; a fresh prefix isolates anyway
        pass
    finally:
        client.close()


@pytest.fixture
def settings(elasticsearch_url: str, index_prefix: str, tmp_path: Path) -> Any:
    return make_test_settings(elasticsearch_url, index_prefix, tmp_path)


@pytest.fixture(scope="session")
def corpus_site_template(shared_corpus: Path) -> Any:
    """The corpus pages read once per session; each test copies them into its own site."""
    from pipeline.newsweb import NewsSite

    return NewsSite.from_corpus(shared_corpus)


@pytest.fixture
def news_web(corpus_site_template: Any) -> Iterator[Any]:
    """A running local news web with the seeds and the extraction pages."""
    from pipeline.newsweb import NewsSite, NewsWebServer

    site = NewsSite(
        outlets=dict(corpus_site_template.outlets),
        articles={outlet: list(items) for outlet, items in corpus_site_template.articles.items()},
    )
    with NewsWebServer(site) as server:
        yield server


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An AIRFLOW_HOME with its database migrated (SQLite), shared by the session's DAG runs."""
    home = tmp_path_factory.mktemp("airflow-home")
    environment = airflow_environment(home)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), "db", "migrate"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"airflow db migrate failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return home


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
        }
    )
    environment.update(extra)
    return environment
