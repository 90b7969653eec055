"""Adding and removing rules in the watches file as text, so comments and layout survive.

PyYAML drops comments when it writes a file back, so `watch add` and `watch remove` edit the
text: the file is composed (not loaded) to find where the ``rules:`` sequence and each item
start and end, the change is spliced in, and the result is validated before it is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pipeline.alerts.config import WATCH_TAGS, Rule, RuleBase, WatchFile, parse_watch_config
from pipeline.errors import ConfigError
from pipeline.settings import validated


def _last_line(node: Node) -> int:
    """The last line holding content of ``node`` (a block's own end mark runs into the next item)."""
    if isinstance(node, ScalarNode):
        mark = node.end_mark
        return mark.line - 1 if mark.column == 0 and mark.line > node.start_mark.line else mark.line
    if isinstance(node, MappingNode | SequenceNode) and node.flow_style:
        return node.end_mark.line  # [a, b] and {a: b} end exactly at their closing bracket
    children: list[Node] = []
    if isinstance(node, MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, SequenceNode):
        children = list(node.value)
    return max((_last_line(child) for child in children), default=node.start_mark.line)


def _rules_node(text: str, file: str) -> tuple[ScalarNode, Node] | None:
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        raise ConfigError(file, "(file)", f"not valid YAML: {error}", "fix the syntax") from None
    if root is None:
        return None
    if not isinstance(root, MappingNode):
        raise ConfigError(file, "(top level)", "must be a mapping", "see docs/alerts.md")
    for key, value in root.value:
        if isinstance(key, ScalarNode) and key.value == "rules":
            return key, value
    return None


def _join(lines: list[str]) -> str:
    return "\n".join(lines).rstrip("\n") + "\n"


def _render(rule: dict[str, Any], indent: int) -> list[str]:
    # default_flow_style=None writes lists of plain values inline: notifiers: [team-webhook]
    block = yaml.safe_dump([rule], sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000)
    return [" " * indent + line for line in block.splitlines()]


def add_rule_text(text: str, rule: dict[str, Any], file: str) -> str:
    """The file's text with ``rule`` appended to its ``rules:`` sequence (created if missing)."""
    lines = text.splitlines()
    found = _rules_node(text, file)
    if found is None:
        if lines and lines[-1].strip():
            lines.append("")
        return _join([*lines, "rules:", *_render(rule, 2)])
    key, sequence = found
    if isinstance(sequence, SequenceNode) and sequence.value and not sequence.flow_style:
        last = sequence.value[-1]
        line = lines[last.start_mark.line]
        dash = line.rfind("-", 0, last.start_mark.column + 1)
        insert_at = _last_line(last) + 1
        return _join([*lines[:insert_at], "", *_render(rule, max(dash, 0)), *lines[insert_at:]])
    # `rules:` empty, `rules: []` or null: replace the value with a block sequence.
    head = lines[key.start_mark.line][: key.end_mark.column] + ":"
    end = max(_last_line(sequence), key.start_mark.line) + 1
    return _join([*lines[: key.start_mark.line], head, *_render(rule, 2), *lines[end:]])


def remove_rule_text(text: str, rule_id: str, file: str) -> str:
    """The file's text without the rule ``rule_id`` (and the comment lines right above it)."""
    lines = text.splitlines()
    found = _rules_node(text, file)
    items = list(found[1].value) if found and isinstance(found[1], SequenceNode) else []
    for item in items:
        if not isinstance(item, MappingNode):
            continue
        ids = [
            v.value
            for k, v in item.value
            if isinstance(k, ScalarNode) and k.value == "id" and isinstance(v, ScalarNode)
        ]
        if ids != [rule_id]:
            continue
        if found is not None and isinstance(found[1], SequenceNode) and found[1].flow_style:
            raise ConfigError(file, "rules", "rules is written as a flow sequence [...]", "edit the file by hand")
        first, last = item.start_mark.line, _last_line(item)
        dash_line = lines[first]
        indent = len(dash_line) - len(dash_line.lstrip())
        while first > 0 and lines[first - 1].strip().startswith("#"):
            above = lines[first - 1]
            if len(above) - len(above.lstrip()) != indent:
                break
            first -= 1
        remaining = [*lines[:first], *lines[last + 1 :]]
        if len(items) == 1:  # the sequence is now empty: keep the key valid
            key_line = found[0].start_mark.line if found else 0
            remaining[key_line] = lines[key_line][: found[0].end_mark.column] + ": []" if found else remaining[key_line]
        return _join(remaining)
    raise ConfigError(file, f"rules[id={rule_id}]", "no rule with this id", "see `newshound watch list`")


def write_checked(path: Path, text: str) -> None:
    """Validate the edited text as a watches file, then replace the file (atomically)."""
    parse_watch_config(text, path, {}, check_environment=False)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def rule_as_data(rule: Rule) -> dict[str, Any]:
    """A rule as the YAML mapping that defines it (defaults left out), for `watch add`."""
    data = rule.model_dump(mode="json", exclude_defaults=True)
    data["kind"] = rule.kind
    common = set(RuleBase.model_fields)
    own = [key for key in data if key not in common and key != "kind"]  # entity, query, ...
    order = ["id", "kind", *own, *[key for key in data if key in common and key != "id"]]
    return {key: data[key] for key in order}


def validate_rule(data: Mapping[str, Any]) -> Rule:
    """Validate one rule mapping (as `watch add` builds it); errors are ConfigErrors."""
    watch_file = validated(WatchFile, {"rules": [dict(data)]}, "(rule)", docs="docs/alerts.md", tags=WATCH_TAGS)
    return watch_file.rules[0]
