"""Every route handler and controller of the app, joined in one place."""

from web.analytics import api as analytics_api
from web.api import auth, system

ROUTE_HANDLERS: list = [
    system.health,
    system.ready,
    auth.login,
    auth.logout,
    auth.me,
    analytics_api.analytics_summary,
    analytics_api.analytics_export,
]
