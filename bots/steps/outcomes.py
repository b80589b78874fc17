"""Turning a hand-off :class:`~handoff.state.Outcome` into the flow's replies and after-commit events."""

from __future__ import annotations

from bots.inbound import Button, FlowContext
from handoff.state import Outcome


def apply_outcome(ctx: FlowContext, outcome: Outcome) -> None:
    """Queue the outcome's notices as replies (in order with the other steps') and its events."""
    for notice in outcome.notices:
        buttons = [[Button(label, data) for label, data in row] for row in notice.buttons]
        ctx.reply(notice.text, buttons=buttons, keyboard="inline" if buttons else None, author=notice.author)
    for topic, event in outcome.events:
        ctx.publish_after_commit(topic, event)
