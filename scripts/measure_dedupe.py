#!/usr/bin/env python3
"""Measure near-duplicate similarities on the extraction corpus to choose the dedupe thresholds.

    .venv/bin/python scripts/measure_dedupe.py [--corpus ../shared/corpus]

Prints similarity percentiles for lightly edited copies, paragraph drops and unrelated pairs,
and, as its last line, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
from pathlib import Path

from pipeline.dedupe.core import estimated_similarity, minhash_signature
from pipeline.settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
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
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
