"""Relaydesk web package."""
