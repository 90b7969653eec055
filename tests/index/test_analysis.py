"""The analysis behind the ``*_stems`` search fields: index side and query side must meet.

The German tests build the compound lexicon once (a few seconds) on their first call.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import analysis
from pipeline.analysis import ANALYZED_LANGUAGES, german_compound_parts, index_terms, query_terms


def terms(text: str, language: str | None) -> list[str]:
    return index_terms(text, language).split()


def test_analysed_languages() -> None:
    assert {"de", "en"} <= ANALYZED_LANGUAGES


@pytest.mark.parametrize(
    ("variants", "language"),
    [
        (["Soldat", "Soldaten", "Soldaten's", "Soldaten’s"], "de"),
        (["nordkoreanischen", "nordkoreanische", "Nordkoreanische"], "de"),
        (["Größe", "Grösse", "GRÖSSE", "Groesse"], "de"),
        (["Müller", "Mueller", "MÜLLER", "Muller"], "de"),
        (["Straße", "Strasse"], "de"),
        (["Nordkorea", "Nordkoreas"], "de"),  # a name's genitive after a vowel
        (["Erdoğan", "Erdogan"], "de"),
        (["soldier", "soldiers", "soldier's", "soldiers'", "Soldiers"], "en"),
        (["run", "running", "runs"], "en"),
        (["Putin", "Putin's", "Putin’s", "Putins"], "en"),
        (["café", "cafe"], "en"),
    ],
)
def test_variants_of_a_word_meet_on_one_term(variants: list[str], language: str) -> None:
    analysed = {variant: query_terms(variant, language) for variant in variants}
    assert len({tuple(value) for value in analysed.values()}) == 1, analysed
    assert analysed[variants[0]] == terms(variants[0], language)[:1]


def test_german_words_are_stemmed_and_english_words_are_not_stemmed_as_german() -> None:
    assert query_terms("Soldaten Regierung", "de") == ["soldat", "regier"]
    assert query_terms("running studies", "en") == ["run", "studi"]
    assert query_terms("Soldaten", "en") != query_terms("Soldat", "en")


def test_the_language_code_may_carry_a_region() -> None:
    assert query_terms("Soldaten", "de-AT") == query_terms("Soldaten", "de") == query_terms("Soldaten", "DE")


@pytest.mark.parametrize("language", [None, "fr", "xx"])
def test_other_languages_are_lower_cased_and_folded_but_not_stemmed(language: str | None) -> None:
    assert query_terms("Soldaten Größe Café Ærø", language) == ["soldaten", "grosse", "cafe", "aero"]
    assert index_terms("Bundesregierung", language) == "bundesregierung"


def test_tokens_are_cut_as_the_standard_tokenizer_cuts_them() -> None:
    assert query_terms("Pentagon-Sprecherin", "de") == ["pentagon", "sprech"]
    assert query_terms("Scholz' Vorschlag", "de") == ["scholz", "vorschlag"]
    assert query_terms("10.000 Soldaten, 3,5 Prozent, G20 und U.S.", "de") == [
        "10.000",
        "soldat",
        "3,5",
        "prozent",
        "g20",
        "und",
        "u.s",
    ]
    assert query_terms("O'Brien's plan/budget", "en") == ["o'brien", "plan", "budget"]
    assert query_terms("Tōkyō 東京 İstanbul", None) == ["tokyo", "東", "京", "istanbul"]


def test_empty_text() -> None:
    assert index_terms("", "de") == ""
    assert index_terms("  – ! ", "en") == ""
    assert query_terms("", None) == []


def test_words_keep_their_order_and_compound_parts_come_after_them() -> None:
    text = "Die Bundesregierung beschließt, dass Soldaten bleiben."
    words = query_terms(text, "de")
    indexed = terms(text, "de")
    assert words == ["die", "bundesregier", "beschliesst", "dass", "soldat", "bleib"]
    assert indexed[: len(words)] == words
    assert set(indexed[len(words) :]) == {"bund", "regier"}


@pytest.mark.parametrize(
    ("compound", "part"),
    [
        ("Bundesregierung", "Regierung"),
        ("Bundesregierung", "Bund"),
        ("Verteidigungsminister", "Minister"),
        ("Verteidigungsministers", "Verteidigung"),
        ("Bundesverteidigungsminister", "Verteidigungsminister"),
        ("Bundesverteidigungsminister", "Minister"),
        ("Außenministerin", "Minister"),
        ("Nordkorea", "Korea"),
        ("Südafrikas", "Afrika"),
        ("Regierungssprecher", "Sprecher"),
        ("Krankenkassenprämien", "Kasse"),
        ("Wahlkämpfen", "Wahlkampf"),  # the whole word's own term, not a part
        ("Wahlkämpfen", "Kampf"),
        ("Schulform", "Schule"),
        ("Fraktionsvorsitzenden", "Vorsitzende"),
        ("Kampfhandlungen", "Handlung"),
    ],
)
def test_a_german_compound_is_found_by_its_parts(compound: str, part: str) -> None:
    assert query_terms(part, "de")[0] in terms(f"Die {compound} sagt", "de")


@pytest.mark.parametrize(
    "word",
    [
        "Beinhalten",  # a verb at the start of a sentence: not Bein + halten
        "Unternehmen",  # not unter + nehmen
        "Verbrechen",
        "Hochzeit",  # a wedding, no "Zeit"
        "Wirtschaft",  # not Wirt + Schaft
        "Minister",  # not Mini + Ster
        "Verbraucher",  # not Verb + Raucher
        "Schriftsteller",  # not Schrift + Teller
        "Flugzeuge",  # no witness (Zeuge)
        "Griechenland",
        "Gottfried",
        "Mitglieder",
        "Kombination",
        "Vorsitzende",
        "Arbeitslosen",
        "Landratsamt",  # no velvet (Samt)
        "Handlungen",  # no lungs: the compound's lemma (Handlung) must end with the head's (Lunge)
        "Haushalt",
        "Kilometer",
        "Wolfgang",
        "Frankreich",
        "Parlamentarier",
        "Zahlreiche",  # an adjective at the start of a sentence
        "Demokratische",
        "Bundestag",  # parts of three letters are not split off
        "Bundestages",
    ],
)
def test_words_that_are_not_compounds_stay_whole(word: str) -> None:
    assert german_compound_parts(word) == ()
    assert terms(word, "de") == query_terms(word, "de")


def test_only_capitalised_words_are_split() -> None:
    assert german_compound_parts("bundesregierung") == ()
    assert german_compound_parts("BUNDESREGIERUNG") == ()
    assert german_compound_parts("Bundesregierung") == ("bundes", "regierung")


def test_every_level_of_a_compound_gives_its_parts_once() -> None:
    assert german_compound_parts("Bundesverteidigungsminister") == (
        "bundes",
        "verteidigungsminister",
        "verteidigung",
        "minister",
    )
    indexed = terms("Bundesregierung und Bundesregierung", "de")
    assert indexed == ["bundesregier", "und", "bundesregier", "bund", "regier", "bund", "regier"]


def test_queries_are_not_split_into_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_lexicon() -> None:
        raise AssertionError("the query side must not need the compound lexicon")

    monkeypatch.setattr(analysis, "_german_lexicon", no_lexicon)
    analysis._part_terms.cache_clear()
    analysis._split.cache_clear()
    assert query_terms("Landesgesundheitsministerium", "de") == ["landesgesundheitsministerium"]


def test_the_german_lexicon_is_built_once_and_then_read_from_the_cache(tmp_path: Path) -> None:
    """The first process builds the lexicon and writes it under the cache folder; the next reads it
    and splits exactly as the first did."""
    probe = (
        "import json, sys, time; from pipeline.analysis import index_terms, _lexicon_cache_path; "
        "started = time.perf_counter(); "
        "terms = index_terms('Bundesregierung Verteidigungsministerium Flughafen Beinhalten', 'de'); "
        "print(json.dumps([terms, str(_lexicon_cache_path()), time.perf_counter() - started]))"
    )
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [
        json.loads(
            subprocess.run([sys.executable, "-c", probe], env=environment, capture_output=True, check=True).stdout
        )
        for _ in range(2)
    ]
    (first_terms, path, _), (second_terms, second_path, _) = runs
    assert Path(path).is_file() and Path(path).parent.parent == tmp_path and path == second_path
    assert first_terms == second_terms and "regier" in first_terms.split()
