"""The build stage, the CPU-bound part of the pipeline: page -> text -> enrichment -> fingerprints.

``build_articles`` is a plain function of build jobs (a feed entry and its fetched page, or the
failure to fetch it). It runs in worker processes during ingest, a slice of a batch per call; the
I/O before it (polling, fetching) and after it (dedupe lookups, indexing) lives elsewhere. Each
article goes through its stages on its own, except entity NER, which spaCy runs over the texts
and titles of the whole slice at once (a third cheaper per text than one call each).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

from pipeline.claims.extract import extract_claims
from pipeline.clean import CleaningRules, clean_text, load_cleaning_rules
from pipeline.dedupe.fingerprints import fingerprint, story_keys
from pipeline.entities.extractor import EntityExtractor
from pipeline.errors import ExtractionError, ItemFailure, Reason, Stage
from pipeline.extract import detect_language, extract_article
from pipeline.models import Article, CleanedText, EntityMention, ExtractedArticle, FeedEntry, FetchedPage
from pipeline.settings import Settings
from pipeline.urls import article_id, canonical_url

logger = logging.getLogger(__name__)
_Result = TypeVar("_Result")
Mentions = tuple[EntityMention, ...]


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
class BuildJob:
    """One article to build: its feed entry, its page (None when fetching failed) and why not."""

    entry: FeedEntry
    page: FetchedPage | None
    fallback_reason: str | None = None


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
        self.add(stage, now - self._last)
        self._last = now

    def add(self, stage: str, seconds: float) -> None:
        """Time spent on this article outside its laps (its share of a batched stage)."""
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def restart(self) -> None:
        """The next lap starts now: the time since the last one went to other articles."""
        self._last = time.perf_counter()


@dataclass(frozen=True, slots=True)
class _PageText:
    """What extraction and cleaning made of one job, before enrichment."""

    job: BuildJob
    extracted: ExtractedArticle | None
    cleaned: CleanedText
    outcome: str
    title: str
    language: str | None
    clock: StageClock


def build_articles(jobs: Sequence[BuildJob], toolkit: Toolkit) -> list[BuiltArticle | ItemFailure]:
    """Extract, clean and enrich each job's article, in job order; an article whose page fails
    falls back to the feed's title and summary, and an exception fails only its own job."""
    page_texts = [_guarded(job, partial(_page_text, job, toolkit)) for job in jobs]
    readable = [text for text in page_texts if isinstance(text, _PageText)]
    mentions = iter(_entities(readable, toolkit))
    results: list[BuiltArticle | ItemFailure] = []
    for text in page_texts:
        if isinstance(text, ItemFailure):
            results.append(text)
            continue
        found = next(mentions)
        if isinstance(found, ItemFailure):
            results.append(found)
            continue
        text_mentions, title_mentions = found
        results.append(_guarded(text.job, partial(_enriched, text, text_mentions, title_mentions, toolkit)))
    return results


def _guarded(job: BuildJob, step: Callable[[], _Result]) -> _Result | ItemFailure:
    """A bug or pathological input in a build stage fails only its own item (parked, the run goes on)."""
    try:
        return step()
    except Exception as error:  # one bad page must never stop the run; it is parked with the reason
        logger.exception("building %s failed", job.entry.url)
        detail = f"{type(error).__name__}: {error}"
        return ItemFailure(Stage.BUILD, Reason.BUILD_ERROR, detail, url=job.entry.url, feed_id=job.entry.feed_id)


def _page_text(job: BuildJob, toolkit: Toolkit) -> _PageText:
    entry, page = job.entry, job.page
    clock = StageClock()
    extracted: ExtractedArticle | None = None
    outcome = job.fallback_reason or Reason.NO_TEXT
    if page is not None:
        try:
            extracted = extract_article(page.html, page.final_url, language_hint=entry.language)
            outcome = Reason.FETCHED
        except ExtractionError:
            outcome = Reason.NO_TEXT
    clock.lap("extract")
    if extracted is not None:
        cleaned = clean_text(
            extracted.text,
            toolkit.cleaning_rules,
            language=extracted.language,
            title=extracted.title or entry.title,
        )
        if len(cleaned.text) < toolkit.settings.extraction.min_text_chars:
            extracted, outcome = None, Reason.NO_TEXT
    if extracted is None:
        summary_text = entry.summary or entry.title
        cleaned = clean_text(summary_text, toolkit.cleaning_rules, language=entry.language, title=entry.title)
    title = (extracted.title if extracted and extracted.title else entry.title).strip()
    language = (extracted.language if extracted else None) or detect_language(cleaned.text) or entry.language
    clock.lap("clean")
    return _PageText(job, extracted, cleaned, str(outcome), title, language, clock)


def _entities(texts: Sequence[_PageText], toolkit: Toolkit) -> list[tuple[Mentions, Mentions] | ItemFailure]:
    """(mentions in the text, mentions in the title) of each, in one NER batch; if the batch
    fails, each article is tried alone so that only the ones at fault fail."""
    started = time.perf_counter()

    def documents(text: _PageText) -> list[tuple[str, str | None]]:
        return [(text.cleaned.text, text.language), (text.title, text.language)]

    found: list[tuple[Mentions, Mentions] | ItemFailure]
    try:
        flat = toolkit.entities.extract_many([document for text in texts for document in documents(text)])
        found = [(flat[2 * number], flat[2 * number + 1]) for number in range(len(texts))]
    except Exception:
        logger.exception("entity extraction failed for a batch of %d; trying one article at a time", len(texts))
        found = []
        for text in texts:
            alone = _guarded(text.job, partial(toolkit.entities.extract_many, documents(text)))
            found.append(alone if isinstance(alone, ItemFailure) else (alone[0], alone[1]))
    share = (time.perf_counter() - started) / max(len(texts), 1)
    for text in texts:
        text.clock.add("entities", share)
    return found


def _enriched(page_text: _PageText, entities: Mentions, title_entities: Mentions, toolkit: Toolkit) -> BuiltArticle:
    entry, page, extracted = page_text.job.entry, page_text.job.page, page_text.extracted
    clock, text, language = page_text.clock, page_text.cleaned.text, page_text.language
    clock.restart()
    published = (extracted.published if extracted else None) or entry.published
    fetched_url = page.final_url if page is not None else entry.url
    canonical = canonical_url(fetched_url, extracted.page_canonical_url if extracted else None)
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
        title=page_text.title,
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
        removed_lines=page_text.cleaned.removed,
        agency=page_text.cleaned.agency,
        byline=page_text.cleaned.byline,
        entities=entities,
        title_entity_ids=tuple(dict.fromkeys(mention.entity_id for mention in title_entities)),
        claims=claims,
        minhash_bands=prints.band_keys,
        minhash_signature=prints.signature,
        shingle_count=prints.shingle_count,
        story_keys=story_keys(text, entities, claims),
    )
    clock.lap("fingerprint")
    return BuiltArticle(article, page_text.outcome, clock.seconds)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
