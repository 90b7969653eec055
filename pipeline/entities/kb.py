"""The knowledge base (config/entities.yaml): entities, roles and ambiguous aliases, validated.

Each entity has a canonical id (a Wikidata QID such as "Q7747", or a project id "nh:<slug>"
where no QID is certain), a type, a preferred name per language (at least en and de), aliases
(transliterations, spellings, acronyms), country adjectives ("demonyms") per language, and
optionally surnames. The file format is described in docs/entities.md.

Rules enforced at load time, so that a bad edit fails at start-up with the file, the key and
the fix in the message:

* ids are unique and well formed; every entity has en and de names;
* an alias (after normalisation) belongs to one entity, unless it is listed under
  ``ambiguous`` with its candidates (then it links only when one candidate is named elsewhere
  in the same article);
* a one-word alias that is a common word ("Die", "Mark", "us") is refused unless it is an
  upper-case acronym listed under ``case_sensitive`` ("US", "WHO");
* every ``case_sensitive`` entry is one of the entity's names or aliases.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from pipeline.entities.lexicon import ALL_COMMON_WORDS, COMMON_WORDS
from pipeline.entities.tokens import alias_key, alias_tokens
from pipeline.errors import ConfigError
from pipeline.models import KNOWLEDGE_BASE_ID, EntityType
from pipeline.settings import read_yaml_mapping, validated

LANGUAGE_PATTERN = re.compile(r"[a-z]{2}")
REQUIRED_NAME_LANGUAGES = ("en", "de")
# Upper-case aliases up to this length are matched case-sensitively without being listed:
# "US" must not match "us", "UNO" not the Italian "uno", "AP" not "ap".
AUTO_CASE_SENSITIVE_MAX_CHARS = 3

FormKind = Literal["name", "alias", "demonym", "surname", "ambiguous"]
Inflection = Literal["name", "demonym-de", "demonym-en", "none"]


@dataclass(frozen=True, slots=True)
class MatchForm:
    """One way an entity can be written, with the rules for matching it."""

    text: str
    kind: FormKind
    languages: frozenset[str] | None  # None: matched in text of any language
    case_sensitive: bool
    strong: bool  # False: links only if the entity is named unambiguously elsewhere in the text
    inflection: Inflection


@dataclass(frozen=True, slots=True)
class KnownEntity:
    """An entity of the knowledge base."""

    id: str
    type: EntityType
    names: Mapping[str, str]
    aliases: tuple[str, ...] = ()
    language_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    demonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    case_sensitive: tuple[str, ...] = ()
    surnames: tuple[str, ...] = ()
    note: str | None = None

    @property
    def name(self) -> str:
        """The canonical display name (English), the same whatever the article's language."""
        return self.names.get("en") or next(iter(self.names.values()))

    def name_in(self, language: str | None) -> str:
        """The preferred name in ``language``, else the canonical name."""
        return self.names.get(language or "", self.name)

    def match_forms(self) -> tuple[MatchForm, ...]:
        """Every name, alias, demonym and surname of the entity with its matching rules."""
        exact = set(self.case_sensitive)
        forms: list[MatchForm] = []
        strong_texts: set[str] = set()

        def add(text: str, kind: FormKind, languages: frozenset[str] | None, inflection: Inflection) -> None:
            case_sensitive = text in exact or _is_short_acronym(text)
            strong = kind in ("name", "alias", "demonym")
            if strong:
                strong_texts.add(text)
            forms.append(MatchForm(text, kind, languages, case_sensitive, strong, inflection))

        for language, name in self.names.items():
            add(name, "name", _name_languages(name, language), "none" if name in exact else "name")
        for alias in self.aliases:
            add(alias, "alias", None, "none" if alias in exact else "name")
        for language, aliases in self.language_aliases.items():
            for alias in aliases:
                add(alias, "alias", frozenset({language}), "none" if alias in exact else "name")
        for language, demonyms in self.demonyms.items():
            inflection: Inflection = "demonym-de" if language == "de" else "demonym-en"
            for demonym in demonyms:
                add(demonym, "demonym", None, inflection)
        for surname in self.surnames or self._derived_surnames():
            if surname not in strong_texts:
                add(surname, "surname", None, "name")
        return tuple(forms)

    def _derived_surnames(self) -> tuple[str, ...]:
        """Last words of a person's names ("Singh" from "Sabrina Singh"), for context linking."""
        if self.type != "person":
            return ()
        surnames: list[str] = []
        for name in self.names.values():
            tokens = alias_tokens(name)
            last = tokens[-1] if len(tokens) >= 2 else ""
            if len(last) >= 3 and last.casefold() not in ALL_COMMON_WORDS and last not in surnames:
                surnames.append(last)
        return tuple(surnames)


