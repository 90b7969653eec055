#!/usr/bin/env python3
"""Measure near-duplicate similarities on the extraction corpus to choose the dedupe thresholds.

    .venv/bin/python scripts/measure_dedupe.py [--corpus ../shared/corpus]

Prints similarity percentiles for lightly edited copies, paragraph drops and unrelated pairs,
the page pairs the story rule groups, and, as its last line, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
from pathlib import Path

from newshound_dev.corpus import shared_corpus_dir
from pipeline.claims.extract import extract_claims
from pipeline.dedupe.fingerprints import estimated_similarity, minhash_signature, same_story, story_keys, story_match
from pipeline.entities.extractor import EntityExtractor
from pipeline.extract import detect_language
from pipeline.settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=shared_corpus_dir())
    args = parser.parse_args()
    settings = load_settings().dedupe
    truth = json.loads((args.corpus / "extraction" / "ground-truth.json").read_text(encoding="utf-8"))
    texts = [page["articleBody"] for page in truth.values()]
    rng = random.Random(1)

    def signature(text: str) -> tuple[int, ...]:
        return minhash_signature(text, shingle_words=settings.shingle_words, num_permutations=settings.num_permutations)

    def edit_words(text: str, share: float) -> str:
        words = text.split(" ")
        for i in rng.sample(range(len(words)), max(1, int(len(words) * share))):
            words[i] = "X" + words[i]
        return " ".join(words)

    def drop_paragraph(text: str) -> str:
        paragraphs = text.split("\n")
        if len(paragraphs) > 3:
            paragraphs.pop(rng.randrange(len(paragraphs)))
        return "\n".join([*paragraphs, "Read more: something else entirely"])

    originals = [signature(text) for text in texts]
    figures: dict[str, dict[str, float]] = {}
    variants = {
        "edit_1pct": lambda t: edit_words(t, 0.01),
        "edit_2pct": lambda t: edit_words(t, 0.02),
        "edit_5pct": lambda t: edit_words(t, 0.05),
        "drop_paragraph": drop_paragraph,
    }
    for name, make in variants.items():
        values = sorted(estimated_similarity(o, signature(make(t))) for o, t in zip(originals, texts, strict=True))
        figures[name] = {"min": values[0], "p10": values[len(values) // 10], "median": statistics.median(values)}
    unrelated = sorted(
        estimated_similarity(originals[i], originals[j])
        for i in range(len(originals))
        for j in range(i + 1, len(originals))
    )
    figures["unrelated"] = {"max": unrelated[-1], "p999": unrelated[int(len(unrelated) * 0.999)]}
    for name, values in figures.items():
        print(f"{name:16s} " + "  ".join(f"{k}={v:.3f}" for k, v in values.items()))
    figures["stories"] = measure_stories(truth)
    print(json.dumps(figures))


# Pairs of extraction-corpus pages judged (by reading them) to report the same story, by URL slug.
SAME_STORY_PAIRS = {
    frozenset(pair)
    for pair in [
        ("new-york-state-attorney-general-investig", "new-york-state-attorney-general-reportedl"),
        ("nasa-finds-water-plumes", "jupiter-moon-europa-water-vapor"),
        ("doobie-brothers-to-reunite", "doobie-brothers-reunite-50th"),
        ("doobie-brothers-to-reunite", "doobie-brothers-michael-mcdon"),
        ("doobie-brothers-reunite-50th", "doobie-brothers-michael-mcdon"),
        ("nasas-commercial-moon-shot", "nasa-adds-five-companies"),
        ("newsbeat-50470672", "scooter-braun-frustrated"),
        ("feather-duvet-lung", "how-this-mans-bedding"),
        ("snooze-cruise", "hibernating-astronauts"),
        ("world-europe-50473792", "sweden-drops-its-investigation"),
    ]
}


def measure_stories(truth: dict[str, dict[str, str]]) -> dict[str, float]:
    """Which page pairs the story rule groups, against the pairs judged to be one story."""
    settings = load_settings()
    extractor = EntityExtractor.from_settings(settings)
    keyed = []
    for page in truth.values():
        text = page["articleBody"]
        language = detect_language(text)
        entities = extractor.extract(text, language)
        keyed.append((page["url"], story_keys(text, entities, extract_claims(text, language, entities=entities))))
    grouped = set()
    for (first_url, first), (second_url, second) in itertools.combinations(keyed, 2):
        match = story_match(first, second)
        if same_story(
            match, threshold=settings.dedupe.story_threshold, quote_threshold=settings.dedupe.story_quote_threshold
        ):
            grouped.add((first_url, second_url))

    def judged(pair: tuple[str, str]) -> bool:
        return any(all(any(slug in url for url in pair) for slug in known) for known in SAME_STORY_PAIRS)

    correct = sum(1 for pair in grouped if judged(pair))
    for pair in sorted(grouped):
        print(("same story  " if judged(pair) else "other pair  ") + "  |  ".join(url[:70] for url in pair))
    return {
        "pairs_grouped": len(grouped),
        "judged_same_story": correct,
        "known_pairs": len(SAME_STORY_PAIRS),
        "recall": correct / len(SAME_STORY_PAIRS),
    }


if __name__ == "__main__":
    main()
