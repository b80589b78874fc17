"""The cohort of an analytics query and one row of facts per conversation in it.

The facts come from one grouped pass over the cohort's messages and one over its events, joined to
the conversations: far cheaper on both backends than a correlated lookup per conversation.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from core.models import Conversation, ConversationEvent, Message
from handoff.joining import JOINED
from nlu.types import NO_FAILURE_REASONS
from web.analytics.period import AnalyticsQuery


def cohort(query: AnalyticsQuery) -> Select:
    """``SELECT id`` of the conversations the query is about: started in the period, matching the filters."""
    statement = select(Conversation.id).where(Conversation.created_at >= query.start,
                                              Conversation.created_at < query.end)
    for column, value in ((Conversation.channel, query.channel), (Conversation.language, query.language),
                          (Conversation.team, query.team)):
        if value is not None:
            statement = statement.where(column == value)
    return statement


def decision_field(message, name: str):
    """SQL: ``name`` of the NLU decision stored on a bot reply (bots/steps/answer.py), NULL when it has none."""
    return message.payload["decision"][name].as_string()


def found_no_answer(message):
    """SQL: the bot reply is a fallback that is a failure of the bot's, not one of
    :data:`~nlu.types.NO_FAILURE_REASONS` (nothing to read, chatter, a bare "ні": no question was asked).

    The stored reason, not a new action, tells them apart, so replies stored before this rule count the
    same way without a data migration.
    """
    reason = func.coalesce(decision_field(message, "reason"), literal(""))
    return and_(decision_field(message, "action") == "fallback", reason.not_in(NO_FAILURE_REASONS))


def _left_unhelped(message):
    """SQL: the shopper was not helped by this bot reply: unpicked "Did you mean" buttons, also those after a
    bare "not that" (the shopper turned the answer down), or a fallback that found no answer."""
    return or_(decision_field(message, "action") == "clarify", found_no_answer(message))


def conversation_facts(query: AnalyticsQuery):
    """A subquery ``facts``: per cohort conversation its start, first hand-off, the bot's last answer and
    last unsure reply, the shopper's last message, SLA breaches, rating and assignee.

    The rating is ``csat_score``, else the score of the conversation's latest ``csat_rated`` event.
    """
    ids = cohort(query)
    e = ConversationEvent
    by_messages = (
        select(Message.conversation_id.label("conversation_id"),
               func.max(case((Message.author == "bot", Message.created_at))).label("last_bot_at"),
               # The bot's replies that left the shopper unhelped: "no answer" and "Did you mean …?" buttons.
               # Chatter's or a bare "ні"'s reply is none: a conversation that ends with one after an
               # answer is settled like one that ends with "ок". Those conversations stay in the cohort,
               # the rates' denominator: they happened and cost no person's time, like a greeting alone.
               func.max(case((and_(Message.author == "bot", _left_unhelped(Message)),
                              Message.created_at))).label("last_unsure_at"),
               func.max(case((Message.direction == "in", Message.created_at))).label("last_customer_at"))
        .where(Message.conversation_id.in_(ids)).group_by(Message.conversation_id).subquery("by_messages"))
    by_events = (
        select(e.conversation_id.label("conversation_id"),
               func.min(case((e.kind == "handoff", e.created_at))).label("handoff_at"),
               func.sum(case((e.kind == "sla_breach", 1), else_=0)).label("sla_breaches"),
               func.max(case((e.kind == "csat_rated", e.id))).label("rating_event_id"))
        .where(e.conversation_id.in_(ids)).group_by(e.conversation_id).subquery("by_events"))
    rating = aliased(ConversationEvent, name="rating")
    c = Conversation
    return (
        select(c.id, c.created_at, c.assignee_id, by_events.c.handoff_at, by_messages.c.last_bot_at,
               by_messages.c.last_unsure_at,
               by_messages.c.last_customer_at, func.coalesce(by_events.c.sla_breaches, 0).label("sla_breaches"),
               _rating(c, rating).label("csat"))
        .select_from(c)
        .outerjoin(by_messages, by_messages.c.conversation_id == c.id)
        .outerjoin(by_events, by_events.c.conversation_id == c.id)
        .outerjoin(rating, rating.id == by_events.c.rating_event_id)
        .where(c.id.in_(ids))
        .subquery("facts")
    )


def _rating(conversation, rating_event):
    """A conversation's rating: ``csat_score``, else the score of the given ``csat_rated`` event."""
    return func.coalesce(conversation.csat_score, rating_event.data["score"].as_integer())


