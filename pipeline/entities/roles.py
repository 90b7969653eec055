"""From resolved matches to mentions: merging compounds and attaching roles.

A role word ("Sprecherin", "Generalsekretär", "spokeswoman", "Präsidenten") is never a mention
itself; it is set on the ``role`` of the mentions it belongs to:

* the organisation or country right before it, in a compound, as a modifier or a possessive:
  "Pentagon-Sprecherin", "NATO-Generalsekretär", "russischen Präsidenten", "Pentagon spokeswoman",
  "China's foreign minister";
* the person right after it: "Sprecherin Sabrina Singh", "Secretary General Mark Rutte";
* "role of/des/der organisation[,] person": "die Präsidentin der Europäischen Kommission,
  Ursula von der Leyen" sets "Präsidentin" on the Commission and on von der Leyen.

A person's mention is never given a role from a word before the person joined by a hyphen
("Putin-Sprecher" is Putin's spokesman, not Putin).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.entities.kb import KnowledgeBase
from pipeline.entities.lexicon import ROLE_LINKER_FILLERS, ROLE_LINKERS
from pipeline.entities.matcher import Candidate, Target, context_entities, resolve
from pipeline.entities.tokens import Gap, TokenList
from pipeline.models import EntityMention, EntityType

ROLE_HOLDER_TYPES: frozenset[EntityType] = frozenset({"organisation", "location"})


@dataclass(slots=True)
class _Found:
    """A resolved match while roles are attached (mentions themselves are frozen)."""

    first: int
    last: int
    target: Target
    role: str | None = None


def build_mentions(
    text: str, tokens: TokenList, candidates: Sequence[Candidate], knowledge_base: KnowledgeBase
) -> list[EntityMention]:
    """Resolve candidates against the text, merge compounds, attach roles, make mentions."""
    named = context_entities(candidates)
    entities: list[_Found] = []
    roles: list[_Found] = []
    for candidate in candidates:
        target = resolve(candidate, named)
        if target is None:
            continue
        found = _Found(candidate.first, candidate.last, target)
        if target.entity_id is None:
            # The role as written in the text, without inflection: "Präsidenten" -> "Präsident".
            written = text[tokens.starts[candidate.first] : tokens.ends[candidate.last - 1]]
            found.role = written[: len(written) - target.trim]
            roles.append(found)
        else:
            entities.append(found)
    entities = _merge_hyphenated(entities, tokens)
    _attach_roles(entities, roles, tokens, text)
    mentions: list[EntityMention] = []
    for found in entities:
        entity = knowledge_base.entity(found.target.entity_id or "")
        if entity is None:
            continue
        start, end = tokens.starts[found.first], tokens.ends[found.last - 1]
        mentions.append(
            EntityMention(
                entity_id=entity.id,
                name=entity.name,
                type=entity.type,
                surface=text[start:end],
                start=start,
                end=end,
                source="kb",
                role=found.role,
                derived=found.target.kind == "demonym",
            )
        )
    return mentions


def _merge_hyphenated(entities: list[_Found], tokens: TokenList) -> list[_Found]:
    """ "US-amerikanische" is one mention of the United States, not two."""
    merged: list[_Found] = []
    for found in entities:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.target.entity_id == found.target.entity_id
            and previous.last == found.first
            and tokens.gaps[previous.last - 1] is Gap.HYPHEN
        ):
            previous.last = found.last
            continue
        merged.append(found)
    return merged


def _attach_roles(entities: list[_Found], roles: list[_Found], tokens: TokenList, text: str) -> None:
    if not roles:
        return
    ending_at = {found.last: found for found in entities}
    starting_at = {found.first: found for found in entities}
    gaps = tokens.gaps
    for role in roles:
        role_text = role.role
        holder = ending_at.get(role.first)
        if (
            holder is not None
            and gaps[role.first - 1] in (Gap.HYPHEN, Gap.SPACE, Gap.POSSESSIVE)
            and holder.target.entity_type in ROLE_HOLDER_TYPES
        ):
            _set_role(holder, role_text)
        person = starting_at.get(role.last)
        if person is not None and gaps[role.last - 1] is Gap.SPACE:
            if person.target.entity_type == "person":
                _set_role(person, role_text)
            continue
        organisation = _linked_organisation(role, starting_at, tokens)
        if organisation is None:
            continue
        _set_role(organisation, role_text)
        follower = starting_at.get(organisation.last)
        if follower is not None and follower.target.entity_type == "person":
            between = text[tokens.ends[organisation.last - 1] : tokens.starts[follower.first]]
            if between.strip() in ("", ","):
                _set_role(follower, role_text)


def _linked_organisation(role: _Found, starting_at: dict[int, _Found], tokens: TokenList) -> _Found | None:
    """The organisation in "Sprecherin des Pentagons" or "head of the UN"."""
    position = role.last
    count = len(tokens)
    if position >= count or tokens.gaps[position - 1] is not Gap.SPACE:
        return None
    if tokens.keys[position] not in ROLE_LINKERS:
        return None
    position += 1
    if position < count and tokens.keys[position] in ROLE_LINKER_FILLERS and tokens.gaps[position - 1]:
        position += 1
    if position >= count or not tokens.gaps[position - 1]:
        return None
    organisation = starting_at.get(position)
    if organisation is None or organisation.target.entity_type not in ROLE_HOLDER_TYPES:
        return None
    return organisation


def _set_role(found: _Found, role: str | None) -> None:
    if found.role is None and role:
        found.role = role
