"""The data model that flows through the stages, one named type per stage output.

    FeedSource        a feed in the registry (config/feeds.yaml)
      -> FeedEntry       one item of a polled feed                  (pipeline.feeds)
      -> FetchedPage     the page behind the item's link            (pipeline.fetch)
      -> ExtractedArticle main text and metadata of the page         (pipeline.extract)
      -> CleanedText     the text without boilerplate lines         (pipeline.clean)
      -> EntityMention / Claim  enrichment of the cleaned text      (pipeline.entities, pipeline.claims)
      -> Article         the record indexed in Elasticsearch        (pipeline.ingest, pipeline.index)

All stage outputs are frozen: a stage returns new values and never changes its input.
Character offsets (``start``/``end``) always point into the cleaned ``text`` of the article,
end exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

ExtractionSource = Literal["page", "feed"]
# Canonical entity ids: a knowledge-base entity (a Wikidata QID, or a project id where no QID is
# certain) or a name only NER found ("ner:<type>:<folded words joined by ->", pipeline.entities.linking).
KNOWLEDGE_BASE_ID = re.compile(r"Q[1-9][0-9]*|nh:[a-z0-9][a-z0-9-]*")
ENTITY_ID = re.compile(rf"{KNOWLEDGE_BASE_ID.pattern}|ner:(?:person|organisation|location|event|other):[^\s:]+")
EntityType = Literal["person", "organisation", "location", "event", "other"]
ClaimKind = Literal["direct", "indirect", "reported"]
# What a cleaning rule removed: a whole line, or the start or end it cut off a line.
RemovedPart = Literal["line", "prefix", "suffix"]


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, as the feed describes it (links already made absolute)."""

    feed_id: str
    outlet: str
    url: str
    entry_id: str
    title: str
    summary: str
    published: datetime | None
    language: str | None
    tags: tuple[str, ...] = ()
    # The feed's own date text (cleaned, at most 100 characters), also when ``published`` is None
    # because the date was impossible or unreadable (pipeline.feeds.dates).
    published_raw: str | None = None


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """An HTML page fetched over HTTP and decoded to text."""

    url: str
    final_url: str
    status: int
    content_type: str
    html: str
    encoding: str
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """Main text and metadata found in a page; ``text`` has one paragraph per line."""

    title: str | None
    text: str
    author: str | None
    published: datetime | None
    site_name: str | None
    language: str | None
    page_canonical_url: str | None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class RemovedLine:
    """A line (or a line's start or end) the cleaner dropped, and the rule that dropped it (so wrong
    removals can be traced)."""

    text: str
    rule: str
    part: RemovedPart = "line"


@dataclass(frozen=True, slots=True)
class CleanedText:
    """Article text after boilerplate removal and Unicode normalisation.

    ``agency`` and ``byline`` are what the removed agency packaging named: the news agencies
    ("dpa", "AP"; datelines, tags, credit lines) and the author of a byline line ("Lisa Lerer").
    """

    text: str
    removed: tuple[RemovedLine, ...] = ()
    agency: tuple[str, ...] = ()
    byline: str | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of the article text with its character offsets."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class EntityMention:
    """A named entity found in the text, linked to a canonical id when known.

    ``entity_id`` is a Wikidata QID ("Q7747") or a project id ("nh:pentagon-spokesperson") for
    knowledge-base entities, and "ner:<type>:<normalised surface>" for entities only NER found.
    """

    entity_id: str
    name: str
    type: EntityType
    surface: str
    start: int
    end: int
    source: Literal["kb", "ner"]
    role: str | None = None
    # A word derived from the name rather than the name itself: a country adjective
    # ("nordkoreanische", "Japanese") links to its country but is not a mention of the place.
    derived: bool = False


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number inside a claim: "rund 10.000 Soldaten" -> value 10000, unit "soldier", approximate."""

    value: float
    unit: str | None
    surface: str
    approximate: bool
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Claim:
    """An attributed statement: who (speaker) said (cue) what (content)."""

    content: Span
    kind: ClaimKind
    speaker: Span | None = None
    cue: Span | None = None
    speaker_entity_id: str | None = None
    speaker_name: str | None = None
    speaker_role: str | None = None
    speaker_organisation_id: str | None = None
    quantities: tuple[Quantity, ...] = ()
    time_expression: str | None = None
    time_resolved: date | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """The record indexed in Elasticsearch; built by the ingest cycle from the stage outputs."""

    id: str
    canonical_url: str
    url: str
    outlet: str
    title: str
    text: str
    extraction_source: ExtractionSource
    content_hash: str
    feed_id: str | None = None
    summary: str = ""
    language: str | None = None
    author: str | None = None
    published: datetime | None = None
    site_name: str | None = None
    tags: tuple[str, ...] = ()
    removed_lines: tuple[RemovedLine, ...] = ()
    # From the agency packaging the cleaner removed (CleanedText.agency, .byline).
    agency: tuple[str, ...] = ()
    byline: str | None = None
    entities: tuple[EntityMention, ...] = ()
    title_entity_ids: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = ()
    minhash_bands: tuple[str, ...] = ()
    minhash_signature: tuple[int, ...] = ()
    shingle_count: int = 0  # distinct word shingles of the text: containment from the signature
    story_keys: tuple[str, ...] = ()
    duplicate_of: str | None = None
    near_duplicate_of: str | None = None
    story_id: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
