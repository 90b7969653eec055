"""Settings: YAML, environment overrides, and errors that name the file, the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.settings import load_feed_registry, load_settings, redact_url


def test_repository_config_loads_with_real_feed_registry() -> None:
    settings = load_settings(environ={})
    registry = load_feed_registry(settings)
    assert len(registry.feeds) >= 20
    assert {feed.language for feed in registry.feeds} == {"de", "en"}
    assert len({feed.id for feed in registry.feeds}) == len(registry.feeds)


def test_environment_overrides_nested_keys_and_elasticsearch_aliases() -> None:
    settings = load_settings(
        environ={
            "NEWSHOUND_FETCH__CONCURRENCY": "3",
            "NEWSHOUND_FETCH__ALLOWED_HOSTS": '["127.0.0.1/32", "news.internal"]',
            "ELASTICSEARCH_URL": "https://search.example:9200",
            "ELASTICSEARCH_API_KEY": "c2VjcmV0",
        }
    )
    assert settings.fetch.concurrency == 3
    assert settings.fetch.allowed_hosts == ("127.0.0.1/32", "news.internal")
    assert settings.elasticsearch.url == "https://search.example:9200"
    assert settings.elasticsearch.api_key is not None
    assert "c2VjcmV0" not in repr(settings)  # secrets never show in logs or reprs


def test_unknown_key_in_file_names_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "newshound.yaml").write_text("fetch:\n  user_agnet: x\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(config_dir=tmp_path, environ={})
    message = str(raised.value)
    assert "newshound.yaml" in message and "fetch.user_agnet" in message and "unknown key" in message


def test_bad_value_from_environment_names_the_variable() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(environ={"NEWSHOUND_FETCH__CONCURRENCY": "-1"})
    assert "NEWSHOUND_FETCH__CONCURRENCY" in str(raised.value)
    assert "fetch.concurrency" in str(raised.value)


def test_invalid_yaml_and_bad_feed_entries_fail_clearly(tmp_path: Path) -> None:
    (tmp_path / "newshound.yaml").write_text("fetch: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(config_dir=tmp_path, environ={})
    (tmp_path / "newshound.yaml").write_text("", encoding="utf-8")
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - {id: a, url: 'ftp://x/feed', outlet: A}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_feed_registry(load_settings(config_dir=tmp_path, environ={}))
    assert "feeds.yaml" in str(raised.value) and "feeds[0].url" in str(raised.value)  # one key format for every file
    (tmp_path / "feeds.yaml").write_text(
        "feeds:\n  - {id: a, url: 'https://x/f', outlet: A}\n  - {id: a, url: 'https://y/f', outlet: B}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="appears twice"):
        load_feed_registry(load_settings(config_dir=tmp_path, environ={}))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://elastic:s3cret@es.example:9200/", "https://elastic:***@es.example:9200/"),
        ("https://tokenonly@es.example", "https://***@es.example"),
        ("https://u:p%40ss@es.example/path?q=1", "https://u:***@es.example/path?q=1"),
        ("http://127.0.0.1:9200", "http://127.0.0.1:9200"),
    ],
)
def test_redact_url_hides_the_password_and_keeps_the_rest(url: str, expected: str) -> None:
    assert redact_url(url) == expected
