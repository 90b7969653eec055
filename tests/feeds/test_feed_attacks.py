"""Classic attacks on XML and feed parsers: nothing expands, nothing local is read, nothing hangs.

Times and memory are bounded generously (CI machines are slow); the figures measured on a
developer machine are in docs/feeds.md.
"""

from __future__ import annotations

import socket
import struct
import sys
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import feedparser
import pytest

from pipeline.feeds.check import check_feed_file
from pipeline.feeds.parse import ParsedFeed, guarded_parse, parse_feed
from pipeline.feeds.patches import apply_feedparser_patches
from pipeline.settings import FeedSettings, FeedSource, FetchSettings, Settings

FEED_URL = "https://news.example.com/feed.xml"
MAX_BYTES = FeedSettings().max_feed_bytes

# Every file opened and every connection attempted while a guarded parse runs (audit events;
# the hook cannot be removed, so it only records while a test switches it on).
_AUDIT: dict[str, Any] = {"active": False, "events": []}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _AUDIT["active"] and event in ("open", "socket.connect", "urllib.Request", "socket.getaddrinfo"):
        _AUDIT["events"].append((event, args[0] if args else None))


sys.addaudithook(_audit)


@contextmanager
def watched() -> Iterator[list[tuple[str, Any]]]:
    """Record the files opened and connections attempted inside the block.

    Python's own lazy imports (xml.sax loads its expat driver on first use) are left out.
    """
    events: list[tuple[str, Any]] = []
    _AUDIT.update(active=True, events=events)
    try:
        yield events
    finally:
        _AUDIT["active"] = False
        events[:] = [
            (event, target)
            for event, target in events
            if not (event == "open" and str(target).endswith((".py", ".pyc", ".so")))
        ]


