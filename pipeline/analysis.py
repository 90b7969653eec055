"""Text analysis for the search fields that Elasticsearch cannot analyse itself.

The embedded Elasticsearch (integ-test distribution) lacks the analysis-common module: no
stemmers, no language analyzers, no decompounder. Newshound analyses text here instead:
``index_terms`` fills the whitespace-analysed ``*_stems`` fields at index time, ``query_terms``
analyses what a user typed the same way, so both sides meet on the same terms.

- A token is a run of Unicode word characters, cut as Elasticsearch's standard tokenizer cuts
  news text: "Pentagon-Sprecherin" is two tokens, "U.S.", "3,5" and "Putin's" are one each.
- A term is the token lower-cased, without a possessive "'s", folded (German: umlauts, ß and
  ae/oe/ue as Elasticsearch's ``german_normalization`` folds them; then any Latin diacritic to
  ASCII) and, for ``ANALYZED_LANGUAGES``, stemmed with the language's Snowball stemmer.
- German closed compounds also give the terms of their parts (``german_compound_parts``), so
  "Regierung" finds "Bundesregierung". The parts follow all the words, so a phrase query over
  words keeps exact positions.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import os
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import Stemmer

logger = logging.getLogger(__name__)

ANALYZED_LANGUAGES: frozenset[str] = frozenset({"de", "en"})

_SNOWBALL_ALGORITHMS = {"de": "german", "en": "english"}


def index_terms(text: str, language: str | None) -> str:
    """Space-joined terms of text for a ``*_stems`` field: its words' terms in order, then the parts' terms."""
    language = _analysed_language(language)
    tokens = _tokens(text)
    terms = [_term(token, language) for token in tokens]
    if language == "de":
        for token in tokens:
            terms.extend(_part_terms(token))
    return " ".join(terms)


def query_terms(text: str, language: str | None) -> list[str]:
    """The terms of words a user typed, analysed as ``index_terms`` analyses words (no compound parts)."""
    language = _analysed_language(language)
    return [_term(token, language) for token in _tokens(text)]


def word_terms(language: str | None) -> Callable[[str], str]:
    """The term of one word (a run of word characters) in ``language``: the per-word form of
    ``query_terms`` for callers that cut the words themselves (highlighting), cached."""
    return functools.partial(_term, language=_analysed_language(language))


def _analysed_language(language: str | None) -> str | None:
    """The language's primary code ("de-AT" -> "de") if it is analysed here, else None."""
    if not language:
        return None
    primary = language.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in ANALYZED_LANGUAGES else None


# --- Tokens ---------------------------------------------------------------------------------


@functools.cache
def _word_pattern() -> re.Pattern[str]:
    # \w leaves out combining marks (a diacritic without a precomposed letter, Devanagari vowel
    # signs), which belong inside their word; collected once from the Unicode database's BMP.
    marks = "".join(
        re.escape(chr(code)) for code in range(0x300, 0x10000) if unicodedata.category(chr(code)).startswith("M")
    )
    # Inside a word: an apostrophe or full stop between word characters ("Putin's", "U.S"),
    # a comma between digits ("3,5"); a hyphen or slash separates words.
    return re.compile(rf"[\w{marks}]+(?:(?:['’ʼ.]|(?<=\d),(?=\d))[\w{marks}]+)*")


# Han and Hiragana characters are one token each, as in the standard tokenizer (no spaces there).
_IDEOGRAPHIC = "\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_IDEOGRAPH = re.compile(f"[{_IDEOGRAPHIC}]")
_IDEOGRAPH_OR_OTHER = re.compile(f"[{_IDEOGRAPHIC}]|[^{_IDEOGRAPHIC}]+")


