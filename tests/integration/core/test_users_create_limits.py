"""``relaydesk users create`` refuses a team or display name longer than its column, in one line."""

import pytest

from tests.support.cli import run_cli


@pytest.mark.parametrize(("option", "value", "expected"), [
    pytest.param("--team", "t" * 100, "relaydesk: team: at most 64 characters", id="team"),
    pytest.param("--name", "n" * 500, "relaydesk: name: at most 255 characters", id="name"),
])
def test_too_long_names_are_refused_before_anything_is_stored(settings, option, value, expected) -> None:
    env = {"RELAYDESK_DATABASE_URL": settings.database_url}
    result = run_cli("users", "create", "--email", "long@shop.ua", "--password", "password-123", "--role", "agent",
                     option, value, env=env)
    assert (result.returncode, result.stderr.strip().splitlines()) == (1, [expected]), result.stderr
    listed = run_cli("teams", "list", env=env)
    assert "t" * 100 not in listed.stdout
    retried = run_cli("users", "create", "--email", "long@shop.ua", "--password", "password-123", "--role", "agent",
                      option, value[:64], env=env)
    assert retried.returncode == 0, retried.stderr
