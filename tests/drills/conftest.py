"""Fixtures of the fault drills (issue 7): a restartable node, alert receivers, reading back what was written.

The receivers reuse the recording classes of ``tests/alerts/conftest.py`` (a webhook receiver that
checks signatures, an aiosmtpd server that keeps every message) behind fixtures of their own, so
the drills can count what a real endpoint was sent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from alerts.conftest import WEBHOOK_SECRET, MailRecorder, Receiver, SmtpServer, watches_yaml
from drills.support import RULES, free_port


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
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on loopback that records every request (and checks the HMAC signature)."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = state.handle(self.path, dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    recorder = MailRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SmtpServer("127.0.0.1", controller.port, recorder)
    controller.stop()


@pytest.fixture
def watches_file(tmp_path: Path, receiver: Receiver, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The two rules of issue 6 with a signed webhook and email on the local receivers."""
    monkeypatch.setenv("ALERT_TEST_SECRET", WEBHOOK_SECRET)
    path = tmp_path / "watches.yaml"
    path.write_text(watches_yaml(receiver, smtp_server, RULES), encoding="utf-8")
    return path
