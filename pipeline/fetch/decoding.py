"""Content-Encoding decoding with a cap on the decompressed size (gzip bombs stop at the cap).

``CappedDecoder`` decodes a body chunk by chunk as it streams in, so the fetcher stops reading a
bomb as soon as its output passes the cap; ``decompress_capped`` is the same for a whole body.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from pipeline.errors import Reason, SkipItem

# Feed compressed input to zlib in slices this big: with max_length bounding each step's output,
# a bomb is stopped after at most one step beyond the cap, and no step copies a long input tail.
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
    decoder = CappedDecoder(content_encoding, max_bytes)
    parts = [decoder.feed(chunk) for chunk in chunks]
    parts.append(decoder.finish())
    return b"".join(parts)


class CappedDecoder:
    """Incremental Content-Encoding decoder; raises BodyTooLarge once any stage passes ``max_bytes``.

    Every stage (the raw bytes, and each coding's output) is capped; the raw bytes get one step
    of slack because incompressible data grows slightly when compressed.
    """

    def __init__(self, content_encoding: str | None, max_bytes: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        for coding in codings:
            if coding not in ("gzip", "x-gzip", "deflate"):
                raise SkipItem(Reason.FETCH_HTTP_ERROR, f"unsupported content-encoding {coding!r}")
        self._max_bytes = max_bytes
        self._raw_bytes = 0
        self._output_bytes = 0
        # The last coding applied by the server is the first to undo.
        self._stages = [_Inflater(coding, max_bytes) for coding in reversed(codings)]

    @property
    def output_bytes(self) -> int:
        """Decoded bytes returned so far."""
        return self._output_bytes

    def feed(self, chunk: bytes) -> bytes:
        """Decode the next piece of the body; returns the newly decoded bytes."""
        self._raw_bytes += len(chunk)
        if self._raw_bytes > self._max_bytes + (_STEP_BYTES if self._stages else 0):
            raise BodyTooLarge(self._max_bytes)
        data = chunk
        for stage in self._stages:
            data = stage.feed(data)
        return self._count(data)

    def finish(self) -> bytes:
        """Flush what the decoders still hold; a truncated stream keeps what was decoded."""
        data = b""
        for stage in self._stages:
            data = stage.feed(data) + stage.flush()
        return self._count(data)

    def _count(self, data: bytes) -> bytes:
        self._output_bytes += len(data)
        if self._output_bytes > self._max_bytes:
            raise BodyTooLarge(self._max_bytes)
        return data


class _Inflater:
    """One gzip or deflate layer with a cap on its total output."""

    def __init__(self, coding: str, max_bytes: int) -> None:
        self._coding = coding
        self._max_bytes = max_bytes
        self._output_bytes = 0
        self._decompressor: zlib._Decompress | None = None

    def feed(self, data: bytes) -> bytes:
        if not data:
            return b""
        decompressor = self._decompressor or self._start(data)
        output: list[bytes] = []
        for offset in range(0, len(data), _STEP_BYTES):
            tail = data[offset : offset + _STEP_BYTES]
            while tail and not decompressor.eof:
                # max_length is at least 1 (we raise as soon as the output passes the cap), and
                # reaching it means the cap is passed: no output can be left pending inside zlib.
                try:
                    piece = decompressor.decompress(tail, self._max_bytes + 1 - self._output_bytes)
                except zlib.error as error:
                    raise SkipItem(Reason.FETCH_HTTP_ERROR, f"corrupt {self._coding} body: {error}") from None
                self._output_bytes += len(piece)
                if self._output_bytes > self._max_bytes:
                    raise BodyTooLarge(self._max_bytes)
                output.append(piece)
                tail = decompressor.unconsumed_tail
            if decompressor.eof:
                break  # bytes after the end of the stream are ignored, as browsers do
        return b"".join(output)

    def flush(self) -> bytes:
        if self._decompressor is None or self._decompressor.eof:
            return b""
        try:
            piece = self._decompressor.flush(self._max_bytes + 1 - self._output_bytes)
        except zlib.error:
            return b""  # truncated stream: keep what was decoded
        self._output_bytes += len(piece)
        if self._output_bytes > self._max_bytes:
            raise BodyTooLarge(self._max_bytes)
        return piece

    def _start(self, first_bytes: bytes) -> zlib._Decompress:
        if self._coding in ("gzip", "x-gzip"):
            wbits = 16 + zlib.MAX_WBITS
        else:
            # The RFC says zlib-wrapped, but many servers send raw deflate: the first byte tells.
            wbits = zlib.MAX_WBITS if first_bytes[:1] == b"\x78" else -zlib.MAX_WBITS
        self._decompressor = zlib.decompressobj(wbits)
        return self._decompressor
