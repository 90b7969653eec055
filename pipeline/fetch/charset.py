"""Is this response HTML, and which character encoding turns its bytes into text without mojibake.

Order of evidence: a byte-order mark; the HTTP charset; a ``<meta charset>`` / http-equiv (or an
XML declaration) in the first 4 KiB; then charset-normalizer. Labels are mapped the way
browsers map them (WHATWG Encoding Standard): ISO-8859-1 and US-ASCII mean windows-1252, GB2312
means GB18030, and so on. Declarations are often wrong, so they are checked against the bytes:

* bytes that are valid UTF-8 and not plain ASCII are UTF-8 whatever the label says (text in a
  single-byte encoding practically never forms valid multi-byte UTF-8 sequences);
* a declared encoding is used only if the bytes decode under it; a page that is almost all
  UTF-8 with a few broken bytes stays UTF-8 (with U+FFFD for the broken bytes);
* otherwise charset-normalizer guesses, and windows-1252 is the last resort.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from enum import Enum

import charset_normalizer

HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Media types that say nothing about the content: the body is sniffed, as browsers do.
_UNKNOWN_MEDIA_TYPES = frozenset({"", "application/octet-stream", "unknown/unknown", "application/unknown", "*/*"})
_PRESCAN_BYTES = 4096
_SNIFF_BYTES = 512

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG label -> Python codec, where the two differ or Python lacks the label ("codec: labels").
_WHATWG_TABLE = """
cp1252: iso-8859-1 iso8859-1 iso88591 iso_8859-1 latin1 latin-1 l1 cp819 ibm819 iso-ir-100
cp1252: us-ascii ascii ansi_x3.4-1968 windows-1252 cp1252 x-cp1252 x-user-defined
cp1254: iso-8859-9 iso8859-9 latin5 l5 windows-1254 cp1254
cp874: tis-620 iso-8859-11 windows-874 dos-874
gb18030: gb2312 gbk x-gbk chinese csgb2312 iso-ir-58 gb_2312-80
cp949: euc-kr ks_c_5601-1987 ks_c_5601-1989 korean windows-949
cp932: shift_jis shift-jis sjis x-sjis ms_kanji windows-31j
big5hkscs: big5 big5-hkscs x-x-big5 cn-big5
utf-16-le: utf-16 utf-16le unicode ucs-2 csunicode
utf-16-be: utf-16be
iso8859-8: iso-8859-8-i csiso88598i logical
mac-cyrillic: x-mac-cyrillic x-mac-ukrainian
"""
_WHATWG_LABELS = {
    label: codec.strip()
    for codec, _, labels in (line.partition(":") for line in _WHATWG_TABLE.strip().splitlines())
    for label in labels.split()
}
# The encodings of the WHATWG Encoding Standard, by Python codec name. Anything else Python knows
# ("utf-7", an XSS vector; "zlib", "idna", "rot13"...) is not a web page encoding and is ignored.
_WEB_CODEC_NAMES = """
    utf-8 utf-16-le utf-16-be cp866 iso8859-2 iso8859-3 iso8859-4 iso8859-5 iso8859-6 iso8859-7
    iso8859-8 iso8859-10 iso8859-13 iso8859-14 iso8859-15 iso8859-16 koi8-r koi8-u mac-roman
    mac-cyrillic cp874 cp1250 cp1251 cp1252 cp1253 cp1254 cp1255 cp1256 cp1257 cp1258 gb18030
    big5hkscs euc_jp iso2022_jp cp932 cp949"""
_WEB_CODECS = frozenset(_WEB_CODEC_NAMES.split())

_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([-\w.:]+)""", re.IGNORECASE)
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p|!--)[\s>/]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DecodedHtml:
    """Page text and the Python codec name it was decoded with ("utf-8", "cp1252"...)."""

    text: str
    encoding: str


class _Utf8(Enum):
    ASCII = "ascii"  # no byte above 0x7F
    VALID = "valid"  # valid UTF-8 with multi-byte sequences
    MOSTLY = "mostly"  # a few invalid bytes among many valid multi-byte sequences
    INVALID = "invalid"


