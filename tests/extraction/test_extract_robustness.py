"""Hostile and odd input: extract_article returns an article or raises ExtractionError, nothing else."""

from __future__ import annotations

import random
import time

import pytest

from pipeline.errors import ExtractionError, Reason
from pipeline.extract import extract_article, page_canonical_url

URL = "https://news.example.org/a/1"
ARTICLE_PAGE = """<html lang="en"><head><title>Council approves the new budget | Example News</title>
<link rel="canonical" href="/politics/council-budget"><meta property="og:url" content="https://other.example.org/x">
<meta name="author" content="Jane Doe"><meta property="article:published_time" content="2024-10-28T14:05:00+01:00">
<meta property="og:site_name" content="Example News"></head>
<body><nav><a href="/">Home</a> <a href="/p">Politics</a></nav>
<article><h1>Council approves the new budget</h1>
<p>The city council approved the budget for next year on Monday after a debate that lasted six hours.</p>
<p>The budget raises spending on schools by four percent and cuts the road programme, the mayor said.</p>
<p>Opposition members voted against it and said the cuts would delay repairs of two bridges in the north.</p>
</article><footer>© 2024 Example News</footer></body></html>"""


def random_bytes_as_text(size: int, seed: int) -> str:
    return random.Random(seed).randbytes(size).decode("latin-1")


GARBAGE = {
    "empty": "",
    "whitespace": " \n\t ",
    "binary-junk": random_bytes_as_text(50_000, 1),
    "nul-bytes": "\x00" * 1000,
    "json": '{"a": [1, 2, 3], "b": {"c": null}}',
    "rss": '<?xml version="1.0" encoding="utf-8"?><rss><channel><item><title>x</title></item></channel></rss>',
    "plain-text": "Just some text without markup. " * 40,
    "head-only": "<html><head><title>T</title></head></html>",
    "unclosed-tags": "<html><body><div><p>Unclosed <b>bold <i>italic <table><tr><td>cell" * 200,
    "lone-surrogate": "<html><body><p>bad \ud800 surrogate in a paragraph of text</p></body></html>",
    "script-only": "<html><body><script>" + "var x = 1;" * 10_000 + "</script></body></html>",
}


@pytest.mark.parametrize("html", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_gives_extraction_error_or_text(html: str) -> None:
    try:
        article = extract_article(html, URL)
    except ExtractionError as error:
        assert error.reason == Reason.NO_TEXT
    else:
        assert isinstance(article.text, str) and article.text
    assert page_canonical_url(html, URL) is None


def nested_divs(inner: str, depth: int) -> str:
    return "<html><body>" + inner.join(["<div>"] * depth) + "</div>" * depth + "</body></html>"


@pytest.mark.parametrize(
    "html",
    [
        nested_divs("", 460_000) + "<p>" + "some text " * 20 + "</p>",
        nested_divs("<p>A paragraph of text inside yet another div.</p>", 95_000),
    ],
    ids=["empty-divs", "divs-with-paragraphs"],
)
def test_five_megabytes_of_nested_divs_is_handled_quickly(html: str) -> None:
    assert len(html) > 5_000_000
    start = time.process_time()
    try:
        article = extract_article(html, URL)
    except ExtractionError:
        pass
    else:
        assert isinstance(article.text, str) and article.text
    assert time.process_time() - start < 20


def test_page_larger_than_the_limit_is_refused() -> None:
    with pytest.raises(ExtractionError, match="larger than"):
        extract_article("<html><body><p>x</p></body></html>" + " " * 13_000_000, URL)


def test_article_page_metadata_and_text() -> None:
    article = extract_article(ARTICLE_PAGE, URL)
    assert article.text.split("\n")[-3:] == [
        "The city council approved the budget for next year on Monday after a debate that lasted six hours.",
        "The budget raises spending on schools by four percent and cuts the road programme, the mayor said.",
        "Opposition members voted against it and said the cuts would delay repairs of two bridges in the north.",
    ]
    assert "Home" not in article.text and "©" not in article.text
    assert article.title == "Council approves the new budget | Example News" or article.title == (
        "Council approves the new budget"
    )
    assert article.author == "Jane Doe"
    assert article.site_name == "Example News"
    assert article.language == "en"
    assert article.published is not None and article.published.isoformat() == "2024-10-28T14:05:00+01:00"
    assert article.page_canonical_url == "https://news.example.org/politics/council-budget"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<link rel="canonical" href="https://example.org/story?id=1">', "https://example.org/story?id=1"),
        ('<link rel="Canonical nofollow" href="/story">', "https://news.example.org/story"),
        ('<meta property="og:url" content="//cdn.example.org/story">', "https://cdn.example.org/story"),
        (
            '<link rel="canonical" href="javascript:alert(1)"><meta property="og:url" content="/b">',
            "https://news.example.org/b",
        ),
        ('<link rel="canonical" href="">', None),
        ('<link rel="canonical" href="http://[broken">', None),
        ('<link rel="canonical" href="mailto:someone@example.org">', None),
        ("", None),
    ],
)
def test_page_canonical_url(head: str, expected: str | None) -> None:
    html = f"<html><head>{head}</head><body><p>text</p></body></html>"
    assert page_canonical_url(html, URL) == expected
