"""Dedupe lookup time per article with 1k, 10k and 100k articles already indexed.

    .venv/bin/python -m bench.dedupe_scaling      # last line: one JSON object

The indexed documents carry the fields dedupe reads, built as the pipeline builds them: real
fingerprints (the MinHash scheme of pipeline.dedupe.fingerprints, checked against it) of texts of 120-240
words drawn from the corpus vocabulary with its word frequencies; 5% exact and 10% near copies of
recent articles; story keys of stories told by one to a dozen reports, entity keys drawn from a
Zipf law over 20,000 entities (the commonest is in about a third of the articles), numbers and
quotation trigrams. Articles arrive at 4,000 a day, so the 72-hour story window holds every
article up to 10k and about 12,000 at 100k. Text length does not matter to the lookups (the text
is not indexed here): it only costs generation time.

Three indices grow side by side as the pipeline's would (the first 1k articles go to all three,
the next 9k to two, the rest to the largest) so that the timings of the three sizes can be
interleaved: this machine's load from other work comes and goes, and measuring 1k, then 10k,
then 100k one after the other let that load decide the ratio.

At each size, batches of 50 new articles (the ingest batch size: 5 exact copies, 10 near copies,
10 new reports of stories in the window, 25 unrelated) go through ``DuplicateFinder.decide_all``
(one multi-search, three searches per article); every copy must be found and no unrelated article
marked a copy. Wall-clock milliseconds per article, median over 8 batches x 5 rounds after a
warm-up; "of which multi-search" times the finder's own searches sent alone.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from datasketch import MinHash
from datasketch.minhash import _fmix
from elasticsearch import helpers

from bench.common import print_table
from bench.corpus_text import quote_key_counts, word_frequencies
from bench.services import elasticsearch_url, remove_prefix
from pipeline.dedupe.fingerprints import (
    band_keys,
    content_hash,
    encode_signature,
    fingerprint,
    minhash_signature,
    same_story,
    story_match,
)
from pipeline.dedupe.lookup import DuplicateFinder
from pipeline.index.connection import SearchIndex
from pipeline.models import Article
from pipeline.settings import DedupeSettings, load_settings

SIZES = (1_000, 10_000, 100_000)
ARTICLES_PER_DAY = 4_000
ENTITIES = 20_000
PHRASES = 50_000
BATCH_SIZE = 50
BATCHES = 8
ROUNDS = 5
# Big bulk requests and no refresh while loading: 100k documents in well under a minute.
BULK_CHUNK = 5_000
GENERATE_CHUNK = 500
# Share of the indexed articles that are exact copies, near copies, and further reports of a story.
EXACT_SHARE, NEAR_SHARE, REPORT_SHARE = 0.05, 0.10, 0.35
RECENT = 2_000  # copies and reports pick their original among this many latest articles
SEED = 20


@dataclass(frozen=True, slots=True)
class Known:
    """What the checks need of an indexed article."""

    id: str
    root: str  # the original it copies, or itself
    story_id: str
    story_keys: tuple[str, ...]
    published: datetime


@dataclass(frozen=True, slots=True)
class Planned:
    """An article to generate: its words and its relations, before fingerprinting."""

    id: str
    words: np.ndarray
    story_keys: tuple[str, ...]
    story_id: str
    duplicate_of: str | None
    near_duplicate_of: str | None
    published: datetime


@dataclass(frozen=True, slots=True)
class Expected:
    kind: str  # "exact", "near", "story" or "unrelated"
    original: Known | None = None


@dataclass
class SyntheticNews:
    """Generates indexed articles and new batches with known answers."""

    dedupe: DedupeSettings
    now: datetime
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(SEED))
    known: list[Known] = field(default_factory=list)
    words: list[np.ndarray] = field(default_factory=list)  # word ids of each indexed article
    stories: deque[tuple[str, tuple[str, ...]]] = field(default_factory=lambda: deque(maxlen=1000))
    generated: int = 0
    segment_start: int = 0  # copies and reports stay within the segment being generated

    def __post_init__(self) -> None:
        vocabulary, counts = word_frequencies()
        self.vocabulary = np.array(vocabulary)
        self.word_cdf = np.cumsum(np.array(counts, dtype=np.float64) / sum(counts))
        entity_weights = 1.0 / np.arange(1, ENTITIES + 1)
        self.entity_cdf = np.cumsum(entity_weights / entity_weights.sum())
        phrase_weights = 1.0 / np.arange(1, PHRASES + 1)
        self.phrase_cdf = np.cumsum(phrase_weights / phrase_weights.sum())
        self.quote_counts = np.array(quote_key_counts())
        template = MinHash(num_perm=self.dedupe.num_permutations, seed=7, scheme="affine32")
        self.multipliers, self.offsets = template.permutations

    # -- text and keys --------------------------------------------------------------------------

    def new_words(self) -> np.ndarray:
        length = int(self.rng.integers(120, 241))
        return np.searchsorted(self.word_cdf, self.rng.random(length)).astype(np.uint16)

    def edited(self, words: np.ndarray) -> np.ndarray:
        """A light edit: 1-4% of the words replaced (similarity about 0.85-0.6)."""
        copy = words.copy()
        count = max(1, round(len(words) * self.rng.uniform(0.01, 0.04)))
        positions = self.rng.choice(len(words), size=count, replace=False)
        copy[positions] = np.searchsorted(self.word_cdf, self.rng.random(count))
        return copy

    def entity_keys(self, count: int) -> set[str]:
        ranks = np.searchsorted(self.entity_cdf, self.rng.random(count))
        return {f"e:Q{int(rank) + 1}" for rank in ranks}

    def number_keys(self, count: int) -> set[str]:
        values = np.round(10 ** self.rng.uniform(2, 6, size=count), -1)
        return {f"n:{int(value)}" for value in values}

    def story_keys(self) -> tuple[str, ...]:
        keys = self.entity_keys(int(self.rng.integers(3, 8))) | self.number_keys(int(self.rng.integers(0, 4)))
        return tuple(sorted(keys | self.quote_keys()))

    def quote_keys(self) -> set[str]:
        """As many as the pipeline finds in a corpus text (median about 100); a quarter of them
        common phrases (Zipf over 50,000), the rest the story's own."""
        count = int(self.rng.choice(self.quote_counts))
        common = self.rng.random(count) < 0.25
        phrases = np.searchsorted(self.phrase_cdf, self.rng.random(int(common.sum())))
        own = self.rng.integers(0, 2**48, size=count - int(common.sum()))
        return {f"q:c{int(rank):05d}" for rank in phrases} | {f"q:{int(value):012x}" for value in own}

    def report_keys(self, story: Sequence[str]) -> tuple[str, ...]:
        """Another report of a story: most of its keys, and a few of its own."""
        kept = {key for key in story if self.rng.random() < 0.8}
        kept |= self.entity_keys(int(self.rng.integers(0, 4))) | self.number_keys(int(self.rng.integers(0, 2)))
        return tuple(sorted(kept))

    def text(self, words: np.ndarray) -> str:
        return " ".join(self.vocabulary[words])

    def next_id(self) -> str:
        self.generated += 1
        return hashlib.sha256(f"https://bench.example.org/{SEED}/{self.generated}".encode()).hexdigest()[:32]

    # -- fingerprints ---------------------------------------------------------------------------

    def signatures(self, word_lists: Sequence[np.ndarray]) -> list[tuple[int, ...]]:
        """MinHash signatures of many texts at once (the scheme of pipeline.dedupe.fingerprints, vectorised)."""
        size = self.dedupe.shingle_words
        digests: list[bytes] = []
        starts: list[int] = []
        for words in word_lists:
            tokens = self.vocabulary[words].tolist()
            starts.append(len(digests))
            digests.extend(
                [
                    hashlib.sha1(" ".join(tokens[i : i + size]).encode()).digest()[:4]
                    for i in range(len(tokens) - size + 1)
                ]
            )
        hashes = _fmix(np.frombuffer(b"".join(digests), dtype="<u4").reshape(-1, 1), 32)
        permuted = hashes * self.multipliers + self.offsets
        return [tuple(row) for row in np.minimum.reduceat(permuted, starts, axis=0).tolist()]

    def check_scheme(self) -> None:
        """The vectorised signatures must equal the pipeline's."""
        samples = [self.new_words() for _ in range(5)]
        for words, signature in zip(samples, self.signatures(samples), strict=True):
            text = self.text(words)
            expected = minhash_signature(
                text, shingle_words=self.dedupe.shingle_words, num_permutations=self.dedupe.num_permutations
            )
            assert signature == expected, "the vectorised MinHash differs from pipeline.dedupe.fingerprints"
            assert hashlib.sha256(text.encode()).hexdigest() == content_hash(text)

    # -- indexed articles -----------------------------------------------------------------------

    def published(self, rank: int) -> datetime:
        """Rank 0 is the newest indexed article; one arrives every 86400 / ARTICLES_PER_DAY seconds."""
        return self.now - timedelta(seconds=(rank + 1) * 86_400 / ARTICLES_PER_DAY)

    def plan(self, rank: int) -> Planned:
        roll = self.rng.random()
        recent = max(self.segment_start, len(self.known) - RECENT)
        identifier, published = self.next_id(), self.published(rank)
        if roll < EXACT_SHARE + NEAR_SHARE and len(self.known) > recent:
            position = int(self.rng.integers(recent, len(self.known)))
            original = self.known[position]
            if roll < EXACT_SHARE:
                words, exact, near = self.words[position], original.root, None
            else:
                words, exact, near = self.edited(self.words[position]), None, original.root
            return Planned(identifier, words, original.story_keys, original.story_id, exact, near, published)
        if roll < EXACT_SHARE + NEAR_SHARE + REPORT_SHARE and self.stories:
            story_id, keys = self.stories[int(self.rng.integers(0, len(self.stories)))]
            return Planned(identifier, self.new_words(), self.report_keys(keys), story_id, None, None, published)
        keys = self.story_keys()
        self.stories.append((identifier, keys))
        return Planned(identifier, self.new_words(), keys, identifier, None, None, published)

    def documents(self, ranks: range) -> Iterator[dict[str, Any]]:
        """Index actions for the articles of these ranks, oldest first (copies point backwards)."""
        self.stories.clear()
        self.segment_start = first_of_segment = len(self.known)
        ordered = list(reversed(ranks))
        for start in range(0, len(ordered), GENERATE_CHUNK):
            planned = []
            for rank in ordered[start : start + GENERATE_CHUNK]:
                article = self.plan(rank)
                planned.append(article)
                root = article.duplicate_of or article.near_duplicate_of or article.id
                self.known.append(Known(article.id, root, article.story_id, article.story_keys, article.published))
                self.words.append(article.words)
            for article, signature in zip(planned, self.signatures([a.words for a in planned]), strict=True):
                yield {"_id": article.id, "_source": self.document(article, signature)}
        assert len(self.known) - first_of_segment == len(ranks)

    def document(self, article: Planned, signature: tuple[int, ...]) -> dict[str, Any]:
        first_seen = article.published + timedelta(minutes=2)
        return {
            "id": article.id,
            "canonical_url": f"https://bench.example.org/{article.id}",
            "url": f"https://bench.example.org/{article.id}",
            "outlet": f"outlet-{int(article.id[:2], 16) % 40:02d}",
            "language": "en",
            "content_hash": hashlib.sha256(self.text(article.words).encode()).hexdigest(),
            "minhash_bands": list(band_keys(signature, self.dedupe.lsh_bands)),
            "minhash_signature": encode_signature(signature),
            "story_keys": list(article.story_keys),
            "published": article.published.isoformat(),
            "published_known": True,
            "first_seen": first_seen.isoformat(),
            "last_changed": first_seen.isoformat(),
            "ingested_at": first_seen.isoformat(),
            "version": 1,
            "duplicate_of": article.duplicate_of,
            "near_duplicate_of": article.near_duplicate_of,
            "story_id": article.story_id,
        }

    # -- new batches ----------------------------------------------------------------------------

    def batch(self) -> tuple[list[Article], list[Expected]]:
        """50 new articles published now: 5 exact copies, 10 near copies, 10 reports, 25 unrelated."""
        window_start = self.now - timedelta(hours=self.dedupe.story_window_hours)
        in_window = [position for position, known in enumerate(self.known) if known.published >= window_start]
        kinds = ["exact"] * 5 + ["near"] * 10 + ["story"] * 10 + ["unrelated"] * 25
        self.rng.shuffle(kinds)
        articles, expected = [], []
        for kind in kinds:
            keys: tuple[str, ...]
            if kind in ("exact", "near"):
                position = int(self.rng.integers(0, len(self.known)))
                original = self.known[position]
                words = self.words[position] if kind == "exact" else self.edited(self.words[position])
                keys, answer = original.story_keys, Expected(kind, original)
            elif kind == "story":
                original = self.known[in_window[int(self.rng.integers(0, len(in_window)))]]
                words, keys = self.new_words(), self.report_keys(original.story_keys)
                answer = Expected(kind, original)
            else:
                words, keys, answer = self.new_words(), self.story_keys(), Expected(kind)
            articles.append(self.article(words, keys))
            expected.append(answer)
        return articles, expected

    def article(self, words: np.ndarray, keys: tuple[str, ...]) -> Article:
        identifier = self.next_id()
        text = self.text(words)
        prints = fingerprint(
            text,
            shingle_words=self.dedupe.shingle_words,
            num_permutations=self.dedupe.num_permutations,
            bands=self.dedupe.lsh_bands,
        )
        return Article(
            id=identifier,
            canonical_url=f"https://bench.example.org/{identifier}",
            url=f"https://bench.example.org/{identifier}",
            outlet="outlet-new",
            title=text[:60],
            text=text,
            extraction_source="page",
            content_hash=prints.content_hash,
            language="en",
            published=self.now,
            minhash_bands=prints.band_keys,
            minhash_signature=prints.signature,
            story_keys=keys,
        )


