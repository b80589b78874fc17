"""Relaydesk bots package."""
