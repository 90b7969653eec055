"""Input guards: what a feed document must pass, and how it is rewritten, before feedparser sees it.

feedparser 6.0.14 is a lenient parser that was not written for hostile input. Measured on
this version, each of these takes it from milliseconds to minutes or gigabytes:

- an internal DTD entity referenced many times (feedparser keeps "safe" entities and its loose
  parser expands them: 1,000 references to a 50 kB entity took 160 MB; 50,000 would take 2.5 GB);
- elements nested 100,000 deep (its end-tag handling is quadratic: 23 s);
- HTML inside text (escaped or CDATA): its sanitiser spends 10-25 µs per tag or reference, so
  5 MB of "<a/>" took 22 s;
- a first line of ``encoding="a" encoding="a" ...`` after ``<?`` (its XML-declaration regex
  backtracks: 26 kB took 44 s);
- a long run of blank lines before the root element (its DOCTYPE regexes: 100 kB took 63 s);
- a character reference to a surrogate or past U+10FFFF (it raises instead of flagging bozo).

``prepare_document`` checks and, where needed, rewrites the document so that none of this
reaches feedparser. Documents without a DOCTYPE and without these patterns (nearly all real
feeds) are handed over byte for byte, so feedparser's encoding rules apply unchanged; the others
are handed over as UTF-8 with a prolog rebuilt by us (see ``_rebuild``).
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from feedparser.encodings import convert_to_utf8, parse_content_type
from feedparser.sanitizer import replace_doctype

from pipeline.feeds.prolog import ROOT_START, Prolog, scan_prolog

# Legitimate feeds nest a few dozen levels (XHTML content inside an Atom entry is the deepest
# case); feedparser's cost grows with the square of the depth, so 512 keeps it at milliseconds.
MAX_NESTING_DEPTH = 512
# feedparser spends about 20 µs per element: 200,000 elements take about 4 s. A full feed of
# 200 entries with XHTML content has a few tens of thousands; a 5 MB document of "<x/>" has 1.25
# million (22 s).
MAX_ELEMENTS = 200_000
# An XML declaration is under 100 bytes; a first line longer than this that starts with "<?" is
# split after the declaration, because feedparser's encoding regex is cubic in that line's length.
MAX_FIRST_LINE_CHARS = 512
# A blank run this long before the root element makes us rebuild the prolog without it
# (feedparser's DOCTYPE regexes are quadratic in such runs).
MAX_PROLOG_BLANK_RUN = 256
# "<" and "&" inside the text of a document ("&lt;p&gt;", "<p>" in CDATA, "&amp;amp;"): each is a
# tag or reference for feedparser's two HTML passes over every text (relative links, then the
# sanitiser), at 10-25 µs apiece whatever the nesting. Measured on 6.0.14: a description of
# 100,000 nested "<b>" with their end tags took 2.2-2.5 s (as much as 100,000 sibling
# "<b></b>"), 4.9 MB of "<a/>" in CDATA 22 s; with this limit both are refused in 0.03-0.2 s,
# and the costliest document under it (99,990 "<a/>") parses in 2.4 s. The densest article
# markup in the extraction corpus has one per 22 bytes (median 57), so only a feed with more
# than 2 MB of such HTML comes near the limit.
MAX_TEXT_MARKUP = 100_000
# Total characters that internal entities may add to a document. Real feeds use entities for a
# few short strings; the quadratic blowup needs megabytes.
MAX_ENTITY_EXPANSION_CHARS = 100_000
# Internal entities kept per document; more declarations than this are all refused.
MAX_ENTITIES = 100

_UTF8_DECLARATION = b"<?xml version='1.0' encoding='utf-8'?>"
_BLANK_RUN = re.compile(rb"[ \t\r\n]{%d,}" % MAX_PROLOG_BLANK_RUN)
_FEEDPARSER_HEAD_END = re.compile(rb"<\w")
_PROLOG_MARKUP = re.compile(rb"<!(?:doctype|entity)", re.IGNORECASE)
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s%\"'<>]+)\s", re.IGNORECASE)
_LITERAL = re.compile(rb"""("[^"]*"|'[^']*')\Z""", re.DOTALL)
# feedparser's own rule for entities it keeps (one character reference, or text without "&"),
# also without "%", "<" and ">" so that no markup comes out of an expansion.
_SAFE_VALUE = re.compile(rb'(?:&#\w+;|[^&"%<>]*)\Z')
_ENTITY_NAME = re.compile(rb"[A-Za-z_][\w.-]*\Z")
_ENTITY_REFERENCE = re.compile(rb"&([A-Za-z_][\w.:-]*);")
_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
# Tokens for the structure scan. Each alternative ends at a fixed delimiter or at a "<", so
# the scan is linear; tag ends inside quoted attribute values only blur self-closing detection.
_MARKUP_TOKEN = re.compile(
    rb"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<\?.*?(?:\?>|\Z)|<!|</|<([A-Za-z_:][^\s<>/]*)[^<>]*",
    re.DOTALL,
)
# HTML elements without an end tag: in an ill-formed feed with raw HTML they must not count as
# nesting (feedparser's HTML processor treats them the same way).
_VOID_ELEMENTS = frozenset(
    {b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"keygen", b"link", b"meta"}
    | {b"param", b"source", b"track", b"wbr"}
)
_FEED_ROOTS = frozenset({"rss", "rdf", "feed", "channel"})
# What ``_text_markup_problem`` counts: a CDATA section (its "<" and "&"), or an "&" that can
# decode to markup. Lazy up to a fixed delimiter, so linear.
_TEXT_MARKUP = re.compile(rb"<!\[CDATA\[(.*?)(?:\]\]>|\Z)|&(?!gt;|quot;|apos;)", re.DOTALL)


