"""Whether a message needs a person, for the steps that answer without the NLU decision.

The order and small-talk steps run before the knowledge-base step. A message they would take that
also asks for a person, shows anger or touches a configured sensitive topic goes on instead, so the
NLU decides on it and the hand-off step queues it (the agent sees the order number in the history).
These are the NLU's own signals (:mod:`nlu.signals`), read the same way its decision reads them.
Swearing alone does not count: the NLU answers a swearing shopper when it has a confident answer,
and an order's status is one.
"""

from __future__ import annotations

from bots.inbound import FlowContext
from bots.steps.language import text_language
from nlu.signals import asks_for_person, is_frustrated
from nlu.text import normalize


def needs_a_person(ctx: FlowContext) -> bool:
    """Tell whether the shopper's text asks for a person, is angry, or touches a sensitive topic."""
    raw = ctx.inbound.text
    normalized = normalize(raw)
    if asks_for_person(normalized) or is_frustrated(raw, normalized):
        return True
    # The sensitive topics are the engine's configuration; without an index there are none to match.
    engine = getattr(ctx.services.get("kb_index"), "engine", None)
    if engine is None:
        return False
    return engine.touches_sensitive_topic(raw, text_language(ctx))
