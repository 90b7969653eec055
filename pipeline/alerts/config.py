"""Watch rules and notifiers: ``config/watches.yaml`` loaded into validated objects.

    version: 1
    settings:  {...}                  matching and delivery tuning (WatchSettings)
    notifiers: {name: {type: webhook | slack | email, enabled: ..., ...}}
    rules:     [{id, kind: entity | query | claim | claim-change, notifiers: [...], mode, ...}]

Endpoints and secrets come from environment variables named in the file (``url_env``,
``secret_env``, ``password_env``...). They are resolved at load time for enabled notifiers only:
the example file loads anywhere, and an enabled notifier whose variable is missing stops start-up
with a ConfigError naming the file, the key and the fix. docs/alerts.md describes every key.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.errors import ConfigError
from pipeline.models import ENTITY_ID
from pipeline.settings import AlertSettings, Settings, parse_yaml_mapping, validated

logger = logging.getLogger(__name__)

RuleMode = Literal["immediate", "digest-hourly", "digest-daily"]
SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
RULE_KINDS = ("entity", "query", "claim", "claim-change")
NOTIFIER_TYPES = ("webhook", "slack", "email")
# The discriminators of rules and notifiers: in a validation error's location, never keys.
WATCH_TAGS = (*RULE_KINDS, *NOTIFIER_TYPES)


class WatchModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_env_name(value: str | None) -> str | None:
    if value is None:
        return value
    if not ENV_NAME.match(value):
        raise ValueError("an environment variable name: upper-case letters, digits and '_'")
    if value.startswith("NEWSHOUND_") and "__" in value:
        raise ValueError("NEWSHOUND_<SECTION>__<KEY> names are settings overrides; use single underscores")
    return value


class NotifierBase(WatchModel):
    enabled: bool = True

    @field_validator("url_env", "secret_env", "host_env", "username_env", "password_env", check_fields=False)
    @classmethod
    def _env_names(cls, value: str | None) -> str | None:
        return _check_env_name(value)


class WebhookNotifier(NotifierBase):
    """JSON POST signed with HMAC-SHA256 over the body."""

    type: Literal["webhook"]
    url: str | None = None
    url_env: str | None = None
    secret_env: str


class SlackNotifier(NotifierBase):
    """A Slack-compatible incoming webhook (text + blocks)."""

    type: Literal["slack"]
    url: str | None = None
    url_env: str | None = None


class EmailNotifier(NotifierBase):
    """SMTP with plain-text and HTML parts."""

    type: Literal["email"]
    host: str | None = None
    host_env: str | None = None
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    username_env: str | None = None
    password_env: str | None = None
    sender: str = Field(alias="from")
    to: tuple[str, ...] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Notifier = Annotated[WebhookNotifier | SlackNotifier | EmailNotifier, Field(discriminator="type")]


class RuleBase(WatchModel):
    id: str
    notifiers: tuple[str, ...] = Field(min_length=1)
    mode: RuleMode = "immediate"
    # Minimum minutes between two deliveries of the rule; what matches inside is held and sent together.
    throttle_minutes: float = Field(0.0, ge=0)
    per: Literal["story", "article"] = "story"
    enabled: bool = True
    description: str = ""
    languages: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _id_is_a_slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("use lowercase letters, digits, '.', '-' and '_'")
        return value

    @field_validator("entity", check_fields=False)
    @classmethod
    def _entity_is_canonical(cls, value: str | None) -> str | None:
        return _check_entity_id(value)

    @model_validator(mode="after")
    def _digest_has_no_throttle(self) -> RuleBase:
        if self.mode != "immediate" and self.throttle_minutes:
            raise ValueError("throttle_minutes applies to immediate rules; a digest is sent once per window")
        return self


def _check_entity_id(value: str | None) -> str | None:
    if value is not None and not ENTITY_ID.fullmatch(value):
        raise ValueError("a canonical entity id such as Q423, nh:pentagon or ner:person:jane-fairweather")
    return value


class EntityRule(RuleBase):
    """An article mentioning a canonical entity (optionally in its title, or at least N times)."""

    kind: Literal["entity"]
    entity: str
    in_title: bool = False
    min_mentions: int | None = Field(None, ge=1)


class QueryRule(RuleBase):
    """A full-text query over title and text (simple_query_string, or query_string with syntax: lucene)."""

    kind: Literal["query"]
    query: str = Field(min_length=1)
    syntax: Literal["simple", "lucene"] = "simple"
    operator: Literal["and", "or"] = "and"


class ClaimRule(RuleBase):
    """A new claim by (speaker or speaker's organisation) or about (mentioned in it) an entity."""

    kind: Literal["claim"]
    entity: str
    role: Literal["speaker", "about", "any"] = "any"


class ClaimChangeRule(RuleBase):
    """A new claim joins a claim cluster whose earlier claim gave another figure for the same unit."""

    kind: Literal["claim-change"]
    entity: str | None = None
    unit: str | None = None


Rule = EntityRule | QueryRule | ClaimRule | ClaimChangeRule
TaggedRule = Annotated[Rule, Field(discriminator="kind")]


class WatchFile(WatchModel):
    version: Literal[1] = 1
    notifiers: dict[str, Notifier] = {}
    rules: tuple[TaggedRule, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _no_settings(cls, data: Any) -> Any:
        if isinstance(data, dict) and "settings" in data:
            raise ValueError(
                "settings: moved to config/newshound.yaml under alerts: (one place for settings, "
                "overridable as NEWSHOUND_ALERTS__<KEY>); move the keys there"
            )
        return data


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    name: str
    url: str
    secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class SlackTarget:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class EmailTarget:
    name: str
    host: str
    port: int
    starttls: bool
    sender: str
    recipients: tuple[str, ...]
    username: str | None = None
    password: str | None = field(default=None, repr=False)


Target = WebhookTarget | SlackTarget | EmailTarget


@dataclass(frozen=True)
class WatchConfig:
    """The loaded watches: rules, notifiers resolved to delivery targets, and settings."""

    path: Path
    settings: AlertSettings = field(default_factory=AlertSettings)
    rules: tuple[Rule, ...] = ()
    targets: Mapping[str, Target] = field(default_factory=dict)
    disabled_notifiers: frozenset[str] = frozenset()

    @property
    def active_rules(self) -> tuple[Rule, ...]:
        """Enabled rules with at least one enabled notifier: the rules that are matched."""
        return tuple(rule for rule in self.rules if rule.enabled and self.rule_notifiers(rule))

    def rule_notifiers(self, rule: Rule) -> tuple[str, ...]:
        """The rule's notifiers that are enabled."""
        return tuple(name for name in rule.notifiers if name in self.targets)

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)


def watches_path(settings: Settings) -> Path:
    """The watches file named in the settings (``alerts.watches``, relative to the config folder)."""
    return settings.config_path(settings.alerts.watches)


def load_watch_config(settings: Settings, environ: Mapping[str, str] | None = None) -> WatchConfig:
    """Read and validate the watches file; a missing file means no rules (alerting off)."""
    path = watches_path(settings)
    if not path.exists():
        logger.info("no watches file at %s: alerting is off", path)
        return WatchConfig(path=path, settings=settings.alerts)
    return parse_watch_config(path.read_text(encoding="utf-8"), path, environ, alert_settings=settings.alerts)


def parse_watch_config(
    text: str,
    path: Path,
    environ: Mapping[str, str] | None = None,
    *,
    alert_settings: AlertSettings | None = None,
    check_environment: bool = True,
) -> WatchConfig:
    """Validate the text of a watches file; every problem is a ConfigError naming file, key and fix.

    Without ``check_environment`` (editing the file, `watch test`) notifiers are not resolved and
    the config has no delivery targets.
    """
    environ = os.environ if environ is None else environ
    data = parse_yaml_mapping(text, path, fix="write version:, settings:, notifiers:, rules: keys")
    parsed = validated(WatchFile, data, str(path), docs="docs/alerts.md", tags=WATCH_TAGS)
    _check_references(parsed, str(path))
    targets = {
        name: _resolve(name, notifier, environ, str(path))
        for name, notifier in parsed.notifiers.items()
        if notifier.enabled and check_environment
    }
    disabled = frozenset(name for name, notifier in parsed.notifiers.items() if not notifier.enabled)
    return WatchConfig(
        path=path,
        settings=alert_settings or AlertSettings(),
        rules=parsed.rules,
        targets=targets,
        disabled_notifiers=disabled,
    )


def _check_references(parsed: WatchFile, file: str) -> None:
    for name in parsed.notifiers:
        if not SLUG.match(name):
            raise ConfigError(file, f"notifiers.{name}", "bad notifier name", "use lowercase letters, digits, '-'")
    seen: set[str] = set()
    for position, rule in enumerate(parsed.rules):
        if rule.id in seen:
            raise ConfigError(file, f"rules[{position}].id", f"rule id {rule.id!r} appears twice", "make ids unique")
        seen.add(rule.id)
        for name in rule.notifiers:
            if name not in parsed.notifiers:
                known = ", ".join(sorted(parsed.notifiers)) or "none defined"
                raise ConfigError(
                    file,
                    f"rules[{position}].notifiers",
                    f"rule {rule.id!r} names unknown notifier {name!r}",
                    f"define it under notifiers: or use one of: {known}",
                )


def _resolve(
    name: str, notifier: WebhookNotifier | SlackNotifier | EmailNotifier, environ: Mapping[str, str], file: str
) -> Target:
    def endpoint(key: str, value: str | None, env_key: str, env_name: str | None) -> str:
        if value and env_name:
            raise ConfigError(file, f"notifiers.{name}.{key}", f"both {key} and {env_key} are set", "keep one")
        if value:
            return value
        if env_name:
            return _env(env_name, f"notifiers.{name}.{env_key}")
        raise ConfigError(file, f"notifiers.{name}.{key}", "missing", f"set {key} or {env_key}, or enabled: false")

    def _env(variable: str, key: str) -> str:
        found = environ.get(variable, "")
        if not found:
            raise ConfigError(
                file, key, f"environment variable {variable} is not set", "set it, or disable the notifier"
            )
        return found

    if isinstance(notifier, WebhookNotifier):
        url = endpoint("url", notifier.url, "url_env", notifier.url_env)
        return WebhookTarget(
            name, _http_url(url, file, name), _env(notifier.secret_env, f"notifiers.{name}.secret_env")
        )
    if isinstance(notifier, SlackNotifier):
        url = endpoint("url", notifier.url, "url_env", notifier.url_env)
        return SlackTarget(name, _http_url(url, file, name))
    host = endpoint("host", notifier.host, "host_env", notifier.host_env)
    username = _env(notifier.username_env, f"notifiers.{name}.username_env") if notifier.username_env else None
    password = _env(notifier.password_env, f"notifiers.{name}.password_env") if notifier.password_env else None
    if (username is None) != (password is None):
        raise ConfigError(file, f"notifiers.{name}", "username_env and password_env go together", "set both or none")
    return EmailTarget(name, host, notifier.port, notifier.starttls, notifier.sender, notifier.to, username, password)


def _http_url(url: str, file: str, name: str) -> str:
    if not re.match(r"https?://[^/\s]+", url):
        raise ConfigError(file, f"notifiers.{name}.url", f"{url!r} is not an http(s) URL", "use https://...")
    return url
