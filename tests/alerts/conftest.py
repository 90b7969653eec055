"""Real receivers on loopback for the alert tests: an HTTP receiver and an SMTP server.

- ``receiver``: a threaded http.server on 127.0.0.1 that records every request, checks the
  webhook's HMAC signature, and answers 500 to the next N requests when told to.
- ``smtp_server``: an aiosmtpd server on 127.0.0.1 that records every message.
- ``watch_file``: writes a watches file pointing at both, returns its path and the environment.
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
from pathlib import Path
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    recorder = MailRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield SmtpServer("127.0.0.1", controller.port, recorder)
    controller.stop()


def watches_yaml(receiver: Receiver, smtp: SmtpServer, rules: str, settings: str = "") -> str:
    """A watches file with a webhook, a Slack hook and an email notifier on the local receivers."""
    return f"""
version: 1
settings:
  retry_backoff_minutes: 1
  delivery_lease_minutes: 5
{settings}
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


@pytest.fixture
def alert_environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("ALERT_TEST_SECRET", WEBHOOK_SECRET)
    return {"ALERT_TEST_SECRET": WEBHOOK_SECRET}


@dataclass
class WatchFiles:
    """Writes watches files on the local receivers and loads them as the settings would."""

    directory: Path
    receiver: Receiver
    smtp: SmtpServer

    def write(self, rules: str, settings: str = "") -> Path:
        path = self.directory / "watches.yaml"
        path.write_text(watches_yaml(self.receiver, self.smtp, rules, settings), encoding="utf-8")
        return path

    def load(self, rules: str, settings: str = "") -> Any:
        from pipeline.alerts.config import parse_watch_config

        path = self.write(rules, settings)
        return parse_watch_config(path.read_text(encoding="utf-8"), path, {"ALERT_TEST_SECRET": WEBHOOK_SECRET})


@pytest.fixture
def watch_files(
    tmp_path: Path, receiver: Receiver, smtp_server: SmtpServer, alert_environment: dict[str, str]
) -> WatchFiles:
    folder = tmp_path / "watches"
    folder.mkdir()
    return WatchFiles(folder, receiver, smtp_server)


@dataclass
class IndexedSeeds:
    settings: Any
    index: Any
    article_ids: list[str]
    sources: list[Any]


def all_article_ids(index: Any) -> list[str]:
    index.client.indices.refresh(index=index.names.articles)
    hits = index.client.search(index=index.names.articles, size=1000, source=False)["hits"]["hits"]
    return sorted(hit["_id"] for hit in hits)


@pytest.fixture
def seeds(settings: Any, news_web: Any, watch_files: WatchFiles) -> IndexedSeeds:
    """The two German seed articles ingested through the real pipeline (one story)."""
    from pipeline.index import SearchIndex
    from pipeline.ingest.cycle import IngestOptions, run_ingest
    from pipeline.newsweb.demo import news_web_sources

    # The settings name the test's watches file, as a deployment's would.
    settings = settings.model_copy(
        update={"alerts": settings.alerts.model_copy(update={"watches": str(watch_files.directory / "watches.yaml")})}
    )
    sources = [s for s in news_web_sources(news_web) if s.id in {"nachrichtenblatt", "weltrundschau"}]
    summary = run_ingest(settings, IngestOptions(sources=sources, force_poll=True))
    assert summary.status == "success" and summary.counts["new"] == 2, summary.counts
    index = SearchIndex.connect(settings)
    return IndexedSeeds(settings, index, all_article_ids(index), sources)


@pytest.fixture
def put_articles() -> Any:
    """Index synthetic article documents directly (no pipeline), as the bench does; returns their ids."""
    from datetime import UTC, datetime

    from pipeline.index.articles import article_document
    from pipeline.models import Article

    def put(index: Any, articles: list[dict[str, Any]]) -> list[str]:
        now = datetime.now(UTC).isoformat()
        for fields in articles:
            article = Article(
                id=fields["id"],
                canonical_url=f"https://example.org/{fields['id']}",
                url=f"https://example.org/{fields['id']}",
                outlet=fields.get("outlet", "Beispielblatt"),
                title=fields["title"],
                text=fields["text"],
                extraction_source="page",
                content_hash=fields["id"],
                language=fields.get("language", "de"),
                published=fields.get("published"),
                story_id=fields.get("story_id", fields["id"]),
            )
            document = article_document(
                article, claims=[], first_seen=now, last_changed=now, version=1, ingested_at=now
            )
            index.client.index(index=index.names.articles, id=article.id, document=document)
        index.client.indices.refresh(index=index.names.articles)
        return [fields["id"] for fields in articles]

    return put
