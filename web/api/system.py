"""Liveness and readiness probes."""

from __future__ import annotations

from litestar import Response, get
from sqlalchemy import text

from web.deps import Services


@get("/health", exclude_from_auth=True, tags=["system"], sync_to_thread=False)
def health() -> dict:
    """The process is alive."""
    return {"status": "ok"}


@get("/ready", exclude_from_auth=True, tags=["system"])
async def ready(services: Services) -> Response:
    """The database and (when configured) Redis answer; 503 names what is down."""
    checks: dict[str, str] = {}
    try:
        async with services.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"down: {type(exc).__name__}: {exc}"[:300]
    if services.settings.redis_url:
        try:
            await services.bus.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"down: {type(exc).__name__}: {exc}"[:300]
    down = sorted(name for name, state in checks.items() if state != "ok")
    body = {"status": "ready" if not down else "unavailable", "checks": checks, "down": down}
    return Response(body, status_code=503 if down else 200)
