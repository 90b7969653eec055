"""The CPU-bound part of the pipeline for one article: page -> text -> enrichment -> fingerprints.

``build_article`` is a plain function of a feed entry and its fetched page (or the failure to
fetch it). It runs in worker processes during ingest and in mapped DAG tasks; the I/O before
it (polling, fetching) and after it (dedupe lookups, indexing) lives elsewhere.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pipeline.claims import extract_claims
from pipeline.clean import CleaningRules, clean_text, load_cleaning_rules
from pipeline.dedupe.core import fingerprint, story_keys
from pipeline.entities import EntityExtractor
from pipeline.errors import ExtractionError, Reason
from pipeline.extract import detect_language, extract_article
from pipeline.models import Article, ExtractedArticle, FeedEntry, FetchedPage
from pipeline.settings import Settings
from pipeline.urls import article_id, canonical_url


@dataclass(frozen=True)
class Toolkit:
    """What building articles needs, loaded once per process (rules, knowledge base, NER models)."""

    settings: Settings
    cleaning_rules: CleaningRules
    entities: EntityExtractor

    @classmethod
    def load(cls, settings: Settings) -> Toolkit:
        rules = load_cleaning_rules(settings.config_path(settings.extraction.cleaning_rules))
        return cls(settings, rules, EntityExtractor.from_settings(settings))


@dataclass(frozen=True, slots=True)
class BuiltArticle:
    """An article ready for dedupe and indexing, and how its text was obtained."""

    article: Article
    outcome: str  # Reason.FETCHED (text from the page) or the reason it fell back to the feed
    stage_seconds: dict[str, float] = field(default_factory=dict)


class StageClock:
    """Seconds per stage of one article's build, taken as laps of one clock (no nesting to get wrong)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


def build_article(
    entry: FeedEntry, page: FetchedPage | None, toolkit: Toolkit, *, fallback_reason: str | None = None
) -> BuiltArticle:
    """Extract, clean and enrich one article; fall back to the feed's title and summary if the page fails."""
    clock = StageClock()
    extracted: ExtractedArticle | None = None
    outcome = fallback_reason or Reason.NO_TEXT
    if page is not None:
        try:
            extracted = extract_article(page.html, page.final_url, language_hint=entry.language)
            outcome = Reason.FETCHED
        except ExtractionError:
            outcome = Reason.NO_TEXT
    clock.lap("extract")
    language_hint = extracted.language if extracted else entry.language
    if extracted is not None:
        cleaned = clean_text(
            extracted.text,
            toolkit.cleaning_rules,
            language=language_hint,
            title=extracted.title or entry.title,
        )
        if len(cleaned.text) < toolkit.settings.extraction.min_text_chars:
            extracted, outcome = None, Reason.NO_TEXT
    if extracted is None:
        summary_text = entry.summary or entry.title
        cleaned = clean_text(summary_text, toolkit.cleaning_rules, language=entry.language, title=entry.title)
    text = cleaned.text
    title = (extracted.title if extracted and extracted.title else entry.title).strip()
    language = (extracted.language if extracted else None) or detect_language(text) or entry.language
    published = (extracted.published if extracted else None) or entry.published
    fetched_url = page.final_url if page is not None else entry.url
    canonical = canonical_url(fetched_url, extracted.page_canonical_url if extracted else None)
    clock.lap("clean")
    entities = toolkit.entities.extract(text, language)
    title_entities = toolkit.entities.extract(title, language)
    clock.lap("entities")
    claims = (
        extract_claims(text, language, entities=entities, published=published.date() if published else None)
        if toolkit.settings.claims.enabled
        else ()
    )
    clock.lap("claims")
    dedupe = toolkit.settings.dedupe
    prints = fingerprint(
        text,
        shingle_words=dedupe.shingle_words,
        num_permutations=dedupe.num_permutations,
        bands=dedupe.lsh_bands,
    )
    article = Article(
        id=article_id(canonical),
        canonical_url=canonical,
        url=entry.url,
        outlet=entry.outlet,
        title=title,
        text=text,
        extraction_source="page" if extracted is not None else "feed",
        content_hash=prints.content_hash,
        feed_id=entry.feed_id,
        summary=entry.summary,
        language=language,
        author=extracted.author if extracted else None,
        published=_aware(published),
        site_name=extracted.site_name if extracted else None,
        tags=entry.tags,
        removed_lines=cleaned.removed,
        entities=entities,
        title_entity_ids=tuple(dict.fromkeys(mention.entity_id for mention in title_entities)),
        claims=claims,
        minhash_bands=prints.band_keys,
        minhash_signature=prints.signature,
        story_keys=story_keys(text, entities, claims),
    )
    clock.lap("fingerprint")
    return BuiltArticle(article, str(outcome), clock.seconds)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
