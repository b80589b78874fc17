"""Every route handler and controller of the app, joined in one place."""

from web.analytics import api as analytics_api
from web.analytics import page as analytics_page
from web.api import agents, articles, audit, auth, conversations, customers, kb, live, notifications, system, tokens
from web.console import pages as console_pages
from web.favicon import favicon
from web.kb import editor

ROUTE_HANDLERS: list = [
    system.health,
    system.ready,
    favicon,
    auth.login,
    auth.logout,
    auth.me,
    articles.ArticleController,
    kb.KnowledgeBaseController,
    editor.editor_page,
    editor.editor_assets,
    *conversations.HANDLERS,
    *agents.HANDLERS,
    live.live_updates,
    *console_pages.HANDLERS,
    customers.get_customer, customers.put_customer, customers.put_order, customers.get_link,
    customers.merge_customer, customers.unmerge_customer, customers.export, customers.erase,
    notifications.create_notification, notifications.get_notification,
    analytics_api.analytics_summary,
    analytics_api.analytics_export,
    *analytics_page.ROUTES,
    tokens.create_token,
    tokens.tokens,
    tokens.delete_token,
    audit.audit_log,
]
