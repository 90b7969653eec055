"""Unicode normalisation: invisible and odd characters go, typography stays."""

from __future__ import annotations

import unicodedata

import pytest

from pipeline.clean import normalise_unicode


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Zei\u00adtung", "Zeitung", id="soft-hyphen"),
        pytest.param("Nord\u200bkorea", "Nordkorea", id="zero-width-space"),
        pytest.param("\ufeffText", "Text", id="byte-order-mark"),
        pytest.param("Wort\u2060verbinder", "Wortverbinder", id="word-joiner"),
        pytest.param("a\u200db", "ab", id="zero-width-joiner-between-ascii"),
        pytest.param("10\u00a0000 Soldaten", "10 000 Soldaten", id="no-break-space"),
        pytest.param("10\u202f000", "10 000", id="narrow-no-break-space"),
        pytest.param("a\u2003\u2009b", "a b", id="em-and-thin-space-collapse"),
        pytest.param("a \t  b", "a b", id="tab-and-space-run"),
        pytest.param("  rund um  ", "rund um", id="line-stripped"),
        pytest.param("eins\r\nzwei\u2028drei", "eins\nzwei\ndrei", id="line-breaks"),
        pytest.param("Bell\x07 and null\x00", "Bell and null", id="control-characters"),
        pytest.param("Cafe\u0301", "Café", id="nfc-composes"),
        pytest.param(
            "\u201eEs ist möglich\u201c, sagte er", "\u201eEs ist möglich\u201c, sagte er", id="german-quotes"
        ),
        pytest.param(
            "\u201cquoted\u201d and \u2018single\u2019",
            "\u201cquoted\u201d and \u2018single\u2019",
            id="english-quotes",
        ),
        pytest.param("\u00bbZitat\u00ab \u203aeinfach\u2039", "\u00bbZitat\u00ab \u203aeinfach\u2039", id="guillemets"),
        pytest.param(
            "Ukraine \u2013 neben Kursk \u2014 und 1990\u20132000",
            "Ukraine \u2013 neben Kursk \u2014 und 1990\u20132000",
            id="dashes",
        ),
        pytest.param("\ufb01nal", "\ufb01nal", id="ligature-kept-nfc-not-nfkc"),
    ],
)
def test_normalise_unicode(raw: str, expected: str) -> None:
    assert normalise_unicode(raw) == expected


def test_joiners_inside_scripts_that_need_them_are_kept() -> None:
    persian = "می\u200cخواهم"  # ZWNJ between Arabic-script letters is spelling
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # emoji ZWJ sequence
    assert normalise_unicode(persian) == persian
    assert normalise_unicode(family) == family


def test_result_is_nfc_and_idempotent() -> None:
    text = "A\u0308rger\u00a0\u00a0mit der  Bahn\u00adhof\u200bs\u00adhalle\n\n  zweite Zeile "
    once = normalise_unicode(text)
    assert once == "Ärger mit der Bahnhofshalle\n\nzweite Zeile"
    assert unicodedata.is_normalized("NFC", once)
    assert normalise_unicode(once) == once
