"""Character encodings: BOM, HTTP charset, <meta>, detection, and mislabeled pages without mojibake."""

from __future__ import annotations

import pytest

from pipeline.fetch.charset import codec_for_label, decode_html, looks_like_html, meta_charset

GERMAN = "„Grüße aus Köln“, sagte sie – die Straße war gesperrt. Über 30 Männer äußerten sich."


def page(text: str, head: str = "") -> str:
    return f"<html><head>{head}<title>Nachricht</title></head><body><p>{text}</p></body></html>"


def test_utf8_labeled_utf8():
    decoded = decode_html(page(GERMAN).encode("utf-8"), "text/html; charset=utf-8")

    assert GERMAN in decoded.text
    assert decoded.encoding == "utf-8"


def test_windows_1252_labeled_iso_8859_1_keeps_typographic_quotes():
    # ISO-8859-1 has no „ “ –: browsers read the label as windows-1252, which has them.
    decoded = decode_html(page(GERMAN).encode("cp1252"), "text/html; charset=ISO-8859-1")

    assert GERMAN in decoded.text
    assert decoded.encoding == "cp1252"


def test_utf8_mislabeled_as_iso_8859_1_is_read_as_utf8():
    decoded = decode_html(page(GERMAN).encode("utf-8"), "text/html; charset=iso-8859-1")

    assert GERMAN in decoded.text
    assert "Ã" not in decoded.text  # the mojibake a literal reading would give
    assert decoded.encoding == "utf-8"


def test_windows_1252_mislabeled_as_utf8_uses_the_meta_declaration():
    body = page(GERMAN, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">')

    decoded = decode_html(body.encode("cp1252"), "text/html; charset=UTF-8")

    assert GERMAN in decoded.text
    assert decoded.encoding == "cp1252"


def test_windows_1252_mislabeled_as_utf8_without_meta_is_detected():
    text = GERMAN + " " + "Die Bürgermeisterin äußerte sich zur Lage der Fußgängerzone. " * 5

    decoded = decode_html(page(text).encode("cp1252"), "text/html; charset=utf-8")

    assert text in decoded.text
    assert "\ufffd" not in decoded.text


def test_mostly_utf8_with_a_stray_byte_stays_utf8():
    body = page(GERMAN * 3).encode("utf-8").replace(b"</p>", b"\x96</p>")  # one cp1252 dash

    decoded = decode_html(body, "text/html; charset=utf-8")

    assert decoded.encoding == "utf-8"
    assert GERMAN * 3 in decoded.text
    assert decoded.text.count("\ufffd") == 1


@pytest.mark.parametrize(
    "head",
    [
        '<meta charset="iso-8859-15">',
        "<meta charset=iso-8859-15>",
        '<meta http-equiv="content-type" content="text/html;charset=ISO-8859-15" />',
    ],
)
def test_meta_charset_without_http_charset(head):
    text = "Preis: 5 € für Bücher"

    decoded = decode_html(page(text, head).encode("iso-8859-15"), "text/html")

    assert text in decoded.text
    assert decoded.encoding == "iso8859-15"


def test_meta_inside_a_comment_is_ignored():
    body = b"<html><head><!-- <meta charset='koi8-r'> --><meta charset='utf-8'></head></html>"

    assert meta_charset(body) == "utf-8"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")],
)
def test_bom_wins_over_labels(bom, codec):
    body = bom + page(GERMAN).encode(codec)

    decoded = decode_html(body, "text/html; charset=iso-8859-1")

    assert GERMAN in decoded.text
    assert not decoded.text.startswith("\ufeff")
    assert decoded.encoding == codec


def test_no_declaration_at_all_is_detected():
    russian = "Президент заявил, что переговоры продолжатся на следующей неделе в Москве. " * 4

    assert russian in decode_html(page(russian).encode("utf-8")).text
    assert russian in decode_html(page(russian).encode("cp1251")).text


def test_ascii_page_reports_the_declared_encoding():
    decoded = decode_html(page("plain").encode("ascii"), "text/html; charset=windows-1252")

    assert decoded.encoding == "cp1252"


def test_unknown_and_dangerous_labels_are_ignored():
    assert codec_for_label("utf-7") is None
    assert codec_for_label("zlib") is None
    assert codec_for_label("no-such-charset") is None
    assert codec_for_label("Latin1") == "cp1252"
    assert codec_for_label("GB2312") == "gb18030"
    assert codec_for_label("Shift_JIS") == "cp932"
    decoded = decode_html(page(GERMAN).encode("utf-8"), "text/html; charset=utf-7")
    assert GERMAN in decoded.text


def test_html_sniffing():
    assert looks_like_html(b"  <!DOCTYPE html><html>")
    assert looks_like_html(b"\xef\xbb\xbf<html lang='de'>")
    assert looks_like_html(b"<p>short fragment</p>")
    assert not looks_like_html(b"%PDF-1.7")
    assert not looks_like_html(b'{"json": true}')
    assert not looks_like_html(b"<?xml version='1.0'?><rss></rss>")
