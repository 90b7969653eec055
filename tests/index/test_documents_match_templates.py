"""Every field Newshound writes is mapped: with ``dynamic: false`` an unmapped field is silently unsearchable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from helpers import PINNED_ELASTICSEARCH_VERSION

from pipeline.errors import ItemFailure, Reason, Stage
from pipeline.feeds.state import FeedState
from pipeline.index.articles import article_document, claim_document, standalone_claim_document
from pipeline.index.capabilities import Capabilities
from pipeline.index.templates import (
    article_mappings,
    claim_mappings,
    feed_state_mappings,
    run_mappings,
    staging_mappings,
)
from pipeline.models import Article, Claim, EntityMention, Quantity, RemovedLine, Span
from pipeline.summary import RunSummary

CAPABILITIES = Capabilities(PINNED_ELASTICSEARCH_VERSION, frozenset())


def full_article() -> Article:
    claim = Claim(
        content=Span("Nordkorea habe 10.000 Soldaten geschickt", 0, 40),
        kind="indirect",
        speaker=Span("Sabrina Singh", 50, 63),
        cue=Span("sagte", 64, 69),
        speaker_entity_id="nh:sabrina-singh",
        speaker_name="Sabrina Singh",
        speaker_role="Sprecherin",
        speaker_organisation_id="nh:pentagon",
        quantities=(Quantity(10000, "soldier", "10.000 Soldaten", True, 15, 30),),
        time_expression="am Montag",
        time_resolved=date(2024, 10, 28),
        language="de",
    )
    return Article(
        id="a1",
        canonical_url="https://x/a",
        url="https://x/a?utm_source=rss",
        outlet="X",
        title="T",
        text="Text",
        extraction_source="page",
        content_hash="h",
        feed_id="x",
        summary="S",
        language="de",
        author="A",
        published=datetime(2024, 10, 28, tzinfo=UTC),
        site_name="X",
        tags=("a",),
        removed_lines=(
            RemovedLine("Quelle: x", "source-line"),
            RemovedLine("BERLIN (dpa) -", "agency-dateline", "prefix"),
        ),
        agency=("dpa",),
        byline="Anna Muster",
        entities=(EntityMention("Q423", "North Korea", "location", "Nordkorea", 0, 9, "kb", None),),
        title_entity_ids=("Q423",),
        claims=(claim,),
        minhash_bands=("00:ab",),
        minhash_signature=(1, 2),
        story_keys=("e:Q423",),
        duplicate_of="a0",
        near_duplicate_of=None,
        story_id="a0",
        extra={"near_duplicate_similarity": 0.7},
    )


def field_paths(document: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(document, dict):
        for key, value in document.items():
            yield from field_paths(value, f"{prefix}{key}.")
    elif isinstance(document, list):
        for item in document:
            yield from field_paths(item, prefix)
    else:
        yield prefix.rstrip(".")


def mapped(mapping: dict[str, Any], path: str) -> bool:
    node: dict[str, Any] = mapping
    for part in path.split("."):
        properties = node.get("properties")
        if properties is None:
            # An object kept only in _source, or dynamic (counts): every key below it is fine.
            return node.get("enabled") is False or node.get("dynamic") is True
        if part not in properties:
            return False
        node = properties[part]
    return True


def unmapped(document: dict[str, Any], mapping: dict[str, Any]) -> list[str]:
    return sorted({path for path in field_paths(document) if not mapped(mapping, path)})


@pytest.fixture
def article_doc() -> dict[str, Any]:
    article = full_article()
    nested = [claim_document(article, article.claims[0], "c1", "nh:sabrina-singh", ["nh:pentagon"])]
    return article_document(
        article,
        claims=nested,
        first_seen="2024-10-28T10:00:00+00:00",
        last_changed="2024-10-28T10:00:00+00:00",
        version=1,
        ingested_at="2024-10-28T10:00:00+00:00",
    )


def test_article_document_fields_are_all_mapped(article_doc: dict[str, Any]) -> None:
    assert unmapped(article_doc, article_mappings(CAPABILITIES)) == []


def test_claim_document_fields_are_all_mapped(article_doc: dict[str, Any]) -> None:
    claim = standalone_claim_document(
        full_article(), article_doc["claims"][0], published="2024-10-28", ingested_at="2024-10-28"
    )
    assert unmapped(claim, claim_mappings(CAPABILITIES)) == []


def test_run_feed_state_and_staging_documents_are_mapped() -> None:
    summary = RunSummary()
    summary.fail(ItemFailure(Stage.FETCH, Reason.FETCH_TIMEOUT, "slow", True, url="https://x", feed_id="x"))
    assert unmapped(summary.finish().to_document(), run_mappings()) == []
    state = FeedState(
        feed_id="x",
        poll_interval_minutes=15,
        base_interval_minutes=15,
        etag='"1"',
        last_error="boom",
        last_error_reason="fetch-timeout",
        error_streak=1,
    )
    document = {**state.to_document(), "url": "https://x/feed", "outlet": "X"}
    # Kept in _source only, by design: validators and the bounded list of seen entry keys.
    not_searched = {
        "etag",
        "last_modified",
        "recent_entry_keys",
        "state_version",
        "base_interval_minutes",
        "last_full_fetch_at",
        "last_new_entry_at",
        "total_failures",
        "total_new_entries",
    }
    assert [path for path in unmapped(document, feed_state_mappings()) if path not in not_searched] == []
    staging = {
        "item_id": "i",
        "status": "pending",
        "run_id": "r",
        "feed_id": "x",
        "url": "u",
        "attempts": 0,
        "created_at": "2024-10-28",
        "updated_at": "2024-10-28",
        "entry": {"title": "t"},
        "processed": {"article": {}},
        "next_attempt_at": None,
        "last_error_reason": None,
    }
    assert unmapped(staging, staging_mappings()) == []
