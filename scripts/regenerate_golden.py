#!/usr/bin/env python
"""Rewrite the expected outputs of the extraction golden tests (tests/extraction/golden/*.json).

Run it after a deliberate change to extraction, cleaning rules or trafilatura, then review the
diff (``git diff tests/extraction/golden``) before committing: every changed line is a changed
paragraph, title, date or removed line of a real page.

    .venv/bin/python scripts/regenerate_golden.py            # rewrite all existing golden files
    .venv/bin/python scripts/regenerate_golden.py --add ID   # add a page of the shared corpus

Each golden file ``<name>.json`` (the expected output, the page's id and URL) has its page beside
it as ``<name>.html.gz``, so rewriting needs only the repository. ``--add`` copies the page from
the shared corpus (``newshound_dev.corpus``); its licence notice is in golden/NOTICE.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
from pathlib import Path

from newshound_dev.corpus import missing_corpus_message, shared_corpus_dir
from newshound_dev.evaluation.extraction import extraction_record
from pipeline.clean import CleaningRules, default_rules_path, load_cleaning_rules

REPO_ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = REPO_ROOT / "tests" / "extraction" / "golden"


def copy_page(extraction: Path, page_id: str) -> tuple[Path, dict[str, str]]:
    """Copy a page of the shared extraction corpus into GOLDEN_DIR: its golden file's path, id and URL."""
    truth = json.loads((extraction / "ground-truth.json").read_text(encoding="utf-8"))
    path = GOLDEN_DIR / f"{page_id[:12]}.json"
    shutil.copyfile(extraction / "html" / f"{page_id}.html.gz", path.with_suffix(".html.gz"))
    return path, {"id": page_id, "url": truth[page_id]["url"]}


def write_golden(path: Path, page_id: str, url: str, rules: CleaningRules) -> None:
    """Rewrite the golden file ``path`` from the page beside it (``<name>.html.gz``)."""
    html = gzip.decompress(path.with_suffix(".html.gz").read_bytes()).decode("utf-8")
    entry = {"id": page_id, "url": url, "expected": extraction_record(html, url, rules)}
    path.write_text(json.dumps(entry, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--add", nargs="*", default=[], metavar="ID", help="page ids (or unique prefixes) to add")
    args = parser.parse_args(argv)
    pages = {path: json.loads(path.read_text(encoding="utf-8")) for path in GOLDEN_DIR.glob("*.json")}
    if args.add:
        extraction = shared_corpus_dir() / "extraction"
        if not extraction.is_dir():
            parser.error(missing_corpus_message(extraction))
        all_ids = [path.name.split(".")[0] for path in (extraction / "html").glob("*.html.gz")]
        for prefix in args.add:
            matches = [page_id for page_id in all_ids if page_id.startswith(prefix)]
            if len(matches) != 1:
                parser.error(f"{prefix!r} matches {len(matches)} pages of {extraction}")
            path, page = copy_page(extraction, matches[0])
            pages[path] = page
    rules = load_cleaning_rules(default_rules_path())
    for path, page in sorted(pages.items()):
        write_golden(path, page["id"], page["url"], rules)
        print(path.relative_to(REPO_ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
