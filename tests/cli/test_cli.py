"""The `newshound` command line, run in process against the real test Elasticsearch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli.main import app, main

runner = CliRunner()


def environment(settings: Any, shared_corpus: Path) -> dict[str, str]:
    return {
        "ELASTICSEARCH_URL": settings.elasticsearch.url,
        "NEWSHOUND_ELASTICSEARCH__INDEX_PREFIX": settings.elasticsearch.index_prefix,
        "NEWSHOUND_INGEST__RUN_DATA_DIR": settings.ingest.run_data_dir,
        "NEWSHOUND_INGEST__WORKERS": "1",
        "NEWSHOUND_SHARED_DIR": str(shared_corpus.parent),
    }


def last_json_line(output: str) -> Any:
    return json.loads(output.strip().splitlines()[-1])


@pytest.mark.integration
def test_demo_ingest_then_search_and_status(settings: Any, shared_corpus: Path) -> None:
    env = environment(settings, shared_corpus)
    result = runner.invoke(
        app, ["ingest", "--demo", "--json", "--feed", "nachrichtenblatt", "--feed", "weltrundschau"], env=env
    )
    assert result.exit_code == 0, result.output
    summary = last_json_line(result.output)
    assert summary["status"] == "success" and summary["counts"]["new"] == 2

    found = runner.invoke(app, ["search", "Nordkorea", "--json", "--every-report"], env=env)
    assert found.exit_code == 0, found.output
    assert {hit["outlet"] for hit in last_json_line(found.output)["hits"]} == {"Nachrichtenblatt", "Weltrundschau"}
    assert runner.invoke(app, ["search", "Nordkorea"], env=env).output.startswith("2 article(s) in ")
    assert runner.invoke(app, ["search", "zzzunfindable"], env=env).exit_code == 1

    status = runner.invoke(app, ["status", "--json"], env=env)
    assert status.exit_code == 0, status.output
    report = last_json_line(status.output)
    assert report["documents"][settings.index_names.articles] == 2
    assert report["last_runs"][0]["counts"]["new"] == 2
    assert report["ner"] == {"de": "corenlp", "en": "corenlp"}  # the session's CoreNLP server


def test_check_feed_prints_one_json_line_and_exits_zero_on_bad_input(tmp_path: Path, shared_corpus: Path) -> None:
    good = shared_corpus / "feeds" / "feedparser-tests" / "wellformed" / "rss" / "channel_category.xml"
    result = runner.invoke(app, ["check-feed", str(good)])
    assert result.exit_code == 0 and last_json_line(result.output)["error"] is None
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"\xff\xfe<rss><<<")
    result = runner.invoke(app, ["check-feed", str(broken)])
    assert result.exit_code == 0 and last_json_line(result.output)["bozo"] is True
    page = tmp_path / "page.xml"
    page.write_bytes(b"<!DOCTYPE html><html><head><title>Hi</title></head><body><p>No feed</p></body></html>")
    result = runner.invoke(app, ["check-feed", str(page)])
    assert result.exit_code == 0 and "not a feed" in last_json_line(result.output)["error"]
    result = runner.invoke(app, ["check-feed", str(tmp_path / "missing.xml")])
    assert result.exit_code == 0 and last_json_line(result.output)["error"]


def test_eval_claims_prints_scores_as_last_json_line(shared_corpus: Path) -> None:
    corpus = shared_corpus / "claims" / "germeval2023-spkatt-news-de"
    result = runner.invoke(app, ["eval", "claims", "--corpus", str(corpus), "--limit", "20"])
    assert result.exit_code == 0, result.output
    scores = last_json_line(result.output)
    assert scores["n_docs"] == 20 and 0 < scores["message_f1"] <= 1 and "speaker_f1" in scores


def test_configuration_errors_name_the_key(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NEWSHOUND_FETCH__TIMEOUT", "3")
    monkeypatch.setattr("sys.argv", ["newshound", "status"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    assert "fetch.timeout: unknown key" in capsys.readouterr().err


@pytest.mark.integration
def test_a_read_without_indices_says_to_set_up_first(settings: Any, shared_corpus: Path) -> None:
    env = {**environment(settings, shared_corpus), "NEWSHOUND_ELASTICSEARCH__INDEX_PREFIX": "never-set-up"}
    result = runner.invoke(app, ["search", "Nordkorea"], env=env)
    assert result.exit_code == 2, result.output
    assert "index 'never-set-up-articles' does not exist: run `newshound setup`" in result.output


def test_the_command_line_imports_no_stage_until_a_command_runs() -> None:
    """`newshound --help` stays fast (docs/performance.md, "Start-up"): the command modules import
    the stages, the search client and the models inside the commands."""
    code = (
        "import sys, pipeline.cli.main\n"
        "heavy = ('elasticsearch', 'httpx', 'feedparser', 'datasketch', 'trafilatura', 'yaml', 'pydantic',"
        " 'pipeline.settings', 'pipeline.claims', 'pipeline.entities', 'pipeline.ingest', 'newshound_dev')\n"
        "print(sorted(name for name in sys.modules if name.startswith(heavy)))\n"
    )
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "[]"
