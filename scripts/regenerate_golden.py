#!/usr/bin/env python
"""Rewrite the expected outputs of the extraction golden tests (tests/extraction/golden/*.json).

Run it after a deliberate change to extraction, cleaning rules or trafilatura, then review the
diff (``git diff tests/extraction/golden``) before committing: every changed line is a changed
paragraph, title, date or removed line of a real page.

    .venv/bin/python scripts/regenerate_golden.py            # rewrite all existing golden files
    .venv/bin/python scripts/regenerate_golden.py --add ID   # add a page of the shared corpus

The HTML stays in the shared corpus (``$NEWSHOUND_SHARED_DIR/corpus`` or ``../shared/corpus``);
a golden file holds only the expected output and the page's id and URL.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from pathlib import Path

from newshound_dev.evaluation.extraction import extraction_record
from pipeline.clean import default_rules_path, load_cleaning_rules

REPO_ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = REPO_ROOT / "tests" / "extraction" / "golden"


def shared_corpus_dir() -> Path:
    """Same rule as tests/conftest.py: NEWSHOUND_SHARED_DIR/corpus, else ../shared/corpus."""
    base = os.environ.get("NEWSHOUND_SHARED_DIR")
    return Path(base) / "corpus" if base else REPO_ROOT.parent / "shared" / "corpus"


def golden_entry(corpus: Path, page_id: str) -> dict[str, object]:
    """The golden file content for one page of ``corpus/extraction``."""
    extraction = corpus / "extraction"
    truth = json.loads((extraction / "ground-truth.json").read_text(encoding="utf-8"))
    url = truth[page_id]["url"]
    html = gzip.decompress((extraction / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
    rules = load_cleaning_rules(default_rules_path())
    return {"id": page_id, "url": url, "expected": extraction_record(html, url, rules)}


def write_golden(entry: dict[str, object]) -> Path:
    path = GOLDEN_DIR / f"{str(entry['id'])[:12]}.json"
    path.write_text(json.dumps(entry, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--add", nargs="*", default=[], metavar="ID", help="page ids (or unique prefixes) to add")
    args = parser.parse_args(argv)
    corpus = shared_corpus_dir()
    all_ids = [path.name.split(".")[0] for path in (corpus / "extraction" / "html").glob("*.html.gz")]
    page_ids = [json.loads(path.read_text(encoding="utf-8"))["id"] for path in sorted(GOLDEN_DIR.glob("*.json"))]
    for prefix in args.add:
        matches = [page_id for page_id in all_ids if page_id.startswith(prefix)]
        if len(matches) != 1:
            parser.error(f"{prefix!r} matches {len(matches)} pages of {corpus / 'extraction'}")
        page_ids.append(matches[0])
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for page_id in dict.fromkeys(page_ids):
        print(write_golden(golden_entry(corpus, page_id)).relative_to(REPO_ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
