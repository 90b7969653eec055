"""The watches file: validation with file, key and fix; the example; editing that keeps comments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.alerts.config import parse_watch_config
from pipeline.alerts.editing import add_rule_text, remove_rule_text
from pipeline.cli.main import app
from pipeline.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
HOOK = "notifiers: {hook: {type: webhook, url: 'https://hooks.example.org/x', secret_env: HOOK_SECRET}}\n"


def parse(text: str, environ: dict[str, str] | None = None) -> Any:
    return parse_watch_config(text, Path("watches.yaml"), {"HOOK_SECRET": "s"} if environ is None else environ)


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        (
            HOOK + "rules: [{id: a, kind: entity, entity: Q1, notifiers: [hook], entitty: 3}]",
            "rules[0].entitty",
            "unknown key",
        ),
        (
            HOOK + "rules: [{id: a, kind: entiti, entity: Q1, notifiers: [hook]}]",
            "rules[0]",
            "use one of: entity, query",
        ),
        (HOOK + "rules: [{id: a, kind: entity, notifiers: [hook]}]", "rules[0].entity", "required"),
        (HOOK + "rules: [{id: a, kind: entity, entity: North Korea, notifiers: [hook]}]", "rules[0].entity", "Q423"),
        (
            HOOK + "rules: [{id: a, kind: entity, entity: Q1, notifiers: [mail]}]",
            "rules[0].notifiers",
            "unknown notifier",
        ),
        (HOOK + "rules: [{id: A b, kind: query, query: x, notifiers: [hook]}]", "rules[0].id", "lowercase"),
        (HOOK + "rules: [{id: a, kind: query, query: x, notifiers: [hook], mode: weekly}]", "rules[0].mode", "digest"),
        (
            HOOK
            + "rules: [{id: a, kind: query, query: x, notifiers: [hook], mode: digest-daily, throttle_minutes: 5}]",
            "rules[0]",
            "once per window",
        ),
        (
            HOOK + "rules: [{id: a, kind: query, query: x, notifiers: [hook]}, {id: a, kind: query, query: y, "
            "notifiers: [hook]}]",
            "rules[1].id",
            "twice",
        ),
        ("notifiers: {hook: {type: pager, url: x}}", "notifiers.hook", "webhook, slack, email"),
        ("notifiers: {hook: {type: slack, urll: 'https://x'}}", "notifiers.hook.urll", "unknown key"),
        ("notifiers: {hook: {type: slack, url: 'ftp://x'}}", "notifiers.hook.url", "http"),
        (
            "notifiers: {hook: {type: webhook, url: 'https://x', secret_env: NEWSHOUND_ALERTS__SECRET}}",
            "notifiers.hook.secret_env",
            "single underscores",
        ),
        ("settings: {retry_backoff_minutes: 0}", "(top level)", "moved to config/newshound.yaml"),
        ("rules: {id: a}", "rules", "tuple"),
        ("- just a list", "(top level)", "mapping"),
    ],
)
def test_bad_watch_files_fail_with_file_key_and_fix(text: str, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse(text)
    error = raised.value
    assert error.file == "watches.yaml" and error.key == key, str(error)
    assert words in f"{error.problem} {error.fix}", str(error)
    assert error.fix


def test_enabled_notifiers_need_their_environment_variables_and_disabled_ones_do_not() -> None:
    with pytest.raises(ConfigError) as raised:
        parse(HOOK, environ={})
    assert raised.value.key == "notifiers.hook.secret_env" and "HOOK_SECRET" in raised.value.problem
    config = parse(HOOK.replace("type: webhook,", "type: webhook, enabled: false,"), environ={})
    assert config.targets == {} and config.disabled_notifiers == {"hook"}


def test_the_example_file_loads_and_is_harmless_by_default() -> None:
    path = REPO / "config" / "watches.yaml"
    config = parse_watch_config(path.read_text(encoding="utf-8"), path, {})
    assert [rule.id for rule in config.rules] == ["north-korea", "soldaten-kursk"]
    assert config.rules[0].kind == "entity" and config.rules[1].kind == "query"
    assert config.targets == {} and config.active_rules == ()  # every notifier is disabled
    environ = {
        "NEWSHOUND_WEBHOOK_URL": "https://hooks.example.org/n",
        "NEWSHOUND_WEBHOOK_SECRET": "s",
        "NEWSHOUND_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/x",
        "NEWSHOUND_SMTP_HOST": "smtp.example.org",
        "NEWSHOUND_SMTP_USERNAME": "u",
        "NEWSHOUND_SMTP_PASSWORD": "hunter2-secret",
    }
    enabled = path.read_text(encoding="utf-8").replace("enabled: false", "enabled: true")
    config = parse_watch_config(enabled, path, environ)
    assert set(config.targets) == {"team-webhook", "newsroom-slack", "desk-email"}
    assert len(config.active_rules) == 2 and "hunter2" not in repr(config.targets["desk-email"])


def test_add_and_remove_keep_comments_and_the_rest_of_the_file() -> None:
    text = (REPO / "config" / "watches.yaml").read_text(encoding="utf-8")
    added = add_rule_text(
        text, {"id": "singh", "kind": "claim", "entity": "nh:sabrina-singh", "notifiers": ["team-webhook"]}, "w"
    )
    assert added.startswith(text.rstrip("\n")) and "notifiers: [team-webhook]" in added
    assert [rule.id for rule in parse(added, environ={}).rules] == ["north-korea", "soldaten-kursk", "singh"]
    removed = remove_rule_text(added, "soldaten-kursk", "w")
    assert "# German reports of soldiers" not in removed and "Soldaten Kursk" not in removed
    assert "# Every story mentioning North Korea" in removed and "notifiers:" in removed
    assert [rule.id for rule in parse(removed, environ={}).rules] == ["north-korea", "singh"]
    emptied = remove_rule_text(remove_rule_text(removed, "singh", "w"), "north-korea", "w")
    assert parse(emptied, environ={}).rules == () and "rules: []" in emptied
    again = add_rule_text(emptied, {"id": "x", "kind": "query", "query": "a b", "notifiers": ["team-webhook"]}, "w")
    assert [rule.id for rule in parse(again, environ={}).rules] == ["x"]
    assert add_rule_text("version: 1\n", {"id": "x", "kind": "query", "query": "q", "notifiers": ["h"]}, "w").endswith(
        "rules:\n  - id: x\n    kind: query\n    query: q\n    notifiers: [h]\n"
    )
    with pytest.raises(ConfigError, match="no rule with this id"):
        remove_rule_text(text, "nope", "w")


def test_watch_add_list_remove_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "watches.yaml"
    path.write_text((REPO / "config" / "watches.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    env = {"NEWSHOUND_ALERTS__WATCHES": str(path)}
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "watch",
            "add",
            "pentagon-figures",
            "--kind",
            "claim-change",
            "--entity",
            "nh:pentagon",
            "--unit",
            "soldier",
            "--notifier",
            "team-webhook",
            "--mode",
            "digest-daily",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "# Every story mentioning North Korea" in path.read_text(encoding="utf-8")
    listed = runner.invoke(app, ["watch", "list", "--json"], env=env)
    rules = {rule["id"]: rule for rule in json.loads(listed.output.strip().splitlines()[-1])["rules"]}
    assert rules["pentagon-figures"] == {
        "id": "pentagon-figures",
        "kind": "claim-change",
        "notifiers": ["team-webhook"],
        "mode": "digest-daily",
        "entity": "nh:pentagon",
        "unit": "soldier",
        "active": False,
        "disabled_notifiers": ["team-webhook"],
    }
    duplicate = runner.invoke(
        app, ["watch", "add", "pentagon-figures", "--notifier", "team-webhook", "--entity", "Q1"], env=env
    )
    # A configuration error is one line on stderr and exit status 2 (pipeline.cli.app).
    assert duplicate.exit_code == 2 and "a rule with this id exists" in duplicate.output
    bad = runner.invoke(app, ["watch", "add", "x", "--kind", "query", "--notifier", "nobody", "--query", "a"], env=env)
    assert bad.exit_code == 2 and "unknown notifier" in bad.output
    assert runner.invoke(app, ["watch", "remove", "north-korea"], env=env).exit_code == 0
    remaining = parse(path.read_text(encoding="utf-8"), environ={})
    assert [rule.id for rule in remaining.rules] == ["soldaten-kursk", "pentagon-figures"]
