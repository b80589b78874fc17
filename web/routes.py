"""Every route handler and controller of the app, joined in one place."""

from web.api import auth, system

ROUTE_HANDLERS: list = [
    system.health,
    system.ready,
    auth.login,
    auth.logout,
    auth.me,
]
