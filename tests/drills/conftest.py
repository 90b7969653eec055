"""Fixtures of the fault drills (issue 7): a restartable node and a watches file on the real
receivers of tests/receivers.py (a webhook receiver that checks signatures, an aiosmtpd server
that keeps every message), so the drills can count what a real endpoint was sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from receivers import SEED_RULES, WEBHOOK_SECRET, Receiver, SmtpServer, watches_yaml


@pytest.fixture
def restarting_node(elasticsearch_node: Any) -> Iterator[Any]:
    """The session's node, for drills that stop it; it is running again when the drill ends."""
    if not elasticsearch_node.managed:
        pytest.skip("needs the Elasticsearch started by this test session (ELASTICSEARCH_URL is external)")
    yield elasticsearch_node
    try:
        httpx.get(elasticsearch_node.url + "/_cluster/health", timeout=2)
    except httpx.HTTPError:
        elasticsearch_node.start()


@pytest.fixture
def watches_file(tmp_path: Path, receiver: Receiver, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The two rules of issue 6 with a signed webhook and email on the local receivers."""
    monkeypatch.setenv("ALERT_TEST_SECRET", WEBHOOK_SECRET)
    path = tmp_path / "watches.yaml"
    path.write_text(watches_yaml(receiver, smtp_server, SEED_RULES), encoding="utf-8")
    return path
