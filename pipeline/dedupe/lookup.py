"""Duplicate and story decisions against what is already indexed (and the batch being written).

One multi-search per batch asks Elasticsearch, for each article, for: the first article with
the same content hash, near-duplicate candidates sharing an LSH band key, and story candidates
within the time window. Each band or key is its own scored ``term`` clause, so candidates rank
by the IDF of what they share: a shared quotation or rare entity outweighs a common one, and the
best few come back even when thousands of articles share a common key (a ``terms`` query scores
every match alike and returned arbitrary ones: bench/dedupe_scaling.py found 8 of 76 same-story
reports at 1k articles). The final similarity is computed here on the candidates, by ``decide``, a
plain function of the article and its candidates; ``decide_pair`` applies the searches' conditions
in memory to decide one labelled pair without a search engine (``newshound eval dedupe``).

A story candidate must share at least ``LEAST_SHARED_FACTS`` entity/number keys, since the story
rule can accept no pair with fewer; quotation trigrams (about a hundred per article) only rank
the candidates, and only the first ``QUOTE_RANKING_CLAUSES`` of them in key order (keys are
hashes, so that is the same sample in every report of a quote). Every clause is looked up in
every segment, so asking for all trigrams made story lookups grow with the archive:
bench/dedupe_scaling.py measured 1.75 -> 5.65 ms per article from 1k to 100k articles with
~120 clauses, 0.24 -> 0.83 ms with this query.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pipeline.dedupe.fingerprints import (
    LEAST_SHARED_FACTS,
    decode_signature,
    estimated_similarity,
    same_story,
    split_story_keys,
    story_match,
)
from pipeline.dedupe.versions import UPDATE_SIMILARITY, is_new_version, version_evidence
from pipeline.index.connection import SearchIndex
from pipeline.models import Article
from pipeline.settings import DedupeSettings

# Keeps a search under Elasticsearch's clause limit (at least 1024); keys sort entities and
# numbers before quotation trigrams, so only quotes of very long articles are left out.
MAX_KEY_CLAUSES = 500
QUOTE_RANKING_CLAUSES = 16
_CANDIDATE_FIELDS = [
    "id",
    "duplicate_of",
    "near_duplicate_of",
    "story_id",
    "minhash_signature",
    "shingle_count",
    "word_count",
    "story_keys",
]


@dataclass(frozen=True, slots=True)
class DedupeDecision:
    duplicate_of: str | None = None
    near_duplicate_of: str | None = None
    near_duplicate_similarity: float | None = None
    story_id: str | None = None

    def apply(self, article: Article) -> Article:
        return dataclasses.replace(
            article,
            duplicate_of=self.duplicate_of,
            near_duplicate_of=self.near_duplicate_of,
            story_id=self.story_id or article.id,
            extra={**article.extra, "near_duplicate_similarity": self.near_duplicate_similarity},
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the dedupe rule needs to know of an earlier article (a search hit or one of the batch)."""

    id: str
    duplicate_of: str | None
    near_duplicate_of: str | None
    story_id: str | None
    signature: tuple[int, ...]
    story_keys: tuple[str, ...]
    shingle_count: int = 0

    @property
    def root(self) -> str:
        """The original this candidate itself copies, or the candidate."""
        return self.duplicate_of or self.near_duplicate_of or self.id

    @classmethod
    def from_source(cls, source: dict[str, Any]) -> Candidate:
        encoded = source.get("minhash_signature")
        return cls(
            id=source["id"],
            duplicate_of=source.get("duplicate_of"),
            near_duplicate_of=source.get("near_duplicate_of"),
            story_id=source.get("story_id"),
            signature=decode_signature(encoded) if encoded else (),
            story_keys=tuple(source.get("story_keys") or ()),
            # Articles indexed before shingle_count: their word count is within a few shingles.
            shingle_count=int(source.get("shingle_count") or source.get("word_count") or 0),
        )

    @classmethod
    def from_article(cls, article: Article) -> Candidate:
        return cls(
            article.id,
            article.duplicate_of,
            article.near_duplicate_of,
            article.story_id,
            article.minhash_signature,
            article.story_keys,
            article.shingle_count,
        )


