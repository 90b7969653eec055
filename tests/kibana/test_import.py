"""import_saved_objects against a real HTTP server on loopback that checks requests like Kibana does.

The fake Kibana checks what Kibana's ``POST /api/saved_objects/_import`` route checks (the
``kbn-xsrf`` header, basic auth, a multipart body whose ``file`` part is named ``*.ndjson`` and
holds one saved object a line, ``overwrite=true``) and answers in Kibana's shapes: 503 while
"not ready yet", then success, or per-object errors.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from pipeline.errors import ConfigError, Fatal, RetryLater
from pipeline.kibana.importer import ImportResult, import_saved_objects

USER, PASSWORD = "elastic", "s3cret-for-tests"

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Received:
    """One request as the fake Kibana parsed it."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    filename: str | None = None
    objects: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class FakeKibana(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[Received] = []
        # Answers for the first requests (e.g. 503s); afterwards ``respond`` decides.
        self.script: list[Answer] = []
        self.respond: Callable[[Received], Answer] = import_everything
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeKibana
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        received = Received(parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()})
        with self.server.lock:
            self.server.requests.append(received)
            scripted = self.server.script.pop(0) if self.server.script else None
        if scripted is not None:
            self._send(*scripted)
            return
        problem = check_request(received, body)
        if problem is not None:
            self._send(*problem)
            return
        self._send(*self.server.respond(received))

    def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def json_answer(status: int, body: Any) -> Answer:
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body).encode()


def kibana_error(status: int, error: str, message: str) -> Answer:
    return json_answer(status, {"statusCode": status, "error": error, "message": message})


NOT_READY: Answer = (503, {"Content-Type": "text/plain; charset=utf-8"}, b"Kibana server is not ready yet")


