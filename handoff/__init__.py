"""Relaydesk handoff package."""