def media_type(content_type: str | None) -> str:
    """``"Text/HTML; charset=UTF-8"`` -> ``"text/html"``; empty for a missing header."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_unknown_media_type(content_type: str | None) -> bool:
    """True when the header says nothing useful about the body, so it should be sniffed."""
    return media_type(content_type) in _UNKNOWN_MEDIA_TYPES


def looks_like_html(body: bytes) -> bool:
    """Sniff the first bytes for an HTML tag (the WHATWG MIME sniffing list, abridged)."""
    for bom, _ in _BOMS:
        if body.startswith(bom):
            body = body[len(bom) :]
            break
    return _HTML_START.match(body[:_SNIFF_BYTES].lstrip(b" \t\r\n\x0c")) is not None


def charset_label(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, without quotes."""
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def codec_for_label(label: str | None) -> str | None:
    """The Python codec browsers would use for an encoding label, or None if unknown or refused."""
    if not label:
        return None
    label = label.strip().lower()
    name = _WHATWG_LABELS.get(label, label)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return codec if codec in _WEB_CODECS else None


def meta_charset(body: bytes) -> str | None:
    """The encoding label an XML declaration or ``<meta>`` declares near the start of the page."""
    head = body[:_PRESCAN_BYTES]
    declaration = _XML_ENCODING.match(head)
    if declaration:
        return declaration.group(1).decode("ascii")
    match = _META_CHARSET.search(_COMMENT.sub(b"", head))
    return match.group(1).decode("ascii") if match else None


def decode_html(body: bytes, content_type: str | None = None) -> DecodedHtml:
    """Decode an HTML page with the rules in the module docstring; never raises."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return DecodedHtml(body[len(bom) :].decode(codec, errors="replace"), codec)
    http_codec = codec_for_label(charset_label(content_type))
    meta_codec = codec_for_label(meta_charset(body))
    if meta_codec is not None and meta_codec.startswith("utf-16"):
        meta_codec = "utf-8"  # a page that can declare itself in ASCII is not UTF-16 (WHATWG)
    declared = [codec for codec in dict.fromkeys((http_codec, meta_codec)) if codec is not None]

    if http_codec is not None and http_codec.startswith("utf-16") and b"\x00" in body[:_SNIFF_BYTES]:
        return DecodedHtml(body.decode(http_codec, errors="replace"), http_codec)
    declared = [codec for codec in declared if not codec.startswith("utf-16")]
    quality = _utf8_quality(body)
    if quality is _Utf8.VALID:
        return DecodedHtml(body.decode("utf-8"), "utf-8")
    if quality is _Utf8.ASCII:
        ascii_compatible = [codec for codec in declared if _decodes(body, codec)]
        return DecodedHtml(body.decode("ascii"), ascii_compatible[0] if ascii_compatible else "utf-8")
    for codec in declared:
        if codec == "utf-8":
            if quality is _Utf8.MOSTLY:
                return DecodedHtml(body.decode("utf-8", errors="replace"), "utf-8")
        elif _decodes(body, codec):
            return DecodedHtml(body.decode(codec), codec)
    if quality is _Utf8.MOSTLY:
        return DecodedHtml(body.decode("utf-8", errors="replace"), "utf-8")
    guess = _guess(body)
    codec = guess or (declared[0] if declared else "cp1252")
    return DecodedHtml(body.decode(codec, errors="replace"), codec)


def _utf8_quality(body: bytes) -> _Utf8:
    if body.isascii():
        return _Utf8.ASCII
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _Utf8.VALID
    text = body.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    multibyte = sum(1 for char in text if char > "\x7f") - broken
    # Tuned by hand: one stray legacy byte per ~20 accented characters still reads as UTF-8;
    # a legacy page rarely contains even one valid multi-byte sequence by accident.
    return _Utf8.MOSTLY if multibyte >= 20 * broken else _Utf8.INVALID


def _decodes(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _guess(body: bytes) -> str | None:
    best = charset_normalizer.from_bytes(body).best()
    if best is None:
        return None
    # charset-normalizer may answer latin-1 where windows-1252 is meant (its superset on the web).
    return codec_for_label(best.encoding.replace("_", "-")) or codec_for_label(best.encoding)
