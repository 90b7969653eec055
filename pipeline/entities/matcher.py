"""The one-pass matcher: a hash of alias token sequences, longest match first.

At build time every name, alias, demonym, surname and role of the knowledge base is expanded
into its inflected forms (``german``) and stored under its normalised token tuple, together with
the rules for accepting a match (case, language, strength). At match time the text is
tokenised once and scanned left to right; at each token only the alias lengths that start with
that token are tried, longest first, so the cost is one or two dictionary look-ups per token
whatever the size of the knowledge base.

After the scan, matches are resolved against the article: weak forms (surnames, ambiguous
aliases such as "Korea") link only to an entity that the same text names unambiguously; then
roles are attached ("Pentagon-Sprecherin Sabrina Singh": role "Sprecherin" on the Pentagon and
on Sabrina Singh, see ``roles``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum

from pipeline.entities.german import demonym_variants, name_variants, role_variants, split_direction_prefix
from pipeline.entities.kb import KnowledgeBase, MatchForm
from pipeline.entities.lexicon import DETERMINERS
from pipeline.entities.tokens import Gap, TokenList, alias_key, alias_tokens, name_words, normalise, tokenize
from pipeline.models import EntityType

# Closed compounds ending in a role ("Regierungssprecher", "Außenministerin") are recognised
# by suffix; the token must be longer than the role word by at least this many characters so
# that the role word itself is not read as a compound.
MIN_COMPOUND_PREFIX_CHARS = 3
MIN_ROLE_SUFFIX_CHARS = 4
# Neither kind of closed compound is shorter than this ("Nordirak" is the shortest place).
MIN_COMPOUND_CHARS = 7


class CaseRule(IntEnum):
    """How the case of the text must agree with the alias."""

    ANY = 0  # German country adjectives and roles: "nordkoreanische", "Russischen Medien"
    TITLE = 1  # words capitalised in the alias must be capitalised in the text
    EXACT = 2  # acronyms that are also words: "US" but not "us", "WHO" but not "who"


@dataclass(frozen=True, slots=True)
class Target:
    """What a token sequence may stand for: an entity (by one of its forms) or a role."""

    entity_id: str | None
    entity_type: EntityType | None
    role: str | None
    kind: str
    case: CaseRule
    pattern: tuple[str, ...]
    languages: frozenset[str] | None
    strong: bool
    rank: int  # 0 a form as written in the knowledge base, 1 an inflected form
    trim: int = 0  # roles: characters of inflection to cut from the text ("Präsidenten" -> 5+2)


@dataclass(slots=True)
class Candidate:
    """A matched token range and the targets that accepted it."""

    first: int
    last: int  # exclusive
    targets: list[Target]


class AliasIndex:
    """Normalised token tuples of every form in the knowledge base, with their targets."""

    def __init__(self, knowledge_base: KnowledgeBase) -> None:
        collected: dict[tuple[str, ...], list[Target]] = defaultdict(list)
        ambiguous_keys = {alias_key(entry.alias) for entry in knowledge_base.ambiguous}
        for entity in knowledge_base.entities:
            for form in entity.match_forms():
                for key, target in _entity_targets(entity.id, entity.type, form):
                    if key in ambiguous_keys and target.strong:
                        target = _weakened(target)
                    collected[key].append(target)
        for entry in knowledge_base.ambiguous:
            for entity_id in entry.entity_ids:
                candidate = knowledge_base.entity(entity_id)
                if candidate is None:
                    continue  # the loader rejects unknown ids; nothing to index
                ambiguous_form = MatchForm(entry.alias, "ambiguous", None, False, False, "name")
                for key, target in _entity_targets(candidate.id, candidate.type, ambiguous_form):
                    collected[key].append(target)
        self.role_suffixes: dict[str, tuple[str, str]] = {}
        for role_forms in knowledge_base.roles.values():
            for role_form in role_forms:
                for key, target in _role_targets(role_form):
                    collected[key].append(target)
                    # German role nouns end closed compounds ("Regierungssprecher"); English
                    # role words do not ("Birkenhead" is no head), so only capitalised forms.
                    if len(key) == 1 and len(key[0]) >= MIN_ROLE_SUFFIX_CHARS and role_form[:1].isupper():
                        variant = target.pattern[0]
                        self.role_suffixes[key[0]] = (variant, variant[: len(variant) - target.trim])
        self.targets: dict[tuple[str, ...], tuple[Target, ...]] = {
            key: _prioritised(targets) for key, targets in collected.items()
        }
        lengths: dict[str, set[int]] = defaultdict(set)
        for key in self.targets:
            lengths[key[0]].add(len(key))
        self.first_lengths: dict[str, tuple[int, ...]] = {
            first: tuple(sorted(values, reverse=True)) for first, values in lengths.items()
        }
        # Longest suffix first, so "generalsekretarin" is read as a whole role, not as "...in".
        self.role_suffix_keys: tuple[str, ...] = tuple(sorted(self.role_suffixes, key=len, reverse=True))

    def __len__(self) -> int:
        return len(self.targets)


def _entity_targets(
    entity_id: str, entity_type: EntityType, form: MatchForm
) -> Iterable[tuple[tuple[str, ...], Target]]:
    tokens = alias_tokens(form.text)
    if form.case_sensitive:
        case = CaseRule.EXACT
    elif form.inflection == "demonym-de":
        case = CaseRule.ANY
    else:
        case = CaseRule.TITLE
    rank_of_base = 0 if form.strong else 1
    forms: list[tuple[tuple[str, ...], int]] = [(tokens, rank_of_base)]
    if form.inflection == "name":
        forms.extend((variant, 1) for variant in name_variants(tokens))
    elif form.inflection in ("demonym-de", "demonym-en"):
        forms = [(variant, rank_of_base) for variant in demonym_variants(tokens, form.inflection[-2:])]
    for pattern, rank in forms:
        key = tuple(normalise(token) for token in pattern)
        yield key, Target(entity_id, entity_type, None, form.kind, case, pattern, form.languages, form.strong, rank)


def _role_targets(form: str) -> Iterable[tuple[tuple[str, ...], Target]]:
    tokens = alias_tokens(form)
    variants = role_variants(tokens[-1]) if tokens else []
    for variant, base in variants:
        pattern = (*tokens[:-1], variant)
        key = tuple(normalise(token) for token in pattern)
        trim = len(variant) - len(base)
        yield key, Target(None, None, form, "role", CaseRule.ANY, pattern, None, True, 0, trim)


def _weakened(target: Target) -> Target:
    return replace(target, kind="ambiguous", strong=False)


def _prioritised(targets: list[Target]) -> tuple[Target, ...]:
    """Drop inflected forms that collide with another entity's form as written, dedupe."""
    base_entities = {t.entity_id for t in targets if t.strong and t.rank == 0 and t.entity_id}
    kept: list[Target] = []
    for target in targets:
        if target.strong and target.rank > 0 and base_entities and target.entity_id not in base_entities:
            continue
        if target not in kept:
            kept.append(target)
    strong_entities = {t.entity_id for t in kept if t.strong and t.entity_id}
    if len(strong_entities) > 1 and all(t.languages is None for t in kept if t.strong and t.entity_id):
        # Two inflected forms of different entities meet: neither may link without context.
        kept = [_weakened(t) if t.strong and t.entity_id else t for t in kept]
    return tuple(kept)