@contextmanager
def measured(*, memory: bool = True) -> Iterator[dict[str, float]]:
    """Wall time (seconds) and peak traced memory (bytes) of the block.

    tracemalloc slows allocation-heavy code several times over; time-only checks turn it off.
    """
    result: dict[str, float] = {}
    if memory:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        yield result
    finally:
        result["seconds"] = time.perf_counter() - start
        if memory:
            result["peak"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()


def rss(title: bytes, *, prolog: bytes = b"", link: bytes = b"https://news.example.com/a") -> bytes:
    return (
        prolog + b'<rss version="2.0"><channel><title>Example</title><item><title>' + title + b"</title>"
        b"<link>" + link + b"</link></item></channel></rss>"
    )


def parse(document: bytes, source: FeedSource, **options: Any) -> ParsedFeed:
    options.setdefault("base_url", FEED_URL)
    return parse_feed(document, source, max_bytes=MAX_BYTES, max_entries=200, **options)


def everything(parsed: ParsedFeed) -> str:
    """All text of a result, to search for leaked content."""
    return repr(parsed)


# --- entity expansion ------------------------------------------------------------------------


def billion_laughs() -> bytes:
    declarations = [b'<!ENTITY lol "lol">']
    for level in range(1, 10):
        previous = b"&lol%d;" % (level - 1) if level > 1 else b"&lol;"
        declarations.append(b'<!ENTITY lol%d "%s">' % (level, previous * 10))
    prolog = b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + b"\n".join(declarations) + b"\n]>\n"
    return rss(b"&lol9;", prolog=prolog)


def quadratic_blowup(prolog_layout: Callable[[bytes], bytes]) -> bytes:
    """A 50 kB entity referenced 50,000 times: 2.5 GB if expanded (feedparser 6.0.14 does)."""
    declaration = b'<!ENTITY a "' + b"A" * 50_000 + b'">'
    return rss(b"&a;" * 50_000, prolog=prolog_layout(declaration))


QUADRATIC_LAYOUTS: dict[str, Callable[[bytes], bytes]] = {
    # feedparser's own DOCTYPE code sees this one and keeps the entity as "safe"
    "one declaration per line": lambda d: b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + d + b"\n]>\n",
    # its regexes only look at line starts; expat would see this one
    "all on one line": lambda d: b'<?xml version="1.0"?><!DOCTYPE rss [' + d + b"]>",
    # its regexes stop at the first "<" + letter, here inside a comment
    "after a comment": lambda d: b'<?xml version="1.0"?>\n<!-- <a> -->\n<!DOCTYPE rss [\n' + d + b"\n]>\n",
    "single-quoted": lambda d: b"<!DOCTYPE rss [\n" + d.replace(b'"', b"'") + b"\n]>\n",
    "lower-case keywords": lambda d: b"<!doctype rss [\n" + d.replace(b"ENTITY", b"entity") + b"\n]>\n",
}


def test_billion_laughs_is_not_expanded(source: FeedSource) -> None:
    with measured() as cost:
        parsed = parse(billion_laughs(), source)
    assert parsed.failure is None
    assert "lollol" not in everything(parsed)
    assert [entry.title for entry in parsed.entries] == ["&lol9;"]
    assert any("refused" in note for note in parsed.notes)
    assert cost["seconds"] < 2
    assert cost["peak"] < 20_000_000


@pytest.mark.parametrize("layout", QUADRATIC_LAYOUTS)
def test_quadratic_blowup_is_not_expanded(layout: str, source: FeedSource) -> None:
    document = quadratic_blowup(QUADRATIC_LAYOUTS[layout])
    with measured() as cost:
        parsed = parse(document, source)
    text = everything(parsed)
    assert "A" * 1000 not in text
    assert len(text) < 2 * len(document)
    assert parsed.failure is None, parsed.failure
    assert any("refused" in note for note in parsed.notes)
    # 50,000 unknown references left as text cost feedparser's loose parser about 1.5 s.
    assert cost["seconds"] < 15
    assert cost["peak"] < 50_000_000


def test_entities_after_junk_are_refused_with_the_document(source: FeedSource) -> None:
    """Text before the DOCTYPE: we cannot tell what the parsers would make of it, so no parse."""
    document = quadratic_blowup(lambda d: b"Warning: headers sent\n<!DOCTYPE rss [\n" + d + b"\n]>\n")
    parsed = parse(document, source)
    assert parsed.failure is not None and parsed.failure.detail.startswith("unsafe prolog")
    assert parsed.entries == ()


def test_many_entity_declarations_are_refused_quickly(source: FeedSource) -> None:
    declarations = b"\n".join(b'<!ENTITY e%d "value %d">' % (n, n) for n in range(20_000))
    document = rss(b"&e1; " * 10_000, prolog=b"<!DOCTYPE rss [\n" + declarations + b"\n]>\n")
    with measured(memory=False) as cost:
        parsed = parse(document, source)
    assert parsed.notes == ("refused 20000 entities (more than 100 declared)",)
    assert "value 1" not in everything(parsed)
    assert cost["seconds"] < 5


def test_small_internal_entities_still_work(source: FeedSource) -> None:
    prolog = b'<!DOCTYPE rss [\n<!ENTITY site "Example">\n<!ENTITY copy "&#169;">\n]>\n'
    parsed = parse(rss(b"&site; News &copy; 2024", prolog=prolog), source)
    assert parsed.failure is None
    assert parsed.bozo is False
    assert parsed.entries[0].title == "Example News © 2024"


# --- external entities (XXE) -----------------------------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-7f3a9c")
    return path


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback socket that would accept a connection if anything tried to fetch from it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.2)
    yield server
    server.close()


def assert_nothing_connected(server: socket.socket) -> None:
    with pytest.raises(TimeoutError):
        connection, _ = server.accept()
        connection.close()