@dataclass(frozen=True, slots=True)
class AmbiguousAlias:
    """An alias shared by several entities ("Korea"): linked only with context from the article."""

    alias: str
    entity_ids: tuple[str, ...]


@dataclass(frozen=True)
class KnowledgeBase:
    """All entities, roles and ambiguous aliases of one knowledge-base file."""

    source: Path
    entities: tuple[KnownEntity, ...]
    roles: Mapping[str, tuple[str, ...]]  # role key ("spokesperson") -> its forms ("Sprecherin"...)
    ambiguous: tuple[AmbiguousAlias, ...] = ()
    _by_id: dict[str, KnownEntity] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {entity.id: entity for entity in self.entities})

    def entity(self, entity_id: str) -> KnownEntity | None:
        """The entity with this id, or None."""
        return self._by_id.get(entity_id)

    def role_key(self, form: str) -> str | None:
        """The role a form belongs to ("Sprecherin" -> "spokesperson"), or None."""
        wanted = form.casefold()
        for key, forms in self.roles.items():
            if any(candidate.casefold() == wanted for candidate in forms):
                return key
        return None


class _StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _EntityEntry(_StrictModel):
    id: str
    type: EntityType
    names: dict[str, str]
    aliases: list[str] = []
    language_aliases: dict[str, list[str]] = {}
    demonyms: dict[str, list[str]] = {}
    case_sensitive: list[str] = []
    surnames: list[str] = []
    note: str | None = None


class _AmbiguousEntry(_StrictModel):
    alias: str
    entities: list[str]


class _KnowledgeBaseFile(_StrictModel):
    version: Literal[1]
    roles: dict[str, list[str]] = {}
    ambiguous: list[_AmbiguousEntry] = []
    entities: list[_EntityEntry]


def load_knowledge_base(path: Path) -> KnowledgeBase:
    """Read and validate a knowledge-base file; a bad file or key raises ConfigError."""
    return parse_knowledge_base(read_yaml_mapping(path), path)


def parse_knowledge_base(data: Mapping[str, Any], path: Path) -> KnowledgeBase:
    """Validate already-loaded YAML data (``path`` is used in error messages)."""
    file = str(path)

    def entity_name(collection: str, index: int) -> str | None:
        """ "entities[3] (Q423)": the id says which entry is meant better than the position."""
        entries = data.get("entities") if collection == "entities" else None
        if not isinstance(entries, list) or index >= len(entries) or not isinstance(entries[index], dict):
            return None
        return entity_key(index, str(entries[index].get("id", "?")))

    raw = validated(_KnowledgeBaseFile, data, file, docs="docs/entities.md", item_name=entity_name)
    _check_unique_ids(raw.entities, file)
    entities = tuple(_build_entity(entry, index, file) for index, entry in enumerate(raw.entities))
    roles = {key: tuple(forms) for key, forms in raw.roles.items()}
    ambiguous = tuple(AmbiguousAlias(entry.alias, tuple(entry.entities)) for entry in raw.ambiguous)
    knowledge_base = KnowledgeBase(path, entities, roles, ambiguous)
    _check_roles(roles, file)
    _check_ambiguous(knowledge_base, file)
    _check_alias_collisions(knowledge_base, file)
    return knowledge_base


def entity_key(index: int, entity_id: str) -> str:
    """How an entity is named in error messages: its position and id."""
    return f"entities[{index}] ({entity_id})"


def _build_entity(entry: _EntityEntry, index: int, file: str) -> KnownEntity:
    where = entity_key(index, entry.id)
    if not KNOWLEDGE_BASE_ID.fullmatch(entry.id):
        raise ConfigError(
            file,
            f"{where}.id",
            f"{entry.id!r} is neither a Wikidata QID nor a project id",
            'use "Q<digits>" only for a QID you are certain of, else "nh:<lowercase-slug>"',
        )
    missing = [language for language in REQUIRED_NAME_LANGUAGES if not entry.names.get(language)]
    if missing:
        raise ConfigError(file, f"{where}.names", f"no name for {', '.join(missing)}", "add names.en and names.de")
    for language in (*entry.names, *entry.language_aliases, *entry.demonyms):
        if not LANGUAGE_PATTERN.fullmatch(language):
            raise ConfigError(file, f"{where}", f"{language!r} is not a two-letter language code", "use en, de...")
    entity = KnownEntity(
        id=entry.id,
        type=entry.type,
        names=dict(entry.names),
        aliases=tuple(entry.aliases),
        language_aliases={language: tuple(items) for language, items in entry.language_aliases.items()},
        demonyms={language: tuple(items) for language, items in entry.demonyms.items()},
        case_sensitive=tuple(entry.case_sensitive),
        surnames=tuple(entry.surnames),
        note=entry.note,
    )
    written = {*entity.names.values(), *entity.aliases, *_flatten(entity.language_aliases)}
    for text in entity.case_sensitive:
        if text not in written:
            raise ConfigError(
                file, f"{where}.case_sensitive", f"{text!r} is not a name or alias", "add it to aliases first"
            )
    for form in entity.match_forms():
        _check_form(form, f"{where}.{_FIELD_OF_KIND[form.kind]}", file)
    return entity


