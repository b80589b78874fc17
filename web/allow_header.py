"""``OPTIONS`` answers list every method of the path (a workaround for litestar 2's stale default handler).

litestar 2 gives each route a default ``OPTIONS`` handler whose ``Allow`` header reads the methods of
the route object it was made for. Registering a second handler on the same path (two functions, or
two methods of one controller, which litestar registers one by one) builds a new route but keeps the
first route's ``OPTIONS`` handler, so ``OPTIONS /api/articles`` said ``Allow: OPTIONS, POST`` without
GET (litestar issue #4169, fixed only in litestar 3). QA found it with schemathesis (ST205).
"""

from __future__ import annotations

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

# The qualified name of litestar's default OPTIONS handler; an app's own OPTIONS handlers are left alone.
_DEFAULT_OPTIONS = f"{HTTPRoute.create_options_handler.__qualname__}.<locals>.options_handler"


def _is_default_options(handler: HTTPRouteHandler) -> bool:
    return getattr(handler.fn, "__qualname__", "") == _DEFAULT_OPTIONS


def refresh_options_handlers(app: Litestar) -> None:
    """Give every route a default ``OPTIONS`` handler made for that route, so ``Allow`` lists all its methods.

    Call it once the app is built (every handler registered); it rebuilds the routing trie, which
    holds the handler of each method.
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "OPTIONS" not in route.route_handler_map:
            continue
        stale, _ = route.route_handler_map["OPTIONS"]
        if not _is_default_options(stale):
            continue
        fresh = route.create_options_handler(route.path)
        fresh.owner = stale.owner
        fresh.on_registration(app)
        route.route_handlers = [fresh if handler is stale else handler for handler in route.route_handlers]
        route.route_handler_map["OPTIONS"] = (fresh, fresh.create_kwargs_model(path_parameters=route.path_parameters))
    app.asgi_router.construct_routing_trie()
