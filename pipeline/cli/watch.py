"""`newshound watch add|list|remove|test`: the alert rules of config/watches.yaml.

add/remove edit the watches file named in the settings (``alerts.watches``) as text, keeping its
comments, and validate the result before writing it. `watch test` shows what a rule would have
matched recently: it searches the articles index only (no delivery, no ledger writes).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer

from pipeline.cli.app import app
from pipeline.cli.common import console, print_json_line, resolve_entity, settings_from_environment
from pipeline.errors import ConfigError

watch_app = typer.Typer(no_args_is_help=True, help="Alert rules: add, list, remove, test (config/watches.yaml).")
app.add_typer(watch_app, name="watch")

TEST_LIMIT = 1000


def _read(settings: Any) -> tuple[Any, str]:
    from pipeline.alerts.config import watches_path

    path = watches_path(settings)
    text = path.read_text(encoding="utf-8") if path.exists() else "version: 1\n"
    return path, text


@watch_app.command("list")
def list_rules(as_json: Annotated[bool, typer.Option("--json", help="Print rules as one JSON line.")] = False) -> None:
    """The rules, their notifiers and whether they are active."""
    from rich.table import Table

    from pipeline.alerts.config import parse_watch_config
    from pipeline.alerts.editing import rule_as_data

    settings = settings_from_environment()
    path, text = _read(settings)
    config = parse_watch_config(text, path, check_environment=False)
    rows = []
    for rule in config.rules:
        data = rule_as_data(rule)
        disabled = [name for name in rule.notifiers if name in config.disabled_notifiers]
        active = rule.enabled and len(disabled) < len(rule.notifiers)
        rows.append({**data, "active": active, "disabled_notifiers": disabled})
    if as_json:
        print_json_line({"file": str(path), "rules": rows})
        return
    table = Table(title=str(path))
    for column in ("id", "kind", "what", "mode", "notifiers", "active"):
        table.add_column(column, overflow="fold")
    for row in rows:
        what = row.get("entity") or row.get("query") or row.get("unit") or ""
        table.add_row(
            row["id"],
            row["kind"],
            str(what),
            str(row.get("mode", "immediate")),
            ", ".join(row["notifiers"]),
            "yes" if row["active"] else "no (disabled)",
        )
    console.print(table)


@watch_app.command("add")
def add_rule(
    rule_id: Annotated[str, typer.Argument(help="Rule id: lowercase letters, digits, '-'.")],
    notifier: Annotated[list[str], typer.Option(help="Notifier name from the file (repeatable).")],
    kind: Annotated[str, typer.Option(help="entity | query | claim | claim-change")] = "entity",
    entity: Annotated[str | None, typer.Option(help="Entity id (Q423, nh:pentagon) or a name.")] = None,
    query: Annotated[str | None, typer.Option(help="Query text (kind query).")] = None,
    syntax: Annotated[str, typer.Option(help="simple (simple_query_string) or lucene (query_string).")] = "simple",
    operator: Annotated[str, typer.Option(help="and | or, between query words.")] = "and",
    in_title: Annotated[bool, typer.Option(help="Entity rules: only when the entity is in the title.")] = False,
    min_mentions: Annotated[int | None, typer.Option(help="Entity rules: at least this many mentions.")] = None,
    role: Annotated[str, typer.Option(help="Claim rules: speaker | about | any.")] = "any",
    unit: Annotated[str | None, typer.Option(help="Claim-change rules: only this unit (e.g. soldier).")] = None,
    mode: Annotated[str, typer.Option(help="immediate | digest-hourly | digest-daily")] = "immediate",
    throttle: Annotated[float, typer.Option(help="Minimum minutes between deliveries.")] = 0.0,
    per: Annotated[str, typer.Option(help="story (one alert per story) or article.")] = "story",
    language: Annotated[list[str] | None, typer.Option(help="Only articles in this language (repeatable).")] = None,
    outlet: Annotated[list[str] | None, typer.Option(help="Only this outlet or feed id (repeatable).")] = None,
    description: Annotated[str, typer.Option(help="A note for people reading the file.")] = "",
) -> None:
    """Add a rule to the watches file (comments and layout are kept)."""
    from pipeline.alerts.config import parse_watch_config
    from pipeline.alerts.editing import add_rule_text, rule_as_data, validate_rule, write_checked

    settings = settings_from_environment()
    path, text = _read(settings)
    data: dict[str, Any] = {"id": rule_id, "kind": kind, "notifiers": list(notifier), "mode": mode, "per": per}
    if entity is not None:
        data["entity"] = resolve_entity(entity, settings)
    if kind == "query":
        data.update(query=query, syntax=syntax, operator=operator)
    if kind == "entity":
        data.update(in_title=in_title, min_mentions=min_mentions)
    if kind == "claim":
        data["role"] = role
    if kind == "claim-change":
        data["unit"] = unit
    data.update(throttle_minutes=throttle, languages=language or [], outlets=outlet or [], description=description)
    rule = validate_rule({key: value for key, value in data.items() if value is not None})
    existing = parse_watch_config(text, path, check_environment=False)
    if existing.rule(rule.id) is not None:
        raise ConfigError(str(path), f"rules[id={rule.id}]", "a rule with this id exists", "remove it first")
    write_checked(path, add_rule_text(text, rule_as_data(rule), str(path)))
    console.print(f"added rule {rule.id} to {path}")


@watch_app.command("remove")
def remove_rule(rule_id: Annotated[str, typer.Argument(help="Id of the rule to remove.")]) -> None:
    """Remove a rule from the watches file (its alerts stay in the alerts index)."""
    from pipeline.alerts.editing import remove_rule_text, write_checked

    settings = settings_from_environment()
    path, text = _read(settings)
    write_checked(path, remove_rule_text(text, rule_id, str(path)))
    console.print(f"removed rule {rule_id} from {path}")


@watch_app.command("test")
def test_rule(
    rule_id: Annotated[str, typer.Argument(help="Id of the rule to try.")],
    days: Annotated[float, typer.Option(help="Articles first indexed in the last N days.")] = 7.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as one JSON line.")] = False,
) -> None:
    """What the rule would have matched in the last N days: no delivery, nothing written."""
    from rich.markup import escape
    from rich.table import Table

    from pipeline.alerts.config import parse_watch_config
    from pipeline.alerts.matching import build_candidates, search_named_rules
    from pipeline.index.connection import SearchIndex

    settings = settings_from_environment()
    path, text = _read(settings)
    config = parse_watch_config(text, path, check_environment=False)
    rule = config.rule(rule_id)
    if rule is None:
        raise ConfigError(str(path), f"rules[id={rule_id}]", "no rule with this id", "see `newshound watch list`")
    index = SearchIndex.connect(settings, ensure=False)
    since = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    errors: dict[str, str] = {}
    pairs = search_named_rules(
        index,
        [rule],
        {"range": {"first_seen": {"gte": since}}},
        TEST_LIMIT,
        config.settings,
        errors,
        sort=[{"published": "desc"}],
    )
    if errors:
        raise ConfigError(str(path), f"rules[id={rule_id}]", f"Elasticsearch rejects the rule: {errors[rule_id]}")
    candidates = build_candidates(index, [rule], pairs, config.settings)
    articles = len(pairs.get(rule.id, ()))
    if as_json:
        print_json_line(
            {
                "rule": rule.id,
                "days": days,
                "articles": articles,
                "alerts": [
                    {
                        "alert_id": c.alert_id,
                        "article_id": c.article_id,
                        "title": c.article_title,
                        "outlet": c.outlet,
                        "story_id": c.story_id,
                        "published": c.published,
                        "passage": c.passage.text,
                        "matched_terms": list(c.matched_terms),
                        "change": c.change.describe() if c.change else None,
                    }
                    for c in candidates
                ],
            }
        )
        return
    console.print(
        f"rule [bold]{rule.id}[/] would have matched {articles} article(s) in the last {days:g} day(s): "
        f"{len(candidates)} alert(s) ({'per ' + rule.per})"
    )
    table = Table()
    for column in ("published", "outlet", "title", "passage"):
        table.add_column(column, overflow="fold")
    for candidate in candidates:
        passage = candidate.passage.marked("[yellow]", "[/]", escape)
        if candidate.change:
            passage = f"[bold]{candidate.change.describe()}[/] {passage}"
        title = escape(candidate.article_title)
        table.add_row(str(candidate.published or "")[:16], escape(candidate.outlet), title, passage)
    console.print(table)
    if not candidates:
        raise typer.Exit(1)
