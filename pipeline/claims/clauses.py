"""A sentence seen as clauses: which tokens are quoted speech, where the clause boundaries are.

Shared by the German and English finders. A "speech" quotation is one long enough to be a
statement (titles and scare quotes such as „Briefing“ stay part of the sentence's grammar).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.claims.draft import Draft
from pipeline.claims.text import Quotation, Sentence, Token
from pipeline.models import ClaimKind

BOUNDARY_MARKS = frozenset({",", ":", ";", "–", "—"})
SENTENCE_MARKS = frozenset({".", "!", "?"})
QUOTE_MARKS = frozenset("„“”\"»«‚‘’‹›'")


def is_speech(text: str, quotation: Quotation) -> bool:
    """A quotation that reads as a statement: four words or more, or ending in punctuation."""
    if quotation.words >= 4:
        return True
    return quotation.words >= 2 and text[quotation.end - 2 : quotation.end - 1] in {".", "!", "?", ","}


@dataclass(frozen=True, slots=True)
class ClauseView:
    """Index helpers over one sentence's tokens."""

    text: str
    sentence: Sentence
    tokens: tuple[Token, ...]
    quoted: tuple[bool, ...]  # token inside a speech quotation (marks included)
    speech: tuple[Quotation, ...]
    boundaries: tuple[int, ...]  # indices of clause-boundary tokens outside quotations

    @classmethod
    def of(cls, text: str, sentence: Sentence) -> ClauseView:
        speech = tuple(q for q in sentence.quotations if is_speech(text, q))
        tokens = sentence.tokens
        quoted = tuple(any(q.start <= token.start < q.end for q in speech) for token in tokens)
        boundaries: list[int] = []
        for index, token in enumerate(tokens):
            if quoted[index]:
                opens = any(q.start == token.start for q in speech)
                closes = any(q.end == token.end for q in speech)
                if opens or closes:
                    boundaries.append(index)
            elif token.text in BOUNDARY_MARKS:
                boundaries.append(index)
        return cls(text, sentence, tokens, quoted, speech, tuple(boundaries))

    def clause_start(self, index: int) -> int:
        """First token index of the clause holding ``index``."""
        before = [b for b in self.boundaries if b < index]
        return before[-1] + 1 if before else 0

    def clause_end(self, index: int) -> int:
        """Index of the boundary after ``index`` (or the number of tokens)."""
        for boundary in self.boundaries:
            if boundary > index:
                return boundary
        return len(self.tokens)

    def last_word_index(self) -> int:
        """Index after the last token that is not sentence-final punctuation."""
        end = len(self.tokens)
        while end > 0 and self.tokens[end - 1].text in SENTENCE_MARKS and not self.quoted[end - 1]:
            end -= 1
        return end

    def span(self, first: int, stop: int) -> tuple[int, int] | None:
        """Character span of tokens ``first..stop-1`` without boundary marks at either end."""
        while first < stop and self.tokens[first].text in BOUNDARY_MARKS and not self.quoted[first]:
            first += 1
        while stop > first and self.tokens[stop - 1].text in BOUNDARY_MARKS and not self.quoted[stop - 1]:
            stop -= 1
        if stop <= first:
            return None
        return self.tokens[first].start, self.tokens[stop - 1].end

    def word_count(self, first: int, stop: int) -> int:
        return sum(1 for token in self.tokens[first:stop] if token.is_word)


def token_chars(view: ClauseView, tokens: tuple[int, int] | None) -> tuple[int, int] | None:
    """Character offsets of the token range ``tokens`` (None for an empty or missing range)."""
    if tokens is None or tokens[1] <= tokens[0]:
        return None
    return view.tokens[tokens[0]].start, view.tokens[tokens[1] - 1].end


def claim_kind(view: ClauseView, content: tuple[int, int], default: ClaimKind = "indirect") -> ClaimKind:
    """Direct when most of the message is a speech quotation (the frame may add a few words)."""
    quoted = sum(q.end - q.start for q in view.speech if q.start >= content[0] and q.end <= content[1])
    return "direct" if quoted >= 0.6 * (content[1] - content[0]) else default


def drafts_at_verbs(
    view: ClauseView, draft_at: Callable[[ClauseView, int, Sequence[Draft]], tuple[Draft, int] | None]
) -> list[Draft]:
    """Scan the clause for speech verbs: ``draft_at(view, position, found so far)`` gives a
    statement and the token it ends at, or None; the scan goes on after the statement."""
    found: list[Draft] = []
    verb = 0
    while verb < len(view.tokens):
        result = draft_at(view, verb, found)
        if result is None:
            verb += 1
            continue
        found.append(result[0])
        verb = max(verb + 1, result[1])
    return found
