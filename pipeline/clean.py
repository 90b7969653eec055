"""Boilerplate removal and Unicode normalisation (stage ExtractedArticle.text -> CleanedText).

The text is cleaned line by line (one paragraph per line): a line is either kept whole or
removed whole, and every removal is recorded with the name of its rule, so a wrong removal can
be traced to the rule and the rule fixed. The rules are data (``config/cleaning.yaml``, see
``pipeline.cleaning_rules``); four rules are code because they compare lines with the title:

- ``headline-repeat``: a line that is the headline (or one part of a "Headline | Site" title);
- ``headline-fragment``: near either end of the text, a line of 3+ words that is a contiguous
  half or more of the headline (a headline broken over two lines, a shortened headline);
- ``headline-kicker``: a short line (at most 6 words, not a sentence) above a headline that
  is among the first lines: kicker, section name, breadcrumb;
- ``headline-variant``: near the start, a line worded like the title but not the same (the page's
  <h1> when the title is the social-media one); only when no exact repeat was found, and it
  must not end like a sentence.

Order: normalise, headline rules, then "anywhere" pattern rules, then "start"/"end"/"edges"
rules on the lines that are left (so a source line followed by a tag line is still "at the end").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.cleaning_rules import CleaningRules, LineRule, load_cleaning_rules
from pipeline.models import CleanedText, RemovedLine

__all__ = ["CleaningRules", "clean_text", "default_rules_path", "load_cleaning_rules", "normalise_unicode"]

HEADLINE_REPEAT = "headline-repeat"
HEADLINE_FRAGMENT = "headline-fragment"
HEADLINE_VARIANT = "headline-variant"
HEADLINE_KICKER = "headline-kicker"
# A kicker or section line above the headline has at most this many words.
KICKER_MAX_WORDS = 6
# A fragment must be at least this many words and this share of the headline's words, so a
# short quote or place name that also appears in the headline is not taken for it.
FRAGMENT_MIN_WORDS = 3
FRAGMENT_MIN_SHARE = 0.5
# A reworded headline (is_variant) shares at least this share of words with the title both ways.
VARIANT_MIN_WORDS = 3
VARIANT_MIN_SHARE = 0.6
# Words per line for max_words: whitespace-separated words, but at least one per this many
# characters, so scripts written without spaces (Japanese, Chinese) are not one "word" a line.
CHARACTERS_PER_WORD = 10

# Invisible characters with no meaning in running text: soft hyphen, zero-width space, word
# joiner, BOM/zero-width no-break space, Mongolian vowel separator, and the bidi controls that
# copy-paste leaves behind (LRM, RLM, embeddings and isolates).
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff\u180e\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# ZWNJ/ZWJ shape Persian, Indic scripts and emoji sequences, so they are kept there; beside ASCII
# or whitespace (where they only break search and shingling) they are dropped.
_STRAY_JOINER = re.compile(r"[\u200c\u200d](?=[\x00-\x7f]|$)|(?:(?<=[\x00-\x7f])|^)[\u200c\u200d]", re.MULTILINE)
# Non-breaking, typographic-width and ideographic spaces, tabs and other control characters.
_ODD_SPACE = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\x0b\x0c\x1c-\x1f\x85]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_LINE_BREAK = re.compile("\r\n?|[\u2028\u2029]")
_SPACES = re.compile(" {2,}")
_TOKEN = re.compile(r"\w+")
_LIST_MARKER = re.compile(r"^[-•*·▪►]\s+")
_SENTENCE_END = re.compile(r"[.;,]\W*$")
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|•·»–—]|-|::)\s+")


def default_rules_path() -> Path:
    """The repository's ``config/cleaning.yaml`` (the settings name the file for deployments)."""
    return Path(__file__).resolve().parent.parent / "config" / "cleaning.yaml"


def normalise_unicode(text: str) -> str:
    """NFC; no soft hyphens or zero-width characters; odd spaces -> one plain space; lines stripped.

    Typographic quotes („…“ “…” »…«), apostrophes and dashes are kept as they are.
    """
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAK.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _STRAY_JOINER.sub("", text)
    text = _CONTROL.sub("", text)
    text = _ODD_SPACE.sub(" ", text)
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def clean_text(
    text: str, rules: CleaningRules, *, language: str | None = None, title: str | None = None
) -> CleanedText:
    """Normalise ``text`` and remove the lines that are not article text, recording each removal."""
    lines = [line for line in normalise_unicode(text).split("\n") if line]
    verdicts: list[str | None] = [None] * len(lines)  # rule name of each removed line
    settings = rules.settings
    headline = _Headline.of(normalise_unicode(title)) if title else None
    if headline is not None and settings.headline_repeat:
        for index, line in enumerate(lines):
            if headline.is_repeat(line):
                verdicts[index] = HEADLINE_REPEAT
        _mark_kickers(lines, verdicts, settings.edge_lines)
    line_rules = rules.for_language(language)
    anywhere = [rule for rule in line_rules if rule.where == "anywhere"]
    at_edges = [rule for rule in line_rules if rule.where != "anywhere"]
    for index, line in enumerate(lines):
        if verdicts[index] is None:
            verdicts[index] = _first_match(anywhere, line)
    _apply_edge_rules(lines, verdicts, at_edges, headline, settings.edge_lines, settings.headline_fragments)
    kept = [line for line, verdict in zip(lines, verdicts, strict=True) if verdict is None]
    removed = tuple(
        RemovedLine(line, verdict) for line, verdict in zip(lines, verdicts, strict=True) if verdict is not None
    )
    return CleanedText("\n".join(kept), removed)


