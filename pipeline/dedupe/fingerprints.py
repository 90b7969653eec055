"""Fingerprints for duplicate and story detection: plain functions of the cleaned text.

Three levels, from strict to loose:
- exact duplicate: the same normalised text (``content_hash``), e.g. a syndicated copy;
- near duplicate: the same article lightly edited, by MinHash over word shingles; the signature
  is cut into LSH bands whose keys are indexed, so candidates come from a terms query;
- same story: different articles about one event (other outlet, other wording, even a
  translation), by shared entities, numbers and quotation fragments (``story_keys``).
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from pipeline.models import Claim, EntityMention

_WORD = re.compile(r"\w+", re.UNICODE)
# Numbers as written in German or English news: 10.000 / 10,000 / 10 000 / 3000 / 2,5.
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,\u202f\u00a0 ]\d{3})+|\d+)(?:[.,](\d+))?(?![\w])")
# Telephone numbers ("04131 8306-2215", "(217) 788-8311", "+49 30 1234-5"): their digit groups
# are no salient numbers, and every police report of one station repeats them (issue 15: two
# reports of other incidents shared three "numbers" that were the station's telephone number).
_PHONE = re.compile(
    r"(?<![\w.,])(?:\(\d{3}\)[ \u00a0]?\d{3}[-. ]\d{4}"  # (217) 788-8311
    r"|(?:\+\d{1,3}[ \u00a0]?\(?0?\d{1,5}\)?|\(?0\d{2,5}\)?)[ \u00a0/-]+\d{3,}(?:[ \u00a0-]\d+)*)"  # 04131 8306-2215
)
_QUOTED = re.compile(r"[„“”\"»«‚‘’](.{12,400}?)[“”\"«»‘’]", re.S)
_MINHASH_SEED = 7
# Stored signatures are only comparable within one scheme; changing it means re-fingerprinting.
_SCHEME = "affine32"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What dedupe needs to know of one article's text."""

    content_hash: str
    signature: tuple[int, ...]
    band_keys: tuple[str, ...]
    shingle_count: int = 0  # distinct shingles: with the signature, it estimates containment


def content_hash(text: str) -> str:
    """Hash of the text with case and whitespace normalised: equal for exact copies."""
    normalised = " ".join(_WORD.findall(text.lower()))
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def shingles(text: str, size: int) -> list[bytes]:
    """Overlapping word ``size``-grams of the lowercased text (the whole text when shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return [" ".join(words).encode("utf-8")] if words else []
    return [" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)]


@lru_cache(maxsize=8)
def _permutations(num_permutations: int) -> tuple[np.ndarray, np.ndarray]:
    # Generating the permutations is the costly part of a MinHash; do it once per size.
    template = MinHash(num_perm=num_permutations, seed=_MINHASH_SEED, scheme=_SCHEME)
    return template.permutations  # type: ignore[no-any-return]


def minhash_signature(text: str, *, shingle_words: int, num_permutations: int) -> tuple[int, ...]:
    """MinHash signature of the text's word shingles (datasketch, batched)."""
    minhash = MinHash(
        num_perm=num_permutations,
        seed=_MINHASH_SEED,
        permutations=_permutations(num_permutations),
        scheme=_SCHEME,
    )
    words = shingles(text, shingle_words)
    if words:
        minhash.update_batch(words)
    return tuple(int(value) for value in minhash.hashvalues)


def band_keys(signature: Sequence[int], bands: int) -> tuple[str, ...]:
    """LSH band keys ("07:9f3a...") of a signature: two texts sharing a key are near-duplicate candidates."""
    rows = len(signature) // bands
    keys = []
    for band in range(bands):
        values = signature[band * rows : (band + 1) * rows]
        digest = hashlib.blake2b(struct.pack(f">{len(values)}I", *values), digest_size=8).hexdigest()
        keys.append(f"{band:02d}:{digest}")
    return tuple(keys)


