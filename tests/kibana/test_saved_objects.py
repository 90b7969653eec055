"""The shipped saved objects (config/kibana) are what Kibana 9.2's import accepts, and use real fields.

Kibana cannot run here, so everything is checked statically: the NDJSON structure, ids and
references, migration versions against the compose Kibana, the attribute names Kibana's
saved-object schemas allow, the visualizations' aggregation layout, and every field against the
index templates of ``pipeline.index.templates``.
"""

from __future__ import annotations

import copy
import json
import re
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from newshound_dev.kibana_checks import field_problems, reference_problems, referenced_fields
from pipeline.errors import ConfigError
from pipeline.kibana.saved_objects import load_saved_objects, to_ndjson, with_index_prefix

# Attribute names the saved-object types accept (Kibana schemas: search '8.8.0' and its model
# versions, visualization '8.8.0', dashboard model versions 1-3, which forbid unknown keys; data
# views have no schema, these are the attributes Kibana writes).
ALLOWED_ATTRIBUTES = {
    "index-pattern": {
        "title", "name", "timeFieldName", "fields", "fieldFormatMap", "fieldAttrs", "runtimeFieldMap",
        "sourceFilters", "typeMeta", "allowNoIndex", "allowHidden", "type",
    },
    "search": {
        "title", "description", "columns", "sort", "grid", "rowHeight", "rowsPerPage", "hideChart",
        "breakdownField", "kibanaSavedObjectMeta", "isTextBasedQuery", "usesAdHocDataView", "timeRestore",
        "timeRange", "refreshInterval", "viewMode", "hideAggregatedPreview", "hits", "version",
    },
    "visualization": {
        "title", "description", "version", "kibanaSavedObjectMeta", "uiStateJSON", "visState", "savedSearchRefName",
    },
    "dashboard": {
        "title", "description", "kibanaSavedObjectMeta", "timeRestore", "timeFrom", "timeTo", "refreshInterval",
        "controlGroupInput", "panelsJSON", "optionsJSON", "hits", "version",
    },
}  # fmt: skip
JSON_STRING_ATTRIBUTES = {
    "index-pattern": ("fields", "fieldFormatMap", "fieldAttrs", "runtimeFieldMap", "sourceFilters", "typeMeta"),
    "visualization": ("visState", "uiStateJSON"),
    "dashboard": ("panelsJSON", "optionsJSON"),
}
# Aggregation schemas of the visualization types used (Kibana's vis type definitions).
VIS_SCHEMAS = {
    "histogram": {"metric", "radius", "segment", "group", "split"},
    "line": {"metric", "radius", "segment", "group", "split"},
    "table": {"metric", "bucket", "split"},
    "markdown": set(),
}
DASHBOARD_COLUMNS = 48
# typeMigrationVersion per type. Kibana 9.2 exports these for data views (their last migration is
# the 8.0.0 multi-space conversion), visualizations (8.5.0) and dashboards (model version 3 as
# "10.3.0"; versions 2 and 3 only add optional attributes). Saved searches stay at 8.0.0 on
# purpose: 9.2 copies their state into Discover tabs (a model version with a data backfill), and
# the older version makes Kibana run that on import instead of taking the tab-less shape as current.
TYPE_MIGRATION_VERSIONS = {"index-pattern": "8.0.0", "search": "8.0.0", "visualization": "8.5.0", "dashboard": "10.3.0"}
EXPECTED_DATA_VIEWS = {
    "newshound-articles*",
    "newshound-claims*",
    "newshound-alerts*",
    "newshound-runs*",
}


