"""Body limits: the size cap, Content-Encoding, and a gzip bomb stopped with bounded memory."""

from __future__ import annotations

import asyncio
import gzip
import struct
import tracemalloc
import zlib

import httpx
import pytest

from pipeline.errors import SkipItem
from pipeline.fetch.decoding import BodyTooLarge, CappedDecoder, decompress_capped

MIB = 1024 * 1024


def gzip_bomb(mebibytes: int) -> bytes:
    """A valid gzip stream of ``mebibytes`` MiB of zeros, built without compressing all of it.

    After a full flush, deflate encodes each further MiB of zeros as the same bytes, so the middle
    is one block repeated; the trailer carries the CRC and size of the whole.
    """
    zeros = bytes(MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH) == block
    final = compressor.flush(zlib.Z_FINISH)[:-8]  # the last (empty) block, without the trailer
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    trailer = struct.pack("<II", crc, (mebibytes * MIB) & 0xFFFFFFFF)
    return first + block * (mebibytes - 1) + final + trailer


def test_the_bomb_construction_is_valid_gzip():
    assert gzip.decompress(gzip_bomb(4)) == bytes(4 * MIB)


def test_body_over_the_cap_is_refused(web, fetch_page):
    web.route("news.example/big", web.html("<p>" + "x" * 200_000 + "</p>"))
    web.route("news.example/small", web.html("<p>" + "x" * 1_000 + "</p>"))

    big = fetch_page("https://news.example/big", max_body_bytes=100_000)
    small = fetch_page("https://news.example/small", max_body_bytes=100_000)

    assert big.reason == "fetch-too-large"
    assert big.retryable is False
    assert small.status == 200


def test_an_endless_stream_stops_at_the_cap(web, fetch_page):
    chunks_sent = 0

    class Endless(httpx.AsyncByteStream):
        async def __aiter__(self):
            nonlocal chunks_sent
            while True:
                chunks_sent += 1
                yield b"x" * 65536

    web.route(
        "news.example/endless",
        lambda request: httpx.Response(200, headers={"content-type": "text/html"}, stream=Endless()),
    )

    result = fetch_page("https://news.example/endless", max_body_bytes=1_000_000)

    assert result.reason == "fetch-too-large"
    assert chunks_sent <= 1_000_000 // 65536 + 2


def test_gzip_bomb_stops_at_the_cap_with_bounded_memory(web, make_fetcher):
    bomb = gzip_bomb(1024)  # 1 GiB of zeros in about 1 MB
    assert struct.unpack("<I", bomb[-4:])[0] == 1024 * MIB  # ISIZE: what it claims to inflate to
    web.route(
        "news.example/bomb",
        lambda request: httpx.Response(
            200, headers={"content-type": "text/html", "content-encoding": "gzip"}, stream=_chunks(bomb)
        ),
    )

    async def scenario():
        async with make_fetcher(max_body_bytes=2 * MIB) as fetcher:
            tracemalloc.start()
            try:
                result = await fetcher.fetch_page("https://news.example/bomb")
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            return result, peak

    result, peak = asyncio.run(scenario())

    assert result.reason == "fetch-too-large"
    # Measured about 4 MiB: the kept output (at most the 2 MiB cap) plus one step of zlib output.
    assert peak < 8 * MIB, f"peak traced memory {peak / MIB:.1f} MiB"


def _chunks(body, size=16 * 1024):
    class Chunks(httpx.AsyncByteStream):
        async def __aiter__(self):
            for start in range(0, len(body), size):
                yield body[start : start + size]

    return Chunks()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as many servers send
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
        ("identity", lambda data: data),
    ],
)
def test_content_encodings_are_undone(web, fetch_page, encoding, encode):
    text = "<html><body><p>Grüße aus Köln</p></body></html>"
    web.routes["news.example/z"] = lambda request: httpx.Response(
        200,
        headers={"content-type": "text/html; charset=utf-8", "content-encoding": encoding},
        stream=_chunks(encode(text.encode()), size=7),
    )

    page = fetch_page("https://news.example/z")

    assert page.html == text


def test_accept_encoding_and_user_agent_are_sent(web, fetch_page):
    web.route("news.example/a", web.html())

    fetch_page("https://news.example/a", user_agent="TestHound/9")

    assert web.requests[0].headers["accept-encoding"] == "gzip, deflate"
    assert web.requests[0].headers["user-agent"] == "TestHound/9"


def test_unsupported_or_corrupt_encoding_is_an_http_error(web, fetch_page):
    for path, encoding, body in [("br", "br", b"\x0b\x02\x80"), ("bad", "gzip", b"\x1f\x8bnot gzip at all")]:
        web.routes[f"news.example/{path}"] = lambda request, e=encoding, b=body: httpx.Response(
            200, headers={"content-type": "text/html", "content-encoding": e}, stream=_chunks(b)
        )

    unsupported = fetch_page("https://news.example/br")
    corrupt = fetch_page("https://news.example/bad")

    assert (unsupported.reason, unsupported.retryable) == ("fetch-http-error", False)
    assert "br" in unsupported.detail
    assert corrupt.reason == "fetch-http-error"


def test_decompress_capped_keeps_its_contract():
    data = b"news " * 10_000
    assert decompress_capped([gzip.compress(data)], "gzip", 100_000) == data
    assert decompress_capped([data[:10], data[10:]], None, 100_000) == data
    with pytest.raises(BodyTooLarge):
        decompress_capped([gzip.compress(data)], "gzip", 49_999)
    with pytest.raises(BodyTooLarge):
        decompress_capped([data], "identity", 49_999)
    with pytest.raises(SkipItem):
        decompress_capped([data], "compress", 100_000)


def test_truncated_gzip_keeps_the_decoded_prefix():
    data = bytes(range(256)) * 400
    compressed = gzip.compress(data, compresslevel=1)

    decoded = decompress_capped([compressed[: len(compressed) // 2]], "gzip", 1_000_000)

    assert 0 < len(decoded) < len(data)
    assert data.startswith(decoded)


def test_capped_decoder_counts_its_output():
    decoder = CappedDecoder("deflate", 1000)

    output = decoder.feed(zlib.compress(b"a" * 600)) + decoder.finish()

    assert output == b"a" * 600
    assert decoder.output_bytes == 600