@dataclass
class Verdicts:
    """How the decisions compare with the known answers."""

    dedupe: DedupeSettings
    copies: int = 0
    copies_found: int = 0
    unrelated_marked: int = 0
    # Reports the story rule groups with their original when the two are compared directly,
    # and how many of those decide_all grouped (it only compares the candidates it fetched).
    groupable: int = 0
    grouped: int = 0
    misses: list[str] = field(default_factory=list)

    def check(self, decided: Sequence[Article], expected: Sequence[Expected]) -> None:
        for article, answer in zip(decided, expected, strict=True):
            original = answer.original
            if original is None:
                self.unrelated_marked += bool(article.duplicate_of or article.near_duplicate_of)
            elif answer.kind in ("exact", "near"):
                self.copies += 1
                found = article.duplicate_of if answer.kind == "exact" else article.near_duplicate_of
                if found == original.root:
                    self.copies_found += 1
                else:
                    self.misses.append(f"{answer.kind} copy of {original.id} (root {original.root}): got {found}")
            else:
                match = story_match(article.story_keys, original.story_keys)
                if same_story(
                    match, threshold=self.dedupe.story_threshold, quote_threshold=self.dedupe.story_quote_threshold
                ):
                    self.groupable += 1
                    self.grouped += article.story_id == original.story_id


