"""Every route handler and controller of the app, joined in one place."""

from web.analytics import api as analytics_api
from web.analytics import page as analytics_page
from web.api import audit, auth, system, tokens

ROUTE_HANDLERS: list = [
    system.health,
    system.ready,
    auth.login,
    auth.logout,
    auth.me,
    analytics_api.analytics_summary,
    analytics_api.analytics_export,
    *analytics_page.ROUTES,
    tokens.create_token,
    tokens.tokens,
    tokens.delete_token,
    audit.audit_log,
]
