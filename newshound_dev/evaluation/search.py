"""Known-item retrieval: does `newshound search` find the article a person has in mind?

The articles are the development parts of the claim corpora in ``../shared/corpus/claims`` (German
Wikinews and US political news; read here, never copied). Every article is indexed as ingestion
would index it (knowledge-base and NER entities, Newshound's own analysis fields) under a
throw-away index prefix. For each target article the evaluation writes queries a person might
type to find it again, each from words of the article in *another* form than the article uses:

- ``inflection``: 2-4 of the article's most distinctive words, each replaced by another form of
  it that the corpus attests but the article does not contain (German: Soldaten -> Soldat,
  nordkoreanischen -> nordkoreanische; English: sanctions -> sanction, voted -> voting).
  Forms are related by plain suffix rules over the corpus vocabulary, not by the stemmer under
  test, so the check does not grade its own homework.
- ``compound``: a German closed compound of the article (Bundesregierung) asked by its last part
  (Regierung) where the article never writes the part alone, plus one distinctive word.
- ``entity``: a knowledge-base entity the article names, asked in the other language's name
  (Nordkorea -> "North Korea", "United States" -> "Vereinigte Staaten"), plus one distinctive
  word in another form.

Each query runs twice in the same run: as `newshound search` asked before issue 14 (words as
typed, over title, text, summary and entity names: ``baseline``) and as it asks now
(``pipeline.search``). Reported per language and kind: recall@10 (the target among the first ten
hits) and MRR (mean reciprocal rank, 0 beyond ten). Last line: one JSON object.
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.entities.extractor import EntityExtractor
from pipeline.index.articles import article_document
from pipeline.index.bulk import bulk_write
from pipeline.index.connection import SearchIndex
from pipeline.index.templates import remove_indices
from pipeline.models import Article, EntityMention
from pipeline.search import SearchRequest, search_articles
from pipeline.settings import Settings, load_settings

CORPORA = {"de": "germeval2023-spkatt-news-de", "en": "polnear-en"}
RANKS = 10
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Suffixes whose exchange keeps a word's lemma (noun plural and case, adjective endings, verb forms).
SUFFIXES = {
    "de": ("", "e", "en", "n", "er", "es", "s", "em", "ern", "ens"),
    "en": ("", "s", "es", "ed", "d", "ing", "er", "ers"),
}
# Short, frequent words are never query words: a person looking for an article types content words.
MIN_WORD_CHARS = {"de": 5, "en": 5}
MIN_COMPOUND_PART_CHARS = 5
# Words in more than this share of a language's articles say little about any one of them.
MAX_DOCUMENT_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class CorpusArticle:
    id: str
    language: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class KnownItemQuery:
    target: str  # article id
    language: str
    kind: str  # inflection, compound, entity
    text: str


def read_articles(corpus_dir: Path, language: str, limit: int | None = None) -> list[CorpusArticle]:
    """The articles of one claim corpus (GermEval 2023 SpkAtt or PolNeAR format), by document id."""
    path = corpus_dir / CORPORA[language] / "docs.jsonl"
    articles = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            document = json.loads(line)
            text = str(document.get("originalText") or document.get("text") or "")
            title = str(document.get("title") or "")
            if not title:  # SpkAtt: "746 - Title (2004-12-03)"
                name = str(document.get("documentName") or "")
                title = re.sub(r"^\d+\s*-\s*|\s*\(\d{4}-\d{2}-\d{2}\)\s*$", "", name)
            articles.append(CorpusArticle(f"{language}-{document['doc_id']}", language, title, text))
    articles.sort(key=lambda article: article.id)
    return articles[:limit] if limit else articles


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


class Vocabulary:
    """The word forms of one language's articles and how many articles use each (lower-cased)."""

    def __init__(self, articles: Sequence[CorpusArticle]) -> None:
        self.document_frequency: Counter[str] = Counter()
        self.spelling: dict[str, str] = {}  # lower-cased -> the most common spelling
        spellings: Counter[str] = Counter()
        for article in articles:
            words = words_of(f"{article.title}\n{article.text}")
            spellings.update(words)
            self.document_frequency.update({word.lower() for word in words})
        for word, _ in spellings.most_common():
            self.spelling.setdefault(word.lower(), word)
        self.articles = len(articles)

    def idf(self, word: str) -> float:
        return math.log((1 + self.articles) / (1 + self.document_frequency[word.lower()]))


