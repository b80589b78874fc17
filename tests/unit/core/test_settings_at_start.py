"""Every documented setting that can be checked offline stops the process at start with one line naming it."""

import json

import pytest

from core.errors import ConfigurationError
from core.settings import load_settings
from handoff.config import load_handoff_config
from tests.support.cli import run_cli


@pytest.mark.parametrize(("variable", "bad", "reason", "good"), [
    pytest.param("RELAYDESK_PHONE_REGION", "XX", "unknown region", "pl", id="phone-region"),
    pytest.param("RELAYDESK_VIP_SEGMENTS", "champions,bogus", "unknown RFM segment bogus", "Champions,loyal",
                 id="vip-segments"),
    # A model name is only checked when loaded; a path that is not there is refused at once.
    pytest.param("RELAYDESK_EMBEDDING_MODEL", "/nonexistent/model", "no model directory",
                 "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2", id="embedding-path"),
])
def test_core_settings_name_the_variable(monkeypatch, variable, bad, reason, good) -> None:
    monkeypatch.setenv(variable, bad)
    with pytest.raises(ConfigurationError) as caught:
        load_settings(_env_file=None)
    assert str(caught.value).startswith(f"{variable}: {reason}") and "\n" not in str(caught.value)
    monkeypatch.setenv(variable, good)
    load_settings(_env_file=None)


@pytest.mark.parametrize(("variable", "bad", "reason", "good"), [
    pytest.param("RELAYDESK_HANDOFF_TOPICS", "notjson", "not a JSON list", '["legal"]', id="topics-not-json"),
    pytest.param("RELAYDESK_COMPLEX_TOPICS", '{"a":1}', "Input should be a valid list", "[]", id="topics-object"),
    pytest.param("RELAYDESK_WS_MAX_MESSAGE_BYTES", "-1", "Input should be greater than or equal to 64", "64",
                 id="ws-bytes"),
    pytest.param("RELAYDESK_SLA_CHECK_INTERVAL_S", "0", "Input should be greater than 0", "0.5", id="sla-interval"),
    pytest.param("RELAYDESK_CANNED_RESPONSES_FILE", "/nonexistent.json", "cannot read /nonexistent.json",
                 "{canned}", id="canned-missing"),
])
def test_handoff_settings_name_the_variable(monkeypatch, tmp_path, variable, bad, reason, good) -> None:
    canned = tmp_path / "canned.json"
    canned.write_text(json.dumps([{"key": "hi", "texts": {"en": "Hi"}}]), encoding="utf-8")
    monkeypatch.setenv(variable, bad)
    with pytest.raises(ConfigurationError) as caught:
        load_handoff_config(_env_file=None)
    assert str(caught.value).startswith(f"{variable}: {reason}") and "\n" not in str(caught.value)
    monkeypatch.setenv(variable, good.format(canned=canned))
    load_handoff_config(_env_file=None)


@pytest.mark.parametrize("command", [("teams", "list"), ("serve",)], ids=["teams-list", "serve"])
def test_every_command_stops_at_start_on_a_bad_handoff_setting(tmp_path, command) -> None:
    env = {"RELAYDESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/r.db", "RELAYDESK_HANDOFF_TOPICS": "notjson"}
    result = run_cli(*command, env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "relaydesk: invalid settings: RELAYDESK_HANDOFF_TOPICS: not a JSON list of article tags, "
        "e.g. [\"returns\", \"payment\"]: 'notjson'"], result.stderr


def test_serve_stops_in_one_line_when_the_model_name_cannot_be_loaded(tmp_path) -> None:
    env = {"RELAYDESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/r.db",
           "RELAYDESK_EMBEDDING_MODEL": "no-such-org/no-such-model"}
    result = run_cli("serve", "--port", "1", env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("relaydesk: invalid settings: RELAYDESK_EMBEDDING_MODEL: cannot load "
                           "'no-such-org/no-such-model' (") and "since nothing is fetched from the model hub" in line
