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
rules on the lines that are left (so a source line followed by a tag line is still "at the end"),
then the ``prefix``/``suffix`` cuts on the lines still kept: agency packaging inside a paragraph
("BERLIN (dpa) - " before the first sentence, "(AFP)" after the last one). What the rules'
``agency`` and ``byline`` groups matched is returned as metadata, so the packaging can go from the
text (a syndicated copy then has the same text and content hash as the original) without being lost.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.cleaning_rules import Agencies, CleaningRules, LineRule, load_cleaning_rules
from pipeline.models import CleanedText, RemovedLine, RemovedPart

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
# A suffix cut of max_words words is looked for in the line's last max_words * this many characters.
SUFFIX_CHARACTERS_PER_WORD = 40

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
_BYLINE_EDGES = " \t,.;:|–—-"


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
    """Normalise ``text`` and remove the lines (and line pieces) that are not article text, recording each
    removal; the agencies and the byline named in what was removed are kept as metadata."""
    lines = [line for line in normalise_unicode(text).split("\n") if line]
    verdicts: list[str | None] = [None] * len(lines)  # rule name of each removed line
    hits: list[_Hit] = []
    settings = rules.settings
    headline = _Headline.of(normalise_unicode(title)) if title else None
    if headline is not None and settings.headline_repeat:
        for index, line in enumerate(lines):
            if headline.is_repeat(line):
                verdicts[index] = HEADLINE_REPEAT
        _mark_kickers(lines, verdicts, settings.edge_lines)
    line_rules = rules.for_language(language)
    anywhere = [rule for rule in line_rules if rule.cut == "line" and rule.where == "anywhere"]
    at_edges = [rule for rule in line_rules if rule.cut == "line" and rule.where != "anywhere"]
    cuts = [rule for rule in line_rules if rule.cut != "line"]
    for index, line in enumerate(lines):
        if verdicts[index] is None and (hit := _first_match(anywhere, line, index)) is not None:
            verdicts[index] = hit.rule.name
            hits.append(hit)
    _apply_edge_rules(lines, verdicts, hits, at_edges, headline, settings.edge_lines, settings.headline_fragments)
    kept_text = _apply_cuts(lines, verdicts, hits, cuts, settings.edge_lines)
    kept = [kept_text[index] for index, verdict in enumerate(verdicts) if verdict is None]
    agency, byline = _metadata(hits, rules.agencies)
    return CleanedText("\n".join(kept), _in_text_order(lines, verdicts, hits), agency, byline)


@dataclass(frozen=True, slots=True)
class _Hit:
    """A rule's match: on a whole line, or on the piece of a line it cut off."""

    rule: LineRule
    match: re.Match[str]
    index: int  # of the line
    part: RemovedPart = "line"


def _apply_cuts(
    lines: list[str], verdicts: list[str | None], hits: list[_Hit], rules: list[LineRule], edge_lines: int
) -> list[str]:
    """Each kept line with its packaging cut off (one prefix and one suffix at most); a line left
    without a word is removed whole under the rule that cut it last."""
    kept_text = list(lines)
    if not rules:
        return kept_text
    # (prefix rules, suffix rules) for each (at start, at end) position of a line.
    placed = {
        (at_start, at_end): tuple(
            [rule for rule in _placed(rules, at_start, at_end) if rule.cut == cut] for cut in ("prefix", "suffix")
        )
        for at_start in (False, True)
        for at_end in (False, True)
    }
    for index, at_start, at_end in _positions(verdicts, edge_lines):
        line = lines[index]
        prefixes, suffixes = placed[at_start, at_end]
        start, end = 0, len(line)
        cut_hits = []
        if (hit := _first_cut(prefixes, line, index)) is not None:
            start = hit.match.end()
            cut_hits.append(hit)
        if (hit := _first_cut(suffixes, line, index, start)) is not None:
            end = hit.match.start()
            cut_hits.append(hit)
        if not cut_hits:
            continue
        rest = line[start:end].strip()
        if _TOKEN.search(rest):
            kept_text[index] = rest
            hits.extend(cut_hits)
        else:
            verdicts[index] = cut_hits[-1].rule.name
            hits.extend(_Hit(hit.rule, hit.match, index) for hit in cut_hits)
    return kept_text


