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
from typing import Any, Literal, get_args

from pipeline.errors import ConfigError
from pipeline.settings import read_yaml_mapping

Where = Literal["anywhere", "start", "end", "edges"]
ANY_LANGUAGE = "any"

_TOP_KEYS = {"extends", "disable", "settings", "rules"}
_RULE_KEYS = {"name", "match", "max_words", "where", "ignore_case", "note"}
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


def load_cleaning_rules(path: Path, *, extra: Sequence[Path] = ()) -> CleaningRules:
    """Load ``path`` (following its ``extends``), then each ``extra`` file on top; ConfigError if invalid."""
    rules = _load_file(Path(path), depth=0, base=None)
    for extra_path in extra:
        rules = _load_file(Path(extra_path), depth=0, base=rules)
    return rules


def _load_file(path: Path, *, depth: int, base: CleaningRules | None) -> CleaningRules:
    file = str(path)
    data = read_yaml_mapping(path)
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ConfigError(file, unknown[0], "unknown key", f"use only {', '.join(sorted(_TOP_KEYS))}")
    if "extends" in data:
        extends = data["extends"]
        if not isinstance(extends, str) or not extends:
            raise ConfigError(file, "extends", "must be a file path", "write e.g. 'extends: cleaning.yaml'")
        if depth >= MAX_EXTENDS_DEPTH:
            raise ConfigError(
                file,
                "extends",
                "files extend each other too deeply (a loop?)",
                f"use at most {MAX_EXTENDS_DEPTH} levels",
            )
        base = _load_file(path.parent / extends, depth=depth + 1, base=base)
    base = base or CleaningRules()
    rules = list(base.line_rules)
    for index, name in enumerate(_string_list(data.get("disable", []), file, "disable")):
        if not any(rule.name == name for rule in rules):
            raise ConfigError(
                file,
                f"disable[{index}]",
                f"no rule named {name!r} in the extended files",
                "check the name against the base file",
            )
        rules = [rule for rule in rules if rule.name != name]
    settings = _settings(data.get("settings", {}), file, base.settings)
    for new_rule in _line_rules(data.get("rules", {}), file):
        # Same name as an inherited rule: the new file's version replaces it in place.
        position = next((i for i, rule in enumerate(rules) if rule.name == new_rule.name), None)
        if position is None:
            rules.append(new_rule)
        else:
            rules[position] = new_rule
    return CleaningRules(tuple(rules), settings, (*base.sources, file))


def _settings(data: object, file: str, base: CleaningSettings) -> CleaningSettings:
    if not isinstance(data, Mapping):
        raise ConfigError(file, "settings", "must be a mapping", "write 'settings:' with indented keys")
    known = set(CleaningSettings.__slots__)
    for key, value in data.items():
        if key not in known:
            raise ConfigError(file, f"settings.{key}", "unknown key", f"use one of {', '.join(sorted(known))}")
        expected = int if key == "edge_lines" else bool
        if type(value) is not expected or (expected is int and value < 0):
            kind = "a whole number >= 0" if expected is int else "true or false"
            raise ConfigError(file, f"settings.{key}", f"must be {kind}, not {value!r}", f"write {kind}")
    return replace(base, **dict(data))


def _line_rules(data: object, file: str) -> list[LineRule]:
    if not isinstance(data, Mapping):
        raise ConfigError(
            file,
            "rules",
            "must map 'any' or a language code to a list of rules",
            "write 'rules:' then 'any:' or 'de:' with a list below",
        )
    rules: list[LineRule] = []
    seen: set[str] = set()
    for language, entries in data.items():
        key = f"rules.{language}"
        if language != ANY_LANGUAGE and not (isinstance(language, str) and _LANGUAGE.fullmatch(language)):
            raise ConfigError(file, key, "not a language", "use 'any' or a two-letter ISO 639-1 code like 'de'")
        if not isinstance(entries, list):
            raise ConfigError(file, key, "must be a list of rules", "start each rule with '- name: ...'")
        for index, entry in enumerate(entries):
            rule = _line_rule(entry, language, file, f"{key}[{index}]")
            if rule.name in seen:
                raise ConfigError(
                    file,
                    f"{key}[{index}].name",
                    f"rule {rule.name!r} is defined twice",
                    "give each rule its own name",
                )
            seen.add(rule.name)
            rules.append(rule)
    return rules


def _line_rule(entry: object, language: str, file: str, key: str) -> LineRule:
    if not isinstance(entry, Mapping):
        raise ConfigError(file, key, "must be a mapping with name and match", "write '- name: ...' and 'match: ...'")
    unknown = sorted(set(entry) - _RULE_KEYS)
    if unknown:
        raise ConfigError(file, f"{key}.{unknown[0]}", "unknown key", f"use only {', '.join(sorted(_RULE_KEYS))}")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError(
            file,
            f"{key}.name",
            f"missing or invalid name {name!r}",
            "use lowercase letters, digits and '-', e.g. 'read-more-de'",
        )
    match = entry.get("match")
    if not isinstance(match, str) or not match:
        raise ConfigError(file, f"{key}.match", "missing or empty pattern", "give a Python regular expression")
    ignore_case = entry.get("ignore_case", True)
    if not isinstance(ignore_case, bool):
        raise ConfigError(file, f"{key}.ignore_case", "must be true or false", "write true or false")
    try:
        pattern = re.compile(match, re.IGNORECASE if ignore_case else 0)
    except re.error as error:
        raise ConfigError(
            file,
            f"{key}.match",
            f"not a valid regular expression: {error}",
            "fix the pattern (in YAML, single-quote it so backslashes stay)",
        ) from None
    max_words = entry.get("max_words", DEFAULT_MAX_WORDS)
    if type(max_words) is not int or max_words < 1:
        raise ConfigError(
            file,
            f"{key}.max_words",
            f"must be a whole number >= 1, not {max_words!r}",
            "write a word count such as 25",
        )
    where = entry.get("where", "anywhere")
    if where not in get_args(Where):
        raise ConfigError(
            file, f"{key}.where", f"unknown position {where!r}", f"use one of {', '.join(get_args(Where))}"
        )
    note: Any = entry.get("note", "")
    return LineRule(name, pattern, language, max_words, where, str(note))


def _string_list(value: object, file: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(file, key, "must be a list of rule names", "write e.g. 'disable: [credit-line]'")
    return list(value)
