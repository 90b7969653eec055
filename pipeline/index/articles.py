"""Articles and their claims as Elasticsearch documents, and the upsert rules.

An article is new (first time its id is seen), updated (same id, different text: the version
goes up, ``first_seen`` stays) or unchanged (nothing is written). Claims are written twice:
nested in the article and as documents of their own in the claims index, for Kibana.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.analysis import index_terms
from pipeline.dedupe.fingerprints import encode_signature
from pipeline.index.connection import SearchIndex
from pipeline.models import Article, Claim, EntityMention


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What is already indexed for an article id."""

    index: str
    content_hash: str
    title: str
    first_seen: str
    version: int
    extraction_source: str


def claim_id(article: Article, claim: Claim) -> str:
    key = f"{article.id}\0{claim.content.start}\0{claim.content.end}\0{claim.content.text}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def existing_articles(index: SearchIndex, ids: Sequence[str]) -> dict[str, StoredArticle]:
    """The stored state of these article ids (searching the alias, so rolled-over indices count too)."""
    if not ids:
        return {}
    response = index.client.search(
        index=index.names.articles,
        query={"ids": {"values": list(ids)}},
        size=len(ids),
        source_includes=["content_hash", "title", "first_seen", "version", "extraction_source"],
    )
    stored = {}
    for hit in response["hits"]["hits"]:
        source = hit["_source"]
        stored[hit["_id"]] = StoredArticle(
            index=hit["_index"],
            content_hash=source.get("content_hash", ""),
            title=source.get("title", ""),
            first_seen=source.get("first_seen", ""),
            version=int(source.get("version") or 1),
            extraction_source=source.get("extraction_source", "page"),
        )
    return stored


def is_unchanged(article: Article, stored: StoredArticle | None) -> bool:
    """Same text and title as what is indexed; a feed-only copy never replaces a page's text."""
    if stored is None:
        return False
    if article.extraction_source == "feed" and stored.extraction_source == "page":
        return True
    return stored.content_hash == article.content_hash and stored.title == article.title


def claim_document(
    article: Article, claim: Claim, cluster_id: str | None, speaker_key: str | None, speaker_keys: Sequence[str] = ()
) -> dict[str, Any]:
    """A claim's fields, as nested in the article."""
    return {
        "claim_id": claim_id(article, claim),
        "claim_cluster_id": cluster_id,
        "speaker": claim.speaker.text if claim.speaker else None,
        "speaker_key": speaker_key,
        "speaker_keys": sorted(speaker_keys),
        "speaker_entity_id": claim.speaker_entity_id,
        "speaker_name": claim.speaker_name,
        "speaker_role": claim.speaker_role,
        "speaker_organisation_id": claim.speaker_organisation_id,
        "cue": claim.cue.text if claim.cue else None,
        "content": claim.content.text,
        "content_start": claim.content.start,
        "content_end": claim.content.end,
        "kind": claim.kind,
        "language": claim.language or article.language,
        "quantities": [
            {"value": q.value, "unit": q.unit, "surface": q.surface, "approximate": q.approximate}
            for q in claim.quantities
        ],
        "quantity_values": [q.value for q in claim.quantities],
        "time_expression": claim.time_expression,
        "time_resolved": claim.time_resolved.isoformat() if claim.time_resolved else None,
    }


def standalone_claim_document(
    article: Article, nested: dict[str, Any], *, published: str, ingested_at: str
) -> dict[str, Any]:
    """A claim document for the claims index: the nested fields plus the article's context."""
    entity_ids = [e for e in (nested["speaker_entity_id"], nested["speaker_organisation_id"]) if e]
    return {
        **nested,
        "article_id": article.id,
        "article_url": article.canonical_url,
        "article_title": article.title,
        "outlet": article.outlet,
        "story_id": article.story_id,
        "published": published,
        "claim_date": nested["time_resolved"] or published,
        "ingested_at": ingested_at,
        "entity_ids": entity_ids,
    }


