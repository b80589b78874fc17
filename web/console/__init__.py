"""The agent console at ``/console``: one server-rendered page and its vanilla script (no build step)."""
