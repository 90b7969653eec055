"""The knowledge base file validates, and a bad file fails with the file, the key and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.entities.kb import KnowledgeBase, load_knowledge_base
from pipeline.entities.tokens import alias_key
from pipeline.errors import ConfigError
from pipeline.models import KNOWLEDGE_BASE_ID

KNOWLEDGE_BASE = Path(__file__).resolve().parents[2] / "config" / "entities.yaml"


def test_knowledge_base_is_large_and_well_formed(knowledge_base: KnowledgeBase) -> None:
    assert len(knowledge_base.entities) >= 300
    ids = [entity.id for entity in knowledge_base.entities]
    assert len(ids) == len(set(ids))
    assert all(KNOWLEDGE_BASE_ID.fullmatch(entity_id) for entity_id in ids)
    assert all(entity.names.get("en") and entity.names.get("de") for entity in knowledge_base.entities)
    types = {entity.type for entity in knowledge_base.entities}
    assert {"person", "organisation", "location", "event"} <= types


def test_every_strong_alias_belongs_to_one_entity_or_is_declared_ambiguous(
    knowledge_base: KnowledgeBase,
) -> None:
    declared = {alias_key(entry.alias) for entry in knowledge_base.ambiguous}
    owners: dict[tuple[str, ...], set[str]] = {}
    for entity in knowledge_base.entities:
        for form in entity.match_forms():
            if form.strong and form.languages is None:
                owners.setdefault(alias_key(form.text), set()).add(entity.id)
    shared = {key: ids for key, ids in owners.items() if len(ids) > 1 and key not in declared}
    assert shared == {}


@pytest.mark.parametrize(
    ("qid", "english", "german"),
    [
        ("Q7747", "Vladimir Putin", "Wladimir Putin"),
        ("Q159", "Russia", "Russland"),
        ("Q423", "North Korea", "Nordkorea"),
        ("Q212", "Ukraine", "Ukraine"),
        ("Q7184", "NATO", "NATO"),
    ],
)
def test_known_qids(knowledge_base: KnowledgeBase, qid: str, english: str, german: str) -> None:
    entity = knowledge_base.entity(qid)
    assert entity is not None
    assert (entity.names["en"], entity.names["de"]) == (english, german)


def test_all_un_members_have_german_names_and_most_have_demonyms(knowledge_base: KnowledgeBase) -> None:
    countries = [e for e in knowledge_base.entities if e.type == "location" and e.id.startswith("Q") and e.demonyms]
    assert len(countries) >= 180
    north_korea = knowledge_base.entity("Q423")
    assert north_korea is not None
    assert "nordkoreanisch" in north_korea.demonyms["de"]
    assert "North Korean" in north_korea.demonyms["en"]


def test_roles_section(knowledge_base: KnowledgeBase) -> None:
    assert knowledge_base.role_key("Sprecherin") == "spokesperson"
    assert knowledge_base.role_key("Generalsekretär") == "secretary-general"
    assert knowledge_base.role_key("spokeswoman") == "spokesperson"
    assert knowledge_base.role_key("Bäcker") is None


# ---- configuration errors ----


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "entities.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _minimal(**entity: Any) -> dict[str, Any]:
    base = {"id": "nh:example", "type": "organisation", "names": {"en": "Example Org", "de": "Beispiel-Org"}}
    base.update(entity)
    return {"version": 1, "entities": [base]}


def _error(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_knowledge_base(path)
    return caught.value


def test_minimal_file_loads(tmp_path: Path) -> None:
    knowledge_base = load_knowledge_base(_write(tmp_path, _minimal()))
    assert knowledge_base.entity("nh:example") is not None


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    error = _error(tmp_path / "nope.yaml")
    assert error.file.endswith("nope.yaml")
    assert "not found" in error.problem


def test_unknown_key_names_entity_and_key(tmp_path: Path) -> None:
    error = _error(_write(tmp_path, _minimal(alias=["Typo"])))
    assert error.file.endswith("entities.yaml")
    assert error.key == "entities[0] (nh:example).alias"
    assert "unknown key" in error.problem and error.fix


def test_bad_type(tmp_path: Path) -> None:
    error = _error(_write(tmp_path, _minimal(type="company")))
    assert error.key == "entities[0] (nh:example).type"


def test_bad_id(tmp_path: Path) -> None:
    error = _error(_write(tmp_path, _minimal(id="putin")))
    assert error.key == "entities[0] (putin).id"
    assert "QID" in error.fix


def test_missing_german_name(tmp_path: Path) -> None:
    error = _error(_write(tmp_path, _minimal(names={"en": "Example"})))
    assert error.key == "entities[0] (nh:example).names"
    assert "de" in error.problem


def test_duplicate_id(tmp_path: Path) -> None:
    data = _minimal()
    data["entities"].append(dict(data["entities"][0], names={"en": "Second Org", "de": "Zweite Org"}))
    error = _error(_write(tmp_path, data))
    assert error.key == "entities[1] (nh:example).id"
    assert "entities[0]" in error.problem


def test_alias_claimed_by_two_entities(tmp_path: Path) -> None:
    data = _minimal(aliases=["Shared Name"])
    data["entities"].append(
        {
            "id": "nh:other",
            "type": "person",
            "names": {"en": "Second Org", "de": "Zweite Org"},
            "aliases": ["shared name"],
        }
    )
    error = _error(_write(tmp_path, data))
    assert error.key == "entities[1] (nh:other).aliases"
    assert "nh:example" in error.problem
    assert "ambiguous" in error.fix


def test_shared_alias_is_allowed_when_declared_ambiguous(tmp_path: Path) -> None:
    data = _minimal(aliases=["Shared Name"])
    data["entities"].append(
        {
            "id": "nh:other",
            "type": "person",
            "names": {"en": "Second Org", "de": "Zweite Org"},
            "aliases": ["Shared Name"],
        }
    )
    data["ambiguous"] = [{"alias": "Shared Name", "entities": ["nh:example", "nh:other"]}]
    assert len(load_knowledge_base(_write(tmp_path, data)).entities) == 2


def test_ambiguous_entry_with_unknown_id(tmp_path: Path) -> None:
    data = _minimal()
    data["ambiguous"] = [{"alias": "Thing", "entities": ["nh:example", "nh:missing"]}]
    error = _error(_write(tmp_path, data))
    assert error.key == "ambiguous[0].entities"
    assert "nh:missing" in error.problem


@pytest.mark.parametrize("alias", ["Die", "Mark", "Union", "us"])
def test_common_word_alias_is_refused(tmp_path: Path, alias: str) -> None:
    error = _error(_write(tmp_path, _minimal(aliases=[alias])))
    assert error.key == "entities[0] (nh:example).aliases"
    assert "common word" in error.problem


def test_upper_case_acronym_that_is_a_word_is_allowed(tmp_path: Path) -> None:
    knowledge_base = load_knowledge_base(_write(tmp_path, _minimal(aliases=["US"])))
    forms = {form.text: form for form in knowledge_base.entities[0].match_forms()}
    assert forms["US"].case_sensitive


def test_case_sensitive_entry_must_be_an_alias(tmp_path: Path) -> None:
    error = _error(_write(tmp_path, _minimal(case_sensitive=["EXO"])))
    assert error.key == "entities[0] (nh:example).case_sensitive"


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    error = _error(path)
    assert error.key == "(top level)"


def test_repository_file_path_is_what_settings_name(knowledge_base: KnowledgeBase) -> None:
    assert knowledge_base.source == KNOWLEDGE_BASE
