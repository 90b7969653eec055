"""The two German seed articles of the shared corpus link to the expected canonical ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.entities.extractor import EntityExtractor
from pipeline.models import EntityMention

SEED_A = "000_fa1d1d3df9522426.txt"
SEED_B = "004_acf23cb9a31ceae1.txt"


@pytest.fixture(scope="module")
def seed_mentions(shared_corpus: Path, extractor: EntityExtractor) -> dict[str, tuple[EntityMention, ...]]:
    return {
        name: extractor.extract((shared_corpus / "seeds" / name).read_text(encoding="utf-8"), "de")
        for name in (SEED_A, SEED_B)
    }


def linked(mentions: tuple[EntityMention, ...]) -> set[tuple[str, str]]:
    return {(mention.surface, mention.entity_id) for mention in mentions}


def test_putin(seed_mentions: dict[str, tuple[EntityMention, ...]]) -> None:
    assert {("Wladimir Putin", "Q7747"), ("Putin", "Q7747")} <= linked(seed_mentions[SEED_B])


def test_north_korea_inflected(seed_mentions: dict[str, tuple[EntityMention, ...]]) -> None:
    assert {("Nordkoreas", "Q423"), ("nordkoreanische", "Q423"), ("nordkoreanischer", "Q423")} <= linked(
        seed_mentions[SEED_A]
    )
    assert {("Nordkorea", "Q423"), ("nordkoreanische", "Q423")} <= linked(seed_mentions[SEED_B])


@pytest.mark.parametrize("seed", [SEED_A, SEED_B])
def test_pentagon_spokeswoman(seed_mentions: dict[str, tuple[EntityMention, ...]], seed: str) -> None:
    mentions = seed_mentions[seed]
    pentagon = [m for m in mentions if m.entity_id == "nh:pentagon" and m.role == "Sprecherin"]
    singh = [m for m in mentions if m.surface == "Sabrina Singh"]
    assert pentagon and pentagon[0].surface == "Pentagon"
    assert singh and singh[0].entity_id == "nh:sabrina-singh" and singh[0].role == "Sprecherin"
    assert pentagon[0].end < singh[0].start


def test_places(seed_mentions: dict[str, tuple[EntityMention, ...]]) -> None:
    assert {("Moskau", "Q649"), ("Kiew", "Q1899"), ("Pjöngjang", "nh:pyongyang")} <= linked(seed_mentions[SEED_B])
    assert {("Seoul", "Q8684"), ("Russland", "Q159"), ("Ukraine", "Q212")} <= linked(seed_mentions[SEED_A])


def test_yoon_and_von_der_leyen(seed_mentions: dict[str, tuple[EntityMention, ...]]) -> None:
    mentions = {m.surface: m for m in seed_mentions[SEED_A]}
    assert mentions["Yun Suk-yol"].entity_id == "nh:yoon-suk-yeol"
    assert mentions["Yun Suk-yol"].role == "Präsident"
    assert mentions["Ursula von der Leyen"].entity_id == "Q60772"
    assert mentions["Europäischen Kommission"].entity_id == "Q8880"


def test_rutte_and_nato(seed_mentions: dict[str, tuple[EntityMention, ...]]) -> None:
    for seed in (SEED_A, SEED_B):
        mentions = seed_mentions[seed]
        rutte = [m for m in mentions if m.surface == "Mark Rutte"]
        assert rutte and rutte[0].entity_id == "Q57792" and rutte[0].role == "Generalsekretär"
        assert any(m.entity_id == "Q7184" and m.role == "Generalsekretär" for m in mentions)
    assert ("Rutte", "Q57792") in linked(seed_mentions[SEED_B])


def test_kirby_full_and_genitive_surname(seed_mentions: dict[str, tuple[EntityMention, ...]]) -> None:
    mentions = linked(seed_mentions[SEED_B])
    assert {("John Kirby", "nh:john-kirby"), ("Kirbys", "nh:john-kirby"), ("Singh", "nh:sabrina-singh")} <= mentions
    assert ("Weißen Hauses", "nh:white-house") in mentions


def test_us_pentagon_and_ministry(seed_mentions: dict[str, tuple[EntityMention, ...]]) -> None:
    assert {("US", "Q30"), ("Pentagon", "nh:pentagon")} <= linked(seed_mentions[SEED_A])
    assert {("Pentagons", "nh:pentagon"), ("US-Verteidigungsministeriums", "nh:pentagon")} <= linked(
        seed_mentions[SEED_B]
    )


def test_eu_south_korea_summit(seed_mentions: dict[str, tuple[EntityMention, ...]]) -> None:
    assert {("EU", "Q458"), ("Südkorea", "Q884")} <= linked(seed_mentions[SEED_A])


def test_no_mention_of_an_unknown_id(
    seed_mentions: dict[str, tuple[EntityMention, ...]], extractor: EntityExtractor
) -> None:
    for mentions in seed_mentions.values():
        assert all(extractor.entity(m.entity_id) is not None for m in mentions)


def test_with_ner_every_name_has_an_id_and_the_seeds_share_them(
    shared_corpus: Path, ner_extractor: EntityExtractor
) -> None:
    """Issue 12's acceptance on the seeds: every person, organisation and place CoreNLP finds is a
    mention with an id, and the names both reports give have one id."""
    from helpers import TEST_CORENLP_URL

    from pipeline.entities.corenlp import CoreNlpNer
    from pipeline.settings import CoreNlpSettings

    backend = CoreNlpNer(CoreNlpSettings(url=TEST_CORENLP_URL))
    ids: dict[str, set[str]] = {}
    for seed in (SEED_A, SEED_B):
        text = (shared_corpus / "seeds" / seed).read_text(encoding="utf-8")
        mentions = ner_extractor.extract(text, "de")
        for span in backend.spans_many([text], "de")[0]:
            if span.label in ("PERSON", "ORGANIZATION", "LOCATION"):
                assert any(m.start < span.end and span.start < m.end for m in mentions), text[span.start : span.end]
        ids[seed] = {m.entity_id for m in mentions}
    assert {"Q60772", "nh:yoon-suk-yeol", "Q8880"} <= ids[SEED_A]  # von der Leyen, Yun, the Commission
    assert {"nh:john-kirby", "Q7747", "Q649", "Q1899"} <= ids[SEED_B]  # Kirby, Putin, Moscow, Kyiv
    assert {"nh:sabrina-singh", "Q57792", "nh:pentagon", "Q7184", "nh:kursk-oblast", "Q423", "Q159"} <= (
        ids[SEED_A] & ids[SEED_B]
    )
