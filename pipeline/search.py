"""Searching the indexed articles: what `newshound search` (and the search evaluation) asks.

A query is words, "quoted phrases", -excluded words or phrases and /regular expressions/. Each
word and phrase must match (AND), in the article's own language: German articles are matched by
the German analysis of the query, English ones by the English, others word for word. Where the
cluster has Elasticsearch's language analyzers (``analysis-common``), the ``.de``/``.en``
subfields analyse the words; everywhere, the ``*_stems`` fields that Newshound analyses itself
(``pipeline.analysis``: Snowball stems, German umlaut folding and compound parts) are searched
too, so "Soldat" finds "Soldaten" and "Regierung" finds "Bundesregierung" on every engine.

Words that name a knowledge-base entity in any language ("north korea", "Nordkorea",
"Wladimir Putin") also match articles linked to that entity, whatever their language, so an
English query finds German reports. Every clause is named, and a hit says which ones matched.

Plain core (parsing, query building, passages) and one I/O function, ``search_articles``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pipeline.alerts.passages import Passage
from pipeline.analysis import ANALYZED_LANGUAGES, query_terms
from pipeline.errors import QueryError
from pipeline.highlight import words_passage
from pipeline.index.templates import LANGUAGE_ANALYZERS

if TYPE_CHECKING:
    from pipeline.entities.extractor import EntityExtractor
    from pipeline.index.capabilities import Capabilities
    from pipeline.index.connection import SearchIndex

Query = dict[str, Any]
Sort = Literal["relevance", "date"]

TITLE_BOOST = 3
# Longest run of query words looked up as one entity name ("democratic people's republic of korea").
MAX_ENTITY_WORDS = 6
PASSAGE_CHARS = 240
_SOURCE_FIELDS = ["title", "outlet", "published", "canonical_url", "story_id", "language", "text", "entities"]


@dataclass(frozen=True, slots=True)
class QueryParts:
    """A query as typed, taken apart: each part must (or, excluded, must not) match."""

    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # words and phrases
    patterns: tuple[str, ...] = ()  # regular expressions, matched against single words

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases or self.patterns)


_PART = re.compile(r'(-?)(?:"([^"]*)"|/((?:\\.|[^/\\])*)/(?=\s|$)|(\S+))')


def parse_query(text: str) -> QueryParts:
    """Words, "phrases", -exclusions and /patterns/ of a typed query.

    Raises QueryError for a quote or a slash that is never closed, naming where it starts."""
    words: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    patterns: list[str] = []
    for found in _PART.finditer(text):
        negated, phrase, pattern, word = found.groups()
        if word is not None:
            opener = '"' if '"' in word else "/" if word.startswith("/") and word != "/" else None
            if opener is not None:
                name = "quote" if opener == '"' else "slash"
                raise QueryError(
                    f"unbalanced {name} at character {found.start(4) + word.index(opener) + 1} of the query: "
                    'close it or leave it out ("a phrase", /a regular expression/)'
                )
            if word.strip("-"):
                (excluded if negated else words).append(word)
        elif phrase is not None:
            phrase = " ".join(phrase.split())
            if phrase:
                (excluded if negated else phrases).append(phrase)
        else:
            if negated:
                raise QueryError("a /regular expression/ cannot be excluded: leave out the '-'")
            patterns.append(pattern)
    return QueryParts(tuple(words), tuple(phrases), tuple(excluded), tuple(patterns))


@dataclass(frozen=True, slots=True)
class QueryEntity:
    """Words of the query that name a knowledge-base entity."""

    words: str  # as typed
    entity_id: str
    name: str


def find_query_entities(
    words: Sequence[str], phrases: Sequence[str], lookup: Callable[[str], tuple[str, str] | None]
) -> tuple[list[QueryEntity], list[str]]:
    """Entities named by runs of query words (longest first) and by whole phrases, and the words
    left over. ``lookup`` gives (entity id, name) for a name as typed, or None."""
    entities: list[QueryEntity] = []
    rest: list[str] = []
    position = 0
    while position < len(words):
        for length in range(min(MAX_ENTITY_WORDS, len(words) - position), 0, -1):
            typed = " ".join(words[position : position + length])
            found = lookup(typed)
            if found is not None:
                entities.append(QueryEntity(typed, *found))
                position += length
                break
        else:
            rest.append(words[position])
            position += 1
    for phrase in phrases:
        found = lookup(phrase)
        if found is not None:
            entities.append(QueryEntity(phrase, *found))
    return entities, rest


def knowledge_base_lookup(extractor: EntityExtractor) -> Callable[[str], tuple[str, str] | None]:
    """A lookup of typed names in the knowledge base, in any language and any letter case
    ("north korea" as "North Korea"); only a name that is the whole of what was typed counts."""

    def lookup(typed: str) -> tuple[str, str] | None:
        if not any(character.isalpha() for character in typed):
            return None
        for variant in dict.fromkeys((typed, _capitalised(typed))):
            for mention in extractor.extract(variant, None):
                if (mention.start, mention.end) == (0, len(variant)) and mention.source == "kb":
                    return mention.entity_id, mention.name
        return None

    return lookup


def _capitalised(typed: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in typed.split())


@dataclass(frozen=True, slots=True)
class SearchRequest:
    query: str = ""
    entity_ids: tuple[str, ...] = ()  # articles naming every one of these
    languages: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()  # display names or feed ids
    since: datetime | None = None
    until: datetime | None = None
    story_id: str | None = None
    sort: Sort = "relevance"
    # One hit per story (the best report), with the number of other reports.
    collapse: bool = True
    size: int = 10


def _language_fields(language: str | None, capabilities: Capabilities) -> tuple[list[str], list[str]]:
    """(fields queried with Newshound's own analysis of the words, fields queried with the words as
    typed) for articles in ``language`` (None: the languages Newshound does not analyse)."""
    if language is None:
        return [], [f"title^{TITLE_BOOST}", "text"]
    typed = [f"title^{TITLE_BOOST}", "text"]
    if capabilities.language_analyzers and language in LANGUAGE_ANALYZERS:
        typed += [f"title.{language}^{TITLE_BOOST}", f"text.{language}"]
    return [f"title_stems^{TITLE_BOOST}", "text_stems"], typed


def _words_clause(
    words: str, language: str | None, capabilities: Capabilities, *, phrase: bool, typed: bool = True
) -> Query:
    """Articles in ``language`` containing ``words`` (all of them; in this order if ``phrase``):
    by Newshound's analysis and, if ``typed``, by the words as typed (the better match counts)."""
    analysed_fields, typed_fields = _language_fields(language, capabilities)
    kind = "phrase" if phrase else "best_fields"
    options: list[Query] = []
    if typed:
        options.append({"multi_match": {"query": words, "fields": typed_fields, "type": kind, "operator": "and"}})
    terms = " ".join(query_terms(words, language)) if analysed_fields else ""
    if terms:
        options.append({"multi_match": {"query": terms, "fields": analysed_fields, "type": kind, "operator": "and"}})
    if not options:
        return {"match_none": {}}
    return options[0] if len(options) == 1 else {"dis_max": {"queries": options}}


