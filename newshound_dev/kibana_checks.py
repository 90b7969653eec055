"""Checks of Kibana's saved objects against the index templates (development tooling, run by tests).

``referenced_fields`` lists every index field the objects use and how (time field, column, sort,
KQL, aggregation...), and ``field_problems`` checks those against the index templates, so a
renamed field fails a test instead of a dashboard panel; ``reference_problems`` finds references
that do not resolve.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, NamedTuple

# How a field is used; field_problems knows which mapping types each use needs.
TIME_FIELD = "time_field"
COLUMN = "column"
SORT = "sort"
BREAKDOWN = "breakdown"
FORMAT = "format"
SOURCE_FILTER = "source_filter"
FILTER = "filter"
KQL = "kql"
KQL_RANGE = "kql_range"
KQL_NESTED = "kql_nested"

_DATE_TYPES = {"date", "date_nanos"}
_NUMERIC_TYPES = {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long"}
_AGGREGATABLE_TYPES = _DATE_TYPES | _NUMERIC_TYPES | {"keyword", "constant_keyword", "boolean", "ip"}
_NUMERIC_AGGREGATIONS = {"sum", "avg", "min", "max", "median", "percentiles", "histogram", "std_dev"}
_KEYWORD_AGGREGATIONS = {"terms", "cardinality", "significant_terms", "rare_terms"}
_NEEDS = {
    TIME_FIELD: ("a date", _DATE_TYPES),
    "date_histogram": ("a date", _DATE_TYPES),
    KQL_RANGE: ("a number or date", _DATE_TYPES | _NUMERIC_TYPES),
    SORT: ("aggregatable (keyword, number, date, boolean)", _AGGREGATABLE_TYPES),
    BREAKDOWN: ("aggregatable (keyword, number, date, boolean)", _AGGREGATABLE_TYPES),
    **{name: ("a number", _NUMERIC_TYPES) for name in _NUMERIC_AGGREGATIONS},
    **{name: ("aggregatable (keyword, number, date, boolean)", _AGGREGATABLE_TYPES) for name in _KEYWORD_AGGREGATIONS},
}


def reference_problems(objects: Sequence[Mapping[str, Any]]) -> list[str]:
    """References that do not resolve inside ``objects``, and ref names the attributes use but nobody defines."""
    known = {(item["type"], item["id"]) for item in objects}
    problems = []
    for item in objects:
        origin = f"{item['type']}:{item['id']}"
        names = {reference["name"] for reference in item.get("references", [])}
        for reference in item.get("references", []):
            if (reference["type"], reference["id"]) not in known:
                problems.append(f"{origin}: reference {reference['name']!r} -> {reference['type']}:{reference['id']}")
        for name in _ref_names_used(item):
            if name not in names:
                problems.append(f"{origin}: uses reference name {name!r}, which is not in its references")
    return problems


def _ref_names_used(item: Mapping[str, Any]) -> list[str]:
    attributes = item["attributes"]
    used = []
    source = _search_source(attributes)
    if "indexRefName" in source:
        used.append(source["indexRefName"])
    used += [f["meta"]["indexRefName"] for f in source.get("filter", []) if "indexRefName" in f.get("meta", {})]
    if "savedSearchRefName" in attributes:
        used.append(attributes["savedSearchRefName"])
    for panel in _panels(attributes):
        if "panelRefName" in panel:
            # Kibana prefixes a dashboard's panel references with the panel index.
            used.append(f"{panel['panelIndex']}:{panel['panelRefName']}")
    return used


# --- fields the objects use ----------------------------------------------------------------------


class FieldUse(NamedTuple):
    """One use of an index field by a saved object."""

    field: str
    usage: str  # TIME_FIELD, COLUMN, SORT, KQL... or an aggregation type ("terms", "date_histogram")
    origin: str  # "search:newshound-todays-articles"
    nested_path: str = ""  # for KQL inside ``path:{ ... }``: the nested field it runs under


class KqlField(NamedTuple):
    """A field named in a KQL query."""

    field: str
    operator: str  # ":" , a range operator, or "{" for a nested query
    nested_path: str


def kql_fields(query: str) -> list[KqlField]:
    """The field names of a KQL query, with their operator; ``ValueError`` when it does not parse."""
    tokens = _kql_tokens(query)
    fields: list[KqlField] = []
    closers: list[tuple[str, str]] = []  # (closing token, nested prefix inside)
    position = 0
    while position < len(tokens):
        kind, text = tokens[position]
        prefix = closers[-1][1] if closers else ""
        following = tokens[position + 1][0] if position + 1 < len(tokens) else ""
        if kind == "word" and following in (":", "range"):
            operator = tokens[position + 1][1]
            value = tokens[position + 2][0] if position + 2 < len(tokens) else ""
            nested_path = prefix.rstrip(".")
            if operator == ":" and value == "{":
                fields.append(KqlField(prefix + text, "{", nested_path))
                closers.append(("}", prefix + text + "."))
            elif value in ("word", "string") or (operator == ":" and value == "("):
                fields.append(KqlField(prefix + text, operator, nested_path))
                if value == "(":
                    closers.append((")", prefix))
            else:
                raise ValueError(f"KQL {query!r}: no value after {text} {operator}")
            position += 3
            continue
        if kind in ("(", "{"):
            if kind == "{":
                raise ValueError(f"KQL {query!r}: '{{' must follow 'field:'")
            closers.append((")", prefix))
        elif kind in (")", "}"):
            if not closers or closers[-1][0] != kind:
                raise ValueError(f"KQL {query!r}: unbalanced {kind!r}")
            closers.pop()
        elif kind in (":", "range") or (kind == "string" and following in (":", "range")):
            raise ValueError(f"KQL {query!r}: {text!r} without a field name before it")
        position += 1
    if closers:
        raise ValueError(f"KQL {query!r}: {closers[-1][0]!r} missing")
    return fields


def kql_uses(query: str, origin: str) -> list[FieldUse]:
    """The fields of a KQL query as uses (``KQL``, ``KQL_RANGE`` or ``KQL_NESTED``) for ``field_problems``."""
    usages = {":": KQL, "{": KQL_NESTED}
    return [
        FieldUse(field.field, usages.get(field.operator, KQL_RANGE), origin, field.nested_path)
        for field in kql_fields(query)
    ]


def _kql_tokens(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    special = set('():{}<>"')
    position = 0
    while position < len(query):
        char = query[position]
        if char.isspace():
            position += 1
        elif char == '"':
            end = position + 1
            while end < len(query) and query[end] != '"':
                end += 2 if query[end] == "\\" else 1
            if end >= len(query):
                raise ValueError(f"KQL {query!r}: unclosed quote")
            tokens.append(("string", query[position + 1 : end]))
            position = end + 1
        elif char in "(){}:":
            tokens.append((char, char))
            position += 1
        elif char in "<>":
            operator = query[position : position + 2] if query[position + 1 : position + 2] == "=" else char
            tokens.append(("range", operator))
            position += len(operator)
        else:
            end = position
            while end < len(query) and not query[end].isspace() and query[end] not in special:
                end += 2 if query[end] == "\\" else 1
            tokens.append(("word", query[position:end]))
            position = end
    return tokens


def referenced_fields(objects: Sequence[Mapping[str, Any]]) -> dict[str, set[FieldUse]]:
    """Data view title (index pattern) -> every field the objects use on it and how."""
    by_id = {(item["type"], item["id"]): item for item in objects}
    uses: dict[str, set[FieldUse]] = {}
    for item in objects:
        origin = f"{item['type']}:{item['id']}"
        attributes = item["attributes"]
        if item["type"] == "index-pattern":
            uses.setdefault(attributes["title"], set()).update(_data_view_uses(attributes, origin))
        elif item["type"] in ("search", "visualization"):
            pattern = _data_view_of(item, by_id)
            found = _search_uses(attributes, origin)
            if item["type"] == "search":
                found += _discover_uses(attributes, origin)
            else:
                found += _aggregation_uses(attributes, origin)
            if found and pattern is None:
                raise ValueError(f"{origin} uses fields but has no data view")
            if pattern is not None:
                uses.setdefault(pattern, set()).update(found)
        elif item["type"] == "dashboard":
            found = _search_uses(attributes, origin)
            for pattern in _dashboard_data_views(item, by_id):
                uses.setdefault(pattern, set()).update(found)
        else:
            raise ValueError(
                f"{origin}: saved objects of type {item['type']!r} are not checked; extend pipeline.kibana"
            )
    return uses


def _data_view_uses(attributes: Mapping[str, Any], origin: str) -> list[FieldUse]:
    found = []
    if attributes.get("timeFieldName"):
        found.append(FieldUse(attributes["timeFieldName"], TIME_FIELD, origin))
    found += [FieldUse(entry["value"], SOURCE_FILTER, origin) for entry in _json(attributes, "sourceFilters", [])]
    found += [FieldUse(name, FORMAT, origin) for name in _json(attributes, "fieldFormatMap", {})]
    found += [FieldUse(name, FORMAT, origin) for name in _json(attributes, "fieldAttrs", {})]
    return found


def _search_uses(attributes: Mapping[str, Any], origin: str) -> list[FieldUse]:
    source = _search_source(attributes)
    found = []
    query = source.get("query") or {}
    if query.get("query"):
        if query.get("language") != "kuery":
            raise ValueError(f"{origin}: only KQL queries are checked, not {query.get('language')!r}")
        found += kql_uses(query["query"], origin)
    for search_filter in source.get("filter", []):
        if search_filter.get("meta", {}).get("key"):
            found.append(FieldUse(search_filter["meta"]["key"], FILTER, origin))
    return found


def _discover_uses(attributes: Mapping[str, Any], origin: str) -> list[FieldUse]:
    found = [FieldUse(name, COLUMN, origin) for name in attributes.get("columns", []) if name != "_source"]
    sort = attributes.get("sort", [])
    pairs = [sort] if sort and isinstance(sort[0], str) else sort
    found += [FieldUse(pair[0], SORT, origin) for pair in pairs if pair[0] != "_score"]
    if attributes.get("breakdownField"):
        found.append(FieldUse(attributes["breakdownField"], BREAKDOWN, origin))
    return found


def _aggregation_uses(attributes: Mapping[str, Any], origin: str) -> list[FieldUse]:
    found = []
    for aggregation in _json(attributes, "visState", {}).get("aggs", []):
        params = aggregation.get("params", {})
        if params.get("field"):
            found.append(FieldUse(params["field"], aggregation["type"], origin))
        if params.get("sortField"):
            found.append(FieldUse(params["sortField"], SORT, origin))
    return found


def _data_view_of(item: Mapping[str, Any], by_id: Mapping[tuple[str, str], Mapping[str, Any]]) -> str | None:
    """The index pattern a search or visualization reads (directly or through its saved search)."""
    references = {reference["name"]: reference for reference in item.get("references", [])}
    name = _search_source(item["attributes"]).get("indexRefName") or item["attributes"].get("savedSearchRefName")
    if not name or name not in references:
        return None
    target = by_id.get((references[name]["type"], references[name]["id"]))
    if target is None:
        raise ValueError(f"{item['type']}:{item['id']}: reference {name!r} does not resolve")
    if target["type"] == "index-pattern":
        return str(target["attributes"]["title"])
    return _data_view_of(target, by_id)


def _dashboard_data_views(item: Mapping[str, Any], by_id: Mapping[tuple[str, str], Mapping[str, Any]]) -> set[str]:
    patterns = set()
    for reference in item.get("references", []):
        target = by_id.get((reference["type"], reference["id"]))
        if target is not None and target["type"] in ("search", "visualization"):
            pattern = _data_view_of(target, by_id)
            if pattern:
                patterns.add(pattern)
    return patterns


def _search_source(attributes: Mapping[str, Any]) -> dict[str, Any]:
    meta = attributes.get("kibanaSavedObjectMeta") or {}
    text = meta.get("searchSourceJSON") or "{}"
    source = json.loads(text)
    return source if isinstance(source, dict) else {}


def _panels(attributes: Mapping[str, Any]) -> list[dict[str, Any]]:
    panels = _json(attributes, "panelsJSON", [])
    return panels if isinstance(panels, list) else []


def _json(attributes: Mapping[str, Any], key: str, default: Any) -> Any:
    value = attributes.get(key)
    return json.loads(value) if isinstance(value, str) and value else default


# --- checking uses against the index mappings ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class MappedField:
    """A path of an index mapping, as Kibana's data view sees it."""

    type: str  # the mapping type; "object" / "nested" for containers
    nested_path: str  # the nearest nested ancestor ("" when none)
    searchable: bool
    is_leaf: bool


