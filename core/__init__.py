"""Relaydesk core package."""