def first_handoffs(query: AnalyticsQuery):
    """A subquery ``handed``: the cohort conversations handed off, with the time of the first hand-off."""
    e = ConversationEvent
    return (select(e.conversation_id.label("conversation_id"), func.min(e.created_at).label("handoff_at"))
            .where(e.kind == "handoff", e.conversation_id.in_(cohort(query)))
            .group_by(e.conversation_id).subquery("handed"))


def assignee_ratings(query: AnalyticsQuery) -> Select:
    """``(assignee_id, ratings, sum of scores)`` over the rated cohort conversations that have an assignee."""
    e, c = ConversationEvent, Conversation
    ids = cohort(query)
    latest = (select(e.conversation_id.label("conversation_id"), func.max(e.id).label("rating_event_id"))
              .where(e.kind == "csat_rated", e.conversation_id.in_(ids)).group_by(e.conversation_id)
              .subquery("latest_rating"))
    rating = aliased(ConversationEvent, name="rating")
    score = _rating(c, rating)
    return (select(c.assignee_id, func.count(score), func.sum(score)).select_from(c)
            .outerjoin(latest, latest.c.conversation_id == c.id)
            .outerjoin(rating, rating.id == latest.c.rating_event_id)
            .where(c.id.in_(ids), c.assignee_id.is_not(None), score.is_not(None)).group_by(c.assignee_id))


def handoff_intervals(query: AnalyticsQuery) -> Select:
    """Per handed-off cohort conversation: ``handoff_at``, ``asked_at`` (the last customer message at or
    before the first hand-off), ``replied_at`` (the first agent message after it), ``replied_by`` and
    ``resolved_at`` (the first ``resolved`` event after it). Grouped joins, no per-row lookups."""
    handed = first_handoffs(query)
    m, e = Message, ConversationEvent
    around = (
        select(handed.c.conversation_id, handed.c.handoff_at,
               func.max(case((and_(m.direction == "in", m.created_at <= handed.c.handoff_at), m.created_at)))
               .label("asked_at"),
               func.min(case((and_(m.author == "agent", m.created_at >= handed.c.handoff_at), m.created_at)))
               .label("replied_at"))
        .select_from(handed).outerjoin(m, m.conversation_id == handed.c.conversation_id)
        .group_by(handed.c.conversation_id, handed.c.handoff_at).subquery("around"))
    resolved = (
        select(e.conversation_id.label("conversation_id"), func.min(e.created_at).label("resolved_at"))
        .select_from(handed).join(e, and_(e.conversation_id == handed.c.conversation_id, e.kind == "resolved",
                                          e.created_at >= handed.c.handoff_at,
                                          # closed into the shopper's other conversation: nobody resolved it
                                          or_(e.reason.is_(None), e.reason != JOINED)))
        .group_by(e.conversation_id).subquery("resolved"))
    first_reply = aliased(Message, name="first_reply")
    return (
        select(around.c.conversation_id, around.c.handoff_at,
               func.coalesce(around.c.asked_at, around.c.handoff_at).label("asked_at"), around.c.replied_at,
               func.min(first_reply.author_id).label("replied_by"), resolved.c.resolved_at)
        .select_from(around)
        .outerjoin(first_reply, and_(first_reply.conversation_id == around.c.conversation_id,
                                     first_reply.author == "agent", first_reply.created_at == around.c.replied_at))
        .outerjoin(resolved, resolved.c.conversation_id == around.c.conversation_id)
        .group_by(around.c.conversation_id, around.c.handoff_at, around.c.asked_at, around.c.replied_at,
                  resolved.c.resolved_at))
