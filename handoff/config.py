"""Hand-off settings: which topics always go to a person, priorities, timings.

Who counts as VIP is the customers' rule (``VIP_TAGS``, ``VIP_LIFETIME_VALUE``, ``VIP_SEGMENTS`` in
:mod:`core.settings`), so routing and the customer card agree with the stored ``Customer.vip``.

Read from the environment (prefix ``RELAYDESK_``) when the app starts; tests build them directly.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.errors import ConfigurationError
from core.settings import build_settings
from handoff.canned import load_canned


class HandoffConfig(BaseSettings):
    """Routing and SLA knobs of the hand-off to live agents."""

    model_config = SettingsConfigDict(env_prefix="RELAYDESK_", env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore")

    # A message's topics are the tags of the knowledge-base article it matched (bots/steps/topics.py),
    # so these lists name article tags.
    # NoDecode: the JSON is parsed by _parse_topics, so a bad value is a validation error naming the
    # variable rather than the settings source's own exception.
    handoff_topics: Annotated[list[str], NoDecode] = Field(
        [], description="Article tags that always go to a person (after the bot's answer), whatever the customer."
    )
    complex_topics: Annotated[list[str], NoDecode] = Field(
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

    @field_validator("handoff_topics", "complex_topics", mode="before")
    @classmethod
    def _parse_topics(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError(f'not a JSON list of article tags, e.g. ["returns", "payment"]: {value!r}') from None
        return value

    @field_validator("canned_responses_file")
    @classmethod
    def _check_canned_responses(cls, value: Path | None) -> Path | None:
        # Read at start, so a missing or malformed file stops the process instead of the agents' panel.
        try:
            load_canned(value)
        except ConfigurationError as exc:
            raise ValueError(f"cannot read {value}: {exc.__cause__}") from None
        return value


def load_handoff_config(**overrides: object) -> HandoffConfig:
    """The hand-off settings from the environment, with ``overrides`` taking precedence.

    Raises:
        ConfigurationError: one line naming every ``RELAYDESK_*`` variable at fault.
    """
    return build_settings(HandoffConfig, **overrides)


@lru_cache(maxsize=1)
def default_handoff_config() -> HandoffConfig:
    """The environment's hand-off settings, read once (for flows built without the app's config)."""
    return load_handoff_config()
