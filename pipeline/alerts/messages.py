"""What a notification says: one message per batch of alerts, rendered for each notifier type.

Pure. A message is one alert (immediate mode), the alerts held by a throttle, or a digest
window's alerts. Its ``message_id`` is the idempotency key receivers can use to drop a repeat:
the alert id for a single alert, a hash of the batch otherwise; every alert inside carries its
own alert id too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Literal
from urllib.parse import quote

from pipeline.alerts.passages import Passage

MessageKind = Literal["alert", "batch", "digest"]
# Slack refuses messages with more than 50 blocks; each alert takes two.
SLACK_MAX_ALERTS = 20


@dataclass(frozen=True)
class Message:
    """One notification: subject, plain text, HTML, and the alert documents it carries."""

    message_id: str
    kind: MessageKind
    rule_id: str
    subject: str
    text: str
    html: str
    alerts: tuple[dict[str, Any], ...]
    omitted: int = 0  # alerts of the batch beyond max_alerts_per_message (listed by id only)
    omitted_ids: tuple[str, ...] = ()

    @property
    def alert_ids(self) -> list[str]:
        return [str(alert["alert_id"]) for alert in self.alerts] + list(self.omitted_ids)


def discover_url(kibana_url: str, article_id: str, published: str | None, data_view_id: str | None = None) -> str:
    """A Kibana Discover link showing exactly this article (time range around its publication)."""
    if published:
        day = published[:10]
        time_range = f"(from:'{day}T00:00:00.000Z',to:now)"
    else:
        time_range = "(from:now-1y,to:now)"
    state = f"query:(language:kuery,query:'id:\"{article_id}\"')"
    if data_view_id:
        state = f"dataSource:(dataViewId:'{data_view_id}',type:dataView),{state}"
    safe = "():,'!*$-_.~"
    base = kibana_url.rstrip("/")
    return f"{base}/app/discover#/?_g=(time:{quote(time_range, safe=safe)})&_a=({quote(state, safe=safe)})"


def build_message(alerts: Sequence[dict[str, Any]], message_id: str, batch_key: str, *, max_alerts: int) -> Message:
    """The message for a batch of alerts (all of one rule), oldest first."""
    ordered = sorted(alerts, key=lambda alert: (str(alert.get("created_at")), str(alert["alert_id"])))
    shown, hidden = ordered[:max_alerts], ordered[max_alerts:]
    rule_id = str(ordered[0]["rule_id"])
    mode = str(ordered[0].get("rule_mode") or "immediate")
    kind: MessageKind = "digest" if "/digest/" in batch_key else "alert" if len(ordered) == 1 else "batch"
    if kind == "alert":
        subject = f"[Newshound] {rule_id}: {_one_line(ordered[0].get('article_title'))}"
    elif kind == "digest":
        window = batch_key.rsplit("/", 1)[-1][:16].replace("T", " ")
        label = "hourly" if mode == "digest-hourly" else "daily"
        subject = f"[Newshound] {rule_id}: {len(ordered)} alert(s), {label} digest from {window} UTC"
    else:
        subject = f"[Newshound] {rule_id}: {len(ordered)} alerts"
    text = _text(subject, shown, hidden)
    html = _html(subject, shown, hidden)
    return Message(
        message_id=message_id,
        kind=kind,
        rule_id=rule_id,
        subject=subject,
        text=text,
        html=html,
        alerts=tuple(shown),
        omitted=len(hidden),
        omitted_ids=tuple(str(alert["alert_id"]) for alert in hidden),
    )


def _one_line(value: object) -> str:
    return " ".join(str(value or "").split())[:160]


def _headline(alert: dict[str, Any]) -> str:
    change = alert.get("change") or {}
    prefix = f"[{change['description']}] " if change.get("description") else ""
    return (
        f"{prefix}{_one_line(alert.get('article_title'))} ({alert.get('outlet')}, {str(alert.get('published'))[:10]})"
    )


def _text(subject: str, alerts: Sequence[dict[str, Any]], hidden: Sequence[dict[str, Any]]) -> str:
    lines = [subject, ""]
    for alert in alerts:
        passage = Passage.from_document(alert)
        lines += [
            _headline(alert),
            f"  {passage.marked()}",
            f"  matched: {', '.join(alert.get('matched_terms') or [])}",
            f"  article: {alert.get('article_url')}",
            f"  in Kibana: {alert.get('kibana_url')}",
            f"  alert id: {alert['alert_id']}",
            "",
        ]
    if hidden:
        lines.append(f"... and {len(hidden)} more alert(s): {', '.join(str(a['alert_id']) for a in hidden)}")
    return "\n".join(lines).rstrip() + "\n"


def _html(subject: str, alerts: Sequence[dict[str, Any]], hidden: Sequence[dict[str, Any]]) -> str:
    items = []
    for alert in alerts:
        passage = Passage.from_document(alert)
        article_url = escape(str(alert.get("article_url")), quote=True)
        items.append(
            "<li>"
            f'<p><a href="{article_url}"><strong>{escape(_headline(alert))}</strong></a></p>'
            f"<blockquote>{passage.html()}</blockquote>"
            f"<p>matched: {escape(', '.join(alert.get('matched_terms') or []))} · "
            f'<a href="{escape(str(alert.get("kibana_url")), quote=True)}">open in Kibana Discover</a> · '
            f"alert id <code>{escape(str(alert['alert_id']))}</code></p>"
            "</li>"
        )
    more = f"<p>… and {len(hidden)} more alert(s).</p>" if hidden else ""
    return f"<!DOCTYPE html><html><body><h2>{escape(subject)}</h2><ul>{''.join(items)}</ul>{more}</body></html>"


def webhook_payload(message: Message) -> dict[str, Any]:
    """The JSON body of a webhook delivery."""
    return {
        "idempotency_key": message.message_id,
        "kind": message.kind,
        "rule_id": message.rule_id,
        "subject": message.subject,
        "alerts": [_alert_json(alert) for alert in message.alerts],
        "omitted_alert_ids": list(message.omitted_ids),
    }


def _alert_json(alert: dict[str, Any]) -> dict[str, Any]:
    passage = Passage.from_document(alert)
    return {
        "alert_id": alert["alert_id"],
        "rule_id": alert.get("rule_id"),
        "rule_kind": alert.get("rule_kind"),
        "article": {
            "id": alert.get("article_id"),
            "url": alert.get("article_url"),
            "title": alert.get("article_title"),
            "outlet": alert.get("outlet"),
            "published": alert.get("published"),
            "language": alert.get("language"),
        },
        "story_id": alert.get("story_id"),
        "claim_cluster_id": alert.get("claim_cluster_id"),
        "change": alert.get("change"),
        "matched_terms": alert.get("matched_terms") or [],
        "passage": passage.text,
        "passage_highlights": [list(span) for span in passage.highlights],
        "passage_html": passage.html(),
        "kibana_url": alert.get("kibana_url"),
        "created_at": alert.get("created_at"),
    }


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: Message) -> dict[str, Any]:
    """A Slack-compatible incoming-webhook body: fallback text, blocks, and the idempotency key."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.subject[:150]}},
    ]
    for alert in message.alerts[:SLACK_MAX_ALERTS]:
        passage = Passage.from_document(alert)
        # Highlights as *bold*: rebuild from spans on the escaped pieces.
        pieces: list[str] = []
        position = 0
        for start, end in passage.highlights:
            pieces += [_slack_escape(passage.text[position:start]), f"*{_slack_escape(passage.text[start:end])}*"]
            position = end
        pieces.append(_slack_escape(passage.text[position:]))
        quoted = "".join(pieces)
        link = f"<{alert.get('article_url')}|{_slack_escape(_headline(alert))}>"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"{link}\n>{quoted[:2800]}"}})
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"<{alert.get('kibana_url')}|Kibana Discover> · alert `{alert['alert_id']}`",
                    }
                ],
            }
        )
    hidden = len(message.alerts) - SLACK_MAX_ALERTS + message.omitted
    if hidden > 0:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"… and {hidden} more"}]})
    return {
        "text": message.subject,
        "blocks": blocks,
        # Slack keeps message metadata; receivers of Slack-compatible hooks can dedupe on it.
        "metadata": {
            "event_type": "newshound_alert",
            "event_payload": {"idempotency_key": message.message_id, "alert_ids": message.alert_ids},
        },
    }
