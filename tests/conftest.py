"""Session-wide test set-up: real services on loopback, isolated per test.

- ``corenlp_url``: the real CoreNLP server (NER), started by ``scripts/corenlp`` on port 9031 for
  the session and stopped at the end; ``settings`` point at it.
- ``elasticsearch_url``: the real server. ``scripts/elasticsearch`` starts one on port 9250 for
  the session (fresh data, stopped at the end), unless ``ELASTICSEARCH_URL`` names one.
- ``settings``: settings for one test, with its own index prefix (indices deleted afterwards).
- ``shared_corpus``: ``../shared/corpus`` (or ``$NEWSHOUND_SHARED_DIR/corpus``); tests that use it,
  directly or through ``corpus_site_template`` and ``news_web``, skip when it is absent.
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
from helpers import (
    EXTERNAL_ELASTICSEARCH_URL,
    TEST_CORENLP_PORT,
    TEST_CORENLP_URL,
    TEST_ELASTICSEARCH_PORT,
    ElasticsearchNode,
    airflow_environment,
    make_test_settings,
    start_corenlp,
    stop_corenlp,
)

# Real alert receivers on loopback, for the alert tests and the fault drills alike.
from receivers import receiver, smtp_server  # noqa: F401

from newshound_dev.corpus import missing_corpus_message, shared_corpus_dir


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The shared corpus; a fresh clone has none, so the tests that need it skip, naming the path."""
    path = shared_corpus_dir()
    if not path.is_dir():
        pytest.skip(missing_corpus_message(path))
    return path


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings overrides from the developer's shell must not leak into tests; whatever loads
    settings from the environment (the CLI, subprocesses) uses the session's CoreNLP server."""
    for name in list(os.environ):
        if (name.startswith("NEWSHOUND_") and name != "NEWSHOUND_SHARED_DIR") or name.startswith("ELASTICSEARCH_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NEWSHOUND_ENTITIES__CORENLP__URL", TEST_CORENLP_URL)
    yield


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


@pytest.fixture
def index_prefix(elasticsearch_url: str) -> Iterator[str]:
    """A fresh index prefix for one test; its indices and templates are deleted afterwards."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    yield prefix
    from elasticsearch import Elasticsearch

    from pipeline.index.templates import remove_indices

    client = Elasticsearch(elasticsearch_url, request_timeout=30)
    try:
        remove_indices(client, prefix)
    except Exception:  # the node may be down after an outage drill; a fresh prefix isolates anyway
        pass
    finally:
        client.close()


@pytest.fixture(scope="session", autouse=True)
def corenlp_url() -> Iterator[str]:
    start_corenlp(TEST_CORENLP_PORT)
    yield TEST_CORENLP_URL
    stop_corenlp(TEST_CORENLP_PORT)


@pytest.fixture
def settings(elasticsearch_url: str, corenlp_url: str, index_prefix: str, tmp_path: Path) -> Any:
    return make_test_settings(elasticsearch_url, index_prefix, tmp_path)


@pytest.fixture(scope="session")
def corpus_site_template(shared_corpus: Path) -> Any:
    """The corpus pages read once per session; each test copies them into its own site."""
    from newshound_dev.newsweb import NewsSite

    return NewsSite.from_corpus(shared_corpus)


@pytest.fixture
def news_web(corpus_site_template: Any) -> Iterator[Any]:
    """A running local news web with the seeds and the extraction pages."""
    from newshound_dev.newsweb import NewsSite, NewsWebServer

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
