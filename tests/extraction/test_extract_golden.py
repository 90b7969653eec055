"""Golden files: extraction + cleaning of real pages must give exactly the reviewed output.

After a deliberate change run `scripts/regenerate_golden.py` and review `git diff tests/extraction`.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newshound_dev.evaluation.extraction import extraction_record
from pipeline.clean import CleaningRules, default_rules_path, load_cleaning_rules

GOLDEN_DIR = Path(__file__).parent / "golden"
GOLDEN_FILES = sorted(GOLDEN_DIR.glob("*.json"))


@pytest.fixture(scope="module")
def rules() -> CleaningRules:
    return load_cleaning_rules(default_rules_path())


def test_there_are_golden_files() -> None:
    assert len(GOLDEN_FILES) >= 10


@pytest.mark.parametrize("golden_file", GOLDEN_FILES, ids=lambda path: path.stem)
def test_page_matches_golden_file(golden_file: Path, rules: CleaningRules) -> None:
    golden = json.loads(golden_file.read_text(encoding="utf-8"))
    # The page sits beside its golden file (golden/NOTICE.md), so a fresh clone runs this test too.
    html = gzip.decompress(golden_file.with_suffix(".html.gz").read_bytes()).decode("utf-8")

    actual = extraction_record(html, golden["url"], rules)

    assert actual == golden["expected"], f"regenerate with scripts/regenerate_golden.py if intended ({golden_file})"