def accepts(target: Target, tokens: TokenList, first: int, last: int, language: str | None) -> bool:
    """Whether the text tokens ``first:last`` satisfy the target's language and case rules."""
    if target.languages is not None and language is not None and language not in target.languages:
        return False
    if target.case is CaseRule.ANY:
        return True
    texts = tokens.texts
    if target.case is CaseRule.EXACT:
        return all(texts[first + offset] == word for offset, word in enumerate(target.pattern))
    for offset, word in enumerate(target.pattern):
        if word[:1].isupper() and not texts[first + offset][:1].isupper():
            return False
    return True


def scan(index: AliasIndex, tokens: TokenList, language: str | None) -> list[Candidate]:
    """One left-to-right pass: the longest accepted alias at each position, then move past it."""
    candidates: list[Candidate] = []
    keys, gaps = tokens.keys, tokens.gaps
    targets_of, first_lengths = index.targets, index.first_lengths
    count = len(keys)
    position = 0
    while position < count:
        key = keys[position]
        found: Candidate | None = None
        for length in first_lengths.get(key, ()):
            end = position + length
            if end > count:
                continue
            if length == 1:
                sequence: tuple[str, ...] = (key,)
            else:
                if not all(gaps[inner] for inner in range(position, end - 1)):
                    continue
                sequence = tuple(keys[position:end])
            options = targets_of.get(sequence)
            if not options:
                continue
            accepted = [t for t in options if accepts(t, tokens, position, end, language)]
            if accepted:
                found = Candidate(position, end, accepted)
                break
        if found is None and len(key) >= MIN_COMPOUND_CHARS:
            found = _compound_candidate(index, tokens, position, language)
        if found is not None:
            candidates.append(found)
            position = found.last
        else:
            position += 1
    return candidates


