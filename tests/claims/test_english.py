"""English claim finding on sentences written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.claims.extract import extract_claims
from pipeline.models import Claim


def only(claims: tuple[Claim, ...]) -> Claim:
    assert len(claims) == 1, claims
    return claims[0]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("“The bridge will reopen in June,” the mayor said.", "the mayor"),
        ("“The bridge will reopen in June,” said Mayor Ann Lee.", "Mayor Ann Lee"),
    ],
)
def test_direct_quote_with_frame_after(text: str, speaker: str) -> None:
    claim = only(extract_claims(text, "en"))
    assert claim.kind == "direct"
    assert claim.content.text == "“The bridge will reopen in June,”"
    assert claim.speaker is not None and claim.speaker.text == speaker


def test_indirect_speech_keeps_that_and_drops_the_full_stop() -> None:
    claim = only(extract_claims("The company said that it would cut 1,200 jobs.", "en"))
    assert claim.kind == "indirect"
    assert claim.content.text == "that it would cut 1,200 jobs"
    (quantity,) = claim.quantities
    assert (quantity.value, quantity.unit) == (1200, "job")


def test_told_skips_the_addressee() -> None:
    claim = only(extract_claims("The senator told reporters on Monday that the vote was delayed.", "en"))
    assert claim.content.text == "that the vote was delayed"
    assert claim.speaker is not None and claim.speaker.text == "The senator"


@pytest.mark.parametrize(
    "text",
    [
        "According to the ministry, about 3,000 troops arrived last week.",
        "About 3,000 troops arrived last week, according to the ministry.",
    ],
)
def test_according_to(text: str) -> None:
    claim = only(extract_claims(text, "en", published=date(2024, 5, 15)))
    assert claim.kind == "reported"
    assert claim.speaker is not None and claim.speaker.text == "the ministry"
    assert claim.cue is not None and claim.cue.text.lower() == "according to"
    (quantity,) = claim.quantities
    assert (quantity.value, quantity.unit, quantity.approximate) == (3000, "troop", True)
    assert claim.time_expression == "last week"
    assert claim.time_resolved == date(2024, 5, 6)


def test_quotation_continued_in_the_next_sentence_is_one_claim() -> None:
    text = "“We will win,” Ms. Park said. “And we will win big.”"
    claim = only(extract_claims(text, "en"))
    assert claim.content.text.startswith("“We will win,”")
    assert claim.content.text.endswith("“And we will win big.”")


def test_pronoun_speaker_resolution() -> None:
    text = "Governor Maria Lopez visited the plant on Monday. “It is a great day,” she said."
    claim = only(extract_claims(text, "en", published=date(2024, 5, 15)))
    assert claim.speaker is not None and claim.speaker.text == "she"
    assert claim.speaker_name == "Maria Lopez"
    assert claim.speaker_role == "Governor"


def test_language_is_detected_when_not_given() -> None:
    claim = only(extract_claims("The minister said that the plan was ready for the vote.", None))
    assert claim.language == "en"


def test_adding_that_takes_the_speaker_of_the_frame() -> None:
    text = "“We are ready,” the coach said, adding that two players were injured."
    first, second = extract_claims(text, "en")
    assert first.content.text == "“We are ready,”"
    assert second.cue is not None and second.cue.text == "adding"
    assert second.content.text == "that two players were injured"
    assert second.speaker is not None and second.speaker.text == "the coach"
