"""Relaydesk nlu package."""
