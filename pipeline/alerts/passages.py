"""The matched passage of an alert: a short piece of the article with the matched words marked.

Pure functions. Query rules take Elasticsearch's highlight (fragments come back with private-use
marker characters, turned into offsets here); entity and claim rules cut the sentence around the
mention's or claim's character offsets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import escape

# Private-use characters: they never occur in news text, so the highlight can be parsed exactly.
MARK_START = "\ue000"
MARK_END = "\ue001"
FRAGMENT_JOINER = " … "
_SENTENCE_END = re.compile(r"[.!?…](?:[\"'“”„«»)\]]*)\s+|\n+")


@dataclass(frozen=True, slots=True)
class Passage:
    """``text`` with highlighted ``(start, end)`` spans (end exclusive, sorted, not overlapping)."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        """The highlighted words, in order, without repeats."""
        return tuple(dict.fromkeys(self.text[start:end] for start, end in self.highlights))

    def marked(self, start_mark: str = "**", end_mark: str = "**", convert: Callable[[str], str] = str) -> str:
        """The text with each highlight wrapped in the given marks; ``convert`` escapes the text."""
        return _wrap(self.text, self.highlights, start_mark, end_mark, convert)

    def html(self) -> str:
        """The text as HTML, highlights in ``<mark>``."""
        return _wrap(self.text, self.highlights, "<mark>", "</mark>", escape)

    def to_document(self) -> dict[str, object]:
        return {"passage": self.text, "passage_highlights": [list(span) for span in self.highlights]}

    @classmethod
    def from_document(cls, document: dict[str, object]) -> Passage:
        spans = document.get("passage_highlights") or []
        assert isinstance(spans, list)
        return cls(str(document.get("passage") or ""), tuple((int(s[0]), int(s[1])) for s in spans))


def _wrap(
    text: str, spans: Sequence[tuple[int, int]], start_mark: str, end_mark: str, convert: Callable[[str], str]
) -> str:
    parts: list[str] = []
    position = 0
    for start, end in spans:
        parts.append(convert(text[position:start]))
        parts.append(start_mark + convert(text[start:end]) + end_mark)
        position = end
    parts.append(convert(text[position:]))
    return "".join(parts)


def from_highlight(fragment: str) -> Passage:
    """A highlight fragment with MARK_START/MARK_END around matches -> plain text and spans."""
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for piece in re.split(f"([{MARK_START}{MARK_END}])", fragment):
        if piece == MARK_START:
            start = length
        elif piece == MARK_END:
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        else:
            text.append(piece)
            length += len(piece)
    return _strip(Passage("".join(text), _merge(spans)))


def best_passage(fragments: Sequence[str], text: str = "", max_chars: int = 320) -> Passage:
    """The best-scored fragment, joined by the next one that adds matched terms it lacks.

    Fragments found in ``text`` are widened to whole sentences: the highlighter's sentence breaks
    stumble over German quotation marks and start fragments mid-sentence.
    """
    parsed = [widen(from_highlight(fragment), text, max_chars) for fragment in fragments if fragment.strip()]
    if not parsed:
        return Passage("")
    best = parsed[0]
    have = {term.lower() for term in best.terms}
    for other in parsed[1:]:
        if {term.lower() for term in other.terms} - have:
            offset = len(best.text) + len(FRAGMENT_JOINER)
            spans = best.highlights + tuple((s + offset, e + offset) for s, e in other.highlights)
            return Passage(best.text + FRAGMENT_JOINER + other.text, spans)
    return best


def widen(passage: Passage, text: str, max_chars: int) -> Passage:
    """The passage grown to the sentence(s) around it in ``text`` (unchanged if not found there)."""
    position = text.find(passage.text) if passage.text else -1
    if position < 0:
        return passage
    left, right = sentence_window(text, position, position + len(passage.text), max_chars)
    shift = position - left
    return _strip(Passage(text[left:right], tuple((s + shift, e + shift) for s, e in passage.highlights)))


def sentence_window(text: str, start: int, end: int, max_chars: int) -> tuple[int, int]:
    """Offsets of the sentence(s) around ``text[start:end]``, cut to about ``max_chars``."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    # Look back only as far as a passage can reach: scanning from the text's start is quadratic.
    reach = max(0, start - 2 * max_chars)
    left = reach
    for found in _SENTENCE_END.finditer(text, reach, start):
        left = found.end()
    right_match = _SENTENCE_END.search(text, max(end - 1, start))
    right = right_match.start() + 1 if right_match else len(text)
    if text[right - 1 : right].isspace():
        right -= 1
    # A very long "sentence" (lists, missing punctuation): keep a window centred on the match.
    if right - left > max_chars:
        room = max(max_chars - (end - start), 0)
        left = max(left, start - room // 2)
        right = min(right, max(end, left + max_chars))
        left, right = _word_edges(text, left, right, start, end)
    return left, right


def _word_edges(text: str, left: int, right: int, start: int, end: int) -> tuple[int, int]:
    """Move cut points to whitespace so no word is cut in half (never past the match)."""
    if left > 0 and not text[left - 1].isspace():
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text) and not text[right].isspace():
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    return left, right


def passage_around(
    text: str, spans: Iterable[tuple[int, int]], max_chars: int, anchor: tuple[int, int] | None = None
) -> Passage:
    """The sentence around ``anchor`` (default: the first span), with every span inside it highlighted."""
    ordered = sorted((s, e) for s, e in spans if 0 <= s < e <= len(text))
    if anchor is None:
        anchor = ordered[0] if ordered else (0, 0)
    left, right = sentence_window(text, anchor[0], anchor[1], max_chars)
    inside = [(s - left, e - left) for s, e in ordered if s >= left and e <= right]
    return _strip(Passage(text[left:right], _merge(inside)))


def find_terms(text: str, terms: Iterable[str]) -> tuple[tuple[int, int], ...]:
    """Spans of each term in ``text``, case-insensitively, at word boundaries."""
    spans: list[tuple[int, int]] = []
    for term in {term for term in terms if term.strip()}:
        pattern = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)
        spans.extend((found.start(), found.end()) for found in pattern.finditer(text))
    return _merge(spans)


def _merge(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _strip(passage: Passage) -> Passage:
    text = passage.text
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    spans = tuple((max(s - lead, 0), min(e - lead, len(stripped))) for s, e in passage.highlights if e - lead > 0)
    return Passage(stripped, tuple(span for span in spans if span[0] < span[1]))
