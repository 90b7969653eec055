"""Properties of the public API that hold for any input."""

from __future__ import annotations

import pytest

from pipeline.claims.extract import extract_claims
from pipeline.claims.similarity import claim_similarity, speaker_key
from pipeline.models import Claim, Span

TEXTS = [
    ("de", "„Wir kommen wieder“, sagte sie. Laut Polizei seien 200 Menschen gekommen, so ein Sprecher."),
    ("de", "Die Ministerin erklärte: „Das ist ein Anfang.“ Sie habe lange verhandelt.\nZweiter Absatz ohne Zitat."),
    ("en", 'Officials said on Monday that 1,500 troops had left. "It is over," a spokesman said.'),
    ("en", "According to the report, 40% of voters were undecided, the pollster said."),
]


@pytest.mark.parametrize(("language", "text"), TEXTS)
def test_spans_point_into_the_text(language: str, text: str) -> None:
    claims = extract_claims(text, language)
    assert claims
    for claim in claims:
        spans = [claim.content, claim.speaker, claim.cue, *claim.quantities]
        for span in spans:
            if span is not None:
                assert 0 <= span.start < span.end <= len(text)
        assert text[claim.content.start : claim.content.end] == claim.content.text
        if claim.speaker is not None:
            assert text[claim.speaker.start : claim.speaker.end] == claim.speaker.text
        assert claim.language == language


@pytest.mark.parametrize("text", ["", "   \n\n ", "....", "„", "ohne jedes Satzzeichen und ohne Rede " * 50])
def test_degenerate_input_gives_no_claims(text: str) -> None:
    assert extract_claims(text, "de") == ()
    assert extract_claims(text, None) == ()


def test_german_is_detected_when_no_language_is_given() -> None:
    (claim,) = extract_claims("Der Minister sagte, dass die Reform nicht mehr kommen werde.", None)
    assert claim.language == "de"


def test_english_colon_quotation() -> None:
    (claim,) = extract_claims('The mayor on the radio: "We will finish the bridge by June, believe me."', "en")
    assert claim.kind == "direct"
    assert claim.speaker is not None and claim.speaker.text == "The mayor"


def make_claim(content: str, *, name: str | None = None, entity: str | None = None) -> Claim:
    return Claim(content=Span(content, 0, len(content)), kind="indirect", speaker_name=name, speaker_entity_id=entity)


def test_speaker_key_prefers_entity_then_organisation_then_name() -> None:
    assert speaker_key(make_claim("x", name="Sabrina Singh", entity="Q1")) == "Q1"
    organisation = Claim(Span("x", 0, 1), "direct", speaker_name="Singh", speaker_organisation_id="Q2")
    assert speaker_key(organisation) == "Q2"
    assert speaker_key(make_claim("x", name="Die  Bundesregierung")) == "bundesregierung"
    assert speaker_key(make_claim("x")) is None


def test_similarity_is_symmetric_and_bounded() -> None:
    a = make_claim("Die Regierung will die Steuern im kommenden Jahr senken", name="Regierung")
    b = make_claim("Steuern sollen im nächsten Jahr gesenkt werden, sagt die Regierung", name="Regierung")
    c = make_claim("Der Zoo hat einen neuen Elefanten bekommen", name="Zoo")
    assert claim_similarity(a, b) == claim_similarity(b, a)
    assert 0.0 <= claim_similarity(a, c) < claim_similarity(a, b) <= 1.0
    assert claim_similarity(a, a) == 1.0


def test_other_languages_have_no_rules() -> None:
    assert extract_claims("« Nous allons gagner », a déclaré le ministre.", "fr") == ()
    assert extract_claims("Der Minister sagte, die Reform komme.", "de-AT") != ()
