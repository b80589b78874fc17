"""Relaydesk knowledge_base package."""
