"""Alert matching speed: 1,000 and 10,000 rules against a batch of 500 articles in Elasticsearch.

    .venv/bin/python -m bench.alerts        # last line: one JSON object

Uses the cluster of ELASTICSEARCH_URL, else the local one on port 9200 (started with
scripts/elasticsearch when it is not running). The batch is synthesised from the shared corpus
(250 German Wikinews and 250 English PolNeAR texts) with the real entity linker (knowledge base)
and claim finder, indexed as article and claim documents under a throw-away index prefix that is
deleted afterwards. Rules mix every kind: entity ids from config/entities.yaml, queries of one or
two corpus words of middling frequency, claims by or about entities, claim changes. Timings are
wall-clock seconds (most of the work happens inside Elasticsearch), best of three after a warm-up.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import yaml

from bench.common import REPO, best_of, corpus_dir, print_table
from pipeline.alerts.config import (
    ClaimChangeRule,
    ClaimRule,
    EntityRule,
    QueryRule,
    Rule,
)
from pipeline.alerts.matching import match_articles, search_named_rules
from pipeline.alerts.queries import ids_scope
from pipeline.claims.clusters import speaker_keys
from pipeline.claims.extract import extract_claims
from pipeline.claims.similarity import speaker_key
from pipeline.entities.extractor import EntityExtractor
from pipeline.errors import RetryLater
from pipeline.index.articles import article_document, claim_document, standalone_claim_document
from pipeline.index.bulk import bulk_write
from pipeline.index.connection import SearchIndex
from pipeline.index.templates import remove_indices
from pipeline.models import Article
from pipeline.settings import Settings, load_settings

ARTICLES_PER_LANGUAGE = 250
RULE_COUNTS = (1_000, 10_000)
UNITS = ("soldier", "person", "percent", "euro", "dollar", None)


def corpus_texts() -> list[tuple[str, str, str, str]]:
    """(document id, language, title, text) of 250 German and 250 English corpus articles."""
    claims = corpus_dir() / "claims"
    found: list[tuple[str, str, str, str]] = []
    sources = (("de", "germeval2023-spkatt-news-de", "originalText"), ("en", "polnear-en", "text"))
    for language, name, field in sources:
        count = 0
        with open(claims / name / "docs.jsonl", encoding="utf-8") as handle:
            for line in handle:
                document = json.loads(line)
                text = str(document[field])
                title = str(document.get("title") or document.get("documentName") or text[:80])
                title = re.sub(r"^\d+ - ", "", title)
                found.append((f"{name}/{document['doc_id']}", language, title, text))
                count += 1
                if count == ARTICLES_PER_LANGUAGE:
                    break
    return found


def build_articles(settings: Settings) -> list[Article]:
    """Articles with real entity mentions and claims, as the pipeline would index them."""
    extractor = EntityExtractor.from_settings(
        settings.model_copy(update={"entities": settings.entities.model_copy(update={"use_ner": False})})
    )
    published = datetime.now(UTC) - timedelta(hours=2)
    articles = []
    for doc_id, language, title, text in corpus_texts():
        identifier = hashlib.sha256(doc_id.encode()).hexdigest()[:32]
        entities = extractor.extract(text, language)
        title_entities = extractor.extract(title, language)
        articles.append(
            Article(
                id=identifier,
                canonical_url=f"https://bench.example.org/{identifier}",
                url=f"https://bench.example.org/{identifier}",
                outlet="bench-de" if language == "de" else "bench-en",
                title=title,
                text=text,
                extraction_source="page",
                content_hash=identifier,
                language=language,
                published=published,
                entities=entities,
                title_entity_ids=tuple(dict.fromkeys(m.entity_id for m in title_entities)),
                claims=extract_claims(text, language, entities=entities, published=published.date()),
                story_id=identifier,
            )
        )
    return articles


def index_articles(index: SearchIndex, articles: Sequence[Article]) -> None:
    now = datetime.now(UTC).isoformat()
    actions: list[dict[str, Any]] = []
    for article in articles:
        nested = [
            claim_document(article, claim, None, speaker_key(claim), sorted(speaker_keys(claim)))
            for claim in article.claims
        ]
        for claim in nested:
            claim["claim_cluster_id"] = claim["claim_id"]
            source = standalone_claim_document(article, claim, published=now, ingested_at=now)
            actions.append(
                {"_op_type": "index", "_index": index.names.claims, "_id": claim["claim_id"], "_source": source}
            )
        document = article_document(
            article, claims=nested, first_seen=now, last_changed=now, version=1, ingested_at=now
        )
        actions.append({"_op_type": "index", "_index": index.names.articles, "_id": article.id, "_source": document})
    outcome = bulk_write(index.client, actions)
    if outcome.failures:
        raise RuntimeError(f"{len(outcome.failures)} documents not indexed: {outcome.failures[0].error}")
    index.client.indices.refresh(index=[index.names.articles, index.names.claims])


def query_words(articles: Sequence[Article]) -> dict[str, list[str]]:
    """Per language, words found in 1-10 % of the batch: specific enough to be worth watching."""
    words: dict[str, list[str]] = {}
    for language in ("de", "en"):
        texts = [a.text for a in articles if a.language == language]
        frequency = Counter(word for text in texts for word in {w.lower() for w in re.findall(r"[^\W\d_]{5,}", text)})
        low, high = max(2, len(texts) // 100), len(texts) // 10
        words[language] = sorted(word for word, count in frequency.items() if low <= count <= high)
    return words


def make_rules(count: int, articles: Sequence[Article], seed: int = 7) -> list[Rule]:
    """A realistic mix: 40 % entity, 40 % query, 15 % claim, 5 % claim-change rules."""
    randomness = random.Random(seed)
    knowledge_base = yaml.safe_load((REPO / "config" / "entities.yaml").read_text(encoding="utf-8"))
    entity_ids = [entity["id"] for entity in knowledge_base["entities"]]
    words = query_words(articles)
    notifiers = ("hook",)
    rules: list[Rule] = []
    for number in range(count):
        rule_id = f"rule-{number:05d}"
        draw = randomness.random()
        entity = randomness.choice(entity_ids)
        if draw < 0.4:
            prominence: dict[str, Any] = randomness.choice([{}, {}, {"in_title": True}, {"min_mentions": 2}])
            rules.append(EntityRule(id=rule_id, kind="entity", entity=entity, notifiers=notifiers, **prominence))
        elif draw < 0.8:
            language = randomness.choice(("de", "en"))
            query = " ".join(randomness.sample(words[language], randomness.choice((1, 2, 2))))
            languages = (language,) if randomness.random() < 0.5 else ()
            rules.append(QueryRule(id=rule_id, kind="query", query=query, languages=languages, notifiers=notifiers))
        elif draw < 0.95:
            role = randomness.choice(("speaker", "about", "any"))
            rules.append(ClaimRule(id=rule_id, kind="claim", entity=entity, role=role, notifiers=notifiers))
        else:
            unit = randomness.choice(UNITS)
            who = entity if randomness.random() < 0.5 else None
            rules.append(ClaimChangeRule(id=rule_id, kind="claim-change", entity=who, unit=unit, notifiers=notifiers))
    return rules


def connect() -> tuple[Settings, SearchIndex]:
    prefix = f"bench-alerts-{uuid.uuid4().hex[:8]}"
    settings = load_settings(overrides={"elasticsearch.index_prefix": prefix})
    try:
        return settings, SearchIndex.connect(settings)
    except RetryLater:
        if "ELASTICSEARCH_URL" in os.environ:
            raise
    subprocess.run([sys.executable, str(REPO / "scripts" / "elasticsearch"), "start"], check=True)
    return settings, SearchIndex.connect(settings)


def run() -> dict[str, Any]:
    settings, index = connect()
    try:
        articles = build_articles(settings)
        index_articles(index, articles)
        ids = [article.id for article in articles]
        watch = settings.alerts
        results: dict[str, Any] = {}
        rows = [("elasticsearch", f"{index.capabilities.version} ({settings.elasticsearch.url})")]
        rows.append(("batch", f"{len(ids)} articles, {sum(len(a.claims) for a in articles)} claims"))
        for count in RULE_COUNTS:
            rules = make_rules(count, articles)
            errors: dict[str, str] = {}
            search_only = best_of(
                3,
                partial(search_named_rules, index, rules, ids_scope(ids), len(ids), watch, errors),
                clock=time.perf_counter,
                warm_up=True,
            )
            whole = best_of(3, partial(match_articles, index, rules, ids, watch), clock=time.perf_counter, warm_up=True)
            batch = match_articles(index, rules, ids, watch)
            pairs = sum(len(found) for found in batch.pairs.values())
            label = f"{count:,} rules"
            rows.append((f"{label}: match_batch", f"{whole:6.3f} s  ({len(batch.candidates)} alerts, {pairs} pairs)"))
            rows.append((f"{label}: multi-search only", f"{search_only:6.3f} s  ({len(errors)} rule errors)"))
            suffix = "" if count == 1_000 else f"_{count // 1000}k_rules"
            results[f"alert_batch_seconds{suffix}"] = round(whole, 3)
            results[f"alert_batch_search_seconds{suffix}"] = round(search_only, 3)
            results[f"alert_batch_alerts{suffix}"] = len(batch.candidates)
        print_table(f"alert matching, {len(ids)}-article batch, multi-search path (wall clock, best of 3)", rows)
        return results
    finally:
        remove_indices(index.client, index.names.prefix)


if __name__ == "__main__":
    print(json.dumps(run()))
