"""Every route handler and controller of the app, joined in one place."""

from web.api import articles, auth, kb, system

ROUTE_HANDLERS: list = [
    system.health,
    system.ready,
    auth.login,
    auth.logout,
    auth.me,
    articles.ArticleController,
    kb.KnowledgeBaseController,
]
