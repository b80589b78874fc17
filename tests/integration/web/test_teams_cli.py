"""``relaydesk teams set`` / ``teams list``: configuring routing from the command line."""

import json

from tests.support.cli import run_cli


def test_teams_set_creates_and_changes_a_team(settings) -> None:
    env = {"RELAYDESK_DATABASE_URL": settings.database_url}
    created = run_cli("teams", "set", "billing", "--skills", "payment, refund", "--hours",
                      '{"mon": ["09:00", "18:00"]}', "--timezone", "Europe/Kyiv", env=env)
    assert created.returncode == 0, created.stderr
    changed = run_cli("teams", "set", "billing", "--vip", "--first-response-sla", "60", env=env)
    assert changed.returncode == 0, changed.stderr
    listed = run_cli("teams", "list", env=env)
    [team] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (team["name"], team["skills"], team["is_vip"], team["business_hours"], team["first_response_sla_s"]) == (
        "billing", ["payment", "refund"], True, {"mon": ["09:00", "18:00"]}, 60)


def test_teams_set_rejects_bad_hours_with_a_clear_message(settings) -> None:
    env = {"RELAYDESK_DATABASE_URL": settings.database_url}
    bad = run_cli("teams", "set", "billing", "--hours", '{"monday": ["09:00", "18:00"]}', env=env)
    assert bad.returncode == 1
    assert "unknown day 'monday'" in bad.stderr
    not_json = run_cli("teams", "set", "billing", "--hours", "9-18", env=env)
    assert not_json.returncode == 2 and "not JSON" in not_json.stderr
