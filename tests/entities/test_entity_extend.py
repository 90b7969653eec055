"""scripts/extend_entities.py: Wikidata exports merge into the knowledge base without duplicates."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from pipeline.entities.kb import load_knowledge_base

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def extend() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extend_entities", REPO_ROOT / "scripts" / "extend_entities.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    path = tmp_path / "entities.yaml"
    shutil.copy(REPO_ROOT / "config" / "entities.yaml", path)
    return path


def sparql_json(rows: list[dict[str, str]]) -> str:
    bindings = [{name: {"type": "literal", "value": value} for name, value in row.items()} for row in rows]
    return json.dumps({"head": {"vars": sorted({k for row in rows for k in row})}, "results": {"bindings": bindings}})


def test_merge_adds_updates_and_skips_duplicates(extend: ModuleType, kb_copy: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text(
        sparql_json(
            [
                # new item
                {
                    "item": "http://www.wikidata.org/entity/Q99990001",
                    "label_en": "Testland",
                    "label_de": "Testlandia",
                    "aliases_en": "Republic of Testland|Testland",
                    "aliases_de": "Testlandien",
                },
                # same item on a second row (ungrouped SPARQL result): one entity, aliases merged
                {
                    "item": "http://www.wikidata.org/entity/Q99990001",
                    "label_en": "Testland",
                    "aliases_en": "Testlandic Republic",
                },
                # existing QID: gains a new alias; the alias of another entity is dropped
                {
                    "item": "http://www.wikidata.org/entity/Q7747",
                    "label_en": "Vladimir Putin",
                    "aliases_en": "V. V. Putin|Kremlin",
                },
                # a project-id entity under its QID: reported, not duplicated
                {"item": "http://www.wikidata.org/entity/Q99990002", "label_en": "Sabrina Singh"},
                # a common-word alias is dropped
                {
                    "item": "http://www.wikidata.org/entity/Q99990003",
                    "label_en": "Gamma Org",
                    "label_de": "Gamma Org",
                    "aliases_en": "Union",
                },
            ]
        ),
        encoding="utf-8",
    )
    assert extend.main([str(export), "--kb", str(kb_copy), "--type", "location"]) == 0
    knowledge_base = load_knowledge_base(kb_copy)
    testland = knowledge_base.entity("Q99990001")
    assert testland is not None
    assert testland.names == {"en": "Testland", "de": "Testlandia"}
    assert testland.aliases == ("Republic of Testland", "Testlandien", "Testlandic Republic")
    putin = knowledge_base.entity("Q7747")
    assert putin is not None and "V. V. Putin" in putin.aliases and "Kremlin" not in putin.aliases
    assert knowledge_base.entity("Q99990002") is None
    assert knowledge_base.entity("nh:sabrina-singh") is not None
    gamma = knowledge_base.entity("Q99990003")
    assert gamma is not None and gamma.aliases == ()
    text = kb_copy.read_text(encoding="utf-8")
    assert text.startswith("# Newshound knowledge base")

    # Merging the same export again changes nothing.
    assert extend.main([str(export), "--kb", str(kb_copy), "--type", "location"]) == 0
    assert kb_copy.read_text(encoding="utf-8") == text


def test_adopt_qids_replaces_the_project_id(extend: ModuleType, kb_copy: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "item,label_en,label_de\nhttp://www.wikidata.org/entity/Q99990002,Sabrina Singh,\n", encoding="utf-8"
    )
    assert extend.main([str(export), "--kb", str(kb_copy), "--adopt-qids"]) == 0
    knowledge_base = load_knowledge_base(kb_copy)
    assert knowledge_base.entity("nh:sabrina-singh") is None
    singh = knowledge_base.entity("Q99990002")
    assert singh is not None and singh.type == "person"


def test_plain_json_rows_and_dry_run(extend: ModuleType, kb_copy: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text(json.dumps([{"item": "Q99990004", "enLabel": "Delta City", "deLabel": "Deltastadt"}]))
    before = kb_copy.read_text(encoding="utf-8")
    assert extend.main([str(export), "--kb", str(kb_copy), "--type", "location", "--dry-run"]) == 0
    assert kb_copy.read_text(encoding="utf-8") == before
    rows = extend.read_export(export)
    assert [(row.qid, row.names) for row in rows] == [("Q99990004", {"en": "Delta City", "de": "Deltastadt"})]


def test_rows_without_type_are_skipped(extend: ModuleType, kb_copy: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text(json.dumps([{"item": "Q99990005", "label_en": "Epsilon Org"}]))
    assert extend.main([str(export), "--kb", str(kb_copy)]) == 0
    assert load_knowledge_base(kb_copy).entity("Q99990005") is None


def test_repository_file_is_in_canonical_layout(extend: ModuleType, kb_copy: Path, tmp_path: Path) -> None:
    """Rewriting the knowledge base without changes keeps it byte for byte."""
    export = tmp_path / "empty.json"
    export.write_text("[]")
    before = kb_copy.read_text(encoding="utf-8")
    assert extend.main([str(export), "--kb", str(kb_copy)]) == 0
    assert kb_copy.read_text(encoding="utf-8") == before
