"""Cleaning rules: the line patterns of ``config/cleaning.yaml``, loaded once into validated objects.

A rules file looks like this (see docs/extraction.md for the whole format)::

    extends: cleaning.yaml        # optional: start from another file (path relative to this one)
    disable: [credit-line]        # optional: switch off rules of the extended files by name
    settings:
      edge_lines: 3               # "start"/"end" rules look at this many lines at each end
      headline_repeat: true       # drop leading lines that repeat the title
      headline_fragments: true    # drop short lines that are a large piece of the title
    rules:
      any:                        # every language
        - name: url-only
          match: '^https?://\\S+$'
      de:                         # only text in this language (or of unknown language)
        - name: read-more-de
          match: '^lesen sie (mehr|auch)\\b'
          max_words: 30
          where: anywhere         # anywhere | start | end | edges

Rule names are unique across all files; a later file's rule replaces an earlier one of the same
name. Every mistake raises ConfigError naming the file, the key and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from pydantic import Field, StrictBool, StrictInt, field_validator

from pipeline.errors import ConfigError
from pipeline.settings import StrictModel, read_yaml_mapping, validated

Where = Literal["anywhere", "start", "end", "edges"]
ANY_LANGUAGE = "any"

_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_LANGUAGE = re.compile(r"[a-z]{2}")
# A rule without max_words only removes lines up to this many words: boilerplate lines are short,
# and the limit keeps a loose pattern from eating a real paragraph that happens to match.
DEFAULT_MAX_WORDS = 25
MAX_EXTENDS_DEPTH = 5


@dataclass(frozen=True, slots=True)
class LineRule:
    """Remove a whole line that ``pattern`` matches (``re.search``) and has at most ``max_words`` words."""

    name: str
    pattern: re.Pattern[str]
    language: str  # a two-letter code, or "any"
    max_words: int = DEFAULT_MAX_WORDS
    where: Where = "anywhere"
    note: str = ""


@dataclass(frozen=True, slots=True)
class CleaningSettings:
    """Switches for the rules that are code rather than patterns."""

    edge_lines: int = 3
    headline_repeat: bool = True
    headline_fragments: bool = True


@dataclass(frozen=True, slots=True)
class CleaningRules:
    """All line rules with their settings, and the files they came from (first = base)."""

    line_rules: tuple[LineRule, ...] = ()
    settings: CleaningSettings = field(default_factory=CleaningSettings)
    sources: tuple[str, ...] = ()

    def for_language(self, language: str | None) -> tuple[LineRule, ...]:
        """Rules that apply to text in ``language``; all rules when the language is unknown."""
        if not language:
            return self.line_rules
        primary = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]  # "de-AT" -> "de"
        return tuple(rule for rule in self.line_rules if rule.language in (ANY_LANGUAGE, primary))


class _RuleEntry(StrictModel):
    name: str
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
    def _match_is_a_pattern(cls, value: str) -> str:
        if not value:
            raise ValueError("missing or empty pattern: give a Python regular expression")
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"not a valid regular expression: {error} (in YAML, single-quote it)") from None
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
    rules: dict[str, list[_RuleEntry]] = Field(default_factory=dict)


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
    for new_rule in _line_rules(parsed.rules, file):
        # Same name as an inherited rule: the new file's version replaces it in place.
        position = next((i for i, rule in enumerate(rules) if rule.name == new_rule.name), None)
        if position is None:
            rules.append(new_rule)
        else:
            rules[position] = new_rule
    return CleaningRules(tuple(rules), settings, (*base.sources, file))


def _line_rules(entries_by_language: Mapping[str, list[_RuleEntry]], file: str) -> list[LineRule]:
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
            pattern = re.compile(entry.match, re.IGNORECASE if entry.ignore_case else 0)
            rules.append(LineRule(entry.name, pattern, language, entry.max_words, entry.where, entry.note))
    return rules