def _positions(verdicts: list[str | None], edge_lines: int) -> list[tuple[int, bool, bool]]:
    """(index, among the first edge_lines kept lines, among the last) of each kept line."""
    remaining = [index for index, verdict in enumerate(verdicts) if verdict is None]
    start = set(remaining[:edge_lines])
    end = set(remaining[-edge_lines:]) if edge_lines else set()
    return [(index, index in start, index in end) for index in remaining]


def _placed(rules: list[LineRule], at_start: bool, at_end: bool) -> list[LineRule]:
    """The rules whose ``where`` allows a line at this position."""
    return [
        rule
        for rule in rules
        if rule.where == "anywhere"
        or (rule.where == "edges" and (at_start or at_end))
        or (rule.where == "start" and at_start)
        or (rule.where == "end" and at_end)
    ]


def _first_cut(rules: list[LineRule], line: str, index: int, start: int = 0) -> _Hit | None:
    """The first rule that cuts a non-empty piece of at most its max_words words off ``line[start:]``."""
    for rule in rules:
        if rule.cut == "prefix":
            match = rule.pattern.match(line)
        else:
            # The piece has at most max_words words: search only the line's end, not every position
            # of a long paragraph (a lookbehind still sees the characters before the window).
            window = max(start, len(line) - rule.max_words * SUFFIX_CHARACTERS_PER_WORD)
            match = rule.pattern.search(line, window)
            if match is not None and match.end() != len(line):
                match = None
        if match is not None and match.group().strip() and len(match.group().split()) <= rule.max_words:
            return _Hit(rule, match, index, rule.cut)
    return None


def _in_text_order(lines: list[str], verdicts: list[str | None], hits: list[_Hit]) -> tuple[RemovedLine, ...]:
    """Removed lines and cut pieces in the order of the text (a line's prefix before its suffix)."""
    entries: list[tuple[int, int, RemovedLine]] = []
    for index, verdict in enumerate(verdicts):
        if verdict is not None:
            entries.append((index, 0, RemovedLine(lines[index], verdict)))
    for hit in hits:
        if hit.part != "line":
            order = 1 if hit.part == "prefix" else 2
            entries.append((hit.index, order, RemovedLine(hit.match.group().strip(), hit.rule.name, hit.part)))
    return tuple(entry for _, _, entry in sorted(entries, key=lambda item: item[:2]))


def _metadata(hits: list[_Hit], agencies: Agencies) -> tuple[tuple[str, ...], str | None]:
    """(the agencies named in the removed packaging, in text order; the first byline's name)."""
    named: list[str] = []
    byline = None
    for hit in sorted(hits, key=lambda hit: (hit.index, hit.part != "prefix")):
        groups = hit.match.groupdict()
        if groups.get("agency"):
            named.extend(agencies.names_in(groups["agency"]))
        if byline is None and groups.get("byline"):
            byline = _byline_name(groups["byline"])
    return tuple(dict.fromkeys(named)), byline or None


def _byline_name(written: str) -> str:
    """The name as a person writes it: "LISA LERER" -> "Lisa Lerer"; spaces and edge punctuation tidied."""
    words = written.strip(_BYLINE_EDGES).split()
    return " ".join(word.title() if word.isupper() and len(word) > 1 else word for word in words)


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
    hits: list[_Hit],
    rules: list[LineRule],
    headline: _Headline | None,
    edge_lines: int,
    fragments: bool,
) -> None:
    for index, at_start, at_end in _positions(verdicts, edge_lines):
        if not (at_start or at_end):
            continue
        line = lines[index]
        hit = _first_match(_placed(rules, at_start, at_end), line, index)
        verdict = hit.rule.name if hit is not None else None
        if hit is not None:
            hits.append(hit)
        if verdict is None and fragments and headline is not None:
            if headline.is_fragment(line):
                verdict = HEADLINE_FRAGMENT
            elif at_start and HEADLINE_REPEAT not in verdicts and headline.is_variant(line):
                verdict = HEADLINE_VARIANT
        verdicts[index] = verdict


def _first_match(rules: list[LineRule], line: str, index: int) -> _Hit | None:
    line = _LIST_MARKER.sub("", line)  # "- Print Article" is matched as "Print Article"
    words = max(len(line.split()), len(line) // CHARACTERS_PER_WORD)
    for rule in rules:
        if words <= rule.max_words and (match := rule.pattern.search(line)) is not None:
            return _Hit(rule, match, index)
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
