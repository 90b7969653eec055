"""Dedupe fingerprints: exact hashes, MinHash similarity, LSH keys and story keys (pure functions)."""

from __future__ import annotations

import pytest

from pipeline.dedupe.fingerprints import (
    band_keys,
    content_hash,
    decode_signature,
    encode_signature,
    estimated_similarity,
    minhash_signature,
    salient_numbers,
    same_story,
    story_keys,
    story_match,
)
from pipeline.models import EntityMention

TEXT = (
    "Nordkorea habe etwa 10.000 Soldaten zur Ausbildung nach Russland geschickt, sagte die Sprecherin am Montag. "
    "Ein Teil dieser Soldaten sei bereits näher an die Ukraine herangerückt. Die USA seien besorgt, dass die "
    "Truppen im Kampf eingesetzt würden. Kiew startete im August einen Einmarsch in russisches Territorium. "
)


def signature(text: str) -> tuple[int, ...]:
    return minhash_signature(text, shingle_words=5, num_permutations=120)


def test_content_hash_ignores_case_and_whitespace_only() -> None:
    assert content_hash("Hello  World.\n") == content_hash("hello world")
    assert content_hash("Hello World") != content_hash("Hello Word")


def test_minhash_separates_edited_copies_from_unrelated_texts() -> None:
    long_text = TEXT * 3 + "Weitere Einzelheiten wurden nicht bekannt gegeben."
    edited = long_text.replace("Montag", "Dienstag", 1)
    unrelated = "Das Wetter in Hamburg bleibt wechselhaft, mit Schauern und kräftigem Wind aus Westen. " * 4
    original = signature(long_text)
    assert estimated_similarity(original, signature(long_text)) == 1.0
    assert estimated_similarity(original, signature(edited)) > 0.7
    assert estimated_similarity(original, signature(unrelated)) < 0.1
    assert decode_signature(encode_signature(original)) == original


def test_band_keys_are_shared_by_near_duplicates() -> None:
    original = band_keys(signature(TEXT * 3), 40)
    edited = band_keys(signature((TEXT * 3).replace("August", "Juli")), 40)
    assert len(original) == 40 and len(set(original)) == 40
    assert set(original) & set(edited)


def test_salient_numbers_normalise_separators_and_skip_years() -> None:
    assert salient_numbers("rund 10.000 Soldaten, 3,000 troops, 2024 begann, 45 Tote, 1 200 Helfer") == {
        "10000",
        "3000",
        "1200",
    }


def test_story_keys_and_rule() -> None:
    def mention(entity_id: str) -> EntityMention:
        return EntityMention(entity_id, entity_id, "location", entity_id, 0, 1, "kb")

    shared = [mention(q) for q in ("Q423", "Q159", "Q212", "Q11209")]
    first = story_keys(TEXT, [*shared, mention("Q7747")])
    second = story_keys("Pentagon: 10.000 nordkoreanische Soldaten in Russland.", shared)
    unrelated = story_keys("Putin sprach in Moskau über die Wirtschaft Russlands.", [mention("Q7747"), mention("Q159")])
    assert "n:10000" in first and "e:Q423" in first
    assert same_story(story_match(first, second), threshold=0.5, quote_threshold=0.35)
    assert not same_story(story_match(first, unrelated), threshold=0.5, quote_threshold=0.35)


@pytest.mark.parametrize(
    "text",
    [
        "Zeugen melden sich bei der Polizeiinspektion Lüneburg unter der Telefonnummer 04131 8306-2215.",
        "Anyone with information is asked to call the Springfield Police Department at (217) 788-8311.",
        "Hinweise unter +49 30 1234-5678 oder Tel. 030/123456.",
    ],
)
def test_telephone_numbers_are_no_salient_numbers(text: str) -> None:
    # Every report of one police station repeats its number: its digits made template reports one story.
    assert salient_numbers(text) == set()


def test_numbers_beside_a_telephone_number_or_a_year_in_brackets_stay() -> None:
    assert salient_numbers("300 Menschen (2016) 450 Tote, 10.000 Soldaten; Notruf 0911 2112-3333 oder 110") == {
        "300",
        "450",
        "10000",
        "110",
    }
