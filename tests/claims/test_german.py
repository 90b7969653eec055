"""German claim finding on sentences written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.claims.extract import extract_claims
from pipeline.models import Claim, EntityMention


def only(claims: tuple[Claim, ...]) -> Claim:
    assert len(claims) == 1, claims
    return claims[0]


def test_direct_quote_with_post_posed_frame() -> None:
    claim = only(extract_claims("„Wir bauen die Brücke bis zum Sommer neu“, sagte Bürgermeisterin Anna Berg.", "de"))
    assert claim.kind == "direct"
    assert claim.content.text == "„Wir bauen die Brücke bis zum Sommer neu“"
    assert claim.speaker is not None and claim.speaker.text == "Bürgermeisterin Anna Berg"
    assert claim.cue is not None and claim.cue.text == "sagte"
    assert claim.speaker_role == "Bürgermeisterin"
    assert claim.speaker_name == "Anna Berg"


@pytest.mark.parametrize(
    "text",
    [
        "Der Minister sagte: »Die Reform kommt im nächsten Jahr.«",
        'Der Minister sagte: "Die Reform kommt im nächsten Jahr."',
    ],
)
def test_direct_quote_after_colon_in_other_quotation_marks(text: str) -> None:
    claim = only(extract_claims(text, "de"))
    assert claim.kind == "direct"
    assert "Die Reform kommt im nächsten Jahr." in claim.content.text
    assert claim.speaker is not None and claim.speaker.text == "Der Minister"


def test_indirect_speech_with_dass_clause_and_speaker_first() -> None:
    claim = only(extract_claims("Der Verband erklärte, dass die Preise im Herbst steigen würden.", "de"))
    assert claim.kind == "indirect"
    assert claim.content.text == "dass die Preise im Herbst steigen würden"
    assert claim.speaker is not None and claim.speaker.text == "Der Verband"


def test_speaker_after_the_verb_when_an_adverbial_opens_the_clause() -> None:
    claim = only(extract_claims("Am Dienstag kündigte die Stadtverwaltung an, sie werde zwei Schulen schließen.", "de"))
    assert claim.speaker is not None and claim.speaker.text == "die Stadtverwaltung"
    assert claim.content.text == "sie werde zwei Schulen schließen"
    assert claim.time_expression == "Am Dienstag"


def test_separable_verb_needs_its_particle() -> None:
    with_particle = extract_claims("Die Bahn teilte am Abend mit, der Zug falle aus.", "de")
    assert only(with_particle).cue is not None
    assert extract_claims("Die Bahn teilte die Strecke in drei Abschnitte.", "de") == ()


@pytest.mark.parametrize(
    ("text", "speaker", "cue"),
    [
        ("Laut der Feuerwehr brannte die Halle vollständig ab.", "der Feuerwehr", "Laut"),
        ("Nach Angaben der Polizei wurden drei Menschen verletzt.", "Angaben der Polizei", "Nach"),
        ("Dem Wetterdienst zufolge wird es am Wochenende stürmisch.", "Dem Wetterdienst", "zufolge"),
        ("Die Arbeiten dauern noch Wochen, so der Sprecher.", "der Sprecher", "so"),
    ],
)
def test_reported_markers(text: str, speaker: str, cue: str) -> None:
    claim = only(extract_claims(text, "de"))
    assert claim.kind == "reported"
    assert claim.speaker is not None and claim.speaker.text == speaker
    assert claim.cue is not None and claim.cue.text == cue
    assert speaker not in claim.content.text


def test_wie_frame() -> None:
    claim = only(extract_claims("Wie das Ministerium mitteilte, bleibt die Grenze geschlossen.", "de"))
    assert claim.speaker is not None and claim.speaker.text == "das Ministerium"
    assert claim.content.text == "bleibt die Grenze geschlossen"


def test_frameless_konjunktiv_continues_the_last_speaker() -> None:
    text = (
        "Die Ärztin Eva Roth sagte, die Station sei überlastet. "
        "Es fehlten Pflegekräfte. Man habe bereits um Hilfe gebeten."
    )
    claims = extract_claims(text, "de")
    assert next(c.content.text for c in claims) == "die Station sei überlastet"
    last = claims[-1]
    assert last.content.text == "Man habe bereits um Hilfe gebeten."
    assert last.speaker is not None and last.speaker.text == "Die Ärztin Eva Roth"
    assert last.speaker_name == "Eva Roth"


def test_konjunktiv_sentence_with_post_posed_frame() -> None:
    text = "Die Firma habe rund 2.500 Stellen gestrichen, behauptete Gewerkschaftssprecher Jan Ott am Freitag."
    claim = only(extract_claims(text, "de", published=date(2024, 3, 12)))
    assert claim.content.text == "Die Firma habe rund 2.500 Stellen gestrichen"
    assert claim.speaker is not None and claim.speaker.text == "Gewerkschaftssprecher Jan Ott"
    assert claim.speaker_role == "Sprecher"
    assert claim.time_expression == "am Freitag"
    assert claim.time_resolved == date(2024, 3, 8)
    (quantity,) = claim.quantities
    assert (quantity.value, quantity.unit, quantity.approximate) == (2500, "Stellen", True)


def test_pronoun_resolved_to_the_single_recent_person() -> None:
    text = "Verkehrsminister Paul Klee besuchte die Baustelle. „Das ist ein guter Tag“, sagte er."
    claim = only(extract_claims(text, "de"))
    assert claim.speaker is not None and claim.speaker.text == "er"
    assert claim.speaker_name == "Paul Klee"
    assert claim.speaker_role == "Verkehrsminister" or claim.speaker_role == "Minister"


def test_pronoun_left_unresolved_with_two_candidates() -> None:
    text = "Ministerin Lea Kurz traf Botschafter Tom Weiß in Bonn. „Wir haben viel erreicht“, sagte sie."
    claim = only(extract_claims(text, "de", entities=[]))
    assert claim.speaker is not None and claim.speaker.text == "sie"
    assert claim.speaker_entity_id is None
    assert claim.speaker_name is None


def test_speaker_entity_and_organisation_from_mentions() -> None:
    text = "Bahn-Sprecherin Ida Wolf sagte, der Fahrplan gelte ab Montag."
    bahn = EntityMention("nh:bahn", "Deutsche Bahn", "organisation", "Bahn", 0, 4, "kb")
    wolf = EntityMention("ner:person:ida wolf", "Ida Wolf", "person", "Ida Wolf", 16, 24, "ner")
    claim = only(extract_claims(text, "de", entities=[bahn, wolf]))
    assert claim.speaker_entity_id == "ner:person:ida wolf"
    assert claim.speaker_organisation_id == "nh:bahn"


def test_text_without_attribution_has_no_claims() -> None:
    assert extract_claims("Die Sonne schien den ganzen Tag über dem Hafen.", "de") == ()
