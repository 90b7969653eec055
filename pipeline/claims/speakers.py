"""Who a speaker span is: name, role, linked entity and organisation; pronouns resolved.

"Pentagon-Sprecherin Sabrina Singh" -> role "Sprecherin", name "Sabrina Singh", organisation
the entity mention "Pentagon" (inside the compound, or any mention whose surface is the
compound's first part). A pronoun ("sagte er", "she said") takes the identity of the single
person named in the recent context; with none or several it stays unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.claims.lexicon import ENGLISH_ROLES, GERMAN_DETERMINERS, GERMAN_ROLES
from pipeline.claims.text import words
from pipeline.models import EntityMention

PRONOUNS = words("er sie he she ihm him her")
_ALL_ROLES = GERMAN_ROLES | ENGLISH_ROLES
# A German compound ending in a role: "Regierungssprecher", "Verteidigungsministerin".
_GERMAN_ROLE_SUFFIX = re.compile("(?:" + "|".join(sorted(GERMAN_ROLES, key=len, reverse=True)) + ")$")
_DETERMINERS = GERMAN_DETERMINERS | words("the a an his her their its mr mrs ms dr")
_WORD = re.compile(r"[\w’'.-]+")
_NAME_TOKEN = re.compile(r"[\w’'.-]+|[^\w\s]")
# How far back (in sentences) a pronoun looks for its antecedent: the seed's "..., sagte er"
# two sentences after "Pentagon-Sprecherin Sabrina Singh" must resolve, a person named three
# sentences earlier (Rutte) must not compete.
PRONOUN_WINDOW = 2


@dataclass(frozen=True, slots=True)
class SpeakerIdentity:
    """What we know about a speaker beyond the span's text."""

    name: str | None = None
    role: str | None = None
    entity_id: str | None = None
    organisation_id: str | None = None

    @property
    def is_organisation(self) -> bool:
        """Only an organisation is known (no role, no person): not an antecedent for "er"/"she"."""
        return self.entity_id is not None and self.entity_id == self.organisation_id and self.role is None

    @property
    def key(self) -> str | None:
        return self.entity_id or self.organisation_id or (normalise_name(self.name) if self.name else None)


def normalise_name(name: str) -> str:
    """Case-folded, determiner-free, single-spaced: "Die  Bundesregierung" -> "bundesregierung"."""
    parts = [part for part in name.casefold().split() if part not in _DETERMINERS]
    return " ".join(parts).strip(" ,.;:()„“”\"'")


@lru_cache(maxsize=4096)
def role_of(word: str) -> str | None:
    """The role a word names: "Pentagon-Sprecherin" -> "Sprecherin", "Regierungssprecher" -> "Sprecher"."""
    tail = word.rsplit("-", 1)[-1]
    lower = tail.lower()
    if lower in _ALL_ROLES:
        return tail
    found = _GERMAN_ROLE_SUFFIX.search(lower)
    if found is None or found.start() < 3:
        return None
    return tail[found.start() :].capitalize()


def _overlapping(entities: Sequence[EntityMention], start: int, end: int) -> list[EntityMention]:
    return [entity for entity in entities if entity.start < end and entity.end > start]


def describe(text: str, start: int, end: int, entities: Sequence[EntityMention]) -> SpeakerIdentity:
    """Name, role, entity and organisation of the speaker span ``text[start:end]``."""
    role: str | None = None
    organisation_surface: str | None = None
    runs: list[list[str]] = []  # capitalised word runs that can be a name
    current: list[str] | None = []  # None: the current run cannot start a name
    for match in _NAME_TOKEN.finditer(text, start, end):
        word = match.group()
        found = role_of(word) if word[:1].isalpha() else None
        if found:
            if role is None:
                role = found
                organisation_surface = word.rsplit("-", 1)[0] if "-" in word else None
            current = []  # "Sprecherin Sabrina Singh": a name follows a role
            continue
        if word[:1].isupper() and word.lower() not in _DETERMINERS:
            if current is not None:
                current.append(word)
                if len(current) == 1:
                    runs.append(current)
            continue
        if current and word.lower() in {"von", "van", "de", "der", "al", "bin"}:
            current.append(word)
            continue
        # A name can follow a comma (an apposition) or a determiner ("der Chef", "Die Ärztin X").
        current = [] if word == "," or word.lower() in _DETERMINERS else None
    name_runs = [" ".join(run).strip() for run in runs if run and run[-1][:1].isupper()]
    name = name_runs[-1] if name_runs else (normalise_name(text[start:end]) or None)
    mentions = _overlapping(entities, start, end)
    # The speaker is the last person of the span, like the name: "Wedemeyers Stellvertreterin
    # Aylin Kocabaş" is Kocabaş, not Wedemeyer.
    people = [m.entity_id for m in mentions if m.type == "person"]
    person = people[-1] if people else None
    organisation = next((m.entity_id for m in mentions if m.type == "organisation"), None)
    if organisation is None and organisation_surface:
        wanted = organisation_surface.casefold().removeprefix("us-")
        organisation = next(
            (
                m.entity_id
                for m in entities
                if m.type == "organisation" and wanted in {m.surface.casefold(), m.name.casefold()}
            ),
            None,
        )
    entity = person or organisation or next((m.entity_id for m in mentions), None)
    return SpeakerIdentity(name=name, role=role, entity_id=entity, organisation_id=organisation)


def is_pronoun(text: str) -> bool:
    return text.strip().lower() in PRONOUNS


def named_people(text: str, start: int, end: int, entities: Sequence[EntityMention]) -> list[SpeakerIdentity]:
    """People named in ``text[start:end]``: person mentions and "<role> <Name>" phrases."""
    people = [
        SpeakerIdentity(name=m.name, role=m.role, entity_id=m.entity_id)
        for m in entities
        if m.type == "person" and start <= m.start < end
    ]
    tokens = list(_WORD.finditer(text, start, end))
    for index, match in enumerate(tokens):
        if role_of(match.group()) is None:
            continue
        following = [t for t in tokens[index + 1 : index + 4]]
        names = []
        for token in following:
            if not token.group()[:1].isupper() or token.group().lower() in _DETERMINERS:
                break
            names.append(token)
        if names:
            people.append(describe(text, match.start(), names[-1].end(), entities))
    return people


def unique_antecedent(candidates: Sequence[SpeakerIdentity]) -> SpeakerIdentity | None:
    """The one person among the candidates (by key), or None when there are none or several."""
    by_key: dict[str, SpeakerIdentity] = {}
    for candidate in candidates:
        key = candidate.key
        if candidate.is_organisation or (candidate.name or "")[:1].islower():
            continue
        if key and key not in by_key:
            by_key[key] = candidate
    # "Singh" and "Sabrina Singh" (with an entity id) are one person: compare family names.
    distinct_names = {normalise_name(c.name).rpartition(" ")[2] for c in by_key.values() if c.name}
    if len(by_key) == 1 or (by_key and len(distinct_names) == 1):
        return next(iter(by_key.values()))
    return None
