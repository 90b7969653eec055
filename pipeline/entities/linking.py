"""Statistical NER spans joined with the knowledge-base mentions: every name gets a stable id.

The knowledge base comes first; NER adds what it does not know:

* a NER span inside a knowledge-base mention, or crossing one, is dropped (the KB wins);
* a NER span that contains knowledge-base mentions and more capitalised words is a longer
  name ("Air Berlin", "New York Times"): it replaces the mentions inside it, except that a
  person's longer name ending in a KB person ("Wladimir Wladimirowitsch Putin") keeps that id;
* otherwise the span is linked to the knowledge base through its aliases where possible.

Names outside the knowledge base get ``ner:<type>:<normalised name>``: case and accents folded,
words joined by "-", so that the same name gets the same id in every article and outlet.
Before that, the name is cleaned the way news writes it: titles and roles in front are cut off
("Pentagon-Sprecherin Sabrina Singh", "Dr. Anna Weber") and become the mention's role; a German
genitive is removed ("Scholz'", and "Rheinmetalls" where the article also writes "Rheinmetall");
a lone surname takes the id of the full name the article gives ("Singh" after "Sabrina Singh");
a name labelled with different types in one article takes the type most of its mentions have.
Generic words are not names: weekdays, months, compass points, weather words, common words, and
any single word the article also writes in lower case.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pipeline.entities.kb import KnowledgeBase
from pipeline.entities.lexicon import (
    COMMON_WORDS,
    DETERMINERS,
    GENERIC_NAME_WORDS,
    LOCATION_HEADS,
    NAME_PARTICLES,
    NAME_TITLES,
    ORGANISATION_HEADS,
)
from pipeline.entities.matcher import AliasIndex, lookup_surface
from pipeline.entities.ner import LABEL_TYPES, NerSpan
from pipeline.entities.tokens import Gap, TokenList, name_words, normalise
from pipeline.models import EntityMention, EntityType

NER_ID_PREFIX = "ner:"
# When one name is labelled with several types in an article and the votes tie, the first wins.
TYPE_PRECEDENCE: tuple[EntityType, ...] = ("person", "organisation", "location", "event", "other")
# "University of Washington", "Bank der Länder": the head is the word before these.
_HEAD_LINKERS = frozenset({"of", "der", "des", "fur"})
# A closed compound ends in a head word after at least this many characters ("Stadtwerke" yes, "Werke" no).
MIN_COMPOUND_PREFIX_CHARS = 3
MIN_COMPOUND_HEAD_CHARS = 5
_NAME_TYPES: frozenset[EntityType] = frozenset({"person", "organisation", "location"})


@dataclass(slots=True)
class _Name:
    """A cleaned NER span: the name is tokens ``first:last`` of the text, the mention starts at
    ``span_first`` (a determiner the model put in front stays in the mention: "The Hockey News"),
    with its type and the role cut off its front."""

    span_first: int
    first: int
    last: int
    type: EntityType
    role: str | None = None


def ner_entity_id(entity_type: str, name: str) -> str:
    """The id of a name outside the knowledge base: ``ner:<type>:<folded words joined by ->``."""
    return f"{NER_ID_PREFIX}{entity_type}:{'-'.join(normalise(word) for word in name_words(name))}"


def link_ner_spans(
    spans: Sequence[NerSpan],
    text: str,
    tokens: TokenList,
    language: str,
    kb_mentions: Sequence[EntityMention],
    index: AliasIndex,
    knowledge_base: KnowledgeBase,
) -> list[EntityMention]:
    """The article's mentions: the knowledge-base ones, less those inside longer NER names, plus
    a mention with a knowledge-base or ``ner:`` id for every other NER name."""
    names = [name for name in (_clean(span, text, tokens, index) for span in spans) if name is not None]
    kept_kb = list(kb_mentions)
    linked: list[tuple[_Name, EntityMention | None]] = []  # a NER name, and the KB mention it takes over
    for name in names:
        start, end = tokens.starts[name.span_first], tokens.ends[name.last - 1]
        inside = [m for m in kept_kb if start <= m.start and m.end <= end]
        overlapping = [m for m in kept_kb if m.start < end and start < m.end]
        if len(inside) < len(overlapping) or (inside and not _has_more_names(name, inside, tokens)):
            continue  # the knowledge base has this name, or a longer one around it
        successor = _person_ending_in(name, inside, tokens)
        for mention in inside:
            kept_kb.remove(mention)
        linked.append((name, successor))
    article = _Article(text, tokens, language, index, knowledge_base)
    mentions = [*kept_kb, *_ner_mentions(linked, article, kept_kb)]
    return sorted(mentions, key=lambda mention: (mention.start, mention.end))


def _clean(span: NerSpan, text: str, tokens: TokenList, index: AliasIndex) -> _Name | None:
    """The span as token range, without determiners, titles and roles in front; None if nothing is left."""
    entity_type = LABEL_TYPES.get(span.label)
    if entity_type is None:
        return None
    first = bisect.bisect_right(tokens.ends, span.start)
    last = bisect.bisect_left(tokens.starts, span.end)
    role: str | None = None
    if entity_type in _NAME_TYPES:
        first, last = _without_lower_case_edges(first, last, tokens)
    span_first = first
    while first < last:
        key = tokens.keys[first]
        if key in DETERMINERS:
            first += 1
            continue
        if key in NAME_TITLES:
            first += 1
            span_first = first
            continue
        role_end = _role_prefix_end(first, last, tokens, index)
        if role_end is None:
            break
        role = tokens.texts[role_end - 1]  # the role word, as the knowledge-base path sets it
        first = span_first = role_end
    if first >= last:
        return None
    if role is None and first > 0 and tokens.gaps[first - 1] is Gap.SPACE and _is_role(first - 1, tokens, index):
        role = tokens.texts[first - 1]  # "Vorstandschefin Henrike Brandtner": the model left the role out
    return _Name(span_first, first, last, entity_type, role)


def _without_lower_case_edges(first: int, last: int, tokens: TokenList) -> tuple[int, int]:
    """A capitalised name does not begin or end in a lower-case word the model took in ("im
    Rowohlt Theater Verlag", "Ground Zero bauen"); titles of works may ("other"). A name all in
    lower case stays as it is: it may still be a knowledge-base alias ("nato")."""
    start, end = first, last
    while end > start and _lower_case(tokens.texts[end - 1]):
        end -= 1
    while start < end and _lower_case(tokens.texts[start]) and tokens.keys[start] not in DETERMINERS:
        start += 1
    return (start, end) if start < end else (first, last)


def _lower_case(word: str) -> bool:
    return word[:1].islower() and word not in NAME_PARTICLES


def _role_prefix_end(first: int, last: int, tokens: TokenList, index: AliasIndex) -> int | None:
    """The end of a role at ``first`` ("Sprecherin", "Pentagon-Sprecherin", "Außenminister"), or None.

    Hyphen-joined words before a role belong to it: "US-Verteidigungsminister Lloyd Austin".
    """
    position = first
    while position < last:
        if _is_role(position, tokens, index):
            return position + 1
        if tokens.gaps[position] is not Gap.HYPHEN:
            return None
        position += 1
    return None


def _is_role(position: int, tokens: TokenList, index: AliasIndex) -> bool:
    key = tokens.keys[position]
    if any(target.role for target in index.targets.get((key,), ())):
        return True
    # A closed compound ending in a role ("Vorstandschefin"); endswith with a tuple runs in C.
    if not tokens.texts[position][:1].isupper() or not key.endswith(index.role_suffix_keys):
        return False
    return any(key.endswith(suffix) and len(key) - len(suffix) >= 3 for suffix in index.role_suffix_keys)


def _has_more_names(name: _Name, inside: Sequence[EntityMention], tokens: TokenList) -> bool:
    """Whether the NER name has a capitalised word that no knowledge-base mention inside it covers."""
    covered = [(mention.start, mention.end) for mention in inside]
    for position in range(name.first, name.last):
        if not tokens.texts[position][:1].isupper():
            continue
        start, end = tokens.starts[position], tokens.ends[position]
        if not any(left <= start and end <= right for left, right in covered):
            return True
    return False


def _person_ending_in(name: _Name, inside: Sequence[EntityMention], tokens: TokenList) -> EntityMention | None:
    """A KB person ending a longer personal name ("Wladimir Wladimirowitsch Putin"): that person."""
    if name.type != "person" or len(inside) != 1 or inside[0].type != "person":
        return None
    return inside[0] if inside[0].end == tokens.ends[name.last - 1] else None


@dataclass(frozen=True, slots=True)
class _Article:
    """What linking reads besides the names: the text, its tokens and the knowledge base."""

    text: str
    tokens: TokenList
    language: str
    index: AliasIndex
    knowledge_base: KnowledgeBase


def _ner_mentions(
    linked: Sequence[tuple[_Name, EntityMention | None]], article: _Article, kb_mentions: Sequence[EntityMention]
) -> list[EntityMention]:
    text, tokens, language = article.text, article.tokens, article.language
    index, knowledge_base = article.index, article.knowledge_base
    named = {mention.entity_id for mention in kb_mentions}
    article_keys = set(tokens.keys)
    lower_case_words = {key for key, word in zip(tokens.keys, tokens.texts, strict=True) if word[:1].islower()}
    common = COMMON_WORDS.get(language, frozenset())
    candidates: list[tuple[_Name, list[str], EntityMention | None]] = []
    for name, successor in linked:
        words = tokens.texts[name.first : name.last]
        if language == "de":
            words = _without_genitive(words, article_keys)
        candidates.append((name, words, successor))
    types = _voted_types(((name.type, words) for name, words, _ in candidates), language)
    people = _full_names(candidates, kb_mentions, types)
    mentions: list[EntityMention] = []
    for name, words, successor in candidates:
        start, end = tokens.starts[name.span_first], tokens.ends[name.last - 1]
        surface = text[start:end]
        if successor is not None:
            mentions.append(_as_ner(successor, surface, start, end, name.role))
            continue
        target = lookup_surface(index, surface, language, named)
        entity = knowledge_base.entity(target.entity_id) if target and target.entity_id else None
        if entity is not None:
            mentions.append(EntityMention(entity.id, entity.name, entity.type, surface, start, end, "ner", name.role))
            continue
        person = people.get(normalise(words[0])) if len(words) == 1 else None
        if person is not None:
            mentions.append(_as_ner(person, surface, start, end, name.role))
            continue
        if len(words) == 1 and _generic(normalise(words[0]), common, lower_case_words):
            continue
        entity_type = types[_key(words)]
        display = _display(text, tokens, name, words)
        mentions.append(
            EntityMention(
                ner_entity_id(entity_type, display), display, entity_type, surface, start, end, "ner", name.role
            )
        )
    return mentions


def _display(text: str, tokens: TokenList, name: _Name, words: Sequence[str]) -> str:
    """The name as the article writes it ("Karl-Heinz Wedemeyer"), without a genitive -s cut off."""
    written = text[tokens.starts[name.first] : tokens.ends[name.last - 1]]
    cut = len(tokens.texts[name.last - 1]) - len(words[-1])
    return written[: len(written) - cut] if cut else written


def _as_ner(mention: EntityMention, surface: str, start: int, end: int, role: str | None) -> EntityMention:
    return replace(mention, surface=surface, start=start, end=end, source="ner", role=role or mention.role)


def _key(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(normalise(word) for word in words)


def _generic(key: str, common: frozenset[str], lower_case_words: set[str]) -> bool:
    """A single word that is no name: generic ("Monday", "Breezy"), common, or written in lower case elsewhere."""
    return key in GENERIC_NAME_WORDS or key in common or key in lower_case_words or len(key) < 2


def _voted_types(names: Iterable[tuple[EntityType, Sequence[str]]], language: str) -> dict[tuple[str, ...], EntityType]:
    """One type per name in an article: what its head word says ("Hancock Pond"), else the type
    most of its mentions were given."""
    votes: dict[tuple[str, ...], Counter[EntityType]] = defaultdict(Counter)
    for entity_type, words in names:
        votes[_key(words)][entity_type] += 1
    types: dict[tuple[str, ...], EntityType] = {}
    for key, counter in votes.items():
        voted = max(counter, key=lambda entity_type: (counter[entity_type], -TYPE_PRECEDENCE.index(entity_type)))
        types[key] = head_type(key, language) or voted
    return types


def head_type(key: Sequence[str], language: str) -> EntityType | None:
    """The type a name's head word gives it, if any (normalised words)."""
    organisations = _ORGANISATION_HEADS.get(language, frozenset())
    places = _LOCATION_HEADS.get(language, frozenset())
    heads = [key[-1]]
    heads += [key[position - 1] for position in range(1, len(key)) if key[position] in _HEAD_LINKERS]
    for head in heads:
        if head in organisations:
            return "organisation"
        if head in places:
            return "location"
    if language == "de" and len(key) == 1:
        # Closed compounds: "Schulstraße", "Commerzbank". Short heads ("AG", "See", "Berg") end
        # too many surnames ("Thierse", "Schönberg") to be read inside a word.
        word = key[0]
        compound_of: tuple[tuple[frozenset[str], EntityType], ...] = (
            (places, "location"),
            (organisations, "organisation"),
        )
        for heads_of_type, entity_type in compound_of:
            if any(
                len(head) >= MIN_COMPOUND_HEAD_CHARS
                and len(word) - len(head) >= MIN_COMPOUND_PREFIX_CHARS
                and word.endswith(head)
                for head in heads_of_type
            ):
                return entity_type
    return None


def _normalised(lexicon: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    return {language: frozenset(normalise(word) for word in words) for language, words in lexicon.items()}


_ORGANISATION_HEADS = _normalised(ORGANISATION_HEADS)
_LOCATION_HEADS = _normalised(LOCATION_HEADS)


def _full_names(
    candidates: Sequence[tuple[_Name, list[str], EntityMention | None]],
    kb_mentions: Sequence[EntityMention],
    types: dict[tuple[str, ...], EntityType],
) -> dict[str, EntityMention]:
    """Surname -> the person of a full name in the article (NER or KB), for lone surnames.

    A surname two people of the article share links to neither.
    """
    found: dict[str, set[str]] = defaultdict(set)
    by_id: dict[str, EntityMention] = {}
    for _name, words, successor in candidates:
        if len(words) < 2 or types[_key(words)] != "person" or successor is not None:
            continue
        display = " ".join(words)  # only the id matters here
        mention = EntityMention(ner_entity_id("person", display), display, "person", display, 0, 0, "ner")
        found[normalise(words[-1])].add(mention.entity_id)
        by_id[mention.entity_id] = mention
    for mention in kb_mentions:
        name_words_of_kb = name_words(mention.name)
        if mention.type == "person" and len(name_words_of_kb) >= 2:
            found[normalise(name_words_of_kb[-1])].add(mention.entity_id)
            by_id[mention.entity_id] = mention
    return {surname: by_id[next(iter(ids))] for surname, ids in found.items() if len(ids) == 1}


def _without_genitive(words: list[str], article_keys: set[str]) -> list[str]:
    """Strip a German genitive: an apostrophe ("Scholz'", cut by the tokeniser already) or an -s
    where the article also writes the name without it ("Kirbys" next to "Kirby"); "Paris" or
    "Siemens" stay as they are."""
    last = words[-1]
    if len(last) > 3 and last.endswith("s") and normalise(last[:-1]) in article_keys:
        return [*words[:-1], last[:-1]]
    return words