def _mark_kickers(lines: list[str], verdicts: list[str | None], edge_lines: int) -> None:
    """Short lines above a headline near the top: kicker, section name, breadcrumb ("Review")."""
    first_headline = next((i for i, verdict in enumerate(verdicts) if verdict == HEADLINE_REPEAT), None)
    if first_headline is None or first_headline >= edge_lines:
        return
    for index in range(first_headline):
        line = lines[index]
        # Long or sentence-like lines above the headline stay: some sites put the lede first.
        if len(line.split()) <= KICKER_MAX_WORDS and not _SENTENCE_END.search(line) and verdicts[index] is None:
            verdicts[index] = HEADLINE_KICKER


def _apply_edge_rules(
    lines: list[str],
    verdicts: list[str | None],
    rules: list[LineRule],
    headline: _Headline | None,
    edge_lines: int,
    fragments: bool,
) -> None:
    remaining = [index for index, verdict in enumerate(verdicts) if verdict is None]
    start = set(remaining[:edge_lines])
    end = set(remaining[-edge_lines:]) if edge_lines else set()
    for index in remaining:
        at_start, at_end = index in start, index in end
        if not (at_start or at_end):
            continue
        applicable = [
            rule
            for rule in rules
            if rule.where == "edges" or (rule.where == "start" and at_start) or (rule.where == "end" and at_end)
        ]
        line = lines[index]
        verdict = _first_match(applicable, line)
        if verdict is None and fragments and headline is not None:
            if headline.is_fragment(line):
                verdict = HEADLINE_FRAGMENT
            elif at_start and HEADLINE_REPEAT not in verdicts and headline.is_variant(line):
                verdict = HEADLINE_VARIANT
        verdicts[index] = verdict


def _first_match(rules: list[LineRule], line: str) -> str | None:
    line = _LIST_MARKER.sub("", line)  # "- Print Article" is matched as "Print Article"
    words = max(len(line.split()), len(line) // CHARACTERS_PER_WORD)
    for rule in rules:
        if words <= rule.max_words and rule.pattern.search(line):
            return rule.name
    return None


def _fold(text: str) -> tuple[str, ...]:
    """Words for comparing a line with the title: case and punctuation do not matter."""
    return tuple(token.casefold() for token in _TOKEN.findall(text))


@dataclass(frozen=True, slots=True)
class _Headline:
    """The title as word sequences: the whole title and its parts ("Headline | Site")."""

    whole: tuple[str, ...]
    parts: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, title: str) -> _Headline | None:
        whole = _fold(title)
        if not whole:
            return None
        parts = tuple(part for piece in _TITLE_SEPARATOR.split(title) if len(part := _fold(piece)) >= 2)
        return cls(whole, parts)

    def is_repeat(self, line: str) -> bool:
        words = _fold(line)
        return bool(words) and (words == self.whole or words in self.parts)

    def is_variant(self, line: str) -> bool:
        """A differently worded headline near the top: the <h1> when the title is the social-media one.

        Most of the line's words are in the title and most of the title's words in the line, and
        it does not end like a sentence (a lede shares words with the title, but ends with a period).
        """
        words = _fold(line)
        if len(words) < VARIANT_MIN_WORDS or len(words) > 2 * len(self.whole) or _SENTENCE_END.search(line):
            return False
        title_words, line_words = set(self.whole), set(words)
        shared = len(title_words & line_words)
        return shared >= VARIANT_MIN_SHARE * len(line_words) and shared >= VARIANT_MIN_SHARE * len(title_words)

    def is_fragment(self, line: str) -> bool:
        words = _fold(line)
        if len(words) < FRAGMENT_MIN_WORDS:
            return False
        return any(
            len(words) >= FRAGMENT_MIN_SHARE * len(candidate) and _contains_run(candidate, words)
            for candidate in (self.whole, *self.parts)
        )


def _contains_run(sequence: tuple[str, ...], run: tuple[str, ...]) -> bool:
    return any(sequence[start : start + len(run)] == run for start in range(len(sequence) - len(run) + 1))
