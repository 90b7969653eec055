"""The two seed articles (German machine translations about North Korean soldiers in Russia)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from pipeline.claims.extract import extract_claims
from pipeline.claims.similarity import claim_similarity, speaker_key
from pipeline.models import Claim, EntityMention

PENTAGON = "Q11209"
PUBLISHED = date(2024, 10, 29)  # a Tuesday: "am Montag" is 28 October


def pentagon_mentions(text: str) -> list[EntityMention]:
    return [
        EntityMention(PENTAGON, "Pentagon", "organisation", "Pentagon", m.start(), m.end(), "kb")
        for m in re.finditer("Pentagon", text)
    ]


def seed(shared_corpus: Path, prefix: str) -> tuple[str, tuple[Claim, ...]]:
    (path,) = (shared_corpus / "seeds").glob(f"{prefix}_*.txt")
    text = path.read_text(encoding="utf-8")
    return text, extract_claims(text, "de", entities=pentagon_mentions(text), published=PUBLISHED)


@pytest.fixture(scope="module")
def seed_004(shared_corpus: Path) -> tuple[Claim, ...]:
    return seed(shared_corpus, "004")[1]


@pytest.fixture(scope="module")
def seed_000(shared_corpus: Path) -> tuple[Claim, ...]:
    return seed(shared_corpus, "000")[1]


def singh_claim_004(claims: tuple[Claim, ...]) -> Claim:
    (claim,) = [c for c in claims if c.speaker and c.speaker.text == "Pentagon-Sprecherin Sabrina Singh"]
    return claim


def pentagon_claim_000(claims: tuple[Claim, ...]) -> Claim:
    (claim,) = [c for c in claims if "3.000" in c.content.text]
    return claim


def test_seed_004_singh_claim(seed_004: tuple[Claim, ...]) -> None:
    claim = singh_claim_004(seed_004)
    assert claim.kind == "indirect"
    assert claim.content.text.startswith("Nordkorea habe etwa 10.000 Soldaten")
    assert claim.cue is not None and claim.cue.text == "behauptete"
    assert claim.speaker_role == "Sprecherin"
    assert claim.speaker_name == "Sabrina Singh"
    assert claim.speaker_organisation_id == PENTAGON
    assert speaker_key(claim) == PENTAGON
    assert [(q.value, q.unit, q.approximate) for q in claim.quantities] == [(10000, "soldier", True)]
    assert claim.time_expression == "am Montag"
    assert claim.time_resolved == date(2024, 10, 28)


def test_seed_000_pentagon_claim(seed_000: tuple[Claim, ...]) -> None:
    claim = pentagon_claim_000(seed_000)
    assert claim.speaker is not None and "Pentagon" in claim.speaker.text
    assert claim.speaker_organisation_id == PENTAGON
    assert (3000, "soldier") in [(q.value, q.unit) for q in claim.quantities]
    assert claim.time_expression == "letzte Woche"
    assert claim.time_resolved == date(2024, 10, 21)


def test_seed_000_sagte_er_resolves_to_singh(seed_000: tuple[Claim, ...]) -> None:
    quotes = [c for c in seed_000 if c.kind == "direct" and c.speaker and c.speaker.text == "er"]
    assert [c.cue.text for c in quotes if c.cue] == ["sagte", "fügte"]
    for claim in quotes:
        assert claim.content.text.startswith("„")
        assert claim.speaker_name == "Sabrina Singh"
        assert claim.speaker_role == "Sprecherin"
        assert claim.speaker_entity_id == PENTAGON


def test_same_claim_in_both_seeds_is_similar(seed_000: tuple[Claim, ...], seed_004: tuple[Claim, ...]) -> None:
    singh, pentagon = singh_claim_004(seed_004), pentagon_claim_000(seed_000)
    related = claim_similarity(singh, pentagon)
    unrelated = [
        claim_similarity(singh, other)
        for other in seed_000
        if other is not pentagon and not (other.speaker and other.speaker.text == "er")
    ]
    assert unrelated
    assert related >= 0.4
    assert related > max(unrelated) + 0.15
    assert claim_similarity(singh, singh) == 1.0
