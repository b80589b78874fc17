"""Hand-off settings: which topics always go to a person, priorities, timings.

Who counts as VIP is the customers' rule (``VIP_TAGS``, ``VIP_LIFETIME_VALUE``, ``VIP_SEGMENTS`` in
:mod:`core.settings`), so routing and the customer card agree with the stored ``Customer.vip``.

Read from the environment (prefix ``RELAYDESK_``) when the app starts; tests build them directly.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class HandoffConfig(BaseSettings):
    """Routing and SLA knobs of the hand-off to live agents."""

    model_config = SettingsConfigDict(env_prefix="RELAYDESK_", env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore")

    # A message's topics are the tags of the knowledge-base article it matched (bots/steps/topics.py),
    # so these lists name article tags.
    handoff_topics: list[str] = Field(
        [], description="Article tags that always go to a person (after the bot's answer), whatever the customer."
    )
    complex_topics: list[str] = Field(
        ["returns", "warranty", "payment"],
        description="Article tags on which VIP customers also get a person from the VIP team.",
    )
    vip_priority: int = Field(100, description="Queue priority of VIP conversations (others start at 0).")
    breach_priority_boost: int = Field(10, description="Priority added when an SLA timer runs out.")
    wait_per_conversation_s: int = Field(
        240, ge=1, description="Rough handling time per queued conversation, for the shopper's wait estimate."
    )
    sla_check_interval_s: float = Field(5.0, gt=0, description="How often the SLA worker looks for breaches.")
    canned_responses_file: Path | None = Field(
        None, description="JSON list of {key, title, texts: {uk, ru, en}} replacing the built-in canned responses."
    )
    ws_max_message_bytes: int = Field(4096, ge=64, description="Largest message a console may send over /api/ws.")


def load_handoff_config(**overrides: object) -> HandoffConfig:
    """The hand-off settings from the environment, with ``overrides`` taking precedence."""
    return HandoffConfig(**overrides)


@lru_cache(maxsize=1)
def default_handoff_config() -> HandoffConfig:
    """The environment's hand-off settings, read once (for flows built without the app's config)."""
    return HandoffConfig()
