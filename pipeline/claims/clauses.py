"""A sentence seen as clauses: which tokens are quoted speech, where the clause boundaries are.

Shared by the German and English finders. A "speech" quotation is one long enough to be a
statement (titles and scare quotes such as „Briefing“ stay part of the sentence's grammar).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.claims.text import Quotation, Sentence, Token

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

    def speech_between(self, first: int, stop: int) -> list[Quotation]:
        if first >= stop:
            return []
        start, end = self.tokens[first].start, self.tokens[stop - 1].end
        return [q for q in self.speech if q.start >= start and q.end <= end]

    def word_count(self, first: int, stop: int) -> int:
        return sum(1 for token in self.tokens[first:stop] if token.is_word)