def _in_language(language: str | None, clauses: list[Query]) -> Query:
    scope: Query = (
        {"term": {"language": language}}
        if language is not None
        else {"bool": {"must_not": {"terms": {"language": sorted(ANALYZED_LANGUAGES)}}}}
    )
    return {"bool": {"filter": [scope], "must": clauses}}


def text_clauses(
    parts: QueryParts,
    entities: Sequence[QueryEntity],
    rest: Sequence[str],
    capabilities: Capabilities,
    *,
    typed: bool = True,
) -> Query:
    """The full-text part of a search as a bool query: every word, phrase and pattern must match in
    the article's language, each entity by its words or by its id; excluded ones must not match.
    Clauses are named, for the hit's explanation. Without ``typed``, only Newshound's analysis of
    the analysed languages (a watch rule adds it to its own query of the words as typed)."""
    entity_words = {entity.words for entity in entities}
    phrases = [phrase for phrase in parts.phrases if phrase not in entity_words]
    languages: list[str | None] = [*sorted(ANALYZED_LANGUAGES), *([None] if typed else [])]
    query: Query = {"bool": {}}

    def matching(words: str, language: str | None, *, phrase: bool) -> Query:
        return _words_clause(words, language, capabilities, phrase=phrase, typed=typed)

    if rest or phrases or entities or parts.patterns:
        per_language = []
        for language in languages:
            # Names must differ between the languages' clauses: Elasticsearch keeps one query per name.
            scope = language or "other"
            clauses = [_named(matching(word, language, phrase=False), f"{scope}|words:{word}") for word in rest]
            clauses += [
                _named(matching(phrase, language, phrase=True), f'{scope}|words:"{phrase}"') for phrase in phrases
            ]
            for entity in entities:
                by_words = _named(
                    matching(entity.words, language, phrase=True),
                    f"{scope}|words:{entity.words}",
                )
                by_id = {
                    "term": {
                        "entity_ids": {
                            "value": entity.entity_id,
                            "_name": f"{scope}|entity:{entity.entity_id}:{entity.name}",
                        }
                    }
                }
                clauses.append({"bool": {"should": [by_words, by_id], "minimum_should_match": 1}})
            clauses += [
                {
                    "regexp": {
                        "text": {"value": pattern.lower(), "flags": "ALL", "_name": f"{scope}|pattern:/{pattern}/"}
                    }
                }
                for pattern in parts.patterns
            ]
            per_language.append(_in_language(language, clauses))
        query["bool"].update(should=per_language, minimum_should_match=1)
    if parts.excluded:
        query["bool"]["must_not"] = [
            _in_language(language, [matching(excluded, language, phrase=True)])
            for excluded in parts.excluded
            for language in languages
        ]
    return query


