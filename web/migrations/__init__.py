"""Alembic migrations of every Relaydesk table (the web package composes all models)."""
