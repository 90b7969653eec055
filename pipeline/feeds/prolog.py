"""The prolog of a feed document: XML declaration, comments, processing instructions and the
DOCTYPE with its internal subset, scanned up to the root element by plain byte scanning (no
parser sees it before ``pipeline.feeds.prepare`` has decided it is safe)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BLANKS = re.compile(rb"[ \t\r\n]*")
ROOT_START = re.compile(rb"<([A-Za-z_:\x80-\xff][^\s/>]*)")
_DOCTYPE_START = re.compile(rb"<!DOCTYPE\s+([^\s\[>]+)\s*", re.IGNORECASE)
_EXTERNAL_ID = re.compile(rb"""(SYSTEM|PUBLIC)\s*("[^"]*"|'[^']*')(?:\s*("[^"]*"|'[^']*'))?\s*""", re.IGNORECASE)
# One markup declaration up to its closing ">", quoted strings may contain ">" (linear: the
# quoted and unquoted alternatives cannot overlap).
_DECLARATION = re.compile(rb"""<![^"'>]*(?:(?:"[^"]*"|'[^']*')[^"'>]*)*>""")


@dataclass
class Prolog:
    """The result of scanning the start of the (UTF-8) document up to the root element."""

    stop: int = 0  # where the scan ended: the root element, or what it could not read
    root_start: int | None = None
    root_name: str | None = None
    malformed: str | None = None
    doctype_name: str | None = None
    doctype_span: tuple[int, int] | None = None
    external_id: bytes = b""
    declarations: list[bytes] = field(default_factory=list)
    parameter_references: int = 0


def scan_prolog(data: bytes) -> Prolog:
    """Walk XML declaration, comments, processing instructions and DOCTYPE up to the root element."""
    prolog = Prolog()
    position = 0
    while True:
        position = _skip_blanks(data, position)
        prolog.stop = position
        if position >= len(data):
            return prolog
        if data.startswith(b"<?", position):
            end = data.find(b"?>", position + 2)
            if end == -1:
                prolog.malformed = "unterminated processing instruction"
                return prolog
            position = end + 2
        elif data.startswith(b"<!--", position):
            end = data.find(b"-->", position + 4)
            if end == -1:
                prolog.malformed = "unterminated comment"
                return prolog
            position = end + 3
        elif data[position : position + 9].upper() == b"<!DOCTYPE":
            if prolog.doctype_span is not None:
                prolog.malformed = "two DOCTYPE declarations"
                return prolog
            position = _scan_doctype(data, position, prolog)
            if prolog.malformed is not None:
                return prolog
        else:
            root = ROOT_START.match(data, position)
            if root is None:
                prolog.malformed = "text before the root element"
                return prolog
            prolog.root_start = position
            prolog.root_name = root.group(1).decode("utf-8", "replace")
            return prolog


def _skip_blanks(data: bytes, position: int) -> int:
    match = _BLANKS.match(data, position)
    return match.end() if match is not None else position


def _scan_doctype(data: bytes, start: int, prolog: Prolog) -> int:
    """Scan one DOCTYPE (with its internal subset) from ``start``; return the position after it."""
    match = _DOCTYPE_START.match(data, start)
    if match is None:
        prolog.malformed = "DOCTYPE without a name"
        return start
    prolog.doctype_name = match.group(1).decode("utf-8", "replace")
    position = match.end()
    external = _EXTERNAL_ID.match(data, position)
    if external is not None:
        prolog.external_id = external.group(0)
        position = external.end()
    if data.startswith(b"[", position):
        position = _scan_internal_subset(data, position + 1, prolog)
        if prolog.malformed is not None:
            return position
        position = _skip_blanks(data, position)
    if not data.startswith(b">", position):
        prolog.malformed = "malformed DOCTYPE"
        return position
    prolog.doctype_span = (start, position + 1)
    return position + 1


def _scan_internal_subset(data: bytes, position: int, prolog: Prolog) -> int:
    """Collect the markup declarations of an internal subset; return the position after "]"."""
    length = len(data)
    while position < length:
        position = _skip_blanks(data, position)
        byte = data[position] if position < length else -1
        if byte == 0x5D:  # "]"
            return position + 1
        elif data.startswith(b"<!--", position):
            end = data.find(b"-->", position + 4)
            if end == -1:
                break
            position = end + 3
        elif data.startswith(b"<?", position):
            end = data.find(b"?>", position + 2)
            if end == -1:
                break
            position = end + 2
        elif data.startswith(b"<!", position):
            match = _DECLARATION.match(data, position)
            if match is None:
                break
            prolog.declarations.append(match.group(0))
            position = match.end()
        elif byte == 0x25:  # "%": a parameter-entity reference
            end = data.find(b";", position)
            if end == -1:
                break
            prolog.parameter_references += 1
            position = end + 1
        else:
            break
    prolog.malformed = "malformed DOCTYPE internal subset"
    return position