def flatten_mapping(mapping: Mapping[str, Any]) -> dict[str, MappedField]:
    """Every path of an index mapping (objects, leaves and multi-fields) with what Kibana can do with it."""
    fields: dict[str, MappedField] = {}

    def walk(properties: Mapping[str, Any], prefix: str, nested_path: str) -> None:
        for name, spec in properties.items():
            path = prefix + name
            kind = spec.get("type", "object")
            if kind in ("object", "nested") or "properties" in spec:
                fields[path] = MappedField(kind, nested_path, searchable=False, is_leaf=False)
                if spec.get("enabled", True):
                    walk(spec.get("properties", {}), path + ".", path if kind == "nested" else nested_path)
                continue
            searchable = spec.get("index", True) is not False and kind != "binary"
            fields[path] = MappedField(kind, nested_path, searchable, is_leaf=True)
            for sub_name, sub_spec in spec.get("fields", {}).items():
                sub_type = sub_spec.get("type", "object")
                sub_searchable = sub_spec.get("index", True) is not False
                fields[f"{path}.{sub_name}"] = MappedField(sub_type, nested_path, sub_searchable, is_leaf=True)

    walk(mapping.get("properties", {}), "", "")
    return fields


def mappings_for_patterns(
    patterns: Iterable[str], definitions: Mapping[str, tuple[Mapping[str, Any], bool]]
) -> dict[str, Mapping[str, Any]]:
    """Index pattern -> the mapping of the one index template it reads (``index_definitions`` output)."""
    result = {}
    for pattern in patterns:
        matches = [
            mapping
            for name, (mapping, rolled) in definitions.items()
            if fnmatchcase(f"{name}-000001" if rolled else name, pattern) or fnmatchcase(name, pattern)
        ]
        if len(matches) != 1:
            raise ValueError(f"data view {pattern!r} matches {len(matches)} index templates, expected 1")
        result[pattern] = matches[0]
    return result


