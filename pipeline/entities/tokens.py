"""Tokenisation and normalisation shared by the knowledge base, the matcher and NER linking.

A token is a run of word characters, optionally with inner apostrophes ("O'Brien") or a dotted
abbreviation ("U.S."). An English possessive "'s" is cut off the token so that "Putin's" is
looked up as "Putin". Hyphens split tokens, so "Pentagon-Sprecherin" is two tokens joined by
a hyphen and "Suk-yol" matches the alias "Suk Yol".

Keys are case-folded and stripped of accents, so "Pjöngjang" and "Pjongjang", "Erdoğan" and
"Erdogan" meet; case is checked separately, from the original token text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import IntEnum
from functools import lru_cache

TOKEN_PATTERN = re.compile(r"(?:[^\W\d_]\.){2,}|\w+(?:['’]\w+)*")
HYPHENS = frozenset("-‐‑")  # hyphen-minus, hyphen, non-breaking hyphen
POSSESSIVE_ENDINGS = ("'s", "’s", "'S", "’S")

# Normalised keys of frequent words are cached; the bound keeps a long-running worker's memory flat.
_KEY_CACHE: dict[str, str] = {}
_KEY_CACHE_LIMIT = 200_000


class Gap(IntEnum):
    """What separates a token from the next one; anything but BREAK may lie inside a name."""

    BREAK = 0
    SPACE = 1
    HYPHEN = 2
    POSSESSIVE = 3  # "Britain's prime minister", "People's Republic": a cut-off "'s" and a space


@dataclass(slots=True)
class TokenList:
    """Tokens of a text as parallel lists (faster to scan than a list of objects)."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)  # gaps[i] separates token i from token i + 1

    def __len__(self) -> int:
        return len(self.starts)


def normalise(word: str) -> str:
    """The look-up key of a word: case-folded, accents removed, typographic apostrophes unified."""
    key = _KEY_CACHE.get(word)
    if key is None:
        key = word.replace("’", "'").casefold()
        if not key.isascii():
            decomposed = unicodedata.normalize("NFKD", key)
            key = "".join(char for char in decomposed if not unicodedata.combining(char))
        if len(_KEY_CACHE) < _KEY_CACHE_LIMIT:
            _KEY_CACHE[word] = key
    return key


_COMMON_GAPS: dict[str, Gap] = {" ": Gap.SPACE, "-": Gap.HYPHEN, "‐": Gap.HYPHEN, "‑": Gap.HYPHEN}


def _classify_gap(gap: str, previous_token: str) -> Gap:
    known = _COMMON_GAPS.get(gap)
    if known is not None:
        return known
    if gap.isspace() and "\n" not in gap:
        return Gap.SPACE
    if len(previous_token) == 1 and gap.strip() == "." and "\n" not in gap:
        return Gap.SPACE  # an initial: "Donald J. Trump"
    return Gap.BREAK


def tokenize(text: str) -> TokenList:
    """Split ``text`` into tokens with offsets, look-up keys and the gaps between them."""
    spans = [match.span() for match in TOKEN_PATTERN.finditer(text)]
    starts = [start for start, _ in spans]
    ends = [end for _, end in spans]
    texts = [text[start:end] for start, end in spans]
    possessives: list[int] = []
    if "'" in text or "’" in text:
        for index, word in enumerate(texts):
            if len(word) > 2 and word.endswith(POSSESSIVE_ENDINGS):
                texts[index] = word[:-2]
                ends[index] -= 2
                possessives.append(index)
    cache = _KEY_CACHE
    keys = [cache.get(word) or normalise(word) for word in texts]
    common, classify = _COMMON_GAPS, _classify_gap
    gaps = [
        common.get(gap) or classify(gap, texts[index])
        for index, gap in enumerate(text[end:start] for end, start in zip(ends, starts[1:], strict=False))
    ]
    gaps.append(Gap.BREAK)
    for index in possessives:
        if index + 1 < len(starts):
            rest = text[ends[index] + 2 : starts[index + 1]]
            if rest.isspace() and "\n" not in rest:
                gaps[index] = Gap.POSSESSIVE
    return TokenList(starts, ends, texts, keys, gaps)


@lru_cache(maxsize=65_536)
def name_words(name: str) -> tuple[str, ...]:
    """The words of a name as the tokeniser splits them ("Karl-Heinz Wedemeyer's" -> Karl, Heinz,
    Wedemeyer), without building a whole token list."""
    return tuple(
        word[:-2] if word.endswith(POSSESSIVE_ENDINGS) and len(word) > 2 else word
        for word in TOKEN_PATTERN.findall(name)
    )


def alias_tokens(alias: str) -> tuple[str, ...]:
    """The tokens of an alias as written in the knowledge base."""
    return tuple(tokenize(alias).texts)


def alias_key(alias: str) -> tuple[str, ...]:
    """The look-up key of an alias: its normalised tokens."""
    return tuple(normalise(token) for token in alias_tokens(alias))