@dataclass
class Size:
    """One of the growing indices, its batches and its timings."""

    articles: int
    index: SearchIndex
    batches: list[tuple[list[Article], list[Expected]]] = field(default_factory=list)
    per_article: list[float] = field(default_factory=list)
    search_only: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.articles // 1000}k"


def load(indices: Sequence[SearchIndex], news: SyntheticNews, ranks: range) -> float:
    """Bulk-index the articles of these ranks into every one of ``indices``; return the seconds taken."""
    client = indices[0].client.options(request_timeout=300)
    names = [index.names.articles for index in indices]
    started = time.perf_counter()
    client.indices.put_settings(index=",".join(names), settings={"index": {"refresh_interval": "-1"}})
    actions = ({"_index": name, **action} for action in news.documents(ranks) for name in names)
    failures = 0
    for ok, _ in helpers.parallel_bulk(client, actions, thread_count=2, chunk_size=BULK_CHUNK, queue_size=2):
        failures += not ok
    client.indices.put_settings(index=",".join(names), settings={"index": {"refresh_interval": None}})
    client.indices.refresh(index=",".join(names))
    if failures:
        raise RuntimeError(f"{failures} documents were not indexed")
    return time.perf_counter() - started


def segment_count(index: SearchIndex) -> int:
    stats = index.client.indices.stats(index=index.names.articles, metric="segments")
    return int(stats["_all"]["primaries"]["segments"]["count"])


