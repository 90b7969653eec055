"""Content-Encoding decoding with a cap on the decompressed size (gzip bombs stop at the cap)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from pipeline.errors import Reason, SkipItem

# Read compressed input in slices this big so a bomb is stopped after at most one slice of output
# beyond the cap (zlib's max_length bounds each step's output).
_STEP_BYTES = 64 * 1024


class BodyTooLarge(SkipItem):
    """The (decompressed) body is larger than the configured maximum."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(Reason.FETCH_TOO_LARGE, f"body larger than {max_bytes} bytes")


def decompress_capped(chunks: Iterable[bytes], content_encoding: str | None, max_bytes: int) -> bytes:
    """Decode ``chunks`` of a body sent with ``content_encoding``; raise BodyTooLarge past ``max_bytes``.

    Supports identity, gzip (also x-gzip) and deflate (zlib-wrapped or raw); several codings
    ("gzip, gzip") are undone in reverse order. Unknown codings raise SkipItem.
    """
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    # Compressed data is rarely larger than its output; the slack covers incompressible bodies.
    data = _join_capped(chunks, max_bytes + _STEP_BYTES)
    for coding in reversed(codings):
        data = _decompress_one(data, coding, max_bytes)
    return data


def _join_capped(chunks: Iterable[bytes], max_bytes: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge(max_bytes)
        parts.append(chunk)
    return b"".join(parts)


def _decompress_one(data: bytes, coding: str, max_bytes: int) -> bytes:
    if coding in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif coding == "deflate":
        # The RFC says zlib-wrapped, but many servers send raw deflate: the first byte tells.
        wbits = zlib.MAX_WBITS if data[:1] == b"\x78" else -zlib.MAX_WBITS
    else:
        raise SkipItem(Reason.FETCH_HTTP_ERROR, f"unsupported content-encoding {coding!r}")
    decompressor = zlib.decompressobj(wbits)
    output: list[bytes] = []
    size = 0
    offset = 0
    try:
        while not decompressor.eof:
            if decompressor.unconsumed_tail:
                chunk = decompressor.unconsumed_tail
            elif offset < len(data):
                chunk = data[offset : offset + _STEP_BYTES]
                offset += _STEP_BYTES
            else:
                break  # truncated stream: keep what was decoded
            # max_length is at least 1 here (we raise as soon as size passes max_bytes).
            piece = decompressor.decompress(chunk, max_bytes + 1 - size)
            size += len(piece)
            if size > max_bytes:
                raise BodyTooLarge(max_bytes)
            output.append(piece)
    except zlib.error as error:
        raise SkipItem(Reason.FETCH_HTTP_ERROR, f"corrupt {coding} body: {error}") from None
    return b"".join(output)
