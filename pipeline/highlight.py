"""Where in a text the forms of a query's words are: the highlighted passage of a search hit or
of an alert whose match the engine's highlighter cannot show (the analysed ``*_stems`` fields).

The query side's analysis (``pipeline.analysis.query_terms``), never the compound lexicon; the
words are found by one regular expression of the terms as texts write them, then checked.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence

from pipeline.alerts.passages import Passage, passage_around
from pipeline.analysis import ANALYZED_LANGUAGES, query_terms, word_terms

_TOKEN = re.compile(r"\w+")


def words_passage(
    text: str,
    language: str | None,
    typed: Sequence[str],
    max_chars: int,
    extra_spans: Sequence[tuple[int, int]] = (),
    *,
    first: bool = False,
) -> Passage | None:
    """The sentence of ``text`` with the most words that are forms of the ``typed`` words (and of
    ``extra_spans``), those highlighted; with ``first``, the sentence of the first such word (the
    text is read only that far: alerts cut a passage for every match of a batch). None when none
    occurs."""
    analysis_language = language if language in ANALYZED_LANGUAGES else None
    wanted: set[str] = {term for words in typed for term in query_terms(words, analysis_language)}
    spans: list[tuple[int, int]] = []
    if wanted:
        term_of, shows = word_terms(analysis_language), _shows(wanted)
        shown: dict[str, bool] = {}  # per distinct word: a text repeats most of its words
        for start, end in _candidate_words(text, wanted):
            if first and spans and start > spans[0][0] + max_chars:
                break  # past the first match's passage
            word = text[start:end]
            if word not in shown:
                shown[word] = shows(term_of(word))
            if shown[word]:
                spans.append((start, end))
    spans += extra_spans
    if not spans:
        return None
    if first:
        return passage_around(text, spans, max_chars, spans[0])
    # The stretch with the most highlighted words holds the best sentence.
    counts: dict[int, int] = {}
    for start, _ in spans:
        counts[start // max_chars] = counts.get(start // max_chars, 0) + 1
    best_block = max(counts, key=lambda block: (counts[block], -block))
    anchor = min((span for span in spans if span[0] // max_chars == best_block), key=lambda span: span[0])
    return passage_around(text, spans, max_chars, anchor)


# Letters a term may stand for in the text: folding maps these to the term's letter (and German
# ae/oe/ue to a/o/u, ß to ss).
_FOLDED_FROM = {
    "a": "aàáâãäåā",
    "e": "eèéêëē",
    "i": "iìíîïī",
    "o": "oòóôõöøō",
    "u": "uùúûüū",
    "c": "cç",
    "n": "nñ",
    "s": "sß",
}


def _candidate_words(text: str, wanted: set[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of the words of ``text`` that may contain one of the terms, in order: a
    superset (``_shows`` decides), found by the regular-expression engine rather than by a
    Python loop over every word of the text."""
    seen_start = -1
    for found in _term_letters(frozenset(wanted)).finditer(text):
        start = found.start()
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        if start <= seen_start:
            continue  # another term inside the same word
        seen_start = start
        word = _TOKEN.match(text, start)
        if word is not None:
            yield start, word.end()


@functools.lru_cache(maxsize=256)
def _term_letters(wanted: frozenset[str]) -> re.Pattern[str]:
    """The terms as the text may write them (folded letters unfolded)."""
    pieces = []
    for term in sorted(wanted, key=len, reverse=True):
        letters, position = [], 0
        while position < len(term):
            letter = term[position]
            variants = _FOLDED_FROM.get(letter, "")
            if term.startswith("ss", position):
                letters.append("(?:ß|[sß]{2})")
                position += 2
                continue
            if letter in "aou":
                letters.append(f"[{variants}]e?")
            else:
                letters.append(f"[{variants}]" if variants else re.escape(letter))
            position += 1
        pieces.append("".join(letters))
    return re.compile("|".join(pieces), re.IGNORECASE)


def _shows(wanted: set[str]) -> Callable[[str], bool]:
    """Whether a word's term shows a query term: the same term, or a compound ending in it
    ("Bundesregierung" for "Regierung"). The query side's analysis, which never loads the
    compound lexicon: highlighting stays cheap."""
    heads = sorted((re.escape(term) for term in wanted if len(term) >= 4), key=len, reverse=True)
    ending = re.compile(f"(?:{'|'.join(heads)})$") if heads else None
    return lambda term: term in wanted or (ending is not None and ending.search(term) is not None)
