"""Relaydesk settings, read from the environment (prefix ``RELAYDESK_``) or a ``.env`` file.

Settings are built explicitly (``Settings()`` or :func:`load_settings`) and passed down; nothing
reads the environment at import time.
"""

from __future__ import annotations

import logging
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from phonenumbers import SUPPORTED_REGIONS
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.customers.rfm import SEGMENTS
from core.errors import ConfigurationError

logger = logging.getLogger(__name__)

SUPPORTED_LANGUAGES = ("uk", "ru", "en")


def pick_language(*candidates: str | None, default: str = "uk") -> str:
    """The first supported language among ``candidates`` (e.g. conversation, customer), else ``default``.

    Codes may carry a region ("en-US", "uk_UA"): only their first two letters count.
    """
    for candidate in candidates:
        code = (candidate or "")[:2].lower()
        if code in SUPPORTED_LANGUAGES:
            return code
    return default
ROLES = ("admin", "supervisor", "agent", "editor", "integration")
ASYNC_DRIVERS = {"sqlite+aiosqlite", "postgresql+asyncpg"}
# A bot token as @BotFather gives it: the bot's numeric id, a colon, the secret part.
TELEGRAM_TOKEN_PATTERN = re.compile(r"^\d+:\S+$")
# Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - as a webhook secret token.
TELEGRAM_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


# Legal threats, the police, fraud claims and injuries: a person answers those, whatever the bot could say.
# Each form a stemmer reads differently is listed ("sue" / "suing", "sued"); inflections otherwise match.
DEFAULT_SENSITIVE_TOPICS = (
    "суд", "подати до суду", "адвокат", "юрист", "позов", "поліція", "прокуратура", "захист прав споживачів",
    "шахрайство", "шахрай", "обманути", "подать в суд", "иск", "полиция", "защита прав потребителей",
    "мошенничество", "мошенник", "обмануть",
    "lawyer", "attorney", "take you to court", "sue", "suing", "sued", "lawsuit", "police", "chargeback",
    "fraud", "scam", "scammer", "cheated", "consumer protection",
    # Calling the shop a fraud in other words (QA: "вы шарлатаны" got the plain fallback).
    "шарлатан", "аферист", "con artist", "swindler",
    # Injuries and product safety: a person must see these at once, not after the bot fails twice.
    "травма", "травмуватися", "опік", "обпектися", "поріз", "порізатися", "порізав палець", "порізав руку",
    "поранитися", "поранив", "отруєння", "отруїтися", "алергічна реакція", "вдарило струмом", "подавитися",
    "травмироваться", "ожог", "обжечься", "порез", "порезаться", "порезал палец", "порезал руку", "пораниться",
    "поранил", "отравление", "отравиться", "аллергическая реакция", "ударило током", "подавиться",
    "injury", "injuries", "injured", "got hurt", "hurt myself", "hurt himself", "hurt herself", "cut myself",
    "cut himself", "cut herself", "cut themselves", "got cut", "got burned", "burned myself", "burned my hand",
    "burn injury", "poisoning", "poisoned", "allergic reaction", "electric shock", "choked", "choking",
)


