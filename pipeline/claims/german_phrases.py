"""German noun phrases without a parser: speakers before and after the verb, appositions, sources.

A speaker phrase is a run of determiners, capitalised words (German nouns and names), inflected
adjectives before a noun, name particles ("von der Leyen") and parentheses ("(SPD)"); it ends at
a preposition, adverb, conjunction or clause boundary ("sagte Rutte am Montag").
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.claims.clauses import BOUNDARY_MARKS, QUOTE_MARKS, ClauseView
from pipeline.claims.lexicon import (
    GERMAN_ADVERBIAL_OPENERS,
    GERMAN_AUXILIARIES,
    GERMAN_DETERMINERS,
    GERMAN_KONJUNKTIV_I,
    GERMAN_NP_STOPS,
    GERMAN_PRONOUNS,
    GERMAN_SUBORDINATORS,
    GERMAN_VERB_FORMS,
)
from pipeline.claims.text import Token, words

_LEADING_PARTICLES = words("und aber doch denn sondern auch")
_NAME_PARTICLES = words("von van de der den del al bin ibn la le da di zu vom")
_TWO_WORD_ADVERBIALS = words("am im letzte letzten vergangene vergangenen kommende kommenden nächste")
_TIMES_OF_DAY = frozenset({"Abend", "Morgen", "Nachmittag", "Vormittag", "Mittag", "Nacht", "Früh"})
_APPOSITION_TOKENS = 10  # "Anna Berg", "Vorsitzende des Ausschusses im Landtag"


def is_adjective(tokens: Sequence[Token], index: int) -> bool:
    """A lower-case inflected word in a run of such words that ends in a noun ("die neue Regierung")."""
    for position in range(index, min(len(tokens), index + 4)):
        token = tokens[position]
        if token.is_capitalised:
            return position > index
        lower = token.lower
        if (
            not token.text.islower()
            or lower in GERMAN_DETERMINERS
            or lower in GERMAN_NP_STOPS
            or not lower.endswith(("e", "en", "er", "es", "em"))
        ):
            return False
    return False


def np_after(view: ClauseView, index: int, limit: int) -> tuple[int, int] | None:
    """Token range of the noun phrase starting at ``index`` (skipping adverbs), or None."""
    tokens = view.tokens
    while index < limit and tokens[index].lower in GERMAN_NP_STOPS and tokens[index].lower not in {"es"}:
        if (tokens[index].lower in _TWO_WORD_ADVERBIALS and index + 1 < limit) or (
            index + 1 < limit and tokens[index + 1].text in _TIMES_OF_DAY
        ):
            index += 2  # "am Montag", "im Interview", "letzte Woche"
            continue
        index += 1
    if index >= limit:
        return None
    if tokens[index].lower in GERMAN_PRONOUNS:
        return index, index + 1
    start = index
    while index < limit:
        token = tokens[index]
        lower = token.lower
        if token.text in BOUNDARY_MARKS or token.text in {".", "!", "?"}:
            break
        if token.text == "(":
            close = next((k for k in range(index, min(limit, index + 8)) if tokens[k].text == ")"), -1)
            if close < 0:
                break
            index = close + 1
            continue
        if lower in GERMAN_DETERMINERS or lower in _NAME_PARTICLES:
            if index > start and lower in GERMAN_NP_STOPS:
                break
            index += 1
            continue
        if token.text in QUOTE_MARKS and not view.quoted[index]:
            index += 1
            continue
        if lower in GERMAN_NP_STOPS:
            break
        if token.is_capitalised or token.text[:1].isdigit():
            index += 1
            continue
        if is_adjective(tokens, index):
            index += 1
            continue
        break
    while index > start and (
        tokens[index - 1].lower in GERMAN_DETERMINERS or tokens[index - 1].lower in _NAME_PARTICLES
    ):
        index -= 1
    if index <= start or not any(t.is_capitalised for t in tokens[start:index]):
        return None
    return start, index


def with_apposition(view: ClauseView, phrase: tuple[int, int]) -> tuple[int, int]:
    """A noun phrase with its appositions: "Ida Wolf, die Sprecherin der Feuerwehr"."""
    tokens = view.tokens
    stop, last = phrase[1], view.last_word_index()
    while stop + 1 < last and tokens[stop].text == "," and not view.quoted[stop + 1]:
        following = tokens[stop + 1]
        if following.lower in GERMAN_DETERMINERS:
            if stop + 2 >= last or not (tokens[stop + 2].is_capitalised or is_adjective(tokens, stop + 2)):
                break  # a relative clause: ", der gestern ..."
        elif not following.is_capitalised:
            break
        segment_end = view.clause_end(stop + 1)
        segment = tokens[stop + 1 : segment_end]
        if len(segment) > _APPOSITION_TOKENS or any(
            t.text in GERMAN_VERB_FORMS or t.text in GERMAN_AUXILIARIES or t.text in GERMAN_KONJUNKTIV_I
            for t in segment
        ):
            break
        stop = segment_end
    return phrase[0], stop


def with_leading_name(view: ClauseView, subject: tuple[int, int]) -> tuple[int, int]:
    """ "Jan Ott, Sprecher des Vereins, kommentierte ...": the name before the apposition."""
    leading = np_after(view, 0, subject[0] - 1)
    if leading is None or leading[0] != 0 or leading[1] != subject[0] - 1:
        return subject
    return 0, subject[1]


def np_before(view: ClauseView, index: int, floor: int) -> tuple[int, int] | None:
    """Token range of the noun phrase ending just before ``index`` ("Russischen Medien zufolge")."""
    tokens = view.tokens
    start = index
    while start > floor:
        token = tokens[start - 1]
        lower = token.lower
        if token.text in BOUNDARY_MARKS or lower in _LEADING_PARTICLES:
            break
        if token.is_capitalised or lower in GERMAN_DETERMINERS or lower in _NAME_PARTICLES:
            start -= 1
            continue
        if (
            token.text in QUOTE_MARKS
            or token.text in "()"
            or (token.text.islower() and token.lower.endswith(("e", "en", "er", "es", "em")))
        ):
            start -= 1
            continue
        break
    while start < index and (tokens[start].lower in _NAME_PARTICLES and tokens[start].lower != "der"):
        start += 1
    return (start, index) if start < index else None


def subject_before(view: ClauseView, first: int, stop: int) -> tuple[int, int] | None:
    """The prefield ``first..stop-1`` as a speaker noun phrase, or None when it is adverbial."""
    tokens = view.tokens
    while first < stop and tokens[first].lower in _LEADING_PARTICLES:
        first += 1
    if first >= stop or any(view.quoted[first:stop]):
        return None
    opener = tokens[first].lower
    if opener in GERMAN_ADVERBIAL_OPENERS or opener in GERMAN_SUBORDINATORS or tokens[first].text[:1].isdigit():
        return None
    if opener in GERMAN_PRONOUNS:
        return (first, stop) if stop - first == 1 else None
    if stop - first > 25:
        return None
    return first, stop
