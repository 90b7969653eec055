"""Text material for synthetic benchmark articles: the gold texts of the extraction corpus
(121 real articles, mostly English): their sentences, and their words with their frequencies.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import datetime
from functools import lru_cache

from bench.common import corpus_dir
from newshound_dev.newsweb.site import render_article_page
from pipeline.dedupe.fingerprints import story_keys

_WORD = re.compile(r"\w+")  # the tokenizer of pipeline.dedupe.fingerprints
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@lru_cache(maxsize=1)
def gold_texts() -> tuple[str, ...]:
    truth = json.loads((corpus_dir() / "extraction" / "ground-truth.json").read_text(encoding="utf-8"))
    return tuple(str(page["articleBody"]) for _, page in sorted(truth.items()))


@lru_cache(maxsize=1)
def sentences() -> tuple[str, ...]:
    """About 4,000 sentences of 40 to 300 characters."""
    found = []
    for text in gold_texts():
        for sentence in _SENTENCE_END.split(text.replace("\n", " ")):
            sentence = sentence.strip()
            if 40 <= len(sentence) <= 300:
                found.append(sentence)
    return tuple(found)


@lru_cache(maxsize=1)
def word_frequencies() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The lowercased words (as the dedupe tokenizer sees them) and their counts, most frequent first."""
    counts = Counter(word for text in gold_texts() for word in _WORD.findall(text.lower()))
    ranked = counts.most_common()
    return tuple(word for word, _ in ranked), tuple(count for _, count in ranked)


def article_page(
    randomness: random.Random, outlet_name: str, title: str, published: datetime, url_path: str, *, paragraphs: int
) -> bytes:
    """A small article page (a few kB): ``paragraphs`` paragraphs of three corpus sentences each."""
    pool = sentences()
    body = [" ".join(randomness.sample(pool, 3)) for _ in range(paragraphs)]
    return render_article_page(outlet_name, title, body, published, language="en", url_path=url_path)


@lru_cache(maxsize=1)
def quote_key_counts() -> tuple[int, ...]:
    """How many quotation-trigram story keys (``q:``) the pipeline derives from each gold text."""
    return tuple(sum(key.startswith("q:") for key in story_keys(text, ())) for text in gold_texts())
