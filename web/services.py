"""The long-lived objects of one running app, built in the lifespan and shared by handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.bus import EventBus
from core.settings import Settings


@dataclass
class AppServices:
    """What handlers reach through ``request.app.state.services``.

    ``extras`` holds the services that other packages add at start (the NLU engine, the
    knowledge-base index, channel adapters), keyed by name, so this module does not import them.
    """

    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    bus: EventBus
    secret_key: str
    extras: dict[str, Any] = field(default_factory=dict)
