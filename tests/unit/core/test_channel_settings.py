"""Channel settings fail at start with a line naming the variable, not later inside a client."""

import pytest

from core.errors import ConfigurationError
from core.settings import load_settings


@pytest.mark.parametrize("token", ["abc", "123456", "123456:", "12 34:abc", "bot123456:ABC"])
def test_malformed_telegram_token_is_named(token):
    with pytest.raises(ConfigurationError, match="RELAYDESK_TELEGRAM_TOKEN: not a bot token"):
        load_settings(_env_file=None, telegram_token=token)


def test_bot_father_token_is_accepted():
    settings = load_settings(_env_file=None, telegram_token="123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11")
    assert settings.telegram_enabled


def test_delivery_settings_have_bounds():
    with pytest.raises(ConfigurationError, match="RELAYDESK_OUTBOX_LOCK_SECONDS"):
        load_settings(_env_file=None, outbox_lock_seconds=0)
    with pytest.raises(ConfigurationError, match="RELAYDESK_OUTBOX_GIVE_UP_MINUTES"):
        load_settings(_env_file=None, outbox_give_up_minutes=0)