@dataclass(frozen=True)
class PreparedDocument:
    """What to hand to feedparser, or why the document is refused (``error``, a detail text)."""

    data: bytes
    headers: dict[str, str]
    error: str | None = None
    # Set when the document was rewritten to UTF-8: the encoding feedparser found for the
    # original, and the bozo exception that detection raised, to restore in the result.
    original_encoding: str | None = None
    encoding_exception: Any = None
    netscape_doctype: bool = False
    root_name: str | None = None
    notes: tuple[str, ...] = ()


def prepare_document(document: bytes, headers: dict[str, str]) -> PreparedDocument:
    """Check and, when needed, rewrite ``document`` so that feedparser can parse it safely."""
    notes: list[str] = []
    document = _add_missing_utf16_bom(document, notes)
    document, error = _split_long_first_line(document, notes)
    if error is not None:
        return PreparedDocument(document, headers, error=error)
    probe: dict[str, Any] = {}
    # The same conversion feedparser will make, so the guards below see what it will see.
    utf8 = convert_to_utf8(headers, document, probe)
    prolog = scan_prolog(utf8)
    root_name = prolog.root_name or _guess_root_name(utf8, prolog.stop)
    if _is_html_page(root_name, prolog.doctype_name):
        return PreparedDocument(document, headers, error="not a feed (HTML page)", root_name="html")
    body_start = prolog.root_start if prolog.root_start is not None else prolog.stop
    structure_problem = _structure_problem(utf8, body_start) or _text_markup_problem(utf8, body_start)
    if structure_problem is not None:
        return PreparedDocument(document, headers, error=structure_problem)
    prolog_reasons = _prolog_rewrite_reasons(utf8, prolog)
    bad_references = any(_bad_character_reference(match) for match in _CHARACTER_REFERENCE.finditer(utf8))
    if not prolog_reasons and not bad_references:
        return PreparedDocument(document, headers, root_name=root_name, notes=tuple(notes))
    rebuilt = utf8
    if prolog_reasons:
        if prolog.malformed is not None or prolog.root_start is None:
            # Without a clean prolog we cannot tell what the parsers would make of it: refuse.
            detail = prolog.malformed or "no root element"
            return PreparedDocument(document, headers, error=f"unsafe prolog ({', '.join(prolog_reasons)}; {detail})")
        rebuilt = _rebuild(utf8, prolog, notes)
    if bad_references:
        rebuilt = _CHARACTER_REFERENCE.sub(_replace_bad_reference, rebuilt)
        notes.append("invalid character references replaced by U+FFFD")
    error = _verify_rebuilt(rebuilt)
    if error is not None:
        return PreparedDocument(document, headers, error=error)
    return PreparedDocument(
        rebuilt,
        _utf8_headers(headers),
        original_encoding=str(probe.get("encoding") or ""),
        encoding_exception=probe.get("bozo_exception"),
        netscape_doctype=b"netscape" in prolog.external_id.lower(),
        root_name=root_name,
        notes=tuple(notes),
    )