def time_batch(size: Size, dedupe: DedupeSettings, batch: list[Article], now: datetime) -> list[Article]:
    """Decide one batch, recording its milliseconds per article, and those of its searches alone."""
    finder = DuplicateFinder(size.index, dedupe)
    started = time.perf_counter()
    decided = finder.decide_all(batch, now)
    size.per_article.append((time.perf_counter() - started) * 1000 / len(batch))
    # The finder's own searches (a private helper, read here only to time Elasticsearch's share).
    searches = [search for article in batch for search in DuplicateFinder(size.index, dedupe)._searches(article, now)]
    started = time.perf_counter()
    size.index.client.msearch(searches=searches)
    size.search_only.append((time.perf_counter() - started) * 1000 / len(batch))
    return decided


def run() -> dict[str, Any]:
    url = elasticsearch_url()
    prefix = f"bench-dedupe-{uuid.uuid4().hex[:8]}"
    settings = load_settings(overrides={"elasticsearch.url": url, "elasticsearch.index_prefix": prefix})
    news = SyntheticNews(settings.dedupe, datetime.now(UTC).replace(microsecond=0))
    news.check_scheme()
    load_rows, lookup_rows = [], []
    started = time.perf_counter()
    try:
        sizes = []
        for count in SIZES:
            scoped = settings.model_copy(
                update={
                    "elasticsearch": settings.elasticsearch.model_copy(
                        update={"index_prefix": f"{prefix}-{count // 1000}k"}
                    )
                }
            )
            sizes.append(Size(count, SearchIndex.connect(scoped)))
        indexed = 0
        for position, size in enumerate(sizes):
            growing = [later.index for later in sizes[position:]]
            seconds = load(growing, news, range(indexed, size.articles))
            documents = (size.articles - indexed) * len(growing)
            load_rows.append(
                (
                    f"{indexed:,} -> {size.articles:,}",
                    f"{documents:7,} documents into {len(growing)} indices in {seconds:5.1f} s = "
                    f"{documents / seconds:5.0f} docs/s",
                )
            )
            indexed = size.articles
            size.batches = [news.batch() for _ in range(BATCHES + 1)]
        verdicts = {size.articles: Verdicts(settings.dedupe) for size in sizes}
        for size in sizes:  # warm-up, and the check of every answer
            for articles, expected in size.batches:
                verdicts[size.articles].check(
                    DuplicateFinder(size.index, settings.dedupe).decide_all(articles, news.now), expected
                )
        for _ in range(ROUNDS):  # interleaved, so that other load on the machine hits every size alike
            for size in sizes:
                for articles, _ in size.batches[1:]:
                    time_batch(size, settings.dedupe, articles, news.now)
        for size in sizes:
            found = verdicts[size.articles]
            assert not found.misses, f"at {size.articles:,}: copies not found: {found.misses[:5]}"
            assert not found.unrelated_marked, (
                f"at {size.articles:,}: {found.unrelated_marked} unrelated marked as copies"
            )
            median = statistics.median(size.per_article)
            quartiles = statistics.quantiles(size.per_article, n=4)
            lookup_rows.append(
                (
                    f"{size.articles:>7,} indexed ({segment_count(size.index)} segments)",
                    f"{median:5.2f} ms/article (quartiles {quartiles[0]:.2f}-{quartiles[2]:.2f}), of which "
                    f"multi-search {statistics.median(size.search_only):5.2f}; copies found "
                    f"{found.copies_found}/{found.copies}; story reports grouped {found.grouped}/{found.groupable}",
                )
            )
    finally:
        remove_prefix(url, prefix)
    results: dict[str, Any] = {}
    for size in sizes:
        results[f"dedupe_ms_per_article_{size.label}"] = round(statistics.median(size.per_article), 3)
    for size in sizes:
        found = verdicts[size.articles]
        results[f"dedupe_story_recall_{size.label}"] = round(found.grouped / max(found.groupable, 1), 3)
    results["dedupe_scaling"] = round(results["dedupe_ms_per_article_100k"] / results["dedupe_ms_per_article_1k"], 3)
    print_table("loading the growing indices (bulk, refresh off while loading)", load_rows)
    print_table(
        f"DuplicateFinder.decide_all, batches of {BATCH_SIZE} (wall clock, median of {BATCHES} batches x {ROUNDS})",
        [
            *lookup_rows,
            ("scaling 100k / 1k", f"{results['dedupe_scaling']:.2f}"),
            ("whole benchmark", f"{time.perf_counter() - started:.0f} s"),
        ],
    )
    return results


if __name__ == "__main__":
    print(json.dumps(run()))