def other_forms(word: str, language: str, vocabulary: Vocabulary, article_words: set[str]) -> list[str]:
    """Attested forms of ``word`` by suffix exchange that the article does not contain, most
    common first."""
    lower = word.lower()
    forms = []
    for suffix in SUFFIXES[language]:
        if suffix and not lower.endswith(suffix):
            continue
        base = lower[: len(lower) - len(suffix)] if suffix else lower
        if len(base) < 4:
            continue
        for other in SUFFIXES[language]:
            form = base + other
            if form != lower and form not in article_words and vocabulary.document_frequency[form] > 0:
                forms.append(form)
    forms = sorted(
        {form for form in forms if len(form) >= MIN_WORD_CHARS[language]},
        key=lambda form: (-vocabulary.document_frequency[form], form),
    )
    spelled = [vocabulary.spelling[form] for form in forms]
    # English names do not inflect ("Rhodes" is not a plural): only lower-case words change form.
    return [form for form in spelled if language != "en" or form.islower()]


def distinctive_words(article: CorpusArticle, vocabulary: Vocabulary) -> list[str]:
    """The article's content words, most distinctive first (tf-idf), each once."""
    counts = Counter(word.lower() for word in words_of(article.text) if "-" not in word)
    minimum = MIN_WORD_CHARS[article.language]
    scored = [
        (count * vocabulary.idf(word), word)
        for word, count in counts.items()
        if len(word) >= minimum and vocabulary.document_frequency[word] < vocabulary.articles * MAX_DOCUMENT_SHARE
    ]
    return [word for _, word in sorted(scored, key=lambda pair: (-pair[0], pair[1]))]


def inflection_query(article: CorpusArticle, vocabulary: Vocabulary, words: int) -> str | None:
    article_words = {word.lower() for word in words_of(f"{article.title}\n{article.text}")}
    chosen = []
    for word in distinctive_words(article, vocabulary)[:40]:
        forms = other_forms(word, article.language, vocabulary, article_words)
        if forms:
            chosen.append(forms[0])
        if len(chosen) == words:
            return " ".join(chosen)
    return None


def compound_query(article: CorpusArticle, vocabulary: Vocabulary) -> str | None:
    """A closed compound noun's last part (a noun attested alone elsewhere, never alone in this
    article: Bundesregierung -> Regierung) and one distinctive word in another form."""
    article_words = {word.lower() for word in words_of(f"{article.title}\n{article.text}")}
    for word in distinctive_words(article, vocabulary):
        if not vocabulary.spelling[word][:1].isupper():  # nouns only: "dargestellt" is no compound
            continue
        for cut in range(3, len(word) - MIN_COMPOUND_PART_CHARS + 1):
            part = word[cut:]
            spelled = vocabulary.spelling.get(part, "")
            if part in article_words or vocabulary.document_frequency[part] < 2 or not spelled[:1].isupper():
                continue
            if not _attested_modifier(word[:cut], vocabulary):  # "Sol|daten" is no compound
                continue
            other = inflection_query(article, vocabulary, 1)
            if other is None or other.lower() == part:
                return None
            return f"{spelled} {other}"
    return None