def _is_html_page(root_name: str | None, doctype_name: str | None) -> bool:
    """True for an ``<html>`` root, or an HTML DOCTYPE before a root that is no feed's.

    The root element decides: feeds written by XHTML templates put the XHTML DOCTYPE before
    ``<rss>``, and they are feeds. The DOCTYPE only names a page whose root we cannot see or that
    has none of the feed roots (``<!DOCTYPE html><title>...``).
    """
    if _local_name(root_name or "") == "html":
        return True
    return _local_name(doctype_name or "") == "html" and not is_feed_root(root_name)


def _guess_root_name(data: bytes, start: int) -> str | None:
    """The first element name after ``start`` (for messages when the prolog is not clean)."""
    match = ROOT_START.search(data, start, start + 4096)
    return match.group(1).decode("utf-8", "replace") if match else None


def is_feed_root(root_name: str | None) -> bool:
    """True when the root element is one of RSS (0.9x, 2.0), RDF (RSS 1.0), Atom or CDF."""
    return root_name is not None and _local_name(root_name) in _FEED_ROOTS


def _local_name(name: str) -> str:
    return name.rsplit(":", 1)[-1].lower()


def _add_missing_utf16_bom(document: bytes, notes: list[str]) -> bytes:
    """UTF-16 without a BOM and not starting with "<?" ("<\0r\0s\0s\0", "\n\0<\0"): add the BOM.

    feedparser recognises UTF-16 without a BOM only by an opening "<?"; any other start would be
    read as UTF-8 with NUL bytes and give nothing. Two ASCII characters with NUL high bytes
    cannot start a document in any other encoding it supports.
    """
    head = document[:4]
    if len(head) < 4 or head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or head[:3] == codecs.BOM_UTF8:
        return document
    ascii_bytes = range(0x01, 0x80)
    # "<?" with NUL high bytes is feedparser's own marker case: it needs no help there.
    if head[0] in ascii_bytes and head[2] in ascii_bytes and head[1] == head[3] == 0 and head[0::2] != b"<?":
        notes.append("UTF-16LE without byte order mark")
        return codecs.BOM_UTF16_LE + document
    if head[1] in ascii_bytes and head[3] in ascii_bytes and head[0] == head[2] == 0 and head[1::2] != b"<?":
        notes.append("UTF-16BE without byte order mark")
        return codecs.BOM_UTF16_BE + document
    return document


def _sniff_encoding(document: bytes) -> tuple[int, str | None]:
    """The BOM length and the encoding feedparser assumes before reading the XML declaration."""
    if document[:4] in (codecs.BOM_UTF32_BE, codecs.BOM_UTF32_LE):
        return 4, "utf-32be" if document[:4] == codecs.BOM_UTF32_BE else "utf-32le"
    if document[:2] in (codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE) and document[2:4] != b"\x00\x00":
        return 2, "utf-16be" if document[:2] == codecs.BOM_UTF16_BE else "utf-16le"
    if document[:3] == codecs.BOM_UTF8:
        return 3, "utf-8"
    markers = {
        b"\x4c\x6f\xa7\x94": "cp037",
        b"\x00\x3c\x00\x3f": "utf-16be",
        b"\x3c\x00\x3f\x00": "utf-16le",
        b"\x00\x00\x00\x3c": "utf-32be",
        b"\x3c\x00\x00\x00": "utf-32le",
    }
    return 0, markers.get(document[:4])


