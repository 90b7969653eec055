"""Writing the knowledge-base file in its canonical layout (used by scripts/extend_entities.py).

One block per entity, short lists in flow style, keys in a fixed order, the file's leading
comment block kept, so that a regenerated file differs from the old one only where entities
changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

ENTITY_KEY_ORDER = (
    "id",
    "type",
    "names",
    "aliases",
    "language_aliases",
    "demonyms",
    "case_sensitive",
    "surnames",
    "note",
)


def leading_comments(text: str) -> str:
    """The comment block at the top of a YAML file (kept when the file is rewritten)."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("#") or (not line.strip() and lines):
            lines.append(line)
        else:
            break
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def _flow(value: Any) -> str:
    rendered: str = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9, sort_keys=False)
    return rendered.strip().removesuffix("...").strip()


def render_knowledge_base(
    header: str,
    roles: Mapping[str, Sequence[str]],
    ambiguous: Sequence[Mapping[str, Any]],
    entities: Sequence[Mapping[str, Any]],
) -> str:
    """The knowledge-base file text for these roles, ambiguous aliases and entities."""
    out: list[str] = [header.rstrip("\n"), ""] if header else []
    out.append("version: 1")
    out.append("")
    out.append("roles:")
    for key, forms in roles.items():
        out.append(f"  {_flow(key)}: {_flow(list(forms))}")
    out.append("")
    out.append("ambiguous:")
    for entry in ambiguous:
        out.append(f"  - {_flow(dict(entry))}")
    if not ambiguous:
        out[-1] = "ambiguous: []"
    out.append("")
    out.append("entities:")
    for entity in entities:
        unknown = set(entity) - set(ENTITY_KEY_ORDER)
        if unknown:
            raise ValueError(f"unknown entity keys {sorted(unknown)} in {entity.get('id')}")
        first = True
        for key in ENTITY_KEY_ORDER:
            value = entity.get(key)
            if value in (None, [], {}, ""):
                continue
            prefix = "  - " if first else "    "
            out.append(f"{prefix}{key}: {_flow(value)}")
            first = False
    return "\n".join(out) + "\n"