def _attested_modifier(modifier: str, vocabulary: Vocabulary) -> bool:
    """A compound's first part is a noun of the corpus (capitalised there), maybe with a linking
    element (Bundes-, Kriegs-): "Her|stellung", "Aus|richtung" and "Red|aktion" are no compounds."""
    for link in ("", "s", "es", "n", "en", "er", "e"):
        stem = modifier[: len(modifier) - len(link)] if link else modifier
        attested = len(stem) >= 3 and vocabulary.document_frequency[stem] > 0
        if (not link or modifier.endswith(link)) and attested and vocabulary.spelling[stem][:1].isupper():
            return True
    return False


def entity_query(
    article: CorpusArticle,
    mentions: Sequence[EntityMention],
    extractor: EntityExtractor,
    vocabulary: Vocabulary,
    entity_frequency: Counter[str],
) -> str | None:
    """The article's rarest knowledge-base entity (in the fewest articles of its language) in the
    other language's name, where that name is not in the article, and one distinctive word in
    another form."""
    other_language = "en" if article.language == "de" else "de"
    candidates = []
    for mention in {mention.entity_id: mention for mention in mentions if mention.source == "kb"}.values():
        known = extractor.entity(mention.entity_id)
        name = known.names.get(other_language) if known else None
        if name and name.lower() not in article.text.lower() and name != mention.surface:
            candidates.append((entity_frequency[mention.entity_id], name))
    if not candidates:
        return None
    other = inflection_query(article, vocabulary, 1)
    return f"{min(candidates)[1]} {other}" if other else None


def known_item_queries(
    articles: Sequence[CorpusArticle],
    mentions: Mapping[str, Sequence[EntityMention]],
    extractor: EntityExtractor,
    per_language: int,
) -> list[KnownItemQuery]:
    """Up to ``per_language`` target articles per language, every kind of query each one allows;
    2, 3 or 4 words for inflection queries in turn. ``mentions``: each article's entities."""
    queries: list[KnownItemQuery] = []
    for language in sorted({article.language for article in articles}):
        own = [article for article in articles if article.language == language]
        vocabulary = Vocabulary(own)
        entity_frequency = Counter(entity_id for a in own for entity_id in {m.entity_id for m in mentions[a.id]})
        for position, article in enumerate(own[:per_language]):
            found = {
                "inflection": inflection_query(article, vocabulary, 2 + position % 3),
                "compound": compound_query(article, vocabulary) if language == "de" else None,
                "entity": entity_query(article, mentions[article.id], extractor, vocabulary, entity_frequency),
            }
            queries += [KnownItemQuery(article.id, language, kind, text) for kind, text in found.items() if text]
    return queries


def article_mentions(
    articles: Sequence[CorpusArticle], extractor: EntityExtractor
) -> dict[str, tuple[EntityMention, ...]]:
    """Each article's entities as ingestion finds them (knowledge base, and NER where it runs)."""
    found = extractor.extract_many([(f"{a.title}\n{a.text}", a.language) for a in articles])
    return {article.id: mentions for article, mentions in zip(articles, found, strict=True)}


def index_articles(
    index: SearchIndex, articles: Sequence[CorpusArticle], mentions: Mapping[str, Sequence[EntityMention]]
) -> None:
    """Each article as ingestion indexes it: entities (knowledge base and NER) and the analysis fields."""
    now = datetime.now(UTC).isoformat()

    def documents() -> Iterator[dict[str, Any]]:
        for article in articles:
            record = Article(
                id=article.id,
                canonical_url=f"https://corpus.invalid/{article.id}",
                url=f"https://corpus.invalid/{article.id}",
                outlet=article.language,
                title=article.title,
                text=article.text,
                extraction_source="page",
                content_hash=article.id,
                language=article.language,
                entities=tuple(mentions[article.id]),
                story_id=article.id,
            )
            document = article_document(record, claims=[], first_seen=now, last_changed=now, version=1, ingested_at=now)
            yield {"_op_type": "index", "_index": index.names.articles, "_id": article.id, "_source": document}

    bulk_write(index.client, list(documents()))
    index.client.indices.refresh(index=index.names.articles)


