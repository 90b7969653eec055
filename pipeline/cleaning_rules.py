"""Cleaning rules: the line patterns of ``config/cleaning.yaml``, loaded once into validated objects.

A rules file looks like this (see docs/extraction.md for the whole format)::

    extends: cleaning.yaml        # optional: start from another file (path relative to this one)
    disable: [credit-line]        # optional: switch off rules of the extended files by name
    settings:
      edge_lines: 3               # "start"/"end" rules look at this many lines at each end
      headline_repeat: true       # drop leading lines that repeat the title
      headline_fragments: true    # drop short lines that are a large piece of the title
    agencies:                     # news agencies: the name recorded -> how texts write it
      AP: [Associated Press, The Associated Press]
    rules:
      any:                        # every language
        - name: url-only
          match: '^https?://\\S+$'
        - name: agency-dateline
          cut: prefix             # line (default) | prefix | suffix: cut only the matched piece
          match: '^[A-Z]+ \\((?P<agency>{agency})\\) - '
      de:                         # only text in this language (or of unknown language)
        - name: read-more-de
          match: '^lesen sie (mehr|auch)\\b'
          max_words: 30
          where: anywhere         # anywhere | start | end | edges

``{agency}`` in a pattern stands for any one name of the agencies table, ``{agencies}`` for one or
more joined by "/", ",", "&", "und", "and"; both match case-insensitively. What a rule's named
groups ``agency`` and ``byline`` match is kept as the article's metadata (``CleanedText.agency``,
``CleanedText.byline``); no other group names are allowed.

A ``line`` rule removes the whole line. A ``prefix`` rule (pattern anchored with ``^``) cuts the
matched start off a line and keeps the rest, a ``suffix`` rule (anchored with ``$``) its end: a
dateline is the start of the first paragraph, not a line of its own. For a cut, ``max_words``
counts the words of the cut piece; a line with no words left after its cuts is removed whole.

Rule names are unique across all files; a later file's rule replaces an earlier one of the same
name, a later file's agency replaces the earlier entry of that name. Every mistake raises
ConfigError naming the file, the key and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from pydantic import Field, StrictBool, StrictInt, ValidationInfo, field_validator

from pipeline.errors import ConfigError
from pipeline.settings import StrictModel, read_yaml_mapping, validated

Where = Literal["anywhere", "start", "end", "edges"]
Cut = Literal["line", "prefix", "suffix"]
ANY_LANGUAGE = "any"
# Placeholders in patterns: one agency name, or several joined ("dpa/AFP", "dpa und AFP").
AGENCY_PLACEHOLDER = "{agency}"
AGENCIES_PLACEHOLDER = "{agencies}"
# The named groups whose match is kept as the article's metadata.
METADATA_GROUPS = frozenset({"agency", "byline"})

_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_LANGUAGE = re.compile(r"[a-z]{2}")
_AGENCY_JOINER = r"(?:\s*[/,&+]\s*|\s+(?:und|and|sowie|et|e|y)\s+)"
# A rule without max_words only removes lines up to this many words: boilerplate lines are short,
# and the limit keeps a loose pattern from eating a real paragraph that happens to match.
DEFAULT_MAX_WORDS = 25
MAX_EXTENDS_DEPTH = 5


@dataclass(frozen=True, slots=True)
class LineRule:
    """Remove a line (or, for a ``prefix``/``suffix`` cut, the piece of it) that ``pattern`` matches.

    The line (or the cut piece) must have at most ``max_words`` words. ``source`` is the pattern as
    written in the file, before the agency placeholders were filled in.
    """

    name: str
    pattern: re.Pattern[str]
    language: str  # a two-letter code, or "any"
    max_words: int = DEFAULT_MAX_WORDS
    where: Where = "anywhere"
    note: str = ""
    cut: Cut = "line"
    source: str = ""


@dataclass(frozen=True, slots=True)
class Agencies:
    """News agencies: the name recorded for each, and the ways texts write it."""

    names: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _canonical: dict[str, str] = field(init=False, repr=False, compare=False)
    _finder: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        canonical = {_fold_alias(alias): name for name, aliases in self.names for alias in (name, *aliases)}
        object.__setattr__(self, "_canonical", canonical)
        finder = re.compile(self.pattern(), re.IGNORECASE) if self.names else None
        object.__setattr__(self, "_finder", finder)

    def pattern(self) -> str:
        """One agency name as a regular expression (longest spelling first, whole words only)."""
        spellings = {alias for name, aliases in self.names for alias in (name, *aliases)}
        spellings_longest_first = sorted(spellings, key=lambda spelling: (-len(spelling), spelling))
        alternatives = "|".join(re.escape(spelling).replace(r"\ ", r"\s+") for spelling in spellings_longest_first)
        return rf"(?i:(?<!\w)(?:{alternatives})(?!\w))"

    def names_in(self, text: str) -> tuple[str, ...]:
        """The recorded names of the agencies written in ``text``, in order, each once."""
        if self._finder is None:
            return ()
        found = (self._canonical.get(_fold_alias(match.group())) for match in self._finder.finditer(text))
        return tuple(dict.fromkeys(name for name in found if name))

    def clash(self) -> tuple[str, str, str] | None:
        """(spelling, first agency, second agency) for a spelling listed under two agencies, else None."""
        owner: dict[str, str] = {}
        for name, aliases in self.names:
            for alias in (name, *aliases):
                first = owner.setdefault(_fold_alias(alias), name)
                if first != name:
                    return alias, first, name
        return None

    def merged(self, other: Mapping[str, Sequence[str]]) -> Agencies:
        """These agencies with ``other``'s entries added (an entry of the same name is replaced)."""
        table = dict(self.names)
        table.update({name: tuple(aliases) for name, aliases in other.items()})
        return Agencies(tuple(table.items()))