def field_problems(uses: Mapping[str, Iterable[FieldUse]], mappings: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Uses of fields the mapping lacks or whose type does not fit the use; empty when all is well."""
    problems = []
    for pattern, pattern_uses in uses.items():
        if pattern not in mappings:
            problems.append(f"data view {pattern!r}: no index template for it")
            continue
        fields = flatten_mapping(mappings[pattern])
        for use in sorted(pattern_uses):
            problem = _use_problem(use, fields)
            if problem:
                problems.append(f"{use.origin}: {use.field!r} ({use.usage}) on {pattern}: {problem}")
    return problems


def _use_problem(use: FieldUse, fields: Mapping[str, MappedField]) -> str | None:
    if "*" in use.field and use.usage in (KQL, SOURCE_FILTER):
        matched = [name for name in fields if fnmatchcase(name, use.field)]
        return None if matched else "the pattern matches no field"
    field = fields.get(use.field)
    if field is None:
        return "not in the index template"
    if use.usage == SOURCE_FILTER:
        return None  # hides any path of _source, leaf or object
    if use.usage == KQL_NESTED:
        return None if field.type == "nested" else f"a nested query needs a nested field, this is {field.type}"
    if not field.is_leaf:
        return f"an {field.type} field, not a leaf field Kibana lists"
    if use.usage in (KQL, KQL_RANGE, FILTER) and not field.searchable:
        return f"{field.type} field that is not indexed, so it cannot be searched"
    if field.nested_path and not (use.usage in (KQL, KQL_RANGE) and use.nested_path == field.nested_path):
        return f"inside nested {field.nested_path!r}: needs a nested query ({field.nested_path}:{{ ... }})"
    if use.nested_path and use.nested_path != field.nested_path:
        return f"the nested query runs under {use.nested_path!r}, but the field is not nested there"
    if use.usage in _NEEDS:
        description, types = _NEEDS[use.usage]
        if field.type not in types:
            return f"needs {description}, the template maps it as {field.type}"
    return None