def _tokens(text: str) -> list[str]:
    if text.isascii():
        return _word_pattern().findall(text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    tokens = _word_pattern().findall(text)
    if _IDEOGRAPH.search(text) is None:
        return tokens
    return [piece for token in tokens for piece in _IDEOGRAPH_OR_OTHER.findall(token)]


# --- Terms ----------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})

# Elasticsearch's german_normalization (Lucene's GermanNormalizationFilter): an "e" after "a" or
# "o", or after a "u" that does not follow a vowel or "q", is an umlaut's spelling and goes
# ("Mueller" = "Müller"); then ä, ö, ü -> a, o, u and ß -> ss. Umlauts must still be there when
# the e-rule runs ("äe" keeps its e), hence two steps.
_GERMAN_UMLAUT_E = re.compile(r"(?<=[ao])e|(?<![aeiouyqäöü]u)(?<=u)e")
_GERMAN_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


@functools.cache
def _latin_folding() -> dict[int, str]:
    """Latin letters with diacritics -> ASCII ("é" -> "e", "ł" -> "l"), as users type them."""
    # Letters that do not decompose into a base letter and a mark ("İstanbul".lower() keeps the
    # dot as a mark of its own), then those that do.
    table = str.maketrans({"ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"})
    table |= str.maketrans({"ı": "i", "\u0307": ""})
    for code in range(0xC0, 0x250):
        letter = chr(code)
        bare = "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c))
        if bare != letter and bare.isascii() and bare.isalpha():
            table.setdefault(code, bare.lower())
    return table


_stemmers = threading.local()  # PyStemmer: "only a single thread should access the instance"


def _stemmer(language: str) -> Stemmer.Stemmer:
    stemmer: Stemmer.Stemmer | None = getattr(_stemmers, language, None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer(_SNOWBALL_ALGORITHMS[language])
        setattr(_stemmers, language, stemmer)
    return stemmer


def _fold(word: str, language: str | None) -> str:
    """The lower-cased word without a possessive "'s" and with its letters folded."""
    if word.isascii():
        if language == "de":
            word = _GERMAN_UMLAUT_E.sub("", word)
    else:
        word = word.translate(_APOSTROPHES)
        if language == "de":
            word = _GERMAN_UMLAUT_E.sub("", word).translate(_GERMAN_UMLAUTS)
        word = word.translate(_latin_folding())
    if word.endswith("'s") and len(word) > 2:
        word = word[:-2]
    return word


# Most words of an article recur (in it and across articles): one cache for all.
@functools.lru_cache(maxsize=1 << 16)
def _term(token: str, language: str | None) -> str:
    word = _fold(token.lower(), language)
    if language is None or not word.isalpha():
        return word  # "u.s", "3,5", "g20", "o'brien": a stemmer would only damage them
    if language == "de" and word.endswith(("as", "os")) and len(word) > 4:
        # Snowball keeps an -s after a vowel: the genitive of Chinas, Nordkoreas, Mexikos, and
        # plurals like Autos, would not meet their base form.
        word = word[:-1]
    stem: str = _stemmer(language).stemWord(word)
    return stem


@functools.lru_cache(maxsize=1 << 16)
def _part_terms(token: str) -> tuple[str, ...]:
    whole = _term(token, "de")
    terms: list[str] = []
    for part in german_compound_parts(token):
        term = _term(part, "de")
        if term != whole and term not in terms:
            terms.append(term)
    return tuple(terms)


# --- German compounds -----------------------------------------------------------------------
#
# A closed compound is split where its last part (the head) is a frequent noun and what comes
# before is a frequent noun too (or splits into such nouns), with a linking element between
# ("Verteidigung-s-minister"). A false part makes a search for that part find the article, and
# a rare false part ("Bein" in "Beinhalten") hurts most, so the rules prefer leaving a word whole.
# Nouns, their forms and lemmas come from simplemma's German dictionary (capitalised entries);
# frequencies from wordfreq's German "large" list. Every value below was tuned on labelled words
# from GermEval 2014 dev (scripts/measure_decompounding.py reports precision and recall) and the
# word lists checked against the most frequent splits in the corpus's Wikinews articles.

_MIN_PART_LENGTH = 4  # "Tag", "Amt", "Rat": 3-letter parts are mostly false ("Bundestag" is no day)
# Zipf frequency x 10 (50 = once in 100,000 words) of the form or its lemma, whichever is higher:
# rarer dictionary nouns ("Ster", "Tran", "Mente") are mostly chance substrings.
_MIN_MODIFIER_SCORE = 20
_MIN_HEAD_SCORE = 30
# Koehn & Knight (2003): a word split only if its parts are about as frequent as it is. A known
# word much more frequent than its parts is its own word ("Wirtschaft" is not Wirt + Schaft,
# "Minister" not Mini + Ster); 3 (0.3 zipf) lets "Bundesregierung" through, not "Flughafen".
_SPLIT_MARGIN = 3
# "n", "en" and "es" forms are mostly noun forms already (Frauen-, Bundes-); a linking "s" only
# follows these suffixes (Regierung-s-), else "Schrift-s-teller" would pass for Schriftsteller.
_LINKING_ELEMENTS = ("", "s", "es", "n", "en", "ns")
_S_LINKED_SUFFIXES = ("ung", "heit", "keit", "schaft", "ion", "tät", "ling", "tum", "sal")
_SHORT_MODIFIERS = frozenset({"süd", "ost"})  # compass points of three letters: Südafrika, Ostukraine
_SHORTEST_MODIFIER = min(len(modifier) for modifier in _SHORT_MODIFIERS)
_EXTRA_MODIFIERS = frozenset({"außen", "innen", "ober", "vize"})  # not nouns, but precise: Außenministerin
# Dictionary nouns that as a first part are nearly always a preposition or adverb (Unterhaltung,
# Zurückhaltung), an adjective, a verb or a unit prefix (Hochzeit, Großteil, Schauspieler,
# Verbrauch, Misserfolg, Rücktritt, Kilometer).
_ADVERB_MODIFIERS = frozenset({"unter", "über", "hinter", "nach", "durch", "gegen", "wider", "wieder", "neben"})
_MORE_ADVERB_MODIFIERS = frozenset({"zwischen", "zurück", "zusammen"})
_PREFIX_MODIFIERS = frozenset({"voll", "hoch", "tief", "groß", "mittel", "still", "schau", "verb", "miss", "rück"})
_UNIT_MODIFIERS = frozenset({"kilo", "milli", "zenti", "mega", "giga"})
_STOP_MODIFIERS = _ADVERB_MODIFIERS | _MORE_ADVERB_MODIFIERS | _PREFIX_MODIFIERS | _UNIT_MODIFIERS
# Heads never split off: suffixes that are also nouns (Wirt-schaft, Früh-ling, Parlament-arier); "Land"
# and "Reich", which would tie countries to the words (Griechen-land, Frank-reich); endings of
# place and person names (Darm-stadt is not caught, Ravens-burger and Wolf-gang are); Flug-zeug
# is no Zeuge, Landrat-s-amt no Samt, Foto-graf no Graf, Haus-halt no Halt.
_SUFFIX_HEADS = frozenset(
    {"schaft", "schaften", "schafts", "ling", "linge", "lingen", "chen", "lein", "arier", "ionen"}
)
_COUNTRY_HEADS = frozenset({"land", "lande", "landes", "lands", "reich", "reiche", "reiches", "reichs"})
_PLACE_NAME_HEADS = frozenset({"burg", "burger", "berg", "berger", "bach", "dorf", "heim"})
_PERSON_NAME_HEADS = frozenset({"mann", "männer", "meyer", "meier", "maier", "mayer", "bert", "fried", "gang"})
_MISLEADING_HEADS = frozenset({"zeug", "zeuge", "zeugen", "zeuges", "zeugs", "samt", "graf", "grafen"})
_HALT_HEADS = frozenset({"halt", "halte", "halts"})
_STOP_HEADS = _SUFFIX_HEADS | _COUNTRY_HEADS | _PLACE_NAME_HEADS | _PERSON_NAME_HEADS | _MISLEADING_HEADS | _HALT_HEADS
_ADJECTIVE_ENDINGS = ("", "e", "en", "er", "es", "em")


@dataclass(frozen=True)
class _GermanLexicon:
    noun_scores: dict[str, int]  # lower-cased noun form -> score (see _MIN_MODIFIER_SCORE), if at least that
    noun_lemmas: dict[str, str]  # those forms -> their lemma, where it is another word: "bundes" -> "bund"
    # Verbs, participles and adjectives used as nouns (Beinhalten, Vorsitzende), or capitalised at
    # the start of a sentence (Zahlreiche): they are no compounds.
    not_compounds: frozenset[str]
    modifier_scores: dict[str, int]  # first parts that are no noun form: Schul-form (-e dropped), Außen-


_german_lexicon_lock = threading.Lock()


def _german_lexicon() -> _GermanLexicon:
    """Loaded once per process, on the first German text indexed, from the cache file the first
    process wrote (a few tenths of a second); built when there is none (about 5 s, 330 MB at the
    peak, 50 MB kept)."""
    with _german_lexicon_lock:  # two threads building it at once would double the peak
        return _cached_german_lexicon()


@functools.cache
def _cached_german_lexicon() -> _GermanLexicon:
    path = _lexicon_cache_path()
    try:
        noun_scores, noun_lemmas, not_compounds, modifier_scores = marshal.loads(path.read_bytes())
        return _GermanLexicon(noun_scores, noun_lemmas, frozenset(not_compounds), modifier_scores)
    except (OSError, ValueError, EOFError, TypeError):
        pass  # none yet, or unreadable: build it
    lexicon = _build_german_lexicon()
    tables = (lexicon.noun_scores, lexicon.noun_lemmas, lexicon.not_compounds, lexicon.modifier_scores)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_bytes(marshal.dumps(tables))
        partial.replace(path)  # whole or not at all, whoever writes last
    except OSError as error:
        logger.info("german lexicon not cached at %s (%s): built again by each process", path, error)
    return lexicon


def _lexicon_cache_path() -> Path:
    """Under the user's cache folder, named by what the lexicon is made of: the word lists'
    versions and this module's rules, so a change to either builds a new one."""
    from importlib.metadata import version

    made_of = f"{version('simplemma')}/{version('wordfreq')}/{Path(__file__).read_bytes().hex()}"
    digest = hashlib.sha256(made_of.encode()).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "newshound" / f"german-lexicon-{digest}.marshal"


@functools.cache
def _build_german_lexicon() -> _GermanLexicon:
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    score = _german_frequency_scores()
    # Two passes over the 1.1 million forms, none of them kept whole: peak memory stays lower.
    forms = DefaultDictionaryFactory(cache_max_size=0).get_dictionary("de")
    other_lemmas = {form: lemma for form, lemma in forms.items() if form.islower()}
    noun_scores: dict[str, int] = {}
    noun_lemmas: dict[str, str] = {}
    not_compounds: set[str] = set()
    also_nouns: set[str] = set()
    modifier_scores = {modifier: score(modifier) for modifier in _SHORT_MODIFIERS | _EXTRA_MODIFIERS}
    for capitalised, capitalised_lemma in forms.items():
        if not (capitalised[:1].isupper() and capitalised[1:].islower() and capitalised_lemma[:1].isupper()):
            continue
        form, lemma = capitalised.lower(), capitalised_lemma.lower()
        if form in other_lemmas:
            also_nouns.add(form)
        form_score = max(score(form), score(lemma))
        if form_score >= _MIN_MODIFIER_SCORE:
            noun_scores[form] = form_score
            if lemma != form:
                noun_lemmas[form] = lemma
            stem = form[:-1]
            # Schule -> Schul-: only where the stem is no word itself (not "nicht" for Nichte).
            if form.endswith("e") and stem[-1] not in "aeiouyäöü" and stem not in other_lemmas:
                modifier_scores.setdefault(stem, form_score)
        for ending in _ADJECTIVE_ENDINGS:
            base = form[: len(form) - len(ending)]
            other_lemma = other_lemmas.get(base) if form.endswith(ending) else None
            # "beinhalten" -> Beinhalten, "vorsitzend" -> Vorsitzende, "arbeitslos" -> Arbeitslose;
            # not Wahlkämpfen (lemma Wahlkampf) beside the rare verb "wahlkämpfen".
            if other_lemma is not None and (lemma == form or lemma.startswith((other_lemma, base))):
                not_compounds.add(form)
                break
    not_compounds.update(form for form in other_lemmas if form not in also_nouns)

    def has_head(word: str) -> bool:
        return any(
            noun_scores.get(word[start:], 0) >= _MIN_HEAD_SCORE
            for start in range(_SHORTEST_MODIFIER, len(word) - _MIN_PART_LENGTH + 1)
        )

    # Only words that could be split need the tables (fewer than half of them).
    return _GermanLexicon(
        noun_scores=noun_scores,
        noun_lemmas={
            form: lemma for form, lemma in noun_lemmas.items() if noun_scores[form] >= _MIN_HEAD_SCORE or has_head(form)
        },
        not_compounds=frozenset(form for form in not_compounds if has_head(form)),
        modifier_scores=modifier_scores,
    )


def _german_frequency_scores() -> Callable[[str], int]:
    """Zipf frequency x 10 of a German word in wordfreq's "large" list, 0 if it is not there."""
    import wordfreq

    # Bucket i holds the words of frequency 10^(-i/100), so zipf x 10 = 90 - i/10.
    scores = {
        word: 90 - bucket // 10
        for bucket, words in enumerate(wordfreq.get_frequency_list("de", wordlist="large"))
        for word in words
    }
    wordfreq.get_frequency_list.cache_clear()  # its cache would keep the whole list alive
    return lambda word: scores.get(word.casefold(), 0)  # wordfreq folds ß to ss


def german_compound_parts(word: str) -> tuple[str, ...]:
    """The parts of a capitalised German closed compound, lower-cased as written, every level of it; () if none."""
    if len(word) < _MIN_PART_LENGTH + 3 or not word.isalpha() or not word[0].isupper() or not word[1:].islower():
        return ()
    parts: list[str] = []
    _collect_parts(word.lower(), parts)
    return tuple(parts)


def _collect_parts(word: str, parts: list[str]) -> None:
    lexicon = _german_lexicon()
    if word in lexicon.not_compounds:
        return
    for suffix in ("innen", "in"):  # Außenministerin: split Außenminister
        if word.endswith(suffix) and word[: -len(suffix)] in lexicon.noun_scores:
            word = word[: -len(suffix)]
            break
    split = _split(word)
    if split is None:
        return
    whole_score = lexicon.noun_scores.get(word, 0)
    parts_score = sum(lexicon.noun_scores.get(part) or lexicon.modifier_scores[part] for part in split) / len(split)
    if parts_score + _SPLIT_MARGIN <= whole_score:
        return
    for part in split:
        if part not in parts:
            parts.append(part)
        _collect_parts(part, parts)


@functools.lru_cache(maxsize=1 << 16)
def _split(word: str) -> tuple[str, ...] | None:
    """The first parts and the head of word (head as long as possible), or None."""
    lexicon = _german_lexicon()
    lemma = lexicon.noun_lemmas.get(word, word) if word in lexicon.noun_scores else None
    for start in range(_SHORTEST_MODIFIER, len(word) - _MIN_PART_LENGTH + 1):
        head = word[start:]
        if head in _STOP_HEADS or lexicon.noun_scores.get(head, 0) < _MIN_HEAD_SCORE:
            continue
        head_lemma = lexicon.noun_lemmas.get(head, head)
        if len(head_lemma) < _MIN_PART_LENGTH:
            continue  # Bundes-tages: the head is "Tag"
        # A compound inflects as its head: Handlungen (lemma Handlung) has no head Lungen (Lunge).
        # The dictionary gives adjectives used as nouns either lemma (Vorsitzender, Vorsitzende).
        if lemma is not None and not lemma.endswith((head_lemma, head_lemma.removesuffix("r"), head)):
            continue
        before = word[:start]
        if before in _STOP_MODIFIERS:
            continue
        modifiers = _modifiers(before, lexicon)
        if modifiers is not None:
            return (*modifiers, head)
    return None


def _modifiers(before: str, lexicon: _GermanLexicon) -> tuple[str, ...] | None:
    """What comes before a head as one modifier, else as a compound of its own; None if neither."""
    candidates = [
        before[: len(before) - len(linking)]
        for linking in _LINKING_ELEMENTS
        if before.endswith(linking)
        and (linking not in ("s", "es") or before[: len(before) - len(linking)].endswith(_S_LINKED_SUFFIXES))
    ]
    for modifier in candidates:
        if _is_modifier(modifier, lexicon):
            return (modifier,)
    for modifier in candidates:
        if len(modifier) >= 2 * _MIN_PART_LENGTH and (split := _split(modifier)) is not None:
            return split
    return None


def _is_modifier(modifier: str, lexicon: _GermanLexicon) -> bool:
    if modifier in _STOP_MODIFIERS or (len(modifier) < _MIN_PART_LENGTH and modifier not in _SHORT_MODIFIERS):
        return False
    return modifier in lexicon.noun_scores or modifier in lexicon.modifier_scores
