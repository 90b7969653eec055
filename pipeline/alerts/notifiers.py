"""Sending messages: webhook (signed JSON POST), Slack-compatible webhook, email over SMTP.

The only module of the alerts package that talks to receivers. A send returns a SendResult and
never raises: a failure is recorded on the alert and retried by a later run. Every send carries
the message's idempotency key (webhook header ``Idempotency-Key``, Slack ``metadata``, email
``Message-ID``), so a receiver can recognise the one repeat the design cannot rule out (sent,
then the run died before recording it; docs/alerts.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

import httpx

from pipeline.alerts.config import EmailTarget, SlackTarget, Target, WebhookTarget
from pipeline.alerts.messages import Message, slack_payload, webhook_payload

USER_AGENT = "Newshound-Alerts/0.1"
SIGNATURE_HEADER = "X-Newshound-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MESSAGE_ID_DOMAIN = "newshound.alerts"


@dataclass(frozen=True, slots=True)
class SendResult:
    ok: bool
    error: str = ""


def sign(secret: str, body: bytes) -> str:
    """The signature header value: ``sha256=<hex HMAC-SHA256 of the body>``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def json_body(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


class Sender:
    """Sends messages to targets; one HTTP client for the run (``transport`` is a test seam)."""

    def __init__(self, timeout_seconds: float, transport: httpx.BaseTransport | None = None) -> None:
        self.timeout_seconds = timeout_seconds
        self._client = httpx.Client(
            timeout=timeout_seconds, transport=transport, headers={"User-Agent": USER_AGENT}, follow_redirects=False
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, target: Target, message: Message) -> SendResult:
        try:
            if isinstance(target, WebhookTarget):
                return self._post(target.url, json_body(webhook_payload(message)), message, target.secret)
            if isinstance(target, SlackTarget):
                return self._post(target.url, json_body(slack_payload(message)), message, None)
            return self._email(target, message)
        except (httpx.HTTPError, smtplib.SMTPException, OSError, ssl.SSLError) as error:
            return SendResult(False, f"{type(error).__name__}: {error}"[:500])

    def _post(self, url: str, body: bytes, message: Message, secret: str | None) -> SendResult:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            IDEMPOTENCY_HEADER: message.message_id,
            "X-Newshound-Message-Kind": message.kind,
        }
        if secret is not None:
            headers[SIGNATURE_HEADER] = sign(secret, body)
        response = self._client.post(url, content=body, headers=headers)
        if 200 <= response.status_code < 300:
            return SendResult(True)
        return SendResult(False, f"HTTP {response.status_code}: {response.text[:200]}")

    def _email(self, target: EmailTarget, message: Message) -> SendResult:
        email = EmailMessage()
        email["Subject"] = message.subject
        email["From"] = target.sender
        email["To"] = ", ".join(target.recipients)
        email["Date"] = formatdate(localtime=False, usegmt=True)
        # The same Message-ID on every attempt: mail systems and people can spot a repeat.
        email["Message-ID"] = f"<{message.message_id}@{MESSAGE_ID_DOMAIN}>"
        email["X-Newshound-Idempotency-Key"] = message.message_id
        email.set_content(message.text)
        email.add_alternative(message.html, subtype="html")
        with smtplib.SMTP(target.host, target.port, timeout=self.timeout_seconds) as smtp:
            if target.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if target.username is not None and target.password is not None:
                smtp.login(target.username, target.password)
            smtp.send_message(email)
        return SendResult(True)