def by_type(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [item for item in objects if item["type"] == kind]


def search_source(item: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(item["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"]))


# --- structure -----------------------------------------------------------------------------------


def test_every_line_is_a_saved_object_with_the_keys_the_import_needs(kibana_folder: Path) -> None:
    files = sorted(kibana_folder.glob("*.ndjson"))
    assert files
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            item = json.loads(line)  # every line parses on its own: no blank or wrapped lines
            where = f"{path.name}:{number}"
            assert isinstance(item, dict), where
            assert {"type", "id", "attributes", "references", "coreMigrationVersion", "typeMigrationVersion"} <= set(
                item
            ), where
            assert isinstance(item["id"], str) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", item["id"]), where
            assert isinstance(item["attributes"], dict) and isinstance(item["attributes"].get("title"), str), where
            for reference in item["references"]:
                assert set(reference) == {"type", "id", "name"}, where


def test_ids_are_unique_and_references_resolve(saved_objects: list[dict[str, Any]]) -> None:
    keys = [(item["type"], item["id"]) for item in saved_objects]
    assert len(keys) == len(set(keys))
    ids = [item["id"] for item in saved_objects]
    assert len(ids) == len(set(ids)), "ids are unique across types too, so links by id are never ambiguous"
    assert reference_problems(saved_objects) == []


def test_attributes_are_ones_kibana_accepts(saved_objects: list[dict[str, Any]]) -> None:
    for item in saved_objects:
        allowed = ALLOWED_ATTRIBUTES[item["type"]]
        assert set(item["attributes"]) <= allowed, (item["id"], set(item["attributes"]) - allowed)
        for key in JSON_STRING_ATTRIBUTES.get(item["type"], ()):
            if key in item["attributes"]:
                assert isinstance(item["attributes"][key], str), (item["id"], key)
                json.loads(item["attributes"][key])
        if "kibanaSavedObjectMeta" in item["attributes"]:
            source = search_source(item)
            assert source["query"]["language"] == "kuery"
            assert isinstance(source["filter"], list)


def test_migration_versions_are_the_ones_kibana_9_2_accepts(
    saved_objects: list[dict[str, Any]], compose_kibana_version: tuple[int, int, int]
) -> None:
    assert compose_kibana_version[:2] == (9, 2), "versions checked against Kibana 9.2; check them again for another"
    for item in saved_objects:
        where = (item["id"], item["type"])
        # Kibana refuses a document newer than itself and migrates older ones forward on import.
        assert item["coreMigrationVersion"] == "8.8.0", where
        assert item["typeMigrationVersion"] == TYPE_MIGRATION_VERSIONS[item["type"]], where
        assert item.get("managed") is False, f"{where}: managed objects are read-only in Kibana"


# --- what the objects are ------------------------------------------------------------------------


def test_data_views_read_the_aliases_by_ingest_time(saved_objects: list[dict[str, Any]]) -> None:
    views = by_type(saved_objects, "index-pattern")
    titles = {view["attributes"]["title"] for view in views}
    assert titles >= EXPECTED_DATA_VIEWS
    for view in views:
        attributes = view["attributes"]
        assert view["id"] == attributes["title"].rstrip("*"), "stable id: the alias name"
        assert attributes["timeFieldName"] == "ingested_at"
        assert attributes["name"].startswith("Newshound "), "a readable name"
        assert attributes["title"].endswith("*"), "covers the alias and the rolled-over indices"


def test_saved_searches_show_what_the_guide_promises(saved_objects: list[dict[str, Any]]) -> None:
    searches = {item["attributes"]["title"]: item for item in by_type(saved_objects, "search")}
    assert set(searches) == {"Today's articles", "Claims by speaker", "Articles about an entity"}
    data_view_titles = {item["id"]: item["attributes"]["title"] for item in by_type(saved_objects, "index-pattern")}

    def data_view(search: dict[str, Any]) -> str:
        (reference,) = search["references"]
        return data_view_titles[reference["id"]]

    today = searches["Today's articles"]["attributes"]
    assert data_view(searches["Today's articles"]) == "newshound-articles*"
    assert today["columns"] == ["title", "outlet", "language", "story_id"]
    assert today["timeRestore"] is True and today["timeRange"] == {"from": "now/d", "to": "now/d"}

    claims = searches["Claims by speaker"]["attributes"]
    assert data_view(searches["Claims by speaker"]) == "newshound-claims*"
    assert claims["columns"][:3] == ["speaker", "speaker_role", "content"]
    assert claims["columns"][3].startswith("quantities")
    assert claims["sort"] == [["claim_date", "desc"]]

    entity = searches["Articles about an entity"]
    assert data_view(entity) == "newshound-articles*"
    assert search_source(entity)["query"]["query"].startswith("entity_ids :")
    assert 'entity_ids : "Q423"' in entity["attributes"]["description"]
    for search in searches.values():
        assert all(direction in ("asc", "desc") for _, direction in search["attributes"]["sort"])


def test_visualizations_have_a_valid_aggregation_layout(saved_objects: list[dict[str, Any]]) -> None:
    for item in by_type(saved_objects, "visualization"):
        state = json.loads(item["attributes"]["visState"])
        where = item["id"]
        assert state["title"] == item["attributes"]["title"], where
        assert state["type"] in VIS_SCHEMAS, where
        aggs = state["aggs"]
        assert len({agg["id"] for agg in aggs}) == len(aggs), where
        metric_ids = {agg["id"] for agg in aggs if agg["schema"] == "metric"}
        for agg in aggs:
            assert {"id", "enabled", "type", "params", "schema"} <= set(agg), where
            assert agg["schema"] in VIS_SCHEMAS[state["type"]], (where, agg["schema"])
            if agg["type"] == "terms":
                assert agg["params"]["orderBy"] in metric_ids | {"_key"}, where
                assert agg["params"]["order"] in ("asc", "desc") and agg["params"]["size"] > 0, where
        if state["type"] == "markdown":
            assert aggs == [] and item["references"] == [] and state["params"]["markdown"], where
            continue
        assert metric_ids, where
        if state["type"] in ("histogram", "line"):
            assert sum(agg["schema"] == "segment" for agg in aggs) == 1, where
            for series in state["params"]["seriesParams"]:
                assert series["data"]["id"] in metric_ids, where
                assert series["valueAxis"] in {axis["id"] for axis in state["params"]["valueAxes"]}, where


def test_dashboard_panels_resolve_and_fit_the_grid(saved_objects: list[dict[str, Any]]) -> None:
    (dashboard,) = by_type(saved_objects, "dashboard")
    attributes = dashboard["attributes"]
    assert attributes["title"] == "Newshound overview"
    panels = json.loads(attributes["panelsJSON"])
    references = {reference["name"]: reference for reference in dashboard["references"]}
    objects = {(item["type"], item["id"]): item for item in saved_objects}
    titles = []
    for panel in panels:
        grid = panel["gridData"]
        assert grid["i"] == panel["panelIndex"]
        assert grid["x"] >= 0 and grid["y"] >= 0 and grid["w"] > 0 and grid["h"] > 0
        assert grid["x"] + grid["w"] <= DASHBOARD_COLUMNS, panel["panelIndex"]
        reference = references[f"{panel['panelIndex']}:{panel['panelRefName']}"]
        assert reference["type"] == panel["type"]
        titles.append(objects[(reference["type"], reference["id"])]["attributes"]["title"])
    for first, second in combinations([panel["gridData"] for panel in panels], 2):
        overlap_x = first["x"] < second["x"] + second["w"] and second["x"] < first["x"] + first["w"]
        overlap_y = first["y"] < second["y"] + second["h"] and second["y"] < first["y"] + first["h"]
        assert not (overlap_x and overlap_y), (first["i"], second["i"])
    assert {
        "Articles ingested by outlet",
        "Articles ingested by language",
        "Top entities",
        "Top stories",
        "Claims timeline",
        "Run failures by reason",
    } <= set(titles)


def test_dashboard_panels_cover_the_fields_of_the_brief(saved_objects: list[dict[str, Any]]) -> None:
    uses = referenced_fields(saved_objects)
    plain = {pattern: {(use.field, use.usage) for use in found} for pattern, found in uses.items()}
    articles = plain["newshound-articles*"]
    assert {("ingested_at", "date_histogram"), ("outlet", "terms"), ("language", "terms")} <= articles
    assert {("entity_names", "terms"), ("story_id", "terms")} <= articles
    assert {("claim_date", "date_histogram"), ("speaker_key", "terms")} <= plain["newshound-claims*"]
    assert ("failures.reason", "terms") in plain["newshound-runs*"]


# --- fields against the index templates ---------------------------------------------------------


@pytest.mark.parametrize("capabilities", ["bare", "full"])
def test_every_field_used_exists_in_the_templates_with_a_fitting_type(
    saved_objects: list[dict[str, Any]], mappings_for: Any, capabilities: str
) -> None:
    uses = referenced_fields(saved_objects)
    assert set(uses) >= EXPECTED_DATA_VIEWS
    assert field_problems(uses, mappings_for(uses, capabilities)) == []


def test_data_views_time_field_is_a_date(saved_objects: list[dict[str, Any]], mappings_for: Any) -> None:
    views = by_type(saved_objects, "index-pattern")
    mappings = mappings_for([view["attributes"]["title"] for view in views], "bare")
    for view in views:
        properties = mappings[view["attributes"]["title"]]["properties"]
        assert properties[view["attributes"]["timeFieldName"]]["type"] == "date", view["id"]


def mutated(objects: list[dict[str, Any]], object_id: str, change: Any) -> list[dict[str, Any]]:
    result = copy.deepcopy(objects)
    change(next(item for item in result if item["id"] == object_id)["attributes"])
    return result


def set_vis_field(attributes: dict[str, Any], agg_type: str, field: str) -> None:
    state = json.loads(attributes["visState"])
    next(agg for agg in state["aggs"] if agg["type"] == agg_type)["params"]["field"] = field
    attributes["visState"] = json.dumps(state)


def set_query(attributes: dict[str, Any], query: str) -> None:
    source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
    source["query"]["query"] = query
    attributes["kibanaSavedObjectMeta"]["searchSourceJSON"] = json.dumps(source)


@pytest.mark.parametrize(
    ("object_id", "change", "expected"),
    [
        ("newshound-todays-articles", lambda a: a["columns"].append("headline"), "'headline' (column)"),
        ("newshound-todays-articles", lambda a: a.update(sort=[["title", "desc"]]), "'title' (sort)"),
        ("newshound-top-entities", lambda a: set_vis_field(a, "terms", "title"), "'title' (terms)"),
        ("newshound-ingest-by-outlet", lambda a: set_vis_field(a, "date_histogram", "outlet"), "needs a date"),
        ("newshound-articles-about-entity", lambda a: set_query(a, 'claims.speaker_key : "x"'), "nested query"),
        ("newshound-articles-about-entity", lambda a: set_query(a, "outlet >= 3"), "a number or date"),
        ("newshound-articles-about-entity", lambda a: set_query(a, "quantities : 3"), "not in the index template"),
        ("newshound-claims-by-speaker", lambda a: a["columns"].append("quantities"), "not a leaf field"),
        ("newshound-articles", lambda a: a.update(timeFieldName="published_known"), "'published_known' (time_field)"),
    ],
)
def test_the_field_check_catches_mistakes(
    saved_objects: list[dict[str, Any]], mappings_for: Any, object_id: str, change: Any, expected: str
) -> None:
    broken = mutated(saved_objects, object_id, change)
    uses = referenced_fields(broken)
    problems = field_problems(uses, mappings_for(uses, "bare"))
    assert any(expected in problem for problem in problems), problems


def test_the_reference_check_catches_a_dangling_reference(saved_objects: list[dict[str, Any]]) -> None:
    broken = copy.deepcopy(saved_objects)
    dashboard = next(item for item in broken if item["type"] == "dashboard")
    dashboard["references"][0]["id"] = "no-such-visualization"
    search = next(item for item in broken if item["type"] == "search")
    search["references"][0]["name"] = "renamed"
    problems = reference_problems(broken)
    assert any("no-such-visualization" in problem for problem in problems)
    assert any("kibanaSavedObjectMeta.searchSourceJSON.index" in problem for problem in problems)


def test_unknown_object_types_are_refused_by_the_checker(saved_objects: list[dict[str, Any]]) -> None:
    lens = {"type": "lens", "id": "x", "attributes": {"title": "x"}, "references": []}
    with pytest.raises(ValueError, match="lens"):
        referenced_fields([*saved_objects, lens])


def test_index_prefix_rewrites_only_the_data_views(saved_objects: list[dict[str, Any]]) -> None:
    renamed = with_index_prefix(saved_objects, "t1234")
    titles = {item["attributes"]["title"] for item in renamed if item["type"] == "index-pattern"}
    assert "t1234-articles*" in titles and not any(title.startswith("newshound-") for title in titles)
    assert [item["id"] for item in renamed] == [item["id"] for item in saved_objects]
    assert saved_objects[0]["attributes"]["title"].startswith("newshound-"), "the input is left alone"


# --- loading --------------------------------------------------------------------------------------


def write(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = '{"type":"index-pattern","id":"a","attributes":{"title":"a*"},"references":[]}'


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"type":"search","id":"b",', "not JSON"),
        ('["type","search"]', "not a JSON object"),
        ('{"id":"b","attributes":{}}', "'type'"),
        ('{"type":"search","attributes":{}}', "'id'"),
        ('{"type":"search","id":"b"}', "'attributes'"),
        ('{"type":"search","id":"b","attributes":{},"references":[{"id":"a"}]}', "'references'"),
    ],
)
def test_a_bad_line_names_the_file_and_line(tmp_path: Path, line: str, problem: str) -> None:
    path = write(tmp_path / "kibana", "objects.ndjson", [GOOD, line])
    with pytest.raises(ConfigError) as caught:
        load_saved_objects(path.parent)
    assert caught.value.file == str(path)
    assert caught.value.key == "line 2"
    assert problem in caught.value.problem


def test_duplicates_across_files_are_refused(tmp_path: Path) -> None:
    write(tmp_path / "kibana", "a.ndjson", [GOOD])
    write(tmp_path / "kibana", "b.ndjson", ["", GOOD])
    with pytest.raises(ConfigError, match=r"b\.ndjson: line 2: .*already defined at a\.ndjson line 1"):
        load_saved_objects(tmp_path / "kibana")


def test_an_export_with_its_summary_line_loads(tmp_path: Path, saved_objects: list[dict[str, Any]]) -> None:
    export = to_ndjson(saved_objects) + b'{"excludedObjects":[],"exportedCount":17,"missingRefCount":0}\n'
    (tmp_path / "kibana").mkdir()
    (tmp_path / "kibana" / "export.ndjson").write_bytes(export)
    assert load_saved_objects(tmp_path / "kibana") == saved_objects


def test_a_missing_or_empty_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="folder not found"):
        load_saved_objects(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"no \*\.ndjson"):
        load_saved_objects(tmp_path / "empty")