_FIELD_OF_KIND = {
    "name": "names",
    "alias": "aliases",
    "demonym": "demonyms",
    "surname": "surnames",
    "ambiguous": "ambiguous",
}


def _check_form(form: MatchForm, key: str, file: str) -> None:
    tokens = alias_tokens(form.text)
    if not tokens:
        raise ConfigError(file, key, f"{form.text!r} contains no word", "remove it")
    if len(tokens) > 1 or form.kind in ("surname", "ambiguous"):
        return
    word = tokens[0].casefold()
    common = (
        ALL_COMMON_WORDS
        if form.languages is None
        else frozenset().union(*(COMMON_WORDS.get(language, frozenset()) for language in form.languages))
    )
    if word in common and not (form.case_sensitive and tokens[0].isupper()):
        raise ConfigError(
            file,
            key,
            f"{form.text!r} is a common word and would link every occurrence of it",
            "use a longer alias, or list an upper-case acronym under case_sensitive",
        )


def _is_short_acronym(text: str) -> bool:
    letters = text.replace(".", "")
    return letters.isalpha() and letters.isupper() and len(letters) <= AUTO_CASE_SENSITIVE_MAX_CHARS


def _name_languages(name: str, language: str) -> frozenset[str] | None:
    """A name that is a common word in another language ("Island") is matched only in its own."""
    word = name.casefold()
    for other, words in COMMON_WORDS.items():
        if other != language and word in words:
            return frozenset({language})
    return None


def _flatten(mapping: Mapping[str, tuple[str, ...]]) -> Iterable[str]:
    for items in mapping.values():
        yield from items


def _check_unique_ids(entries: list[_EntityEntry], file: str) -> None:
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        if entry.id in seen:
            raise ConfigError(
                file,
                f"{entity_key(index, entry.id)}.id",
                f"id {entry.id!r} also used by entities[{seen[entry.id]}]",
                "merge the two entries; ids must be unique",
            )
        seen[entry.id] = index


def _check_roles(roles: Mapping[str, tuple[str, ...]], file: str) -> None:
    owner: dict[tuple[str, ...], str] = {}
    for key, forms in roles.items():
        for form in forms:
            form_key = alias_key(form)
            if not form_key:
                raise ConfigError(file, f"roles.{key}", f"{form!r} contains no word", "remove it")
            if owner.get(form_key, key) != key:
                raise ConfigError(
                    file, f"roles.{key}", f"{form!r} is also a form of role {owner[form_key]!r}", "keep it in one role"
                )
            owner[form_key] = key


def _check_ambiguous(knowledge_base: KnowledgeBase, file: str) -> None:
    for index, entry in enumerate(knowledge_base.ambiguous):
        for entity_id in entry.entity_ids:
            if knowledge_base.entity(entity_id) is None:
                raise ConfigError(
                    file,
                    f"ambiguous[{index}].entities",
                    f"unknown entity id {entity_id!r}",
                    "add the entity or fix the id",
                )


def _check_alias_collisions(knowledge_base: KnowledgeBase, file: str) -> None:
    """Every strong form maps to one entity (per language), unless declared ambiguous."""
    declared = {alias_key(entry.alias) for entry in knowledge_base.ambiguous}
    owners: dict[tuple[str, ...], dict[str, tuple[int, MatchForm]]] = defaultdict(dict)
    for index, entity in enumerate(knowledge_base.entities):
        for form in entity.match_forms():
            if not form.strong:
                continue
            key = alias_key(form.text)
            if key in declared:
                continue
            for other_id, (other_index, other_form) in owners[key].items():
                if other_id != entity.id and _languages_overlap(form.languages, other_form.languages):
                    raise ConfigError(
                        file,
                        f"{entity_key(index, entity.id)}.{_FIELD_OF_KIND[form.kind]}",
                        f"{form.text!r} is also a name of {entity_key(other_index, other_id)}",
                        "remove it from one entity, or list it under ambiguous with both ids",
                    )
            owners[key].setdefault(entity.id, (index, form))


def _languages_overlap(first: frozenset[str] | None, second: frozenset[str] | None) -> bool:
    return first is None or second is None or bool(first & second)