def xxe_documents(secret: Path, url: str) -> dict[str, bytes]:
    file_url = secret.as_uri().encode()
    dtd = secret.with_name("evil.dtd")
    dtd.write_bytes(b'<!ENTITY leak SYSTEM "' + file_url + b'">')
    return {
        "file entity": rss(b"&xxe;", prolog=b'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "' + file_url + b'">\n]>\n'),
        "url entity": rss(b"&xxe;", prolog=b'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "' + url.encode() + b'">\n]>\n'),
        "public entity": rss(
            b"&xxe;", prolog=b'<!DOCTYPE rss [\n<!ENTITY xxe PUBLIC "-//X//Y" "' + file_url + b'">\n]>\n'
        ),
        "parameter entity": rss(
            b"&leak;", prolog=b'<!DOCTYPE rss [\n<!ENTITY % dtd SYSTEM "' + dtd.as_uri().encode() + b'">\n%dtd;\n]>\n'
        ),
        "external DTD": rss(b"&leak;", prolog=b'<!DOCTYPE rss SYSTEM "' + dtd.as_uri().encode() + b'">\n'),
        "external DTD by URL": rss(b"&leak;", prolog=b'<!DOCTYPE rss SYSTEM "' + url.encode() + b'">\n'),
        "xml:base to a file": b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="'
        + file_url
        + b'"><entry><title>x</title><link href="secret.txt"/></entry></feed>',
        # feedparser.parse opens a str or bytes argument as a path: we must never hand it one.
        "the path itself": str(secret).encode(),
        "the file URL itself": file_url,
    }


def test_external_entities_are_never_read(secret: Path, listener: socket.socket, source: FeedSource) -> None:
    host, port = listener.getsockname()
    for name, document in xxe_documents(secret, f"http://{host}:{port}/x").items():
        with watched() as events:
            parsed = parse(document, source)
            raw = guarded_parse(document, {}, max_bytes=MAX_BYTES)
        assert "TOP-SECRET" not in everything(parsed), name
        assert "TOP-SECRET" not in repr(raw.result), name
        assert events == [], name
    assert_nothing_connected(listener)


def test_the_watch_sees_what_plain_feedparser_reads(secret: Path) -> None:
    """The control for the test above: feedparser given a path string opens the file."""
    with watched() as events:
        result = feedparser.parse(str(secret))
    assert ("open", str(secret)) in events
    assert result["bozo"]  # it read "TOP-SECRET-7f3a9c" and tried to parse it as a feed


def test_file_links_are_refused_not_followed(secret: Path, source: FeedSource) -> None:
    document = b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="' + secret.parent.as_uri().encode() + b'/">'
    document += b'<entry><title>x</title><link href="secret.txt"/></entry></feed>'
    parsed = parse(document, source)
    assert parsed.entries == ()
    assert [link.reason for link in parsed.refused_links] == ["scheme 'file' not allowed"]


# --- structure -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        rss(b"<x>" * 100_000 + b"</x>" * 100_000),
        b'<rss version="2.0"><channel><item><title>' + b"<x>" * 100_000,  # never closed
        b"<?xml version='1.0'?>junk" + b"<x>" * 100_000,  # behind a broken prolog
    ],
    ids=["closed", "unclosed", "after junk"],
)
def test_deep_nesting_is_refused_quickly(document: bytes, source: FeedSource) -> None:
    """feedparser needs 23 s for 100,000 levels (quadratic); we stop at 512."""
    with measured() as cost:
        parsed = parse(document, source)
    assert parsed.failure is not None and parsed.failure.detail == "elements nested deeper than 512 levels"
    assert cost["seconds"] < 2


def test_a_million_elements_are_refused_quickly(source: FeedSource) -> None:
    """feedparser needs about 22 s for them (20 µs each); we stop at 200,000."""
    with measured(memory=False) as cost:
        parsed = parse(rss(b"x" + b"<x/>" * 1_000_000), source)
    assert parsed.failure is not None and parsed.failure.detail == "more than 200000 elements"
    assert cost["seconds"] < 3


def test_moderate_nesting_and_many_line_breaks_are_fine(source: FeedSource) -> None:
    xhtml = b"<div>" * 100 + b"deep text" + b"</div>" * 100
    document = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title><link href="https://e.example/a"/>'
        b'<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">' + xhtml + b"</div></summary>"
        b"</entry></feed>"
    )
    parsed = parse(document, source)
    assert parsed.failure is None
    assert parsed.entries[0].summary == "deep text"