class DuplicateFinder:
    """Decides duplicate_of / near_duplicate_of / story_id for the articles of one batch, in order."""

    def __init__(self, index: SearchIndex, settings: DedupeSettings) -> None:
        self.index = index
        self.settings = settings
        self._batch: list[Candidate] = []
        self._batch_hashes: dict[str, Candidate] = {}

    def decide_all(self, articles: Sequence[Article], now: datetime) -> list[Article]:
        """Decide each article against the index and the batch's earlier articles; return them updated."""
        searches = []
        for article in articles:
            searches.extend(self._searches(article, now))
        responses: list[dict[str, Any]] = []
        if searches:
            responses = list(self.index.client.msearch(searches=searches)["responses"])
        decided = []
        for position, article in enumerate(articles):
            exact, near, story = responses[position * 3 : position * 3 + 3]
            decision = self._decide(article, _hits(exact), _hits(near), _hits(story))
            updated = decision.apply(article)
            self._remember(updated)
            decided.append(updated)
        return decided

    def _searches(self, article: Article, now: datetime) -> list[dict[str, Any]]:
        exclude_self = {"ids": {"values": [article.id]}}
        header = {"index": self.index.names.articles}
        exact = {
            "query": {
                "bool": {
                    "filter": [{"term": {"content_hash": article.content_hash}}],
                    "must_not": [exclude_self],
                }
            },
            "sort": [{"first_seen": "asc"}],
            "size": 1,
            "_source": _CANDIDATE_FIELDS,
        }
        near = {
            "query": {
                "bool": {
                    "should": _scored_terms("minhash_bands", article.minhash_bands),
                    "minimum_should_match": 1,
                    "must_not": [exclude_self],
                }
            },
            "size": self.settings.candidates,
            "track_total_hits": False,  # lets Elasticsearch skip documents that cannot make the top
            "_source": _CANDIDATE_FIELDS,
        }
        story = self._story_search(article, now, exclude_self)
        return [header, exact, header, near, header, story]

    def _story_search(self, article: Article, now: datetime, exclude_self: dict[str, Any]) -> dict[str, Any]:
        facts, quotes = split_story_keys(article.story_keys)
        if len(facts) < LEAST_SHARED_FACTS:  # no story can be shared: ask for nothing
            return {"query": {"match_none": {}}, "size": 0}
        earliest, latest = story_window(article, now, self.settings)
        return {
            "query": {
                "bool": {
                    "must": [
                        {
                            "bool": {
                                "should": _scored_terms("story_keys", facts),
                                "minimum_should_match": LEAST_SHARED_FACTS,
                            }
                        }
                    ],
                    "should": _scored_terms("story_keys", quotes[:QUOTE_RANKING_CLAUSES]),
                    "must_not": [exclude_self],
                    "filter": [
                        {
                            "range": {
                                "published": {
                                    "gte": earliest.isoformat(),
                                    "lte": latest.isoformat(),
                                }
                            }
                        }
                    ],
                }
            },
            "size": self.settings.candidates,
            "track_total_hits": False,
            "_source": _CANDIDATE_FIELDS,
        }

    def _decide(
        self,
        article: Article,
        exact_hits: list[Candidate],
        near_hits: list[Candidate],
        story_hits: list[Candidate],
    ) -> DedupeDecision:
        in_batch = self._batch_hashes.get(article.content_hash)
        exact = in_batch if in_batch is not None and in_batch.id != article.id else next(iter(exact_hits), None)
        return decide(
            article,
            exact=exact,
            near_candidates=[*near_hits, *self._batch],
            story_candidates=[*story_hits, *self._batch],
            settings=self.settings,
        )

    def _remember(self, article: Article) -> None:
        candidate = Candidate.from_article(article)
        self._batch.append(candidate)
        self._batch_hashes.setdefault(article.content_hash, candidate)