def baseline_search(index: SearchIndex, query: str) -> list[str]:
    """`newshound search` before issue 14: the words as typed, all of them, over these fields."""
    fields = ["title^3", "title.de^3", "title.en^3", "text", "text.de", "text.en", "summary", "entity_names^2"]
    response = index.client.search(
        index=index.names.articles,
        query={"simple_query_string": {"query": query, "fields": fields, "default_operator": "and"}},
        size=RANKS,
        source=False,
    )
    return [hit["_id"] for hit in response["hits"]["hits"]]


def current_search(index: SearchIndex, query: str, extractor: EntityExtractor) -> list[str]:
    page = search_articles(index, SearchRequest(query=query, size=RANKS, collapse=False), extractor)
    return [hit.id for hit in page.hits]


def scores(ranks: Iterable[int | None]) -> dict[str, float]:
    """recall@10 and MRR of the targets' ranks (1-based, None when not in the first ten)."""
    listed = list(ranks)
    if not listed:
        return {"recall_at_10": 0.0, "mrr": 0.0, "n_queries": 0}
    return {
        "recall_at_10": round(sum(rank is not None for rank in listed) / len(listed), 4),
        "mrr": round(sum(1 / rank for rank in listed if rank is not None) / len(listed), 4),
        "n_queries": len(listed),
    }


def rank_of(target: str, hits: Sequence[str]) -> int | None:
    return hits.index(target) + 1 if target in hits else None


def evaluate_search(
    corpus_dir: Path,
    *,
    articles_per_language: int | None = None,
    queries_per_language: int = 300,
    settings: Settings | None = None,
    misses: list[str] | None = None,
) -> dict[str, Any]:
    """Index the articles, run every query both ways, delete the indices. Without ``settings``:
    the configured cluster under a throw-away index prefix (whatever prefix ``settings`` name is
    deleted afterwards)."""
    started = time.perf_counter()
    if settings is None:
        settings = load_settings(overrides={"elasticsearch.index_prefix": f"nh-eval-search-{uuid.uuid4().hex[:8]}"})
    prefix = settings.elasticsearch.index_prefix
    extractor = EntityExtractor.from_settings(settings)
    articles = [
        article for language in CORPORA for article in read_articles(corpus_dir, language, articles_per_language)
    ]
    mentions = article_mentions(articles, extractor)
    queries = known_item_queries(articles, mentions, extractor, queries_per_language)
    index = SearchIndex.connect(settings)
    try:
        index_articles(index, articles, mentions)
        ranks: dict[str, dict[tuple[str, str], list[int | None]]] = {"baseline": {}, "current": {}}
        for query in queries:
            found = {
                "baseline": baseline_search(index, query.text),
                "current": current_search(index, query.text, extractor),
            }
            for way, hits in found.items():
                rank = rank_of(query.target, hits)
                ranks[way].setdefault((query.language, query.kind), []).append(rank)
                if way == "current" and rank is None and misses is not None:
                    misses.append(f"{query.language} {query.kind}: {query.text!r} misses {query.target}")
    finally:
        remove_indices(index.client, prefix)
        index.client.close()
    report: dict[str, Any] = {}
    for way in ("current", "baseline"):
        groups = ranks[way]
        prefix = "" if way == "current" else "baseline_"
        report.update({f"{prefix}{key}": value for key, value in scores(r for g in groups.values() for r in g).items()})
        for language in CORPORA:
            in_language = [r for (lang, _), g in groups.items() if lang == language for r in g]
            report[f"{prefix}{language}"] = scores(in_language)
            for (lang, kind), group in sorted(groups.items()):
                if lang == language:
                    report[f"{prefix}{language}_{kind}"] = scores(group)
    report["articles"] = len(articles)
    report["engine"] = "analysis-common" if index.capabilities.language_analyzers else "embedded (no analysis-common)"
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report
