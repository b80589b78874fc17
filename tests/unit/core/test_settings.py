"""Settings: defaults, and one clear error naming the variable for every bad value."""

import logging

import pytest

from core.errors import ConfigurationError
from core.settings import load_settings
from handoff.config import load_handoff_config
from tests.support.cli import run_cli


def test_defaults_are_the_embedded_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RELAYDESK_DATABASE_URL", "RELAYDESK_REDIS_URL", "RELAYDESK_TELEGRAM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///./relaydesk.db"
    assert settings.redis_url is None
    assert settings.default_language == "uk"
    assert not settings.telegram_enabled and not settings.viber_enabled


def test_environment_is_read_with_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAYDESK_DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("RELAYDESK_REDIS_URL", "redis://127.0.0.1:6379/3")
    settings = load_settings(_env_file=None)
    assert settings.default_language == "en"
    assert settings.redis_url == "redis://127.0.0.1:6379/3"


@pytest.mark.parametrize(("value", "topics"), [
    pytest.param("суд, lawyer ,chargeback", ["суд", "lawyer", "chargeback"], id="comma-separated"),
    pytest.param("", [], id="empty-means-none"),
])
def test_sensitive_topics_are_a_comma_separated_list(monkeypatch, value, topics) -> None:
    assert "подати до суду" in load_settings(_env_file=None).sensitive_topics  # a default the shop may replace
    monkeypatch.setenv("RELAYDESK_SENSITIVE_TOPICS", value)
    assert load_settings(_env_file=None).sensitive_topics == topics


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        pytest.param({"database_url": "mysql://x@y/z"}, "RELAYDESK_DATABASE_URL", id="unsupported-driver"),
        pytest.param({"database_url": "not a url"}, "RELAYDESK_DATABASE_URL", id="garbage-url"),
        pytest.param({"redis_url": "http://127.0.0.1:6379"}, "RELAYDESK_REDIS_URL", id="redis-scheme"),
        pytest.param({"default_language": "de"}, "RELAYDESK_DEFAULT_LANGUAGE", id="unknown-language"),
        pytest.param({"telegram_webhook_secret": "s3cret"}, "RELAYDESK_TELEGRAM_TOKEN", id="secret-no-token"),
        pytest.param({"telegram_token": "1:x", "telegram_webhook_secret": "bad secret!"},
                     "RELAYDESK_TELEGRAM_WEBHOOK_SECRET", id="secret-charset"),
        pytest.param({"telegram_token": "1:x", "public_url": "https://shop.example"},
                     "RELAYDESK_TELEGRAM_WEBHOOK_SECRET", id="webhook-without-secret"),
        pytest.param({"viber_token": "abc"}, "RELAYDESK_VIBER_BOT_NAME", id="viber-no-name"),
        pytest.param({"public_url": "shop.example"}, "RELAYDESK_PUBLIC_URL", id="public-url-scheme"),
    ],
)
def test_bad_settings_name_the_variable(overrides: dict, variable: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(_env_file=None, **overrides)
    assert variable in str(caught.value)
    assert "\n" not in str(caught.value)


def test_cli_stops_with_one_line_naming_the_variable(tmp_path) -> None:
    result = run_cli("db", "upgrade", env={"RELAYDESK_DATABASE_URL": "mysql://nobody@nowhere/db"}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "RELAYDESK_DATABASE_URL" in lines[0]


def _bare_name_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "core.settings" and r.levelno == logging.WARNING]


def test_a_bare_name_in_the_environment_is_named_as_ignored(monkeypatch, tmp_path, caplog) -> None:
    # Found evaluating another encoder: EMBEDDING_MODEL=/path (the name as the README lists it) ran the
    # bundled model without a word.
    monkeypatch.delenv("RELAYDESK_EMBEDDING_MODEL", raising=False)
    monkeypatch.setenv("EMBEDDING_MODEL", str(tmp_path))
    # Not named: a PaaS sets DATABASE_URL and REDIS_URL for everyone, and the shop set Relaydesk's own,
    # in the environment or in a .env file; a bare name in a .env file is not looked for.
    monkeypatch.setenv("DATABASE_URL", "postgres://paas/db")
    monkeypatch.setenv("RELAYDESK_DATABASE_URL", "sqlite+aiosqlite:///./shop.db")
    monkeypatch.setenv("REDIS_URL", "redis://paas:6379/0")
    monkeypatch.delenv("RELAYDESK_REDIS_URL", raising=False)
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("RELAYDESK_REDIS_URL=redis://127.0.0.1:6379/5\nLOG_LEVEL=DEBUG\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="core.settings"):
        settings = load_settings(_env_file=env_file)
    assert settings.embedding_model is None
    assert (settings.database_url, settings.redis_url) == ("sqlite+aiosqlite:///./shop.db", "redis://127.0.0.1:6379/5")
    assert _bare_name_warnings(caplog) == [
        "EMBEDDING_MODEL is set in the environment but ignored by Relaydesk, which reads RELAYDESK_EMBEDDING_MODEL"]


def test_a_bare_hand_off_setting_is_named_too(monkeypatch, caplog) -> None:
    monkeypatch.delenv("RELAYDESK_HANDOFF_TOPICS", raising=False)
    monkeypatch.setenv("HANDOFF_TOPICS", "refunds")
    with caplog.at_level(logging.WARNING, logger="core.settings"):
        config = load_handoff_config(_env_file=None)
    assert config.handoff_topics == []
    assert _bare_name_warnings(caplog) == [
        "HANDOFF_TOPICS is set in the environment but ignored by Relaydesk, which reads RELAYDESK_HANDOFF_TOPICS"]