def _named(query: Query, name: str) -> Query:
    kind, body = next(iter(query.items()))
    return {kind: {**body, "_name": name}}


def outlet_filter(outlets: Sequence[str]) -> Query:
    """Articles of any of these outlets, each named by display name ("Weltrundschau") or feed id."""
    return {
        "bool": {
            "should": [{"terms": {"outlet": list(outlets)}}, {"terms": {"feed_id": list(outlets)}}],
            "minimum_should_match": 1,
        }
    }


def request_filters(request: SearchRequest) -> list[Query]:
    filters: list[Query] = [{"term": {"entity_ids": entity_id}} for entity_id in request.entity_ids]
    if request.languages:
        filters.append({"terms": {"language": list(request.languages)}})
    if request.outlets:
        filters.append(outlet_filter(request.outlets))
    if request.since or request.until:
        bounds = {}
        if request.since:
            bounds["gte"] = request.since.isoformat()
        if request.until:
            bounds["lte"] = request.until.isoformat()
        filters.append({"range": {"published": bounds}})
    if request.story_id:
        filters.append({"term": {"story_id": request.story_id}})
    return filters


def search_body(
    request: SearchRequest,
    parts: QueryParts,
    entities: Sequence[QueryEntity],
    rest: Sequence[str],
    capabilities: Capabilities,
) -> Query:
    """The body of the search request (pure)."""
    query = text_clauses(parts, entities, rest, capabilities)
    query["bool"]["filter"] = request_filters(request)
    body: Query = {
        "query": query,
        "size": request.size,
        "_source": _SOURCE_FIELDS,
        "track_total_hits": True,
        "aggs": {"stories": {"cardinality": {"field": "story_id"}}},
    }
    if request.sort == "date":
        body["sort"] = [{"published": {"order": "desc"}}, "_score"]
    # Within one story every report is shown.
    if request.collapse and not request.story_id:
        body["collapse"] = {"field": "story_id", "inner_hits": {"name": "reports", "size": 0}}
    return body


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    language: str | None
    story_id: str | None
    score: float | None
    why: tuple[str, ...]  # the parts of the query this article matched
    passage: Passage
    other_reports: int = 0  # further reports of the same story that match

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
            "url": self.url,
            "language": self.language,
            "story_id": self.story_id,
            "score": self.score,
            "why": list(self.why),
            "passage": self.passage.marked("[", "]"),
            "other_reports": self.other_reports,
        }


