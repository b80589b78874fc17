"""`relaydesk webhooks set` and `relaydesk telegram poll`, run as a user runs them."""

import os
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bots.webhook_setup import WebhookSetupError, check_configuration, set_viber_webhook
from core.settings import Settings
from tests.support import telegram_payloads as tp
from tests.support.channels import WEBHOOK_SECRET
from tests.support.cli import REPO_ROOT
from tests.support.viber_double import viber_status


def run_in_process(*args: str, env: dict[str, str]):
    """Run the command line in this process (fast) with only ``env``'s RELAYDESK_* variables."""
    cleared = {key: None for key in os.environ if key.startswith("RELAYDESK_")}
    from web.cli import main

    return CliRunner().invoke(main, list(args), env={**cleared, **env}, catch_exceptions=False)


def channel_env(settings, telegram=None, viber=None, **extra) -> dict[str, str]:
    env = {"RELAYDESK_DATABASE_URL": settings.database_url, "RELAYDESK_SECRET_KEY": "cli-test"}
    if settings.redis_url:
        env.update(RELAYDESK_REDIS_URL=settings.redis_url, RELAYDESK_REDIS_PREFIX=settings.redis_prefix)
    if telegram:
        env.update(RELAYDESK_TELEGRAM_TOKEN=telegram.token, RELAYDESK_TELEGRAM_API_URL=telegram.url,
                   RELAYDESK_TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET)
    if viber:
        env.update(RELAYDESK_VIBER_TOKEN=viber.token, RELAYDESK_VIBER_API_URL=viber.api_url,
                   RELAYDESK_VIBER_BOT_NAME="Shop")
    env.update(extra)
    return env


def test_webhooks_set_registers_both_channels(settings, telegram, viber):
    result = run_in_process("webhooks", "set", env=channel_env(settings, telegram, viber,
                                                               RELAYDESK_PUBLIC_URL="https://shop.example.com/"))
    assert result.exit_code == 0, result.output
    assert "telegram: webhook set to https://shop.example.com/webhooks/telegram" in result.output
    assert "viber: webhook set to https://shop.example.com/webhooks/viber" in result.output
    (call,) = telegram.calls_of("setWebhook")
    assert call.params["url"] == "https://shop.example.com/webhooks/telegram"
    assert call.params["secret_token"] == WEBHOOK_SECRET
    assert call.params["allowed_updates"] == ["message", "edited_message", "callback_query", "my_chat_member"]
    (viber_call,) = viber.calls_of("set_webhook")
    assert viber_call.params["url"] == "https://shop.example.com/webhooks/viber"
    assert set(viber_call.params["event_types"]) == {"delivered", "seen", "failed", "subscribed", "unsubscribed",
                                                     "conversation_started"}


def test_webhooks_set_without_public_url_says_what_to_set(settings, telegram):
    result = run_in_process("webhooks", "set", env=channel_env(settings, telegram))
    assert result.exit_code == 1
    assert "RELAYDESK_PUBLIC_URL is not set" in result.output


def test_webhooks_set_without_any_channel_names_the_tokens():
    with pytest.raises(WebhookSetupError, match="RELAYDESK_TELEGRAM_TOKEN.*RELAYDESK_VIBER_TOKEN"):
        check_configuration(Settings(_env_file=None, public_url="https://shop.example.com"))


async def test_webhooks_set_reports_a_refusal(viber):
    viber.script("set_webhook", viber_status(1))
    settings = Settings(_env_file=None, public_url="https://shop.example.com", viber_token=viber.token,
                        viber_api_url=viber.api_url, viber_bot_name="Shop")
    with pytest.raises(WebhookSetupError, match="Viber refused the webhook .*status 1 invalidUrl"):
        await set_viber_webhook(settings)


def test_telegram_poll_without_a_token_says_so(settings):
    result = run_in_process("telegram", "poll", env=channel_env(settings))
    assert result.exit_code == 2
    assert "RELAYDESK_TELEGRAM_TOKEN is not set" in result.output


@pytest.mark.slow
def test_telegram_poll_answers_a_shopper_and_stops_on_sigterm(settings, telegram, tmp_path):
    telegram.push_update(tp.text_update("Hello, is anyone there?"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAYDESK_")}
    env.update(channel_env(settings, telegram, RELAYDESK_LOG_LEVEL="WARNING"), PYTHONPATH=str(REPO_ROOT))
    log_path = tmp_path / "poll.log"  # a file, not a pipe nobody reads while the poller runs
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-c", "from web.cli import main; main()", "telegram", "poll"],
                                   env=env, cwd=REPO_ROOT, stdout=log, stderr=log)
    try:
        telegram.wait_for(lambda: telegram.delivered, timeout=180)  # the poller loads the NLU model first
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    assert process.returncode == 0, log_path.read_text()[-2000:]
    assert telegram.delivered[0]["chat_id"] == str(tp.USER_ID)
    assert telegram.calls_of("deleteWebhook")