def analysis_fields(title: str, text: str, language: str | None) -> dict[str, str]:
    """Newshound's own analysis of an article (``pipeline.analysis``), as indexed for search."""
    return {"title_stems": index_terms(title, language), "text_stems": index_terms(text, language)}


def article_document(
    article: Article,
    *,
    claims: Sequence[dict[str, Any]],
    first_seen: str,
    last_changed: str,
    version: int,
    ingested_at: str,
) -> dict[str, Any]:
    published = article.published.isoformat() if article.published else first_seen
    return {
        "id": article.id,
        "canonical_url": article.canonical_url,
        "url": article.url,
        "outlet": article.outlet,
        "feed_id": article.feed_id,
        "title": article.title,
        "text": article.text,
        **analysis_fields(article.title, article.text, article.language),
        "summary": article.summary,
        "language": article.language,
        "author": article.author,
        "site_name": article.site_name,
        "tags": list(article.tags),
        # Articles without a date sort and window by when we first saw them.
        "published": published,
        "published_known": article.published is not None,
        "first_seen": first_seen,
        "last_changed": last_changed,
        "ingested_at": ingested_at,
        "version": version,
        "content_hash": article.content_hash,
        "extraction_source": article.extraction_source,
        "removed_lines": [asdict(line) for line in article.removed_lines],
        "agency": list(article.agency),
        "byline": article.byline,
        "entities": [entity_document(mention) for mention in article.entities],
        "entity_ids": _unique(mention.entity_id for mention in article.entities),
        "entity_names": _unique(mention.name for mention in article.entities),
        # Names by type, for facets ("People in the news"): KB and NER names alike.
        "people": _names_of_type(article.entities, "person"),
        "organisations": _names_of_type(article.entities, "organisation"),
        "places": _names_of_type(article.entities, "location"),
        "title_entity_ids": list(article.title_entity_ids),
        "claims": list(claims),
        "claim_count": len(claims),
        "minhash_bands": list(article.minhash_bands),
        "minhash_signature": encode_signature(article.minhash_signature),
        "shingle_count": article.shingle_count,
        "story_keys": list(article.story_keys),
        "story_id": article.story_id,
        "duplicate_of": article.duplicate_of,
        "near_duplicate_of": article.near_duplicate_of,
        "near_duplicate_similarity": article.extra.get("near_duplicate_similarity"),
        "word_count": len(article.text.split()),
    }


def entity_document(mention: EntityMention) -> dict[str, Any]:
    """A mention as stored in the article (field names as in the index template)."""
    return {
        "id": mention.entity_id,
        "name": mention.name,
        "type": mention.type,
        "surface": mention.surface,
        "source": mention.source,
        "role": mention.role,
        "derived": mention.derived,
        "start": mention.start,
        "end": mention.end,
    }


def _names_of_type(mentions: Iterable[EntityMention], entity_type: str) -> list[str]:
    return _unique(mention.name for mention in mentions if mention.type == entity_type)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def indexed_entity_ids(client: Elasticsearch, alias: str, entity_id: str) -> list[str]:
    """Ids in the index for the same NER name as ``entity_id`` under any type, most mentioned first
    ("ner:organisation:zollner-energietechnik" for "ner:person:zollner-energietechnik")."""
    prefix, _, name = entity_id.partition(":")[2].partition(":")
    if not name or not entity_id.startswith("ner:") or not prefix:
        return []
    pattern = "ner:[a-z]+:" + re.sub(r'([.?+*|{}\[\]()"\\#@&<>~])', r"\\\1", name)
    response = client.search(
        index=alias,
        size=0,
        query={"regexp": {"entity_ids": pattern}},
        aggregations={"ids": {"terms": {"field": "entity_ids", "include": pattern, "size": 10}}},
    )
    return [bucket["key"] for bucket in response["aggregations"]["ids"]["buckets"]]