@dataclass(slots=True)
class SearchPage:
    total: int  # articles that match
    stories: int  # distinct stories among them
    hits: list[SearchHit] = field(default_factory=list)
    entities: list[QueryEntity] = field(default_factory=list)


def hit_passage(source: dict[str, Any], parts: QueryParts, rest: Sequence[str], entity_ids: Sequence[str]) -> Passage:
    """The sentence of the article that shows best why it matched: words whose analysis meets the
    query's, and mentions of the matched entities, highlighted."""
    text = str(source.get("text") or "")
    mentions = [
        (int(mention["start"]), int(mention["end"]))
        for mention in source.get("entities") or []
        if mention.get("id") in entity_ids and mention.get("start") is not None
    ]
    found = words_passage(text, source.get("language"), [*rest, *parts.phrases], PASSAGE_CHARS, mentions)
    if found is not None:
        return found
    return Passage(text[:PASSAGE_CHARS].rsplit(" ", 1)[0] if len(text) > PASSAGE_CHARS else text)


def _why(names: Sequence[str]) -> tuple[str, ...]:
    shown = []
    for scoped in names:
        kind, _, rest = scoped.partition("|")[2].partition(":")
        if kind == "entity":
            entity_id, _, entity_name = rest.partition(":")
            shown.append(f"entity {entity_name} ({entity_id})")
        elif kind == "words":
            shown.append(f"words {rest}")
        else:
            shown.append(f"pattern {rest}")
    return tuple(dict.fromkeys(shown))


def search_articles(index: SearchIndex, request: SearchRequest, extractor: EntityExtractor | None = None) -> SearchPage:
    """Run ``request`` against the articles. The engine's refusal of a query (a regular
    expression it cannot parse) becomes a QueryError with its reason."""
    from elasticsearch import BadRequestError

    parts = parse_query(request.query)
    lookup = knowledge_base_lookup(extractor) if extractor is not None else (lambda typed: None)
    entities, rest = find_query_entities(parts.words, parts.phrases, lookup)
    body = search_body(request, parts, entities, rest, index.capabilities)
    try:
        response = index.client.search(index=index.names.articles, **body)
    except BadRequestError as error:
        raise QueryError(f"the search engine refused the query: {_refusal_reason(error)}") from error
    matched_ids = [entity.entity_id for entity in entities]
    page = SearchPage(
        total=int(response["hits"]["total"]["value"]),
        stories=int(response.get("aggregations", {}).get("stories", {}).get("value", 0)),
        entities=list(entities),
    )
    for hit in response["hits"]["hits"]:
        source = hit["_source"]
        reports = hit.get("inner_hits", {}).get("reports", {}).get("hits", {}).get("total", {}).get("value", 1)
        page.hits.append(
            SearchHit(
                id=hit["_id"],
                title=str(source.get("title") or ""),
                outlet=source.get("outlet"),
                published=source.get("published"),
                url=source.get("canonical_url"),
                language=source.get("language"),
                story_id=source.get("story_id"),
                score=hit.get("_score"),
                why=_why(hit.get("matched_queries") or []),
                passage=hit_passage(source, parts, rest, matched_ids),
                other_reports=max(int(reports) - 1, 0),
            )
        )
    return page


def _refusal_reason(error: Exception) -> str:
    """The innermost reason Elasticsearch gives, on one line."""
    info = getattr(error, "info", None) or getattr(error, "body", None)
    reason = ""
    if isinstance(info, dict):
        cause: Any = info.get("error", {})
        while isinstance(cause, dict):
            reason = str(cause.get("reason") or reason)
            nested = cause.get("caused_by") or (cause.get("root_cause") or [None])[0]
            if not isinstance(nested, dict) or nested is cause:
                break
            cause = nested
    return " ".join((reason or str(error)).split())