def _fold_alias(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True, slots=True)
class CleaningSettings:
    """Switches for the rules that are code rather than patterns."""

    edge_lines: int = 3
    headline_repeat: bool = True
    headline_fragments: bool = True


@dataclass(frozen=True, slots=True)
class CleaningRules:
    """All line rules with their settings and agencies, and the files they came from (first = base)."""

    line_rules: tuple[LineRule, ...] = ()
    settings: CleaningSettings = field(default_factory=CleaningSettings)
    sources: tuple[str, ...] = ()
    agencies: Agencies = field(default_factory=Agencies)

    def for_language(self, language: str | None) -> tuple[LineRule, ...]:
        """Rules that apply to text in ``language``; all rules when the language is unknown."""
        if not language:
            return self.line_rules
        primary = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]  # "de-AT" -> "de"
        return tuple(rule for rule in self.line_rules if rule.language in (ANY_LANGUAGE, primary))


def expand_placeholders(source: str, agencies: Agencies) -> str:
    """``source`` with ``{agency}`` and ``{agencies}`` replaced by the agencies' names."""
    one = agencies.pattern()
    return source.replace(AGENCIES_PLACEHOLDER, f"(?:{one}(?:{_AGENCY_JOINER}{one})*)").replace(AGENCY_PLACEHOLDER, one)