# --- regular-expression blowups inside feedparser ----------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        # its XML-declaration regex is cubic in the first line (26 kB: 44 s unguarded)
        b"<?" + b'encoding="a" ' * 300_000,
        b'<?xml version="1.0"?><rss version="2.0">' + b"<x a=\"encoding='b'\"/>" * 15_000 + b"</rss>",
        # its DOCTYPE regexes are quadratic in blank lines before the root (100 kB: 63 s)
        b"\n" * 1_000_000 + rss(b"after blank lines"),
        b"<!-- x -->" + b"\r\n" * 500_000 + rss(b"after blank lines"),
        # its sanitiser's unclosed-comment regex is quadratic (160 kB: 25 s unpatched)
        rss(b"x&lt;!--" + b"-" * 1_000_000),
        rss(b"<![CDATA[" + b"<!--" * 250_000 + b"]]>"),
    ],
    ids=["declaration", "long first line", "blank lines", "blank CRLF lines", "dashes", "comment openers"],
)
def test_regex_blowups_finish_quickly(document: bytes, source: FeedSource) -> None:
    assert len(document) <= MAX_BYTES
    with measured(memory=False) as cost:
        parse(document, source)
    assert cost["seconds"] < 5


def test_feedparser_comment_patch_is_in_place() -> None:
    """Upgrading feedparser must be a conscious step: re-measure, then move the patch along."""
    assert apply_feedparser_patches() is True


# --- characters and encodings ----------------------------------------------------------------


@pytest.mark.parametrize(
    "reference", [b"&#xD800;", b"&#55296;", b"&#x110000;", b"&#99999999;", b"&#x" + b"F" * 40 + b";"]
)
def test_bad_character_references_do_not_crash(reference: bytes, source: FeedSource) -> None:
    """feedparser raises ValueError, OverflowError or UnicodeEncodeError on these."""
    parsed = parse(rss(b"before " + reference + b" after"), source)
    assert parsed.failure is None
    assert parsed.entries[0].title == "before \ufffd after"


def test_invalid_utf8_is_read_with_feedparser_fallback(source: FeedSource) -> None:
    document = rss(b"Caf\xc3\xa9 \xff\xfe broken", prolog=b'<?xml version="1.0" encoding="utf-8"?>\n')
    parsed = parse(document, source)
    assert parsed.failure is None
    assert parsed.bozo is True
    assert parsed.bozo_reason is not None and "CharacterEncodingOverride" in parsed.bozo_reason
    assert len(parsed.entries) == 1


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("declaration", ["", "\n", '<?xml version="1.0" encoding="utf-16"?>'])
def test_utf16_without_bom(codec: str, declaration: str, source: FeedSource) -> None:
    document = (declaration + rss("Grüße aus Köln".encode()).decode()).encode(codec)
    parsed = parse(document, source)
    assert parsed.failure is None
    assert [entry.title for entry in parsed.entries] == ["Grüße aus Köln"]


def test_nul_bytes_and_controls_do_not_reach_the_text(source: FeedSource) -> None:
    parsed = parse(rss(b"a&#0;b\x00c&#1;d"), source)
    assert parsed.failure is None
    assert parsed.entries[0].title == "abcd"


# --- not a feed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        b"<!DOCTYPE html>\n<html><head><title>Home</title></head><body><a href='/a'>a</a></body></html>",
        b"\n  <HTML lang='de'><head><title>Home</title></head><body></body></HTML>",
        b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
        b"<head><title>x</title></head><body></body></html>",
        b"<!-- cache: hit -->\n<html><body><p>Just a page</p></body></html>",
        b"Notice: undefined index\n<html><body></body></html>",
    ],
    ids=["html5", "upper-case", "xhtml", "comment first", "junk first"],
)
def test_html_page_is_not_a_feed(document: bytes, source: FeedSource) -> None:
    parsed = parse(document, source, content_type="text/html; charset=utf-8")
    assert parsed.failure is not None and parsed.failure.detail == "not a feed (HTML page)"
    assert parsed.entries == ()


@pytest.mark.parametrize(
    ("document", "error"),
    [
        (b"", "feed-error: empty document"),
        (b"   \n", "feed-error: not a feed (no root element)"),
        (b"<foo><bar/></foo>", "feed-error: not a feed (root element <foo>)"),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
            "feed-error: not a feed (JSON; JSON Feed is not supported by feedparser 6.0)",
        ),
        (b"x" * (MAX_BYTES + 1), f"feed-error: feed larger than {MAX_BYTES} bytes"),
    ],
    ids=["empty", "blank", "other xml", "json", "too large"],
)
def test_other_non_feeds(document: bytes, error: str, source: FeedSource) -> None:
    failure = parse(document, source).failure
    assert failure is not None and f"{failure.reason}: {failure.detail}" == error


