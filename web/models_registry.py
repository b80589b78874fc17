"""Imports every package's tables so that Alembic and the test fixtures see the whole schema."""


def register_all_models() -> None:
    """Import the model modules of every package (registration happens on import)."""
    import core.customers.models  # noqa: F401
    import core.models  # noqa: F401
    import knowledge_base.models  # noqa: F401
    import web.analytics.models  # noqa: F401
