"""Regression: the hand-off settings and the customers' settings both read RELAYDESK_VIP_*.

The hand-off config once declared its own VIP fields parsed as JSON lists, so the documented
comma-separated ``RELAYDESK_VIP_TAGS=vip,gold`` stopped the app at start. There is one VIP rule now.
"""

from decimal import Decimal

import pytest

from core.models import Customer
from core.settings import load_settings
from handoff.config import load_handoff_config
from handoff.routing import is_vip


def test_comma_separated_vip_variables_start_the_app_with_one_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAYDESK_VIP_TAGS", "vip,gold")
    monkeypatch.setenv("RELAYDESK_VIP_SEGMENTS", "champions,loyal")
    settings = load_settings(_env_file=None)
    load_handoff_config(_env_file=None)  # raised SettingsError before the fix
    assert settings.vip_tags == ["vip", "gold"]
    assert is_vip(Customer(tags=["Gold"], lifetime_value=Decimal("0"), vip=False), settings)
    assert is_vip(Customer(tags=[], rfm_segment="loyal", lifetime_value=Decimal("0"), vip=False), settings)
    assert not is_vip(Customer(tags=["regular"], lifetime_value=Decimal("0"), vip=False), settings)