def check_request(received: Received, body: bytes) -> Answer | None:
    """What Kibana refuses before importing anything; None when the request is acceptable."""
    if received.path != "/api/saved_objects/_import":
        return kibana_error(404, "Not Found", "Not Found")
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    if received.headers.get("authorization") != expected:
        return kibana_error(401, "Unauthorized", "[security_exception]: unable to authenticate user")
    if "kbn-xsrf" not in received.headers:
        return kibana_error(400, "Bad Request", "Request must contain a kbn-xsrf header.")
    if received.query.get("overwrite") != ["true"]:
        received.problems.append(f"overwrite is {received.query.get('overwrite')}")
    content_type = received.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data; boundary="):
        return kibana_error(415, "Unsupported Media Type", f"content type {content_type}")
    message = BytesParser(policy=policy.HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    files = [part for part in message.iter_parts() if part.get_param("name", header="content-disposition") == "file"]
    if len(files) != 1:
        return kibana_error(400, "Bad Request", "[request body.file]: expected value of type [Stream]")
    received.filename = files[0].get_filename()
    if not (received.filename or "").endswith(".ndjson"):
        return kibana_error(400, "Bad Request", f"Invalid file extension {received.filename}")
    payload = files[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    text = payload.decode("utf-8")
    if not text.endswith("\n"):
        received.problems.append("the NDJSON does not end with a newline")
    for number, line in enumerate(text.splitlines(), start=1):
        item = json.loads(line)
        if not ({"type", "id", "attributes"} <= set(item)):
            received.problems.append(f"line {number} lacks type/id/attributes")
        received.objects.append(item)
    return None


def success_entry(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": item["type"], "id": item["id"], "meta": {"title": item["attributes"].get("title"), "icon": "x"}}


def import_everything(received: Received) -> Answer:
    results = [success_entry(item) for item in received.objects]
    return json_answer(200, {"successCount": len(results), "success": True, "successResults": results, "warnings": []})


def import_with_errors(received: Received) -> Answer:
    """Kibana's answer when some objects fail: the others are imported, the failures listed."""
    errors = []
    results = []
    for item in received.objects:
        meta = {"title": item["attributes"].get("title"), "icon": "x"}
        if item["type"] == "dashboard":
            references = [{"type": "visualization", "id": "gone"}]
            error = {"type": "missing_references", "references": references}
            entry = {"id": item["id"], "type": item["type"], "title": meta["title"], "meta": meta}
            errors.append({**entry, "error": error})
        elif item["type"] == "lens":
            error = {"type": "unsupported_type"}
            errors.append({"id": item["id"], "type": item["type"], "meta": meta, "error": error})
        else:
            results.append(success_entry(item))
    warnings = [{"type": "simple", "message": "a warning from Kibana"}]
    answer = {"successCount": len(results), "success": False, "successResults": results, "errors": errors}
    return json_answer(200, {**answer, "warnings": warnings})


@pytest.fixture
def kibana() -> Iterator[FakeKibana]:
    server = FakeKibana()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run_import(url: str, objects: list[dict[str, Any]], **options: Any) -> ImportResult:
    settings: dict[str, Any] = {"username": USER, "password": PASSWORD, "retry_interval_seconds": 0.05}
    return import_saved_objects(url, objects, **{**settings, **options})


def test_import_sends_what_kibana_expects(kibana: FakeKibana, saved_objects: list[dict[str, Any]]) -> None:
    result = run_import(kibana.url + "/", saved_objects)
    (request,) = kibana.requests
    assert request.problems == []
    assert request.path == "/api/saved_objects/_import"
    assert request.query == {"overwrite": ["true"]}
    assert request.filename == "newshound.ndjson"
    assert request.objects == saved_objects
    assert result.ok and result.success_count == result.total == len(saved_objects)
    assert result.errors == () and result.attempts == 1
    assert str(result) == f"imported {len(saved_objects)} of {len(saved_objects)} saved objects"


def test_import_waits_while_kibana_is_starting(kibana: FakeKibana, saved_objects: list[dict[str, Any]]) -> None:
    kibana.script = [NOT_READY, NOT_READY]
    result = run_import(kibana.url, saved_objects, wait_seconds=10)
    assert result.ok and result.attempts == 3
    assert [request.objects == saved_objects for request in kibana.requests] == [False, False, True]


def test_import_gives_up_when_kibana_stays_unavailable(kibana: FakeKibana, saved_objects: list[dict[str, Any]]) -> None:
    kibana.script = [NOT_READY] * 1000
    with pytest.raises(RetryLater) as caught:
        run_import(kibana.url, saved_objects, wait_seconds=0.3)
    assert caught.value.reason == "kibana-unavailable"
    assert "503" in caught.value.detail and "not ready" in caught.value.detail
    assert len(kibana.requests) >= 2


def test_import_retries_when_nothing_listens_yet(saved_objects: list[dict[str, Any]]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(RetryLater, match="ConnectError"):
        run_import(f"http://127.0.0.1:{port}", saved_objects, wait_seconds=0.2)


def test_import_reports_errors_per_object(kibana: FakeKibana, saved_objects: list[dict[str, Any]]) -> None:
    kibana.respond = import_with_errors
    lens = {"type": "lens", "id": "newshound-lens", "attributes": {"title": "A lens"}, "references": []}
    result = run_import(kibana.url, [*saved_objects, lens])
    assert not result.ok and not result.success
    assert result.total == len(saved_objects) + 1
    assert result.success_count == len(saved_objects) - 1
    errors = {error.id: error for error in result.errors}
    assert set(errors) == {"newshound-overview", "newshound-lens"}
    dashboard = errors["newshound-overview"]
    assert (dashboard.type, dashboard.title) == ("dashboard", "Newshound overview")
    assert dashboard.error_type == "missing_references"
    assert dashboard.missing_references == (("visualization", "gone"),)
    assert errors["newshound-lens"].error_type == "unsupported_type"
    assert errors["newshound-lens"].title == "A lens"
    assert result.warnings == ("a warning from Kibana",)
    text = str(result)
    assert "dashboard:newshound-overview (Newshound overview): missing_references visualization:gone" in text
    assert "lens:newshound-lens (A lens): unsupported_type" in text


def test_wrong_credentials_stop_with_a_clear_message(kibana: FakeKibana, saved_objects: list[dict[str, Any]]) -> None:
    with pytest.raises(Fatal, match=r"HTTP 401: \[security_exception\].*KIBANA_USERNAME and KIBANA_PASSWORD"):
        run_import(kibana.url, saved_objects, password="wrong")
    assert len(kibana.requests) == 1, "no retry: waiting does not fix a password"


def test_a_request_kibana_rejects_is_fatal(kibana: FakeKibana, saved_objects: list[dict[str, Any]]) -> None:
    with pytest.raises(Fatal, match="HTTP 404"):
        run_import(kibana.url + "/kibana", saved_objects)


def test_only_one_credential_is_a_config_error(saved_objects: list[dict[str, Any]]) -> None:
    with pytest.raises(ConfigError, match=r"kibana\.username/kibana\.password: only one of them is set"):
        import_saved_objects("http://127.0.0.1:9", saved_objects, username=USER, password=None)


def test_a_given_client_is_used_and_left_open(kibana: FakeKibana, saved_objects: list[dict[str, Any]]) -> None:
    with httpx.Client(auth=(USER, PASSWORD), timeout=5) as client:
        result = import_saved_objects(kibana.url, saved_objects, username=None, password=None, client=client)
        assert result.ok
        assert not client.is_closed