def _split_long_first_line(document: bytes, notes: list[str]) -> tuple[bytes, str | None]:
    """Keep the first line short when it starts with "<?" (see MAX_FIRST_LINE_CHARS)."""
    bom_length, encoding = _sniff_encoding(document)
    # Without a sniffed encoding feedparser reads the raw bytes; latin-1 maps them one to one.
    codec = encoding or "latin-1"
    try:
        text = document[bom_length:].decode(codec)
    except (UnicodeDecodeError, LookupError):
        return document, None  # feedparser skips the declaration regex for undecodable data
    if not text.startswith("<?"):
        return document, None
    line_end = text.find("\n", 0, MAX_FIRST_LINE_CHARS + 1)
    if line_end != -1 or len(text) <= MAX_FIRST_LINE_CHARS:
        return document, None
    declaration_end = text.find("?>", 0, MAX_FIRST_LINE_CHARS)
    if declaration_end == -1:
        return document, f"XML declaration longer than {MAX_FIRST_LINE_CHARS} characters"
    split = declaration_end + 2
    notes.append("line break added after the XML declaration")
    return document[:bom_length] + (text[:split] + "\n" + text[split:]).encode(codec), None


def _structure_problem(data: bytes, start: int) -> str | None:
    """Why the elements from ``start`` are too deep or too many for feedparser, or None.

    Depth is counted as open tags minus close tags, so unclosed tags count as nesting (they
    cost feedparser's loose parser the same).
    """
    depth = deepest = elements = 0
    for token in _MARKUP_TOKEN.finditer(data, start):
        text = token.group(0)
        if text.startswith(b"</"):
            depth = max(depth - 1, 0)
            continue
        if token.group(1) is None:
            continue  # comment, CDATA, processing instruction, declaration
        elements += 1
        if elements > MAX_ELEMENTS:
            return f"more than {MAX_ELEMENTS} elements"
        if text.endswith(b"/") or token.group(1).lower() in _VOID_ELEMENTS:
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_NESTING_DEPTH:
                return f"elements nested deeper than {MAX_NESTING_DEPTH} levels"
    return None


def _text_markup_problem(data: bytes, start: int) -> str | None:
    """Why the HTML inside the document's text is too much for feedparser's sanitiser, or None.

    Counts the "<" and "&" that feedparser's HTML passes will meet: each "<" and "&" inside
    CDATA, and each "&" reference outside it except "&gt;", "&quot;" and "&apos;" (which cannot
    become markup). References in attribute values and comments count too; the limit leaves room.
    """
    markup = 0
    for token in _TEXT_MARKUP.finditer(data, start):
        cdata = token.group(1)
        markup += 1 if cdata is None else cdata.count(b"<") + cdata.count(b"&")
        if markup > MAX_TEXT_MARKUP:
            return f"more than {MAX_TEXT_MARKUP} HTML tags and references inside text"
    return None


def _prolog_rewrite_reasons(data: bytes, prolog: Prolog) -> list[str]:
    """Why the prolog cannot go to feedparser as it is (empty: it can)."""
    reasons = []
    if prolog.doctype_span is not None:
        reasons.append("DOCTYPE")
    # feedparser's DOCTYPE code looks before the first "<" + letter, expat up to the root
    # element: nothing may declare entities in either region.
    head_match = _FEEDPARSER_HEAD_END.search(data)
    head_end = head_match.start() if head_match else 0
    if _PROLOG_MARKUP.search(data, 0, max(head_end, prolog.stop)):
        reasons.append("declarations in the prolog")
    if _BLANK_RUN.search(data, 0, head_end):
        reasons.append("long blank run in the prolog")
    return reasons


def _replace_bad_reference(match: re.Match[bytes]) -> bytes:
    return b"&#xFFFD;" if _bad_character_reference(match) else match.group(0)


def _bad_character_reference(match: re.Match[bytes]) -> bool:
    """True for references Python cannot turn into a character (surrogates, past U+10FFFF)."""
    hex_digits, decimal_digits = match.group(1), match.group(2)
    digits = hex_digits if hex_digits is not None else decimal_digits
    if len(digits.lstrip(b"0")) > 8:
        return True
    code = int(hex_digits, 16) if hex_digits is not None else int(decimal_digits)
    return code > 0x10FFFF or 0xD800 <= code <= 0xDFFF


