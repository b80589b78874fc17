"""Customers and their orders: import, upserts, derived figures, identity linking, notifications, privacy.

A subpackage of ``core`` because every other package reads customers; it imports only ``core``.
"""