# --- links ---------------------------------------------------------------------------------------

UNSAFE_LINKS = {
    "http://127.0.0.1/admin": "loopback address",
    "http://10.1.2.3/internal": "private address",
    "http://192.168.0.1/": "private address",
    "http://169.254.169.254/latest/meta-data/": "metadata address",
    "http://[::1]/": "loopback address",
    "http://localhost:8080/": "local host name",
    "http://2130706433/": "loopback address",
    "http://0x7f.1/": "loopback address",
    "file:///etc/passwd": "scheme 'file' not allowed",
    "javascript:alert(1)": "scheme 'javascript' not allowed",
    "data:text/html,<script>alert(1)</script>": "scheme 'data' not allowed",
    "mailto:editor@example.com": "scheme 'mailto' not allowed",
    "http://user:password@news.example.com/": "credentials in URL",
}


def test_unsafe_links_are_refused_with_a_reason(source: FeedSource) -> None:
    items = b"".join(
        b"<item><title>t</title><link>" + url.replace("&", "&amp;").replace("<", "&lt;").encode() + b"</link></item>"
        for url in [*UNSAFE_LINKS, "https://news.example.com/fine", "/relative/fine"]
    )
    parsed = parse(b'<rss version="2.0"><channel><title>t</title>' + items + b"</channel></rss>", source)
    refused = {link.url: link.reason for link in parsed.refused_links}
    # feedparser normalises "file:///etc/passwd" to "file://etc/passwd"; the reason is what counts
    assert sorted(refused.values()) == sorted(UNSAFE_LINKS.values())
    assert [entry.url for entry in parsed.entries] == [
        "https://news.example.com/fine",
        "https://news.example.com/relative/fine",
    ]


def test_allow_listed_hosts_are_kept(source: FeedSource) -> None:
    parsed = parse(rss(b"t", link=b"http://localhost:8080/a"), source, allowed_hosts=("localhost",))
    assert [entry.url for entry in parsed.entries] == ["http://localhost:8080/a"]


# --- the gzip bomb through check-feed -------------------------------------------------------------


def gzip_bomb(path: Path, decompressed_bytes: int = 1 << 30) -> None:
    """A valid gzip file of about 1 MB that decompresses to ``decompressed_bytes`` of feed."""
    prefix = b'<?xml version="1.0"?><rss version="2.0"><channel><title>'
    chunk = b" " * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    # After a full flush the compressor starts afresh, so every chunk compresses the same.
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = -(-(decompressed_bytes - len(prefix)) // len(chunk))  # rounded up
    crc = zlib.crc32(prefix)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    size = len(prefix) + count * len(chunk)
    with path.open("wb") as file:
        file.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + head)
        for _ in range(count):
            file.write(block)
        file.write(compressor.flush() + struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF))


def test_gzip_bomb_stops_at_the_cap(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml.gz"
    gzip_bomb(bomb)
    assert struct.unpack("<I", bomb.read_bytes()[-4:])[0] >= 1 << 30  # gzip's own size field
    settings = Settings()
    cap = settings.fetch.max_body_bytes
    with measured() as cost:
        report = check_feed_file(bomb, settings)
    assert report["error"] == f"fetch-too-large: body larger than {cap} bytes"
    assert report["entries_kept"] == 0
    assert cost["seconds"] < 5
    assert cost["peak"] < 3 * cap, cost


def test_gzip_bomb_under_a_small_cap(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml.gz"
    gzip_bomb(bomb, 64 << 20)
    settings = Settings(fetch=FetchSettings(max_body_bytes=1_000_000))
    with measured() as cost:
        report = check_feed_file(bomb, settings)
    assert report["error"] == "fetch-too-large: body larger than 1000000 bytes"
    assert cost["peak"] < 3 * 1_000_000 + 2_000_000  # plus the compressed file read in slices