class Settings(BaseSettings):
    """Every setting of one Relaydesk process, grouped by concern."""

    model_config = SettingsConfigDict(
        env_prefix="RELAYDESK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- storage -------------------------------------------------------------------------
    database_url: str = Field(
        "sqlite+aiosqlite:///./relaydesk.db",
        description="SQLAlchemy async URL; PostgreSQL via postgresql+asyncpg://user@host/db.",
    )
    database_pool_size: int = Field(10, ge=1, le=200, description="Connections per process (PostgreSQL).")

    # --- coordination between processes --------------------------------------------------
    redis_url: str | None = Field(
        None, description="redis://host:port/db; unset means in-process bus, locks and dedup."
    )
    redis_prefix: str = Field(
        "relaydesk", description="Prefix of every Redis key and channel, so installations can share one Redis."
    )

    # --- security ------------------------------------------------------------------------
    secret_key: str | None = Field(
        None, description="Signs sessions and tokens; generated and stored in the database when unset."
    )
    session_ttl_hours: int = Field(24 * 7, ge=1, description="How long a console login stays valid.")
    secure_cookies: bool = Field(False, description="Mark the session cookie Secure (serve behind HTTPS).")
    max_request_bytes: int = Field(1_048_576, ge=1024, description="Largest accepted request body (bytes).")
    webchat_max_frame_bytes: int = Field(
        32_768, ge=1024, description="Largest frame a web chat visitor may send over /chat/ws (bytes)."
    )
    shopper_burst: int = Field(
        10, ge=1, description="Messages a shopper may send in a quick burst before the bot stops answering."
    )
    shopper_rate_per_minute: float = Field(
        20, gt=0, description="Sustained messages per minute a shopper may send once the burst is spent."
    )

    # --- public endpoints ----------------------------------------------------------------
    public_url: str | None = Field(None, description="Base URL that Telegram and Viber call (https://…).")

    # --- Telegram ------------------------------------------------------------------------
    telegram_token: str | None = Field(None, description="Bot token from @BotFather; unset = Telegram off.")
    telegram_webhook_secret: str | None = Field(
        None, description="Value Telegram sends in X-Telegram-Bot-Api-Secret-Token."
    )
    telegram_api_url: str = Field("https://api.telegram.org", description="Bot API server base URL.")

    # --- Viber ---------------------------------------------------------------------------
    viber_token: str | None = Field(None, description="Viber auth token (also the callback HMAC key).")
    viber_bot_name: str | None = Field(None, description="Sender name shown in Viber.")
    viber_bot_avatar: str | None = Field(None, description="Sender avatar URL shown in Viber.")
    viber_api_url: str = Field("https://chatapi.viber.com/pa", description="Viber REST API base URL.")

    # --- web chat ------------------------------------------------------------------------
    webchat_bot_name: str | None = Field(
        None, max_length=64,
        description="Name shown above the bot's messages in the web chat; unset = \"Bot\" in the chat's language.",
    )

    # --- delivery (the outbox) -----------------------------------------------------------
    outbox_lock_seconds: float = Field(
        60, ge=1, description="How long a claimed outbox message is reserved; a crashed sender's are retried after."
    )
    outbox_give_up_minutes: float = Field(
        360, gt=0, description="A message not delivered within this time is given up on (dead letter)."
    )

    # --- NLU -----------------------------------------------------------------------------
    embedding_model: str | None = Field(
        None, description="Local path or sentence-transformers model name; unset = bundled all-MiniLM-L6-v2."
    )
    default_language: Literal["uk", "ru", "en"] = Field(
        "uk", description="Language of answers when the shopper's is unknown."
    )
    kb_sync_interval_s: float = Field(
        5.0, gt=0, description="How often each process checks that its index has every knowledge-base change."
    )

    # --- customers, orders and notifications ---------------------------------------------
    phone_region: str = Field(
        "UA", min_length=2, max_length=2, description="Region assumed for phone numbers written without +country."
    )
    shop_currency: str = Field(
        "UAH", pattern=r"^[A-Za-z]{3}$",
        description="The shop's currency (ISO 4217 code): lifetime value, the VIP threshold and RFM monetary scores "
                    "count orders in it only.",
    )
    vip_tags: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["vip"], description="Comma-separated customer tags that make a customer VIP."
    )
    vip_lifetime_value: Decimal | None = Field(
        None, ge=0, description="Lifetime value (non-cancelled orders in SHOP_CURRENCY) from which a customer is VIP; "
                    "unset = off."
    )
    vip_segments: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated RFM segments (e.g. champions,loyal) whose customers are VIP."
    )
    sensitive_topics: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_SENSITIVE_TOPICS),
        description="Comma-separated words or phrases (any of uk, ru, en; inflected forms match too) that always "
                    "send the conversation to a person, e.g. legal threats; empty = none.",
    )
    telegram_bot_username: str | None = Field(
        None, description="The bot's @username (without @), for the t.me deep links put in shop e-mails."
    )
    viber_bot_uri: str | None = Field(None, description="The Viber bot's URI, for viber://pa?chatURI= links.")
    link_token_ttl_days: int = Field(90, ge=1, description="How long a messenger link in a shop e-mail stays valid.")
    notification_rate_telegram: float = Field(
        25.0, gt=0, description="Notifications per second at most on Telegram (its broadcast limit is ~30/s)."
    )
    notification_rate_viber: float = Field(10.0, gt=0, description="Notifications per second at most on Viber.")
    figures_refresh_interval_s: float = Field(
        3600, ge=0,
        description="Seconds between full refreshes of every customer's RFM segment and VIP flag in the server "
                    "(pushes refresh only their customer); 0 = off.",
    )

    # --- runtime -------------------------------------------------------------------------
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    log_json: bool = Field(False, description="Write logs as one JSON object per line.")
    run_workers: bool = Field(
        True, description="Run the outbox delivery and SLA workers inside the web process."
    )

    @field_validator("vip_tags", "vip_segments", "sensitive_topics", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("phone_region")
    @classmethod
    def _check_phone_region(cls, value: str) -> str:
        region = value.upper()
        if region not in SUPPORTED_REGIONS:
            raise ValueError(f"unknown region {value!r}; use a two-letter country code such as UA or PL")
        return region

    @field_validator("shop_currency")
    @classmethod
    def _upper_currency(cls, value: str) -> str:
        return value.upper()  # as orders store theirs (core.customers.records.OrderRecord)

    @field_validator("vip_segments")
    @classmethod
    def _check_vip_segments(cls, value: list[str]) -> list[str]:
        unknown = [segment for segment in value if segment.lower() not in SEGMENTS]
        if unknown:
            raise ValueError(f"unknown RFM segment {', '.join(unknown)}; use {', '.join(SEGMENTS)}")
        return value

    @field_validator("embedding_model")
    @classmethod
    def _check_embedding_model(cls, value: str | None) -> str | None:
        # A local path can be checked here; a model name only when it is loaded, since nothing may
        # reach the model hub and a name is not a file.
        if value and value.startswith(("/", "./", "../", "~")) and not Path(value).expanduser().is_dir():
            raise ValueError(f"no model directory at {value}")
        return value or None

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL: {value!r}") from exc
        if url.drivername not in ASYNC_DRIVERS:
            raise ValueError(
                f"driver {url.drivername!r} is not supported; use sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"not a Redis URL (redis://host:port/db): {value!r}")
        return value

    @field_validator("public_url", "telegram_api_url", "viber_api_url")
    @classmethod
    def _check_http_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value.rstrip("/")

    @field_validator("telegram_token")
    @classmethod
    def _check_telegram_token(cls, value: str | None) -> str | None:
        if value and not TELEGRAM_TOKEN_PATTERN.match(value):
            raise ValueError("not a bot token: expected <bot id>:<secret> as @BotFather gives it")
        return value or None

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _check_telegram_secret(cls, value: str | None) -> str | None:
        if value and not TELEGRAM_SECRET_PATTERN.match(value):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value or None

    @model_validator(mode="after")
    def _check_channels(self) -> Settings:
        if self.telegram_token and not self.telegram_webhook_secret and self.public_url:
            raise ValueError(
                "RELAYDESK_TELEGRAM_WEBHOOK_SECRET: required when Telegram webhooks are served at PUBLIC_URL"
            )
        if self.telegram_webhook_secret and not self.telegram_token:
            raise ValueError("RELAYDESK_TELEGRAM_TOKEN: required when TELEGRAM_WEBHOOK_SECRET is set")
        if self.viber_token and not self.viber_bot_name:
            raise ValueError("RELAYDESK_VIBER_BOT_NAME: required when VIBER_TOKEN is set")
        return self

    @property
    def telegram_enabled(self) -> bool:
        """Whether the Telegram channel is configured."""
        return bool(self.telegram_token)

    @property
    def viber_enabled(self) -> bool:
        """Whether the Viber channel is configured."""
        return bool(self.viber_token)

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")


AnySettings = TypeVar("AnySettings", bound=BaseSettings)


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning validation errors into one clear line per bad variable.

    Args:
        **overrides: values that take precedence over the environment (used by tests and the CLI).

    Raises:
        ConfigurationError: naming the ``RELAYDESK_*`` variable at fault.
    """
    return build_settings(Settings, **overrides)


def build_settings(settings_class: type[AnySettings], **overrides: object) -> AnySettings:
    """Build any ``RELAYDESK_*`` settings class (a package's own, such as the hand-off's) like :func:`load_settings`.

    Raises:
        ConfigurationError: one line naming every ``RELAYDESK_*`` variable at fault.
    """
    try:
        settings = settings_class(**overrides)
    except ValidationError as exc:
        raise ConfigurationError(_describe(exc)) from None
    _warn_unprefixed(settings)
    return settings


def _warn_unprefixed(settings: BaseSettings) -> None:
    """Log a warning for each setting given in the environment under its bare name (``EMBEDDING_MODEL``).

    The README's tables list names without the prefix, and a bare name silently left the default in
    place (found evaluating another encoder). Every field is checked, even names other software sets
    too (``DATABASE_URL`` and ``REDIS_URL`` on PaaS hosts, ``SECRET_KEY``, ``LOG_LEVEL``): there the
    default Relaydesk falls back to (e.g. a SQLite file on a throwaway disk) is the costliest miss.
    The message only states the fact, and setting the ``RELAYDESK_`` name silences it. Only the process
    environment is looked at (bare names in a ``.env`` file are not), and a field set any other way (its
    ``RELAYDESK_`` variable, the ``.env`` file, an override) is not warned about.
    """
    prefix = settings.model_config.get("env_prefix", "")
    for field in type(settings).model_fields:
        bare = field.upper()
        if bare in os.environ and field not in settings.model_fields_set:
            logger.warning("%s is set in the environment but ignored by Relaydesk, which reads %s%s",
                           bare, prefix, bare)


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["loc"]:
            variable = "RELAYDESK_" + str(error["loc"][0]).upper()
            lines.append(f"{variable}: {message}")
        else:
            lines.append(message)
    return "; ".join(lines)