def decide(
    article: Article,
    *,
    exact: Candidate | None,
    near_candidates: Sequence[Candidate],
    story_candidates: Sequence[Candidate],
    settings: DedupeSettings,
) -> DedupeDecision:
    """The dedupe rule for one article given its candidates: an exact copy, else the most similar
    near duplicate at or above the threshold, else the best-overlapping story, else a story of its own."""
    if exact is not None:
        return DedupeDecision(duplicate_of=exact.root, story_id=exact.story_id or exact.root)
    best, similarity = None, 0.0
    for candidate in near_candidates:
        if candidate.id == article.id:
            continue
        value = estimated_similarity(article.minhash_signature, candidate.signature)
        if value > similarity and value >= UPDATE_SIMILARITY and _is_version_of(article, candidate, settings):
            best, similarity = candidate, value
    if best is not None:
        return DedupeDecision(
            near_duplicate_of=best.root,
            near_duplicate_similarity=round(similarity, 3),
            story_id=best.story_id or best.root,
        )
    scored = [
        (story_match(article.story_keys, c.story_keys), c)
        for c in story_candidates
        if c.id != article.id and c.story_keys
    ]
    matching = [
        (m, c)
        for m, c in scored
        if same_story(m, threshold=settings.story_threshold, quote_threshold=settings.story_quote_threshold)
    ]
    if matching:
        _, chosen = max(matching, key=lambda pair: (pair[0].overlap, pair[0].shared_entities))
        return DedupeDecision(story_id=chosen.story_id or chosen.id)
    return DedupeDecision(story_id=article.id)


def _is_version_of(article: Article, candidate: Candidate, settings: DedupeSettings) -> bool:
    """``article`` is a new version of ``candidate`` (``versions.is_new_version``)."""
    if not candidate.shingle_count or not article.shingle_count:  # no sizes: similarity alone
        return estimated_similarity(article.minhash_signature, candidate.signature) >= settings.near_duplicate_threshold
    evidence = version_evidence(
        article.text,
        article.minhash_signature,
        article.shingle_count,
        candidate.signature,
        candidate.shingle_count,
        shingle_words=settings.shingle_words,
        num_permutations=settings.num_permutations,
    )
    return is_new_version(evidence, settings.near_duplicate_threshold)


def story_window(article: Article, now: datetime, settings: DedupeSettings) -> tuple[datetime, datetime]:
    """The publication times a story candidate of ``article`` must lie between (inclusive)."""
    moment = article.published or now
    window = timedelta(hours=settings.story_window_hours)
    return moment - window, moment + window


def decide_pair(original: Article, later: Article, settings: DedupeSettings, now: datetime) -> DedupeDecision:
    """The decision ``DuplicateFinder`` makes for ``later`` when ``original`` is the one article in
    the index: the conditions of its three searches applied in memory (the same content hash; a
    shared LSH band key; at least ``LEAST_SHARED_FACTS`` shared entity/number keys and a publication
    time inside the story window, an undated original counting as published when first seen, here
    ``now``), then the same rule (``decide``). For evaluations of labelled pairs."""
    candidate = Candidate.from_article(original)
    different = original.id != later.id
    exact = candidate if different and original.content_hash == later.content_hash else None
    shares_band = bool(set(original.minhash_bands) & set(later.minhash_bands[:MAX_KEY_CLAUSES]))
    facts, _ = split_story_keys(later.story_keys)
    shared_facts = set(facts[:MAX_KEY_CLAUSES]) & set(original.story_keys)
    earliest, latest = story_window(later, now, settings)
    in_window = earliest <= (original.published or now) <= latest
    story_candidate = len(facts) >= LEAST_SHARED_FACTS and len(shared_facts) >= LEAST_SHARED_FACTS and in_window
    return decide(
        later,
        exact=exact,
        near_candidates=[candidate] if different and shares_band else [],
        story_candidates=[candidate] if different and story_candidate else [],
        settings=settings,
    )


def _hits(response: dict[str, Any]) -> list[Candidate]:
    if "error" in response:
        raise RuntimeError(f"dedupe lookup failed: {response['error']}")
    return [Candidate.from_source(hit["_source"]) for hit in response["hits"]["hits"]]


def _scored_terms(field: str, values: Sequence[str]) -> list[dict[str, Any]]:
    return [{"term": {field: value}} for value in values[:MAX_KEY_CLAUSES]]
