"""Kibana's saved objects: loaded from ``config/kibana/*.ndjson`` and prepared for import.

The NDJSON files are what Kibana's own export writes (one saved object a line: data views,
saved searches, visualizations, the dashboard). ``load_saved_objects`` reads and validates them
(a bad line stops with the file and line), ``with_index_prefix`` points their data views at an
index prefix, and ``pipeline.kibana.importer.import_saved_objects`` posts them to Kibana's import
API. The checks of the fields they use against the index templates are development tooling
(``newshound_dev.kibana_checks``, run by the tests).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

SavedObject = dict[str, Any]

DEFAULT_INDEX_PREFIX = "newshound"


# --- loading -----------------------------------------------------------------------------------


def load_saved_objects(folder: Path) -> list[SavedObject]:
    """Every saved object of the ``*.ndjson`` files in ``folder`` (sorted by name), validated."""
    if not folder.is_dir():
        raise ConfigError(str(folder), "-", "folder not found", "point the setup at config/kibana")
    files = sorted(folder.glob("*.ndjson"))
    if not files:
        raise ConfigError(str(folder), "-", "no *.ndjson files", "export the saved objects from Kibana into it")
    objects: list[SavedObject] = []
    seen: dict[tuple[str, str], str] = {}
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"line {number}"
            item = _parse_line(path, where, line)
            if item is None:
                continue
            key = (item["type"], item["id"])
            if key in seen:
                raise ConfigError(
                    str(path), where, f"{key[0]} {key[1]!r} is already defined at {seen[key]}", "give it another id"
                )
            seen[key] = f"{path.name} {where}"
            objects.append(item)
    return objects


def _parse_line(path: Path, where: str, line: str) -> SavedObject | None:
    fix = "one saved object a line, as Kibana's export writes it"
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        raise ConfigError(str(path), where, f"not JSON: {error.msg} at column {error.colno}", fix) from None
    if not isinstance(item, dict):
        raise ConfigError(str(path), where, "not a JSON object", fix)
    if "exportedCount" in item and "type" not in item:
        return None  # the summary line Kibana appends to an export
    for key in ("type", "id"):
        if not isinstance(item.get(key), str) or not item[key]:
            raise ConfigError(str(path), where, f"{key!r} is missing or not a string", fix)
    if not isinstance(item.get("attributes"), dict):
        raise ConfigError(str(path), where, "'attributes' is missing or not an object", fix)
    references = item.get("references", [])
    if not isinstance(references, list) or not all(
        isinstance(reference, dict) and all(isinstance(reference.get(k), str) for k in ("type", "id", "name"))
        for reference in references
    ):
        raise ConfigError(str(path), where, "'references' must be a list of {type, id, name}", fix)
    return item


def to_ndjson(objects: Iterable[Mapping[str, Any]]) -> bytes:
    """The objects as one NDJSON document, as the import API takes it."""
    lines = (json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in objects)
    return "".join(line + "\n" for line in lines).encode("utf-8")


def with_index_prefix(objects: Iterable[Mapping[str, Any]], prefix: str) -> list[SavedObject]:
    """Copies of the objects whose data views point at ``<prefix>-...`` instead of ``newshound-...``."""
    result = [copy.deepcopy(dict(item)) for item in objects]
    for item in result:
        title = item["attributes"].get("title", "")
        if item["type"] == "index-pattern" and title.startswith(f"{DEFAULT_INDEX_PREFIX}-"):
            item["attributes"]["title"] = prefix + title[len(DEFAULT_INDEX_PREFIX) :]
    return result
