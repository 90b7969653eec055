"""docker-compose.yml is valid (Debian's docker-compose) and pins the Elasticsearch the tests run."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import elasticsearch
import pytest
import yaml
from helpers import PINNED_ELASTICSEARCH_VERSION, REPO_ROOT


def compose_config(tmp_path: Path) -> dict[str, object]:
    if shutil.which("docker-compose") is None:
        pytest.fail("docker-compose is missing: `make test` installs it (scripts/install-system-deps test)")
    env_file = tmp_path / ".env"
    env_file.write_text((REPO_ROOT / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run(
        ["docker-compose", "--env-file", str(env_file), "-f", str(REPO_ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return dict(yaml.safe_load(result.stdout))


def test_compose_file_is_valid_and_complete(tmp_path: Path) -> None:
    config = compose_config(tmp_path)
    services = config["services"]
    assert isinstance(services, dict)
    expected = {
        "elasticsearch",
        "kibana",
        "postgres",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "newshound-setup",
        "redis",
        "airflow-worker",
        "corenlp",
    }
    assert expected <= set(services)
    for name in ("elasticsearch", "kibana", "postgres", "airflow-apiserver", "airflow-scheduler"):
        assert "healthcheck" in services[name], name
    assert services["elasticsearch"]["environment"]["xpack.security.enabled"] == "true"
    assert services["kibana"]["depends_on"]["kibana-password"]["condition"] == "service_completed_successfully"
    # NER: CoreNLP in its own container (GPL v3, talked to over HTTP), reachable from the compose
    # network only, named in the pipeline's settings.
    corenlp = services["corenlp"]
    assert "ports" not in corenlp and "healthcheck" in corenlp
    assert corenlp["build"]["dockerfile"] == "docker/corenlp/Dockerfile"
    assert services["airflow-scheduler"]["environment"]["NEWSHOUND_ENTITIES__CORENLP__URL"] == "http://corenlp:9000"
    dockerfile = (REPO_ROOT / "docker" / "corenlp" / "Dockerfile").read_text(encoding="utf-8")
    assert "scripts/corenlp install" in dockerfile  # the version pinned in pyproject.toml, one place


def test_compose_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("", encoding="utf-8")
    result = subprocess.run(
        ["docker-compose", "--env-file", str(tmp_path / ".env"), "-f", str(REPO_ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ELASTIC_PASSWORD" in result.stderr or "POSTGRES_PASSWORD" in result.stderr


def test_versions_agree_between_compose_test_server_and_client() -> None:
    version = PINNED_ELASTICSEARCH_VERSION
    compose = (REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    images = re.findall(r"docker\.elastic\.co/(?:elasticsearch/elasticsearch|kibana/kibana):([\d.]+)", compose)
    assert images and set(images) == {version}
    # Elastic's clients talk to servers of the same major and an equal or newer minor.
    client = tuple(int(part) for part in elasticsearch.__versionstr__.split(".")[:2])
    server = tuple(int(part) for part in version.split(".")[:2])
    assert client[0] == server[0] and client[1] <= server[1], (client, server)


def test_no_secrets_in_the_repository() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True).stdout.split()
    assert ".env" not in tracked
    pattern = re.compile(r"(?i)(password|api_key|secret)\s*[:=]\s*['\"]?(?!change-me|\$\{|\?|\s|$)[A-Za-z0-9+/]{12,}")
    offenders = []
    for name in tracked:
        path = REPO_ROOT / name
        if path.suffix in {".py", ".yml", ".yaml", ".toml", ".md", ".example", ".cfg"} and path.is_file():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if pattern.search(line):
                    offenders.append(f"{name}: {line.strip()[:80]}")
    assert offenders == []
