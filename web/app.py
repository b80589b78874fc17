"""The litestar application factory: ``create_app(settings)`` composes every package.

This module (with ``web/cli.py``) is the composition root: the only web module that imports
``bots``, so channel webhooks and background workers are attached here.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial

from litestar import Litestar
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from bots.flow import Step
from bots.routes import CHANNEL_ROUTE_HANDLERS
from bots.runtime import channels_component
from core.bus import create_bus
from core.database import create_engine, create_session_factory
from core.instance import get_or_create_secret_key
from core.settings import Settings
from web.allow_header import refresh_options_handlers
from web.auth import TokenAuthenticationMiddleware
from web.components import COMPONENTS
from web.deps import provide_db_session, provide_services
from web.errors import EXCEPTION_HANDLERS
from web.openapi import document_error_responses
from web.requests import TextSafeRequest, refuse_nul_in_url
from web.routes import ROUTE_HANDLERS
from web.security_headers import security_headers
from web.services import AppServices

logger = logging.getLogger(__name__)


def create_app(settings: Settings, *, flow_steps: Sequence[Step] | None = None) -> Litestar:
    """Build the web app for ``settings``; nothing connects until the app starts.

    Args:
        settings: the process's settings.
        flow_steps: the inbound flow's steps; ``bots.steps.default_steps()`` when omitted.
    """
    # The channels component goes last whatever the other packages append to COMPONENTS: it builds the
    # inbound flow over the services they put in ``extras`` and starts delivering.
    app_components = [*COMPONENTS, partial(channels_component, steps=flow_steps)]

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = create_engine(settings)
        session_factory = create_session_factory(engine)
        bus = create_bus(settings)
        await bus.start()
        secret_key = settings.secret_key or await get_or_create_secret_key(session_factory)
        services = AppServices(settings, engine, session_factory, bus, secret_key)
        app.state.services = services
        logger.info("relaydesk started (database %s, bus %s)", engine.url.get_backend_name(),
                    type(bus).__name__)
        try:
            # Components stop in reverse order of start, so in-flight work finishes writing first.
            async with AsyncExitStack() as stack:
                for component in app_components:
                    await stack.enter_async_context(component(services))
                yield
        finally:
            await bus.stop()
            await engine.dispose()
            logger.info("relaydesk stopped")

    app = Litestar(
        route_handlers=[*ROUTE_HANDLERS, *CHANNEL_ROUTE_HANDLERS],
        lifespan=[lifespan],
        dependencies={"db_session": Provide(provide_db_session), "services": Provide(provide_services,
                                                                                        sync_to_thread=False)},
        middleware=[DefineMiddleware(TokenAuthenticationMiddleware, exclude=[r"^/schema"])],
        exception_handlers=EXCEPTION_HANDLERS,  # includes logging every unhandled exception (web.errors)
        # Requests with U+0000, which PostgreSQL cannot store, get a 400 (web.requests).
        request_class=TextSafeRequest,
        before_request=refuse_nul_in_url,
        # Logging belongs to the process (core.logs.configure_logging: LOG_LEVEL, LOG_JSON). litestar's
        # default LoggingConfig would replace the root logger's handler with its own on every create_app.
        logging_config=None,
        before_send=[security_headers],
        request_max_body_size=settings.max_request_bytes,
        openapi_config=OpenAPIConfig(
            title="Relaydesk API",
            version="0.1.0",
            path="/schema",
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer"),
                    "cookie": SecurityScheme(type="apiKey", name="relaydesk_session", security_scheme_in="cookie"),
                }
            ),
            security=[{"bearer": []}, {"cookie": []}],
        ),
        debug=False,
    )
    refresh_options_handlers(app)
    document_error_responses(app)
    return app