def _rebuild(data: bytes, prolog: Prolog, notes: list[str]) -> bytes:
    """A UTF-8 document: our XML declaration, a DOCTYPE with the safe entities only, the body.

    Comments and processing instructions of the prolog are dropped (feedparser ignores them),
    and so is everything of the DOCTYPE except its name and the entity declarations that
    ``_safe_entities`` accepts: external DTDs and entities are never loaded, parameter entities
    and nested references never expanded.
    """
    assert prolog.root_start is not None
    body = data[prolog.root_start :]
    parts = [_UTF8_DECLARATION, b"\n"]
    if prolog.doctype_span is not None:
        entities = _safe_entities(prolog, body, notes)
        name = prolog.doctype_name or "feed"
        if not re.fullmatch(r"[\w.:-]+", name):
            name = "feed"
        declarations = b"".join(b'<!ENTITY %s "%s">\n' % item for item in entities.items())
        subset = b" [\n" + declarations + b"]" if declarations else b""
        parts.append(b"<!DOCTYPE " + name.encode() + subset + b">\n")
        if prolog.external_id:
            notes.append("external DTD reference removed")
    return b"".join(parts) + body


def _safe_entities(prolog: Prolog, body: bytes, notes: list[str]) -> dict[bytes, bytes]:
    """The internal entities we keep (name -> value); a note is added for each kind refused."""
    refused: Counter[str] = Counter()
    entities: dict[bytes, bytes] = {}
    if prolog.parameter_references:
        refused["parameter-entity reference"] += prolog.parameter_references
    for declaration in prolog.declarations:
        match = _ENTITY_DECLARATION.match(declaration)
        if match is None:
            continue  # ELEMENT, ATTLIST, NOTATION: dropped, they do not expand
        is_parameter, name = match.group(1), match.group(2)
        literal = _LITERAL.match(declaration[match.end() : -1].strip())
        if is_parameter:
            refused["parameter entity"] += 1
        elif literal is None:
            refused["external entity"] += 1
        elif not _ENTITY_NAME.match(name) or not _SAFE_VALUE.match(literal.group(1)[1:-1]):
            refused["entity with markup or references"] += 1
        elif name not in entities:
            entities[name] = literal.group(1)[1:-1]
    if len(entities) > MAX_ENTITIES:
        refused[f"entities (more than {MAX_ENTITIES} declared)"] += len(entities)
        entities = {}
    expansion = _expansion(entities, body)
    if expansion > MAX_ENTITY_EXPANSION_CHARS:
        refused[f"entities expanding to {expansion} characters"] += len(entities)
        entities = {}
    notes.extend(f"refused {count} {what}" for what, count in sorted(refused.items()))
    return entities


def _expansion(entities: dict[bytes, bytes], data: bytes) -> int:
    """How many characters the references to ``entities`` in ``data`` would expand to (one scan)."""
    if not entities:
        return 0
    uses = Counter(match.group(1) for match in _ENTITY_REFERENCE.finditer(data))
    return sum(uses[name] * len(value) for name, value in entities.items())


def _verify_rebuilt(rebuilt: bytes) -> str | None:
    """Fail closed: ask feedparser's own DOCTYPE code which entities it would expand, and check."""
    head_match = _FEEDPARSER_HEAD_END.search(rebuilt)
    if head_match is not None and _BLANK_RUN.search(rebuilt, 0, head_match.start()):
        return "unsafe prolog (long blank run)"
    _, _, kept = replace_doctype(rebuilt)
    entities = {name.encode(): value.encode() for name, value in kept.items()}
    if len(entities) > MAX_ENTITIES or _expansion(entities, rebuilt) > MAX_ENTITY_EXPANSION_CHARS:
        return "entity expansion refused"
    return None


def _utf8_headers(headers: dict[str, str]) -> dict[str, str]:
    """The same headers, with the Content-Type charset set to UTF-8 (the rebuilt document's)."""
    content_type = headers.get("content-type")
    if content_type is None:
        return dict(headers)
    media_type, _ = parse_content_type(content_type)
    return {**headers, "content-type": f"{media_type}; charset=utf-8"}
