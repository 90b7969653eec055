"""Drill 4: Elasticsearch credentials never reach logs, run summaries, run files or the command line's output.

The cluster's URL carries a user and password, and ``ELASTICSEARCH_PASSWORD`` and
``ELASTICSEARCH_API_KEY`` are set. The cycle runs in process with every logger at DEBUG, against
an address nothing listens on (the failure paths print the most) and against the real node
(the success path logs every request); the CLI runs in process and as a real subprocess (whose
tracebacks and log lines go to stderr). None of the secret strings may appear anywhere.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml
from click.testing import Result
from drills.support import SEED_OUTLETS
from typer.testing import CliRunner

from newshound_dev.newsweb.demo import news_web_sources
from pipeline.cli.main import app
from pipeline.index.connection import SearchIndex
from pipeline.ingest.cycle import IngestOptions, run_ingest
from pipeline.settings import FeedSource, load_settings

PASSWORD_IN_URL = "S3cretPa55"
PASSWORD = "Pw-0nly-1n-Env"
# The shape of an Elasticsearch API key (base64 of id:key), made here so no key-like literal is tracked.
API_KEY = base64.b64encode(b"ApiKey-S3cret").decode()
SECRETS = (PASSWORD_IN_URL, PASSWORD, API_KEY)
UNREACHABLE_URL = f"http://elastic:{PASSWORD_IN_URL}@127.0.0.1:9/"  # port 9 (discard): nothing listens


def with_credentials(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, f"elastic:{PASSWORD_IN_URL}@{parts.netloc}", parts.path or "/", "", ""))


def assert_no_secret(where: str, text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{where} shows a secret: ...{text[max(text.find(secret) - 200, 0) :][:400]}..."


def run_files_text(folder: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.json")))


def secret_environment(url: str | None, *, airflow_connection: bool = False) -> dict[str, str]:
    environment = {"ELASTICSEARCH_PASSWORD": PASSWORD, "ELASTICSEARCH_API_KEY": API_KEY}
    if airflow_connection:  # the DAGs' way: the Airflow connection elasticsearch_default as a URI
        environment["AIRFLOW_CONN_ELASTICSEARCH_DEFAULT"] = UNREACHABLE_URL
    elif url is not None:
        environment["ELASTICSEARCH_URL"] = url
    return environment


@pytest.mark.parametrize("form", ["url", "airflow-connection"])
def test_unreachable_cluster_with_credentials_leaks_nothing_from_the_cycle(
    form: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    environment = secret_environment(UNREACHABLE_URL, airflow_connection=form == "airflow-connection")
    environment |= {
        "NEWSHOUND_INGEST__RUN_DATA_DIR": str(tmp_path / "runs"),
        "NEWSHOUND_ELASTICSEARCH__MAX_RETRIES": "0",
    }
    settings = load_settings(environ=environment)
    assert settings.elasticsearch.password is not None and settings.elasticsearch.api_key is not None
    sources = [FeedSource(id="somewhere", url="http://127.0.0.1:9/feed.xml", outlet="Somewhere")]

    summary = run_ingest(settings, IngestOptions(sources=sources, force_poll=True))

    assert summary.status == "failed" and summary.counts["search-unavailable"] == 1
    assert "127.0.0.1:9" in summary.failures[0].detail, "the failure still says which cluster was unreachable"
    assert_no_secret("the run summary", json.dumps(summary.to_document()))
    assert_no_secret("the run file", run_files_text(tmp_path / "runs"))
    assert_no_secret("the log", caplog.text)
    assert caplog.records, "DEBUG logging was captured"


def test_reachable_cluster_with_credentials_in_its_url_leaks_nothing_at_debug(
    elasticsearch_url: str, index_prefix: str, news_web: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The whole cycle against the real node (security off: it ignores the credentials) at DEBUG."""
    caplog.set_level(logging.DEBUG)
    environment = secret_environment(with_credentials(elasticsearch_url))
    environment |= {
        "NEWSHOUND_ELASTICSEARCH__INDEX_PREFIX": index_prefix,
        "NEWSHOUND_INGEST__RUN_DATA_DIR": str(tmp_path / "runs"),
        "NEWSHOUND_INGEST__WORKERS": "1",
        "NEWSHOUND_FETCH__ALLOWED_HOSTS": '["127.0.0.1"]',
        "NEWSHOUND_FETCH__PER_HOST_DELAY_SECONDS": "0",
    }
    settings = load_settings(environ=environment)
    sources = [source for source in news_web_sources(news_web) if source.id in SEED_OUTLETS]

    summary = run_ingest(settings, IngestOptions(sources=sources, force_poll=True))

    assert summary.status == "success" and summary.counts["new"] == 2, summary.failures
    index = SearchIndex.connect(settings)
    index.client.indices.refresh(index=index.names.runs)
    stored = index.client.search(index=index.names.runs)["hits"]["hits"]
    assert len(stored) == 1
    assert_no_secret("the runs index", json.dumps(stored))
    assert_no_secret("the run file", run_files_text(tmp_path / "runs"))
    assert_no_secret("the log", caplog.text)
    assert any(record.name.startswith("elastic_transport") for record in caplog.records), "requests were logged"


def cli_environment(tmp_path: Path) -> dict[str, str]:
    registry = tmp_path / "feeds.yaml"
    registry.write_text(
        yaml.safe_dump({"feeds": [{"id": "somewhere", "url": "http://127.0.0.1:9/feed.xml", "outlet": "Somewhere"}]}),
        encoding="utf-8",
    )
    return {
        **secret_environment(UNREACHABLE_URL),
        "NEWSHOUND_FEEDS__REGISTRY": str(registry),
        "NEWSHOUND_INGEST__RUN_DATA_DIR": str(tmp_path / "runs"),
        "NEWSHOUND_ELASTICSEARCH__MAX_RETRIES": "0",
    }


def everything_shown(result: Result) -> str:
    """The output and, for a command that raised, its exception with the whole traceback."""
    shown = result.output
    if result.exc_info is not None:
        shown += "".join(traceback.format_exception(*result.exc_info))
    return shown


@pytest.mark.parametrize(
    "command",
    [["ingest"], ["ingest", "--json"], ["status"], ["status", "--json"], ["retry-dead-letters"], ["setup"]],
    ids=" ".join,
)
def test_cli_in_process_leaks_nothing(command: list[str], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    result = CliRunner().invoke(app, command, env=cli_environment(tmp_path))
    assert result.exit_code != 0, "the cluster is unreachable: the command must fail"
    assert "search-unavailable" in everything_shown(result), "the failure is still reported"
    assert_no_secret(f"`newshound {' '.join(command)}`", everything_shown(result))
    assert_no_secret("the log", caplog.text)
    assert_no_secret("the run file", run_files_text(tmp_path / "runs") if (tmp_path / "runs").exists() else "")


@pytest.mark.slow
@pytest.mark.parametrize("command", [["ingest"], ["retry-dead-letters"]], ids=" ".join)
def test_cli_process_leaks_nothing_to_stdout_or_stderr(command: list[str], tmp_path: Path) -> None:
    """The installed command with DEBUG logging: log lines and an uncaught error's traceback go to stderr."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEWSHOUND_", "ELASTICSEARCH_", "AIRFLOW_CONN_"))
    }
    environment |= cli_environment(tmp_path) | {"NEWSHOUND_LOG_LEVEL": "DEBUG"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "newshound"), *command],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    shown = result.stdout + result.stderr
    assert "DEBUG" in shown and "127.0.0.1:9" in shown
    assert_no_secret(f"`newshound {' '.join(command)}`", shown)
