"""Hand the conversation to a person: on the NLU's decision, the "Talk to a person" button, topics, VIP rules.

Runs after the knowledge-base answer step, which leaves its decision in ``ctx.decision`` and the
message's topics (the matched article's tags) in ``ctx.topics``. A topic hand-off comes after the bot's
answer, which stays in the replies: the shopper reads it at once while waiting for the person.
"""

from __future__ import annotations

from bots.inbound import Button, FlowContext
from bots.steps.callbacks import callback_data, decision_field
from bots.steps.language import shopper_language
from bots.steps.outcomes import apply_outcome
from bots.steps.topics import recent_answer_topics
from core.models import Customer
from handoff import flows, routing, texts
from handoff.config import HandoffConfig, default_handoff_config
from handoff.state import CUSTOMER, Actor, Outcome
from nlu.types import NO_FAILURE_REASONS

HANDOFF_BUTTON = "handoff:request"
# The hand-off reason when the bot itself failed on a message (see ``handoff_after_failure``).
BOT_FAILURE = "bot_failure"
UNSURE_ACTIONS = ("clarify", "fallback")


def handoff_reason(ctx: FlowContext, customer: Customer, config: HandoffConfig) -> str | None:
    """Why this message should go to a person, or None when the bot keeps it."""
    if callback_data(ctx.inbound) == HANDOFF_BUTTON:
        return "explicit_request"
    decision = ctx.decision
    if decision is None:
        return None
    action = decision_field(decision, "action")
    if action == "handoff":
        return decision_field(decision, "reason") or "explicit_request"
    if any(topic in config.handoff_topics for topic in ctx.topics):
        return "topic"
    complex_topic = any(topic in config.complex_topics for topic in ctx.topics)
    # A VIP's chatter or bare "ні" gets the reply anyone gets: it is no question the bot failed, and
    # paging the VIP team for "яка погода?" wastes a person on nothing (small talk never gets here).
    unsure = action in UNSURE_ACTIONS and decision_field(decision, "reason") not in NO_FAILURE_REASONS
    if routing.is_vip(customer, ctx.settings) and (complex_topic or unsure):
        return "vip"
    return None


async def handoff(ctx: FlowContext) -> None:
    """Queue the conversation for an agent and tell the shopper their place in line."""
    if ctx.conversation.status not in ("bot", "resolved"):
        return
    config = handoff_config(ctx)
    reason = handoff_reason(ctx, ctx.customer, config)
    if reason is None:
        _offer_a_person(ctx, shopper_language(ctx))
        return
    if reason == "vip":
        _pass_on_instead_of_fallback(ctx, shopper_language(ctx))
    await _queue(ctx, reason, config)


async def handoff_after_failure(ctx: FlowContext) -> None:
    """The rescue step: the bot failed on this message, so a person takes the conversation over.

    A conversation a person already has stays with them: they see the message in its timeline.
    """
    if ctx.conversation.status in ("bot", "resolved"):
        await _queue(ctx, BOT_FAILURE, handoff_config(ctx))
    ctx.done = True


def handoff_config(ctx: FlowContext) -> HandoffConfig:
    """The hand-off settings the app loaded (the defaults when it loaded none)."""
    return ctx.services.get("handoff_config") or default_handoff_config()


async def _queue(ctx: FlowContext, reason: str, config: HandoffConfig) -> None:
    conversation, language = ctx.conversation, shopper_language(ctx)
    outcome = Outcome()
    actor = CUSTOMER if reason in ("explicit_request", "frustration") else Actor("bot")
    topics = ctx.topics or await recent_answer_topics(ctx.session, conversation.id)
    await flows.request_handoff(ctx.session, conversation, ctx.customer, reason=reason,
                                topics=topics, actor=actor, config=config,
                                settings=ctx.settings,
                                language=language, outcome=outcome)
    apply_outcome(ctx, outcome)
    ctx.done = True


def _pass_on_instead_of_fallback(ctx: FlowContext, language: str) -> None:
    """A VIP the bot found no answer for goes to a person with this very message, so the fallback's
    "write «оператор»" would ask for what is already happening: it says the question is passed on.

    The reply is reworded rather than dropped: it keeps the stored decision that analytics counts
    among the unanswered questions.
    """
    for reply in ctx.replies:
        if reply.author == "bot" and decision_field(reply.meta.get("decision"), "action") == "fallback":
            reply.text = texts.text("passing_on", language)


def _offer_a_person(ctx: FlowContext, language: str) -> None:
    """When the bot was unsure, put a "Talk to a person" button under its last reply."""
    if decision_field(ctx.decision, "action") not in UNSURE_ACTIONS:
        return
    replies = [reply for reply in ctx.replies if reply.author == "bot" and reply.keyboard in (None, "inline")]
    if replies:
        replies[-1].buttons.append([Button(texts.text("talk_to_person", language), HANDOFF_BUTTON)])
        replies[-1].keyboard = "inline"
