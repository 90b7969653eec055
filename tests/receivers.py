"""Real receivers on loopback, shared by the alert tests and the fault drills.

- ``receiver``: a threaded http.server on 127.0.0.1 that records every request, checks the
  webhook's HMAC signature, and answers 500 to the next N requests when told to.
- ``smtp_server``: an aiosmtpd server on 127.0.0.1 that records every message.
- ``watches_yaml``: a watches file pointing at both; ``SEED_RULES``: issue 6's two rules on the seeds.

The fixtures are registered in tests/conftest.py.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

WEBHOOK_SECRET = "test-secret-do-not-use"
SIGNATURE_HEADER = "X-Newshound-Signature"


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    signature_ok: bool | None  # None: no signature header (Slack)

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def idempotency_key(self) -> str:
        return self.headers.get("Idempotency-Key", "")


@dataclass
class Receiver:
    """Records POSTs; ``fail_next(n)`` makes the next n answers 500."""

    secret: str = WEBHOOK_SECRET
    requests: list[ReceivedRequest] = field(default_factory=list)
    failures_left: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    def fail_next(self, count: int) -> None:
        with self.lock:
            self.failures_left = count

    def accepted(self, path: str | None = None) -> list[ReceivedRequest]:
        """Requests answered 2xx (what the receiver actually took), optionally for one path."""
        with self.lock:
            return [r for r in self.requests if r.status == 200 and (path is None or r.path == path)]

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        signature = headers.get(SIGNATURE_HEADER)
        valid: bool | None = None
        if signature is not None:
            expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            valid = hmac.compare_digest(signature, expected)
        with self.lock:
            if self.failures_left > 0:
                self.failures_left -= 1
                status = 500
            else:
                status = 401 if valid is False else 200
            self.requests.append(ReceivedRequest(path, headers, body, status, valid))
        return status


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            status = receiver.handle(self.path, dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    state.base_url = f"http://{host!s}:{port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class MailRecorder:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: MailRecorder

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    recorder = MailRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SmtpServer("127.0.0.1", controller.port, recorder)
    controller.stop()


def watches_yaml(receiver: Receiver, smtp: SmtpServer, rules: str) -> str:
    """A watches file with a webhook, a Slack hook and an email notifier on the local receivers."""
    return f"""
version: 1
notifiers:
  hook:
    type: webhook
    url: {receiver.base_url}/hook
    secret_env: ALERT_TEST_SECRET
  chat:
    type: slack
    url: {receiver.base_url}/slack
  mail:
    type: email
    host: {smtp.host}
    port: {smtp.port}
    starttls: false
    from: newshound@example.org
    to: [desk@example.org]
rules:
{rules}
"""


# Issue 6's two rules: North Korea as an entity, and a German full-text query.
SEED_RULES = """
  - id: north-korea
    kind: entity
    entity: Q423
    notifiers: [hook, mail]
  - id: soldaten-kursk
    kind: query
    query: Soldaten Kursk
    notifiers: [hook, mail]
"""
