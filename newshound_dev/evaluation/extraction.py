"""Score Newshound's extraction + cleaning against gold article texts, beside plain trafilatura.

The corpus folder has the layout of the Zyte article-extraction-benchmark: ``html/<id>.html.gz``
(UTF-8 pages) and ``ground-truth.json`` (``{"<id>": {"articleBody": ..., "url": ...}}``).

The metric is the benchmark's own: texts are split into ``\\w+`` tokens (Unicode, case kept),
compared as multisets of overlapping 4-token shingles (a text of 1-3 tokens is one shingle);
page precision = shared / predicted, page recall = shared / gold. Corpus precision is the mean
page precision over pages with a non-empty prediction, corpus recall the mean page recall over
all pages, F1 the harmonic mean of the two means; accuracy is the share of pages whose token
sequence equals the gold one.

In the same run, plain ``trafilatura.extract`` calls with a handful of settings are scored the
same way, so "ours beats the best plain setting" is measured on one machine, one library version.
CPU time (``time.process_time``) of ours and of the plain default is taken page by page in turn,
after a warm-up page, so load on the machine affects both alike.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import trafilatura

from pipeline.clean import CleaningRules, clean_text, default_rules_path, load_cleaning_rules
from pipeline.errors import ExtractionError
from pipeline.extract import extract_article

__all__ = [
    "PLAIN_SETTINGS",
    "CorpusPage",
    "evaluate_extraction",
    "extraction_record",
    "load_corpus",
    "score_texts",
]

T = TypeVar("T")
_TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4
# Plain trafilatura settings scored beside ours; "default" is the benchmark's reference call.
PLAIN_SETTINGS: Mapping[str, Mapping[str, Any]] = {
    "default": {"include_comments": False},
    "favor_precision": {"include_comments": False, "favor_precision": True},
    "favor_recall": {"include_comments": False, "favor_recall": True},
    "no_tables": {"include_comments": False, "include_tables": False},
    "fast": {"include_comments": False, "fast": True},
    "fast_favor_precision": {"include_comments": False, "fast": True, "favor_precision": True},
    "favor_precision_no_tables": {
        "include_comments": False,
        "favor_precision": True,
        "include_tables": False,
    },
    "with_comments": {},
}


@dataclass(frozen=True, slots=True)
class CorpusPage:
    """One page of an evaluation corpus with its gold text."""

    id: str
    url: str
    html: str
    gold: str


@dataclass(frozen=True, slots=True)
class _Prediction:
    text: str
    removed: tuple[str, ...] = ()  # lines the cleaner removed
    rules: tuple[str, ...] = ()  # the rule of each removed line


def load_corpus(corpus_dir: Path) -> list[CorpusPage]:
    """The pages of ``corpus_dir`` that have both an HTML file and a gold text, sorted by id."""
    truth = json.loads((corpus_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, entry in sorted(truth.items()):
        path = corpus_dir / "html" / f"{page_id}.html.gz"
        if path.exists():
            # The benchmark's pages are UTF-8 whatever they declare (see the corpus README).
            html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
            pages.append(CorpusPage(page_id, entry.get("url", ""), html, entry["articleBody"]))
    return pages


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    if len(tokens) < SHINGLE_SIZE:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + SHINGLE_SIZE]) for i in range(len(tokens) - SHINGLE_SIZE + 1))


def score_texts(golds: list[str], predictions: list[str]) -> dict[str, float | int]:
    """The benchmark metric over paired gold and predicted texts."""
    precisions: list[float] = []
    recalls: list[float] = []
    exact = 0
    for gold, predicted in zip(golds, predictions, strict=True):
        gold_shingles, predicted_shingles = _shingles(gold), _shingles(predicted)
        shared = sum((gold_shingles & predicted_shingles).values())
        if predicted_shingles:
            precisions.append(shared / sum(predicted_shingles.values()))
        recalls.append(shared / sum(gold_shingles.values()) if gold_shingles else 0.0)
        exact += _TOKEN.findall(gold) == _TOKEN.findall(predicted)
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "accuracy": round(exact / len(golds), 4) if golds else 0.0,
        "n": len(golds),
    }


def _ours(page: CorpusPage, rules: CleaningRules) -> _Prediction:
    try:
        article = extract_article(page.html, page.url)
    except ExtractionError:
        return _Prediction("")
    cleaned = clean_text(article.text, rules, language=article.language, title=article.title)
    return _Prediction(
        cleaned.text,
        tuple(line.text for line in cleaned.removed),
        tuple(line.rule for line in cleaned.removed),
    )


def _plain(page: CorpusPage, setting: Mapping[str, Any]) -> str:
    return trafilatura.extract(page.html, **setting) or ""


def _plain_all(pages: list[CorpusPage], setting: Mapping[str, Any]) -> list[str]:
    return [_plain(page, setting) for page in pages]


def _timed(function: Callable[[], T]) -> tuple[T, float]:
    start = time.process_time()
    result = function()
    return result, time.process_time() - start


def evaluate_extraction(corpus_dir: Path, *, rules_path: Path | None = None) -> dict[str, object]:
    """Score ours (extract_article + clean_text) and plain trafilatura settings on ``corpus_dir``."""
    pages = load_corpus(Path(corpus_dir))
    if not pages:
        raise ValueError(f"no pages with gold text in {corpus_dir}")
    rules = load_cleaning_rules(rules_path or default_rules_path())
    golds = [page.gold for page in pages]
    default_setting = PLAIN_SETTINGS["default"]
    # Warm-up: model loading and first-call caches are not per-page costs.
    _ours(pages[0], rules)
    _plain(pages[0], default_setting)

    ours: list[_Prediction] = []
    plain_default: list[str] = []
    ours_seconds = default_seconds = 0.0
    for page in pages:
        text, seconds = _timed(partial(_plain, page, default_setting))
        plain_default.append(text)
        default_seconds += seconds
        prediction, seconds = _timed(partial(_ours, page, rules))
        ours.append(prediction)
        ours_seconds += seconds

    plain: dict[str, dict[str, float | int]] = {}
    for name, setting in PLAIN_SETTINGS.items():
        if name == "default":
            texts, seconds = plain_default, default_seconds
        else:
            texts, seconds = _timed(partial(_plain_all, pages, setting))
        plain[name] = {**score_texts(golds, texts), "seconds_per_page": round(seconds / len(pages), 5)}

    scores = score_texts(golds, [prediction.text for prediction in ours])
    result: dict[str, object] = dict(scores)
    best_name = max(plain, key=lambda name: plain[name]["f1"])
    removed_in_gold = [
        (line, rule)
        for page, prediction in zip(pages, ours, strict=True)
        for line, rule in zip(prediction.removed, prediction.rules, strict=True)
        if _in_gold(line, page.gold)
    ]
    result.update(
        seconds_per_page=round(ours_seconds / len(pages), 5),
        baseline_f1=plain["default"]["f1"],
        baseline_precision=plain["default"]["precision"],
        baseline_recall=plain["default"]["recall"],
        baseline_accuracy=plain["default"]["accuracy"],
        baseline_seconds_per_page=plain["default"]["seconds_per_page"],
        cpu_ratio_to_baseline=round(ours_seconds / default_seconds, 3) if default_seconds else None,
        best_plain_setting=best_name,
        best_plain_f1=plain[best_name]["f1"],
        f1_gain_over_best_plain=round(scores["f1"] - plain[best_name]["f1"], 4),
        no_text_pages=sum(1 for prediction in ours if not prediction.text),
        removed_lines=sum(len(prediction.removed) for prediction in ours),
        removed_in_gold=len(removed_in_gold),
        removed_in_gold_by_rule=dict(Counter(rule for _, rule in removed_in_gold).most_common()),
        removed_by_rule=dict(Counter(rule for prediction in ours for rule in prediction.rules).most_common()),
        plain=plain,
        corpus=str(corpus_dir),
        trafilatura_version=trafilatura.__version__,
    )
    return result


def extraction_record(html: str, url: str, rules: CleaningRules) -> dict[str, object]:
    """What Newshound makes of a page, as JSON-ready data (the golden files of tests/extraction).

    The text is a list of paragraphs so that a changed paragraph shows as one changed line in a diff.
    """
    try:
        article = extract_article(html, url)
    except ExtractionError as error:
        return {"error": error.reason, "detail": error.detail}
    cleaned = clean_text(article.text, rules, language=article.language, title=article.title)
    return {
        "title": article.title,
        "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "site_name": article.site_name,
        "language": article.language,
        "page_canonical_url": article.page_canonical_url,
        "description": article.description,
        "paragraphs": cleaned.text.split("\n") if cleaned.text else [],
        # A cut piece says which part of its line it was ("prefix": a dateline); a whole line says nothing.
        "removed": [
            {"rule": line.rule, "text": line.text, **({"part": line.part} if line.part != "line" else {})}
            for line in cleaned.removed
        ],
        "agency": list(cleaned.agency),
        "byline": cleaned.byline,
    }


def _in_gold(line: str, gold: str) -> bool:
    """Whether a removed line is gold text (a wrong removal): its words appear in order in the gold
    text; a line of fewer than 4 words must be a whole gold line ("arrombamento" alone is a tag
    line even though the word occurs in an article sentence).
    """
    tokens = _TOKEN.findall(line)
    if not tokens:
        return False
    if len(tokens) < SHINGLE_SIZE:
        return any(_TOKEN.findall(gold_line) == tokens for gold_line in gold.splitlines())
    return f" {' '.join(tokens)} " in f" {' '.join(_TOKEN.findall(gold))} "
