"""Every route handler and controller of the app, joined in one place."""

from web.api import agents, auth, conversations, live, system
from web.console import pages as console_pages

ROUTE_HANDLERS: list = [
    system.health,
    system.ready,
    auth.login,
    auth.logout,
    auth.me,
    *conversations.HANDLERS,
    *agents.HANDLERS,
    live.live_updates,
    *console_pages.HANDLERS,
]
