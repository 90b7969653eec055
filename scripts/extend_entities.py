#!/usr/bin/env python3
"""Extend the knowledge base (config/entities.yaml) from a Wikidata export, without duplicates.

Export a query result from the Wikidata Query Service as JSON (either download format) or
CSV, with one row per item and these columns (names as in the example query below; the
``type`` column is optional, ``--type`` sets it for every row instead):

    item        the entity URI or QID            label_en / label_de   preferred names
    aliases_en  aliases joined by "|"            aliases_de            aliases joined by "|"
    type        person | organisation | location | event | other

    SELECT ?item ?label_en ?label_de
           (GROUP_CONCAT(DISTINCT ?alias_en; separator="|") AS ?aliases_en)
           (GROUP_CONCAT(DISTINCT ?alias_de; separator="|") AS ?aliases_de)
    WHERE {
      ?item wdt:P31 wd:Q6256 .                                  # e.g. countries
      ?item rdfs:label ?label_en . FILTER(LANG(?label_en) = "en")
      ?item rdfs:label ?label_de . FILTER(LANG(?label_de) = "de")
      OPTIONAL { ?item skos:altLabel ?alias_en . FILTER(LANG(?alias_en) = "en") }
      OPTIONAL { ?item skos:altLabel ?alias_de . FILTER(LANG(?alias_de) = "de") }
    } GROUP BY ?item ?label_en ?label_de

Merging: an item whose QID is already in the knowledge base gains the names and aliases it
lacks; a new item whose label is already the name of a project-id entity ("nh:...") is
reported as a probable duplicate and skipped, unless ``--adopt-qids`` replaces the project id
with the QID; anything else is added. Aliases that another entity already claims, or that are
common words, are dropped and reported, so the result always passes the loader's checks.

    .venv/bin/python scripts/extend_entities.py export.json --type location --dry-run
    .venv/bin/python scripts/extend_entities.py export.csv              # writes config/entities.yaml
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from pipeline.entities.kb import parse_knowledge_base  # noqa: E402  (needs the path set above)
from pipeline.entities.kb_yaml import leading_comments, render_knowledge_base  # noqa: E402
from pipeline.entities.lexicon import ALL_COMMON_WORDS  # noqa: E402
from pipeline.entities.tokens import alias_key  # noqa: E402
from pipeline.errors import ConfigError  # noqa: E402
from pipeline.settings import read_yaml_mapping  # noqa: E402

ENTITY_TYPES = ("person", "organisation", "location", "event", "other")
QID_PATTERN = re.compile(r"Q[1-9][0-9]*$")
COLUMN_NAMES = {
    "item": ("item", "qid", "id", "entity"),
    "label_en": ("label_en", "enLabel", "en_label", "itemLabel_en", "itemLabel", "en"),
    "label_de": ("label_de", "deLabel", "de_label", "itemLabel_de", "de"),
    "aliases_en": ("aliases_en", "enAliases", "alias_en", "aliases"),
    "aliases_de": ("aliases_de", "deAliases", "alias_de"),
    "type": ("type", "entity_type"),
}
ALIAS_SEPARATOR = "|"


@dataclass
class ExportRow:
    """One Wikidata item of the export, aggregated over its rows."""

    qid: str
    names: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    type: str | None = None


@dataclass
class MergeReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    dropped_aliases: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"added {len(self.added)}, updated {len(self.updated)}, adopted QIDs {len(self.adopted)}, "
            f"skipped {len(self.skipped)}, aliases dropped {len(self.dropped_aliases)}"
        ]
        lines += [f"  skipped: {line}" for line in self.skipped]
        lines += [f"  dropped: {line}" for line in self.dropped_aliases]
        return "\n".join(lines)


def read_export(path: Path) -> list[ExportRow]:
    """Rows of a Wikidata Query Service export (JSON, verbose JSON or CSV), one per QID."""
    text = path.read_text(encoding="utf-8-sig")
    records: list[Mapping[str, Any]]
    if path.suffix.lower() == ".csv":
        records = list(csv.DictReader(text.splitlines()))
    else:
        data = json.loads(text)
        if isinstance(data, dict) and "results" in data:  # SPARQL 1.1 JSON results
            records = [
                {name: cell.get("value", "") for name, cell in binding.items()}
                for binding in data["results"]["bindings"]
            ]
        elif isinstance(data, list):
            records = data
        else:
            raise ValueError(f"{path}: neither a SPARQL JSON result nor a list of rows")
    rows: dict[str, ExportRow] = {}
    for record in records:
        qid = _qid(str(_column(record, "item") or ""))
        if qid is None:
            continue
        row = rows.setdefault(qid, ExportRow(qid))
        for language in ("en", "de"):
            label = str(_column(record, f"label_{language}") or "").strip()
            if label and language not in row.names and label != qid:
                row.names[language] = label
            for alias in str(_column(record, f"aliases_{language}") or "").split(ALIAS_SEPARATOR):
                alias = alias.strip()
                if alias and alias not in row.aliases:
                    row.aliases.append(alias)
        entity_type = str(_column(record, "type") or "").strip()
        if entity_type:
            row.type = entity_type
    return list(rows.values())


def _column(record: Mapping[str, Any], column: str) -> Any:
    for name in COLUMN_NAMES[column]:
        if name in record and record[name] not in (None, ""):
            return record[name]
    return None


def _qid(value: str) -> str | None:
    candidate = value.rstrip("/").rsplit("/", 1)[-1].strip()
    return candidate if QID_PATTERN.match(candidate) else None


def merge_export(
    knowledge_base: dict[str, Any],
    rows: Iterable[ExportRow],
    default_type: str | None,
    adopt_qids: bool = False,
) -> MergeReport:
    """Merge export rows into raw knowledge-base data (as loaded from YAML), in place."""
    report = MergeReport()
    entities: list[dict[str, Any]] = knowledge_base.setdefault("entities", [])
    by_id = {entity["id"]: entity for entity in entities}
    owners = _form_owners(entities)
    for row in rows:
        entity = by_id.get(row.qid)
        if entity is None:
            duplicate = _owner_of_names(row, owners)
            if duplicate is not None and duplicate.startswith("nh:") and adopt_qids:
                entity = by_id.pop(duplicate)
                entity["id"] = row.qid
                by_id[row.qid] = entity
                _rename_owner(owners, duplicate, row.qid)
                report.adopted.append(f"{duplicate} -> {row.qid}")
            elif duplicate is not None:
                report.skipped.append(
                    f"{row.qid} {row.names}: already in the knowledge base as {duplicate}"
                    + (" (use --adopt-qids to give it this QID)" if duplicate.startswith("nh:") else "")
                )
                continue
        if entity is None:
            entity_type = row.type or default_type
            if entity_type not in ENTITY_TYPES or not row.names:
                report.skipped.append(f"{row.qid}: no names, or no valid type (give --type)")
                continue
            names = {"en": row.names.get("en") or row.names["de"], "de": row.names.get("de") or row.names["en"]}
            if not _claim(owners, row.qid, names.values(), report, check_only=True):
                report.skipped.append(f"{row.qid} {names}: a name belongs to another entity")
                continue
            _claim(owners, row.qid, names.values(), report)
            entity = {"id": row.qid, "type": entity_type, "names": names}
            entities.append(entity)
            by_id[row.qid] = entity
            report.added.append(row.qid)
        else:
            names = entity.setdefault("names", {})
            for language, label in row.names.items():
                if language not in names and _claim(owners, entity["id"], [label], report):
                    names[language] = label
                    report.updated.append(row.qid)
        known = {alias_key(text) for text in (*entity["names"].values(), *entity.get("aliases", []))}
        fresh: list[str] = []
        for alias in row.aliases:
            key = alias_key(alias)
            if key and key not in known:
                known.add(key)
                fresh.append(alias)
        added = _claim(owners, entity["id"], fresh, report)
        if added:
            entity.setdefault("aliases", []).extend(added)
            if row.qid not in report.added and row.qid not in report.updated:
                report.updated.append(row.qid)
    return report


def _form_owners(entities: Sequence[Mapping[str, Any]]) -> dict[tuple[str, ...], str]:
    owners: dict[tuple[str, ...], str] = {}
    for entity in entities:
        texts = [*entity.get("names", {}).values(), *entity.get("aliases", [])]
        for items in entity.get("language_aliases", {}).values():
            texts.extend(items)
        for items in entity.get("demonyms", {}).values():
            texts.extend(items)
        for text in texts:
            owners.setdefault(alias_key(text), entity["id"])
    return owners


def _owner_of_names(row: ExportRow, owners: Mapping[tuple[str, ...], str]) -> str | None:
    for name in row.names.values():
        owner = owners.get(alias_key(name))
        if owner is not None:
            return owner
    return None


def _rename_owner(owners: dict[tuple[str, ...], str], old: str, new: str) -> None:
    for key, owner in owners.items():
        if owner == old:
            owners[key] = new


def _claim(
    owners: dict[tuple[str, ...], str],
    entity_id: str,
    texts: Iterable[str],
    report: MergeReport,
    check_only: bool = False,
) -> list[str]:
    """The texts this entity may have (not another entity's, not a common word); claims them."""
    accepted: list[str] = []
    for text in texts:
        key = alias_key(text)
        if not key:
            continue
        owner = owners.get(key, entity_id)
        if owner != entity_id:
            if check_only:
                return []
            report.dropped_aliases.append(f"{entity_id}: {text!r} belongs to {owner}")
            continue
        if len(key) == 1 and key[0] in ALL_COMMON_WORDS:
            if check_only:
                return []
            report.dropped_aliases.append(f"{entity_id}: {text!r} is a common word")
            continue
        if not check_only:
            owners[key] = entity_id
        accepted.append(text)
    return accepted


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("export", type=Path, help="Wikidata export: .json or .csv")
    parser.add_argument("--kb", type=Path, default=REPO_ROOT / "config" / "entities.yaml", help="knowledge base")
    parser.add_argument("--output", type=Path, help="where to write (default: the knowledge base itself)")
    parser.add_argument("--type", choices=ENTITY_TYPES, help="type of rows without a type column")
    parser.add_argument("--adopt-qids", action="store_true", help="replace nh: ids of duplicates by the QID")
    parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
    args = parser.parse_args(argv)
    original = args.kb.read_text(encoding="utf-8")
    data = read_yaml_mapping(args.kb)
    report = merge_export(data, read_export(args.export), args.type, args.adopt_qids)
    output = args.output or args.kb
    try:
        parse_knowledge_base(data, output)  # the merged result must load
    except ConfigError as error:
        print(f"merge result is invalid, nothing written: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    if not args.dry_run:
        text = render_knowledge_base(
            leading_comments(original), data.get("roles", {}), data.get("ambiguous", []), data["entities"]
        )
        output.write_text(text, encoding="utf-8")
        print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