def _compound_candidate(index: AliasIndex, tokens: TokenList, position: int, language: str | None) -> Candidate | None:
    """Closed compounds: "Ostukraine" (a place with a compass prefix), "Regierungssprecher"."""
    key = tokens.keys[position]
    text = tokens.texts[position]
    remainder = split_direction_prefix(key)
    if remainder is not None:
        places = [
            t
            for t in index.targets.get((remainder,), ())
            if t.strong
            and t.entity_type == "location"
            and (t.languages is None or language is None or language in t.languages)
            and (t.case is CaseRule.ANY or text[:1].isupper())
        ]
        if places:
            return Candidate(position, position + 1, places)
    if text[:1].isupper() and key.endswith(index.role_suffix_keys):
        for suffix in index.role_suffix_keys:
            if key.endswith(suffix) and len(key) - len(suffix) >= MIN_COMPOUND_PREFIX_CHARS:
                variant, base = index.role_suffixes[suffix]
                # The role as written, uninflected: "Außenministers" -> "Außenminister".
                trim = len(variant) - len(base)
                role = text[: len(text) - trim]
                target = Target(None, None, role, "role", CaseRule.ANY, (text,), None, True, 0, trim)
                return Candidate(position, position + 1, [target])
    return None


def context_entities(candidates: Sequence[Candidate]) -> set[str]:
    """Entities named unambiguously (by a strong form) somewhere in the text."""
    named: set[str] = set()
    for candidate in candidates:
        strong = {t.entity_id for t in candidate.targets if t.strong and t.entity_id}
        if len(strong) == 1:
            named |= strong
    return named


def resolve(candidate: Candidate, named: set[str]) -> Target | None:
    """The one target a candidate stands for in this text, or None if it stays ambiguous."""
    weak_hits = {t.entity_id for t in candidate.targets if not t.strong and t.entity_id in named}
    if len(weak_hits) == 1:
        entity_id = weak_hits.pop()
        return next(t for t in candidate.targets if t.entity_id == entity_id)
    strong = [t for t in candidate.targets if t.strong and t.entity_id]
    if len({t.entity_id for t in strong}) == 1:
        return strong[0]
    roles = [t for t in candidate.targets if t.role]
    if roles and not strong:
        return roles[0]
    return None


def lookup_surface(index: AliasIndex, surface: str, language: str | None, named: set[str]) -> Target | None:
    """Link a surface found by NER to a knowledge-base entity via its aliases, if possible."""
    words = list(name_words(surface))
    while words and normalise(words[0]) in DETERMINERS:
        words.pop(0)
    if not words:
        return None
    options = index.targets.get(tuple(normalise(word) for word in words), ())
    usable = [
        t for t in options if t.entity_id and (t.languages is None or language is None or language in t.languages)
    ]
    if not usable:
        return None
    # A surname alone still needs the full name in the article: NER saying "this is a
    # person" does not tell which Singh it is.
    return resolve(Candidate(0, len(words), usable), named)


def scan_text(index: AliasIndex, text: str, language: str | None) -> tuple[TokenList, list[Candidate]]:
    """Tokenise ``text`` and scan it."""
    tokens = tokenize(text)
    return tokens, scan(index, tokens, language)


__all__ = [
    "AliasIndex",
    "Candidate",
    "CaseRule",
    "Gap",
    "Target",
    "accepts",
    "context_entities",
    "lookup_surface",
    "resolve",
    "scan",
    "scan_text",
]
