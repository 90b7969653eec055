"""German inflection and compound rules, applied when the alias index is built.

News German inflects names: the genitive adds -s or -es ("Nordkoreas", "des Pentagons",
"des Weißen Hauses"), adjectives inside names decline ("der Vereinten Nationen", "der
Europäischen Kommission"), country adjectives take case endings ("nordkoreanische Soldaten",
"russischen Präsidenten") and roles inflect ("des Generalsekretärs", "dem Präsidenten").
Rather than stemming every word of the text at match time (slow, and it merges unrelated
words), each alias is expanded here into its inflected forms once; the matcher then does
exact look-ups of normalised token tuples.

Hyphenated compounds ("Pentagon-Sprecherin", "EU-Südkorea-Gipfel") need no rule here: the
tokenizer splits at hyphens, so each part is looked up on its own. Closed compounds with a
compass prefix ("Ostukraine", "Nordsyrien") are handled by ``split_direction_prefix``.
"""

from __future__ import annotations

from itertools import product

# Endings of a declined German adjective; "" is the stem itself ("nordkoreanisch" is rare but
# appears in compounds like "nordkoreanisch-russisch").
ADJECTIVE_ENDINGS = ("", "e", "en", "er", "es", "em")

# Normalised (case- and accent-folded) compass prefixes of closed compounds, longest first.
DIRECTION_PREFIXES = (
    "nordost",
    "nordwest",
    "sudost",
    "sudwest",
    "zentral",
    "mittel",
    "nord",
    "sud",
    "ost",
    "west",
)
# "Ost" + "see" is not a country: the remainder must be at least this long to be looked up.
MIN_REMAINDER_CHARS = 4

# A multi-word alias with many declinable words would explode combinatorially; names in the
# knowledge base have at most three declinable words, which stays below this bound.
MAX_VARIANTS_PER_ALIAS = 256


def genitive_forms(word: str) -> list[str]:
    """Genitive (and dative plural) forms of a German noun or name: Russland -> Russlands,
    Haus -> Hauses, Niederlande -> Niederlanden."""
    if len(word) < 2 or not word[-1].isalpha() or word.isupper():
        return []  # acronyms stay uninflected in news German: "der NATO", "des IWF"
    last = word[-1].lower()
    if last in "sxzß":
        return [word + "es"]
    if last == "e":
        return [word + "s", word + "n"]  # "Niederlande" -> "in den Niederlanden"
    if last in "aiouyäöü":
        return [word + "s"]
    return [word + "s", word + "es"]


def declinable_stem(word: str) -> str | None:
    """The stem of a word that looks like a declined adjective ("Vereinigte" -> "Vereinigt")."""
    if len(word) < 5 or not word[0].isalpha():
        return None
    lowered = word.lower()
    for ending in ("en", "er", "es", "em", "e"):
        if lowered.endswith(ending):
            return word[: -len(ending)]
    return None


def name_variants(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Inflected forms of a name or alias, the base form excluded.

    The last word may take the genitive ending; every earlier word that looks like a declined
    adjective may take any adjective ending ("Weißes Haus" -> "Weißen Hauses").
    """
    options: list[list[str]] = []
    for word in tokens[:-1]:
        stem = declinable_stem(word)
        options.append([stem + ending for ending in ADJECTIVE_ENDINGS] if stem else [word])
    options.append([tokens[-1], *genitive_forms(tokens[-1])])
    variants: list[tuple[str, ...]] = []
    for combination in product(*options):
        if combination != tokens:
            variants.append(tuple(combination))
        if len(variants) >= MAX_VARIANTS_PER_ALIAS:
            break
    return variants


def demonym_variants(tokens: tuple[str, ...], language: str) -> list[tuple[str, ...]]:
    """Forms of a country adjective: German stems in -isch take adjective endings,
    English demonyms in -n/-i take the plural -s ("Russians", "Israelis")."""
    last = tokens[-1]
    forms: list[str]
    if language == "de" and last.lower().endswith("isch"):
        forms = [last + ending for ending in ADJECTIVE_ENDINGS]
    elif language == "en" and last[-1:].lower() in ("n", "i"):
        forms = [last, last + "s"]
    else:
        forms = [last]
    return [(*tokens[:-1], form) for form in forms]


def role_variants(form: str) -> list[tuple[str, str]]:
    """Inflected forms of a one-word role with the base they stand for.

    "Präsident" -> "Präsidenten", "Generalsekretär" -> "Generalsekretärs", "Sprecherin" ->
    "Sprecherinnen"; English roles take the plural -s.
    """
    variants = [(form, form)]
    lowered = form.lower()
    if lowered.endswith("in"):
        endings: tuple[str, ...] = ("nen",)
    elif lowered.endswith("er"):
        endings = ("s", "n")
    elif lowered.endswith(("ent", "ant")):
        endings = ("en",)
    else:
        endings = ("s", "es", "e", "en", "n")
    variants.extend((form + ending, form) for ending in endings)
    return variants


def split_direction_prefix(key: str) -> str | None:
    """The remainder of a closed compass compound ("ostukraine" -> "ukraine"), if any."""
    if not key.startswith(DIRECTION_PREFIXES):
        return None
    for prefix in DIRECTION_PREFIXES:
        if key.startswith(prefix) and len(key) - len(prefix) >= MIN_REMAINDER_CHARS:
            return key[len(prefix) :]
    return None
