"""Language: detection on short and long texts, and the choice between declared, detected and hint."""

from __future__ import annotations

import pytest

from pipeline.extract import detect_language, extract_article

GERMAN_LONG = (
    "Nordkorea habe etwa 10.000 Soldaten zur Ausbildung und zum möglichen Einsatz gegen die ukrainischen "
    "Streitkräfte nach Russland geschickt, behauptete Pentagon-Sprecherin Sabrina Singh am Montag."
)
ENGLISH_LONG = (
    "North Korea has sent about 10,000 soldiers to Russia for training and possible deployment against "
    "Ukrainian forces, Pentagon spokeswoman Sabrina Singh said on Monday."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GERMAN_LONG, "de"),
        (ENGLISH_LONG, "en"),
        (GERMAN_LONG * 40, "de"),
        (ENGLISH_LONG * 40, "en"),
        ("Die Regierung hat am Montag neue Maßnahmen beschlossen.", "de"),
        ("The government announced new measures on Monday.", "en"),
        ("Das ist gut.", None),  # too few letters to be sure
        ("Hallo Welt", None),
        ("NATO", None),
        ("12345 678", None),
        ("", None),
        ("This is fine.", None),  # short English scores low; unsure is None, not a guess
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


def page(lang_attribute: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return f"<html{lang_attribute}><head><title>Titel</title></head><body><article>{body}</article></body></html>"


def test_declared_language_is_used_when_the_text_agrees() -> None:
    article = extract_article(page(' lang="de-DE"', [GERMAN_LONG] * 3), "https://example.de/a")
    assert article.language == "de"


def test_wrong_declaration_loses_against_clear_text() -> None:
    # CMS templates often say lang="en" on every page, whatever the article's language.
    article = extract_article(page(' lang="en"', [GERMAN_LONG] * 3), "https://example.de/a")
    assert article.language == "de"


def test_declaration_kept_when_text_is_too_short_to_tell() -> None:
    article = extract_article(page(' lang="pt-BR"', ["Gol!", "Placar final: 2 a 1."]), "https://example.br/a")
    assert article.language == "pt"


def test_detection_without_declaration_and_hint_as_last_resort() -> None:
    detected = extract_article(page("", [ENGLISH_LONG] * 3), "https://example.org/a", language_hint="de")
    assert detected.language == "en"
    hinted = extract_article(page("", ["12:3", "4:5 (2:1)"]), "https://example.org/a", language_hint="de-AT")
    assert hinted.language == "de"
