"""QA pass C's command-line findings: each failure ends in one line saying what went wrong, never a traceback.

Every command runs in a child process as a user runs it (``run_cli``); the Telegram and Viber APIs are the
local doubles speaking the real wire format.
"""

import asyncio

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from core.database import create_engine
from core.settings import Settings
from tests.support.backends import create_postgres_database, drop_postgres_database
from tests.support.channels import WEBHOOK_SECRET
from tests.support.cli import run_cli
from tests.support.viber_double import ViberDouble, viber_status
from web.migrate import alembic_config, upgrade

PUBLIC_URL = "https://shop.example.com"
INT32_MAX = 2**31 - 1  # the largest value of the Integer columns behind the options below


@pytest.fixture
def fresh_url(backend, tmp_path):
    """An empty database of the session's backend, with no migrations applied."""
    if not backend.is_postgres:
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        return
    url = asyncio.run(create_postgres_database())
    yield url
    asyncio.run(drop_postgres_database(url))


def assert_one_line(result, code: int, line: str) -> None:
    """The command failed with ``code`` and ``line`` as its whole stderr."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines() == [line], result.stderr
    assert result.returncode == code


# --- db check (M1) ------------------------------------------------------------------------------

def test_db_check_on_a_database_without_tables_says_to_upgrade(fresh_url, tmp_path) -> None:
    result = run_cli("db", "check", env={"RELAYDESK_DATABASE_URL": fresh_url}, cwd=tmp_path)
    assert_one_line(result, 1, "relaydesk: the database has no tables yet; run relaydesk db upgrade")


def test_db_check_on_a_database_behind_the_migrations_says_to_upgrade(fresh_url, tmp_path) -> None:
    settings = Settings(database_url=fresh_url, _env_file=None)
    upgrade(settings, ScriptDirectory.from_config(alembic_config(settings)).get_base())
    result = run_cli("db", "check", env={"RELAYDESK_DATABASE_URL": fresh_url}, cwd=tmp_path)
    assert_one_line(result, 1, "relaydesk: the database is not up to date with the migrations; "
                               "run relaydesk db upgrade")


def test_db_check_on_an_up_to_date_database_agrees(backend, tmp_path) -> None:
    result = run_cli("db", "check", env={"RELAYDESK_DATABASE_URL": backend.database_url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "models and migrations agree"


async def add_column_the_models_lack(url: str) -> None:
    engine = create_engine(Settings(database_url=url, _env_file=None))
    try:
        async with engine.begin() as connection:
            await connection.execute(text("ALTER TABLE teams ADD COLUMN extra INTEGER"))
    finally:
        await engine.dispose()


def test_db_check_names_what_differs_from_the_models(fresh_url, tmp_path) -> None:
    upgrade(Settings(database_url=fresh_url, _env_file=None))
    asyncio.run(add_column_the_models_lack(fresh_url))
    result = run_cli("db", "check", env={"RELAYDESK_DATABASE_URL": fresh_url}, cwd=tmp_path)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("relaydesk: the models and the migrations disagree: New upgrade operations detected: "
                           "[('remove_column', None, 'teams', Column('extra'"), line


# --- db upgrade where the SQLite folder cannot be made (m5) --------------------------------------

def test_db_upgrade_whose_sqlite_folder_cannot_be_created_says_so_in_one_line(tmp_path) -> None:
    url = "sqlite+aiosqlite:////proc/relaydesk-nope/x.db"  # nothing can create a folder in /proc
    result = run_cli("db", "upgrade", env={"RELAYDESK_DATABASE_URL": url}, cwd=tmp_path)
    assert_one_line(result, 1, f"relaydesk: cannot connect to the database at {url}: cannot create its folder "
                               "/proc/relaydesk-nope: No such file or directory")


# --- telegram poll with a rejected token (M3) ----------------------------------------------------

def test_telegram_poll_with_a_rejected_token_says_so_in_one_line(settings, telegram, tmp_path) -> None:
    env = {"RELAYDESK_DATABASE_URL": settings.database_url, "RELAYDESK_SECRET_KEY": "cli-test",
           "RELAYDESK_TELEGRAM_TOKEN": "999:wrong", "RELAYDESK_TELEGRAM_API_URL": telegram.url,
           "RELAYDESK_LOG_LEVEL": "ERROR"}
    result = run_cli("telegram", "poll", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Exception Group" not in result.stderr, result.stderr
    # The lines before it are the model loader's progress bar, which is not the CLI's own output.
    assert result.stderr.strip().splitlines()[-1] == (
        "relaydesk: the Bot API rejected RELAYDESK_TELEGRAM_TOKEN: Unauthorized"), result.stderr


# --- integers beyond the database's columns (m4) and ports (m6) ----------------------------------

@pytest.mark.parametrize(("args", "name"), [
    pytest.param(("tokens", "revoke", "99999999999999999999"), "'TOKEN_ID'", id="token-id-huge"),
    pytest.param(("tokens", "revoke", str(INT32_MAX + 1)), "'TOKEN_ID'", id="token-id-int32"),
    pytest.param(("teams", "set", "x", "--first-response-sla", "99999999999999999999"), "'--first-response-sla'",
                 id="first-sla-huge"),
    pytest.param(("teams", "set", "x", "--next-response-sla", str(INT32_MAX + 1)), "'--next-response-sla'",
                 id="next-sla-int32"),
    pytest.param(("serve", "--port", "99999"), "'--port'", id="port-above-65535"),
    pytest.param(("serve", "--port", "0"), "'--port'", id="port-zero"),
])
def test_an_integer_out_of_range_is_refused_naming_it(settings, tmp_path, args, name) -> None:
    result = run_cli(*args, env={"RELAYDESK_DATABASE_URL": settings.database_url}, cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr
    assert f"Error: Invalid value for {name}: " in result.stderr and "is not in the range" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_largest_stored_sla_is_accepted(settings, tmp_path) -> None:
    result = run_cli("teams", "set", "night", "--first-response-sla", str(INT32_MAX),
                     env={"RELAYDESK_DATABASE_URL": settings.database_url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f'"first_response_sla_s": {INT32_MAX}' in result.stdout


# --- webhooks set: what was set and what failed (m14) --------------------------------------------

def webhook_env(telegram_url: str, viber: ViberDouble, viber_token: str, token: str) -> dict[str, str]:
    return {"RELAYDESK_PUBLIC_URL": PUBLIC_URL, "RELAYDESK_TELEGRAM_TOKEN": token,
            "RELAYDESK_TELEGRAM_API_URL": telegram_url, "RELAYDESK_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "RELAYDESK_VIBER_TOKEN": viber_token, "RELAYDESK_VIBER_API_URL": viber.api_url,
            "RELAYDESK_VIBER_BOT_NAME": "Shop"}


def test_webhooks_set_reports_telegram_set_when_viber_refuses(telegram, viber, tmp_path) -> None:
    env = webhook_env(telegram.url, viber, "wrongtoken", telegram.token)
    result = run_cli("webhooks", "set", env=env, cwd=tmp_path)
    assert result.stdout.strip().splitlines() == [
        f"telegram: webhook set to {PUBLIC_URL}/webhooks/telegram "
        "(updates: message, edited_message, callback_query, my_chat_member)"]
    assert_one_line(result, 1, f"relaydesk: Viber refused the webhook {PUBLIC_URL}/webhooks/viber: "
                               "status 2 invalidAuthToken")
    assert telegram.calls_of("setWebhook")


def test_webhooks_set_tells_an_unreachable_bot_api_from_a_refusal(viber, tmp_path) -> None:
    env = webhook_env("http://127.0.0.1:1", viber, viber.token, "123:abc")
    result = run_cli("webhooks", "set", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.strip().splitlines() == [
        f"viber: webhook set to {PUBLIC_URL}/webhooks/viber "
        "(events: delivered, seen, failed, subscribed, unsubscribed, conversation_started)"]
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("relaydesk: could not reach the Telegram Bot API at http://127.0.0.1:1: "), line
    assert "refused the webhook" not in line


def test_webhooks_set_reports_a_telegram_refusal_as_one(telegram, viber, tmp_path) -> None:
    viber.script("set_webhook", viber_status(1))
    env = webhook_env(telegram.url, viber, viber.token, "999:wrong")
    result = run_cli("webhooks", "set", env=env, cwd=tmp_path)
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"relaydesk: Telegram refused the webhook {PUBLIC_URL}/webhooks/telegram: Unauthorized",
        f"relaydesk: Viber refused the webhook {PUBLIC_URL}/webhooks/viber: status 1 invalidUrl"]
    assert result.returncode == 1


# --- tokens revoke twice (m15) -------------------------------------------------------------------

def test_revoking_a_revoked_token_says_it_is_already_revoked(settings, tmp_path) -> None:
    env = {"RELAYDESK_DATABASE_URL": settings.database_url}
    user = run_cli("users", "create", "--email", "ops@shop.ua", "--password", "password-123", "--role", "admin",
                   env=env, cwd=tmp_path)
    assert user.returncode == 0, user.stderr
    created = run_cli("tokens", "create", "--email", "ops@shop.ua", "--name", "backup", env=env, cwd=tmp_path)
    token_id = created.stdout.split()[1]
    assert run_cli("tokens", "revoke", token_id, env=env, cwd=tmp_path).stdout == f"token {token_id} revoked\n"
    again = run_cli("tokens", "revoke", token_id, env=env, cwd=tmp_path)
    assert_one_line(again, 1, f"relaydesk: API token {token_id} is already revoked")
    unknown = run_cli("tokens", "revoke", str(int(token_id) + 1), env=env, cwd=tmp_path)
    assert_one_line(unknown, 1, f"relaydesk: no API token {int(token_id) + 1}")
