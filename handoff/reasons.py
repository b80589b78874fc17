"""Why a conversation went to a person: the codes stored on hand-offs, and how staff read them."""

from __future__ import annotations

# Codes come from the NLU decision (explicit_request, frustration, sensitive_topic, no_articles,
# low_confidence), the hand-off step (topic, vip) and the flow's rescue (bot_failure). The web console
# shows the same words (web/console/static/console.js, REASON_LABELS).
REASON_LABELS = {
    "explicit_request": "asked for a person",
    "frustration": "frustrated shopper",
    "sensitive_topic": "sensitive topic",
    "low_confidence": "bot not confident",
    "no_articles": "bot had no answer",
    "topic": "topic for people",
    "vip": "VIP customer",
    "bot_failure": "the bot failed on a message",
}


def reason_label(code: str) -> str:
    """The staff-facing words for a hand-off reason code (the code itself when it is not known)."""
    return REASON_LABELS.get(code, code)