class _RuleEntry(StrictModel):
    name: str
    # Before ``match``: its validator reads the cut kind.
    cut: Cut = "line"
    match: str = Field("", validate_default=True)
    max_words: StrictInt = Field(DEFAULT_MAX_WORDS, ge=1)
    where: Where = "anywhere"
    ignore_case: StrictBool = True
    note: str = ""

    @field_validator("name")
    @classmethod
    def _name_is_a_slug(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError(f"invalid name {value!r}: use lowercase letters, digits and '-', e.g. 'read-more-de'")
        return value

    @field_validator("match")
    @classmethod
    def _match_is_a_pattern(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            raise ValueError("missing or empty pattern: give a Python regular expression")
        # The placeholders are checked for syntax with a stand-in; the agencies come later.
        stand_in = Agencies((("x", ()),))
        try:
            pattern = re.compile(expand_placeholders(value, stand_in))
        except re.error as error:
            raise ValueError(f"not a valid regular expression: {error} (in YAML, single-quote it)") from None
        unknown = sorted(set(pattern.groupindex) - METADATA_GROUPS)
        if unknown:
            raise ValueError(
                f"unknown group name {unknown[0]!r}: only (?P<agency>...) and (?P<byline>...) are kept"
                " as metadata; write other groups as (?:...)"
            )
        cut = info.data.get("cut", "line")
        if cut == "prefix" and not value.startswith("^"):
            raise ValueError("a prefix cut must match at the start of the line: begin the pattern with ^")
        if cut == "suffix" and not (value.endswith("$") and not value.endswith(r"\$")):
            raise ValueError("a suffix cut must match at the end of the line: end the pattern with $")
        return value


class _SettingsEntry(StrictModel):
    """Switches a file sets; those it leaves out keep the extended file's value."""

    edge_lines: StrictInt | None = Field(None, ge=0)
    headline_repeat: StrictBool | None = None
    headline_fragments: StrictBool | None = None


class _CleaningFile(StrictModel):
    extends: str | None = None
    disable: list[str] = Field(default_factory=list)
    settings: _SettingsEntry = _SettingsEntry()
    agencies: dict[str, list[str]] = Field(default_factory=dict)
    rules: dict[str, list[_RuleEntry]] = Field(default_factory=dict)

    @field_validator("agencies")
    @classmethod
    def _agencies_are_names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, aliases in value.items():
            if not name.strip() or not all(alias.strip() for alias in aliases):
                raise ValueError(f"agency {name!r}: an empty name or spelling; list how texts write it, e.g. [Reuters]")
        if clash := Agencies(tuple((name, tuple(aliases)) for name, aliases in value.items())).clash():
            spelling, first, second = clash
            raise ValueError(f"{spelling!r} is listed for both {first!r} and {second!r}: keep it under one")
        return value


def load_cleaning_rules(path: Path, *, extra: Sequence[Path] = ()) -> CleaningRules:
    """Load ``path`` (following its ``extends``), then each ``extra`` file on top; ConfigError if invalid."""
    rules = _load_file(Path(path), depth=0, base=None)
    for extra_path in extra:
        rules = _load_file(Path(extra_path), depth=0, base=rules)
    return rules


def _load_file(path: Path, *, depth: int, base: CleaningRules | None) -> CleaningRules:
    file = str(path)
    parsed = validated(_CleaningFile, read_yaml_mapping(path), file, docs="docs/extraction.md")
    if parsed.extends is not None:
        if depth >= MAX_EXTENDS_DEPTH:
            raise ConfigError(
                file,
                "extends",
                "files extend each other too deeply (a loop?)",
                f"use at most {MAX_EXTENDS_DEPTH} levels",
            )
        base = _load_file(path.parent / parsed.extends, depth=depth + 1, base=base)
    base = base or CleaningRules()
    rules = list(base.line_rules)
    for index, name in enumerate(parsed.disable):
        if not any(rule.name == name for rule in rules):
            raise ConfigError(
                file,
                f"disable[{index}]",
                f"no rule named {name!r} in the extended files",
                "check the name against the base file",
            )
        rules = [rule for rule in rules if rule.name != name]
    switches = {key: value for key, value in parsed.settings.model_dump().items() if value is not None}
    settings = replace(base.settings, **switches)
    agencies = base.agencies.merged(parsed.agencies) if parsed.agencies else base.agencies
    if clash := agencies.clash():
        spelling, first, second = clash
        raise ConfigError(
            file,
            f"agencies.{second}",
            f"{spelling!r} already names {first!r} in the extended file",
            "list each spelling under one agency (replace that agency's entry to move it)",
        )
    if agencies != base.agencies:
        # Inherited rules with placeholders now also match the agencies this file adds.
        rules = [_with_agencies(rule, agencies) if _has_placeholder(rule.source) else rule for rule in rules]
    for new_rule in _line_rules(parsed.rules, file, agencies):
        # Same name as an inherited rule: the new file's version replaces it in place.
        position = next((i for i, rule in enumerate(rules) if rule.name == new_rule.name), None)
        if position is None:
            rules.append(new_rule)
        else:
            rules[position] = new_rule
    return CleaningRules(tuple(rules), settings, (*base.sources, file), agencies)


def _has_placeholder(source: str) -> bool:
    return AGENCY_PLACEHOLDER in source or AGENCIES_PLACEHOLDER in source


def _with_agencies(rule: LineRule, agencies: Agencies) -> LineRule:
    return replace(rule, pattern=re.compile(expand_placeholders(rule.source, agencies), rule.pattern.flags))


def _line_rules(entries_by_language: Mapping[str, list[_RuleEntry]], file: str, agencies: Agencies) -> list[LineRule]:
    rules: list[LineRule] = []
    seen: set[str] = set()
    for language, entries in entries_by_language.items():
        key = f"rules.{language}"
        if language != ANY_LANGUAGE and not _LANGUAGE.fullmatch(language):
            raise ConfigError(file, key, "not a language", "use 'any' or a two-letter ISO 639-1 code like 'de'")
        for index, entry in enumerate(entries):
            if entry.name in seen:
                raise ConfigError(
                    file,
                    f"{key}[{index}].name",
                    f"rule {entry.name!r} is defined twice",
                    "give each rule its own name",
                )
            seen.add(entry.name)
            if _has_placeholder(entry.match) and not agencies.names:
                raise ConfigError(
                    file,
                    f"{key}[{index}].match",
                    "the pattern uses {agency} or {agencies}, but no agencies are defined",
                    "add an 'agencies:' table to this file or to the file it extends",
                )
            flags = re.IGNORECASE if entry.ignore_case else 0
            pattern = re.compile(expand_placeholders(entry.match, agencies), flags)
            rules.append(
                LineRule(
                    entry.name, pattern, language, entry.max_words, entry.where, entry.note, entry.cut, entry.match
                )
            )
    return rules
