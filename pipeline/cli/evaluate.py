"""`newshound eval extraction|claims|entities|ner|search|dedupe`: each prints one JSON object as its last line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import eval_app
from pipeline.cli.common import default_corpus_dir, print_json_line, settings_from_environment


@eval_app.command("extraction")
def eval_extraction(
    corpus: Annotated[Path | None, typer.Option(help="Folder with html/*.html.gz and ground-truth.json.")] = None,
) -> None:
    """Score extraction plus cleaning against gold text (4-token shingles), beside plain trafilatura."""
    from newshound_dev.evaluation.extraction import evaluate_extraction

    print_json_line(evaluate_extraction(corpus or default_corpus_dir() / "extraction"))


@eval_app.command("claims")
def eval_claims(
    corpus: Annotated[Path, typer.Option(help="Folder with docs.jsonl (GermEval or PolNeAR format).")],
    limit: Annotated[int | None, typer.Option(help="Only the first N documents.")] = None,
) -> None:
    """Score claim extraction (message, speaker and cue F1) against a gold corpus."""
    from newshound_dev.evaluation.claims import evaluate_claims

    print_json_line(evaluate_claims(corpus, limit=limit))


@eval_app.command("entities")
def eval_entities(
    labelled_set: Annotated[
        Path | None, typer.Option("--set", help="Labelled linking set (YAML); default: the development set.")
    ] = None,
    no_ner: Annotated[bool, typer.Option("--no-ner", help="Knowledge base and rules only.")] = False,
    mistakes: Annotated[bool, typer.Option(help="Print every mistake first.")] = False,
) -> None:
    """Accuracy of canonical entity linking on the labelled alias and inflection set."""
    from newshound_dev.evaluation.entities import LINKING_SET, evaluate_entities_report
    from pipeline.settings import load_settings

    settings = load_settings(overrides={"entities.use_ner": False} if no_ner else {})
    report = evaluate_entities_report(labelled_set or LINKING_SET, settings)
    for line in report.errors if mistakes else ():
        print(line)
    print_json_line(report.metrics())


@eval_app.command("ner")
def eval_ner(
    corpus: Annotated[Path, typer.Option(help="Folder with GermEval 2014 *.tsv and/or CoNLL *.conll.txt files.")],
    mistakes: Annotated[bool, typer.Option(help="Print every missed and spurious entity first.")] = False,
) -> None:
    """Score named-entity recognition (exact spans, outer layer) through the production entity path."""
    from newshound_dev.evaluation.ner import evaluate_ner, read_gold_folder
    from pipeline.entities.extractor import EntityExtractor

    extractor = EntityExtractor.from_settings(settings_from_environment())
    report = evaluate_ner(read_gold_folder(corpus), extractor.extract_many, keep_mistakes=mistakes)
    for line in report.mistakes:
        print(line)
    print_json_line(report.metrics())


@eval_app.command("search")
def eval_search(
    corpus: Annotated[
        Path | None, typer.Option(help="Folder with the claim corpora (germeval2023-spkatt-news-de, polnear-en).")
    ] = None,
    articles: Annotated[int | None, typer.Option(help="Index only the first N articles per language.")] = None,
    queries: Annotated[int, typer.Option(help="Target articles per language.")] = 300,
    misses: Annotated[
        bool, typer.Option(help="Print every query whose article is not in the first ten first.")
    ] = False,
) -> None:
    """Known-item retrieval on the embedded engine (or ELASTICSEARCH_URL): recall@10 and MRR of queries
    in other word forms and the other language's entity names, now and as search worked before."""
    from newshound_dev.evaluation.search import evaluate_search

    missed: list[str] = []
    report = evaluate_search(
        corpus or default_corpus_dir() / "claims",
        articles_per_language=articles,
        queries_per_language=queries,
        misses=missed if misses else None,
    )
    for line in missed:
        print(line)
    print_json_line(report)


@eval_app.command("dedupe")
def eval_dedupe(
    pairs: Annotated[
        Path | None,
        typer.Option(
            help="Labelled pairs (JSON Lines, ../shared/corpus/dedupe/README.md); default: the development pairs."
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the development pairs (default 15).")] = None,
    save_pairs: Annotated[
        Path | None, typer.Option(help="Also write the scored pairs to this file (JSON Lines).")
    ] = None,
    no_ner: Annotated[bool, typer.Option("--no-ner", help="Knowledge base and rules only.")] = False,
    mistakes: Annotated[bool, typer.Option(help="Print every wrongly decided pair first.")] = False,
) -> None:
    """Duplicates and stories on labelled article pairs through the production path: a confusion
    table per label and kind, then the README's metrics. Without --pairs, development pairs are
    generated from the shared corpus in memory."""
    from newshound_dev.evaluation.dedupe import evaluate_dedupe, read_pairs, write_pairs
    from pipeline.cli.search import ner_status
    from pipeline.errors import ConfigError
    from pipeline.settings import load_settings

    if pairs is not None and seed is not None:
        raise ConfigError("--seed", str(seed), "only the development pairs have a seed", "drop --seed or --pairs")
    if pairs is not None:
        labelled, source = read_pairs(pairs), str(pairs)
    else:
        from newshound_dev.dedupe_pairs import DEFAULT_SEED, development_pairs

        seed = DEFAULT_SEED if seed is None else seed
        labelled, source = development_pairs(default_corpus_dir(), seed=seed), f"development pairs, seed {seed}"
    if save_pairs is not None:
        write_pairs(labelled, save_pairs)
    settings = load_settings(overrides={"entities.use_ner": False} if no_ner else {})
    report = evaluate_dedupe(labelled, settings)
    for line in report.mistakes() if mistakes else ():
        print(line)
    for line in report.tables():
        print(line)
    print_json_line({**report.metrics(), "pairs": source, "ner": ner_status(settings.entities)})