def estimated_similarity(first: Sequence[int], second: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two texts' shingle sets from their signatures."""
    if not first or len(first) != len(second):
        return 0.0
    return sum(1 for a, b in zip(first, second, strict=True) if a == b) / len(first)


def fingerprint(text: str, *, shingle_words: int, num_permutations: int, bands: int) -> Fingerprint:
    signature = minhash_signature(text, shingle_words=shingle_words, num_permutations=num_permutations)
    distinct = len(set(shingles(text, shingle_words)))
    return Fingerprint(content_hash(text), signature, band_keys(signature, bands), distinct)


def encode_signature(signature: Sequence[int]) -> str:
    """Base64 of the signature as big-endian uint32 (the values are 32-bit hashes)."""
    return base64.b64encode(struct.pack(f">{len(signature)}I", *signature)).decode("ascii")


def decode_signature(encoded: str) -> tuple[int, ...]:
    raw = base64.b64decode(encoded)
    return struct.unpack(f">{len(raw) // 4}I", raw)


QUOTE_KEY_PREFIX = "q:"


def split_story_keys(keys: Sequence[str]) -> tuple[list[str], list[str]]:
    """(entity and number keys, quotation trigram keys), each in the given order."""
    facts = [key for key in keys if not key.startswith(QUOTE_KEY_PREFIX)]
    quotes = [key for key in keys if key.startswith(QUOTE_KEY_PREFIX)]
    return facts, quotes


def story_keys(text: str, entities: Sequence[EntityMention], claims: Sequence[Claim] = ()) -> tuple[str, ...]:
    """Keys two reports of one story tend to share: entities, salient numbers, quoted word trigrams.

    ``e:<entity id>`` for every linked entity, ``n:<value>`` for numbers of 100 and more that are
    not years (casualty counts, troop numbers, sums), ``q:<hash>`` for word trigrams inside
    quotation marks (quotes survive rewording and, partly, translation).
    """
    keys = {f"e:{mention.entity_id}" for mention in entities}
    for number in salient_numbers(text):
        keys.add(f"n:{number}")
    for claim in claims:
        for quantity in claim.quantities:
            if quantity.value >= 100:
                keys.add(f"n:{quantity.value:g}")
    for quote in _QUOTED.findall(text):
        words = _WORD.findall(quote.lower())
        for i in range(len(words) - 2):
            trigram = " ".join(words[i : i + 3])
            keys.add(QUOTE_KEY_PREFIX + hashlib.blake2b(trigram.encode(), digest_size=6).hexdigest())
    return tuple(sorted(keys))


def salient_numbers(text: str) -> set[str]:
    """Numbers >= 100 in the text, normalised ("10.000" -> "10000"), years and telephone numbers excluded."""
    found = set()
    for match in _NUMBER.finditer(_PHONE.sub(" ", text)):
        digits = re.sub(r"\D", "", match.group(1))
        if not digits:
            continue
        value = int(digits)
        if value < 100 or (1900 <= value <= 2100 and len(match.group(1)) == 4):
            continue
        found.add(str(value))
    return found


@dataclass(frozen=True, slots=True)
class StoryMatch:
    """How much two articles' story keys overlap."""

    shared_entities: int
    shared_numbers: int
    shared_quote_trigrams: int
    overlap: float  # shared entity+number keys / the smaller article's entity+number keys


def story_match(first: Sequence[str], second: Sequence[str]) -> StoryMatch:
    shared = set(first) & set(second)
    entities = sum(1 for key in shared if key.startswith("e:"))
    numbers = sum(1 for key in shared if key.startswith("n:"))
    quotes = sum(1 for key in shared if key.startswith(QUOTE_KEY_PREFIX))
    size_first = sum(1 for key in first if key[:2] in ("e:", "n:"))
    size_second = sum(1 for key in second if key[:2] in ("e:", "n:"))
    smaller = min(size_first, size_second)
    overlap = (entities + numbers) / smaller if smaller else 0.0
    return StoryMatch(entities, numbers, quotes, overlap)


# The story rule's two paths: shared entity/number keys alone, or shared quotations about
# several shared entities. No pair sharing fewer than LEAST_SHARED_FACTS entity/number keys can
# pass either path, which lets the story lookup ask for at least that many.
FACTS_PATH_MIN_FACTS = 4
QUOTE_PATH_MIN_ENTITIES = 3
QUOTE_PATH_MIN_TRIGRAMS = 3
LEAST_SHARED_FACTS = min(FACTS_PATH_MIN_FACTS, QUOTE_PATH_MIN_ENTITIES)


def same_story(match: StoryMatch, *, threshold: float, quote_threshold: float) -> bool:
    """The story rule: enough shared facts, or shared quotations about several shared entities.

    Four shared entity/number keys covering ``threshold`` of the smaller article keep apart two
    articles that merely both mention Russia, Putin and Moscow. Shared quotation trigrams catch
    rewrites of the same statements, but common phrases ("to the streets") recur in unrelated
    quotes, so that path also needs three shared entities and ``quote_threshold`` overlap.
    scripts/measure_dedupe.py reports how the rule does on the extraction corpus.
    """
    facts = match.shared_entities + match.shared_numbers
    if facts >= FACTS_PATH_MIN_FACTS and match.overlap >= threshold:
        return True
    return (
        match.shared_quote_trigrams >= QUOTE_PATH_MIN_TRIGRAMS
        and match.shared_entities >= QUOTE_PATH_MIN_ENTITIES
        and match.overlap >= quote_threshold
    )
