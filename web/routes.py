"""Every route handler and controller of the app, joined in one place."""

from web.api import articles, auth, kb, system
from web.kb import editor

ROUTE_HANDLERS: list = [
    system.health,
    system.ready,
    auth.login,
    auth.logout,
    auth.me,
    articles.ArticleController,
    kb.KnowledgeBaseController,
    editor.editor_page,
    editor.editor_assets,
]
