"""Reading button presses the same way on every channel."""

from __future__ import annotations

from typing import Any

from bots.inbound import InboundMessage

# Viber "reply" buttons come back as an ordinary text message whose text is the button's data.
CALLBACK_PREFIXES = ("csat:", "handoff:")


def callback_data(inbound: InboundMessage) -> str | None:
    """The data of the pressed button, or None when the shopper did not press one of ours."""
    data = inbound.payload.get("data") or inbound.payload.get("callback_data")
    if inbound.kind == "callback" and isinstance(data, str):
        return data
    text = inbound.text.strip()
    return text if text.startswith(CALLBACK_PREFIXES) else None


def decision_field(decision: Any, name: str) -> Any:
    """``name`` of the NLU decision, whether it is an object or a mapping (None when absent)."""
    if decision is None:
        return None
    if isinstance(decision, dict):
        return decision.get(name)
    return getattr(decision, name, None)
