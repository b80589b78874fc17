"""The cohort of an analytics query and one row of facts per conversation in it.

The facts come from one grouped pass over the cohort's messages and one over its events, joined to
the conversations: far cheaper on both backends than a correlated lookup per conversation.
"""

from __future__ import annotations

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from core.models import Conversation, ConversationEvent, Message
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


def conversation_facts(query: AnalyticsQuery):
    """A subquery ``facts``: per cohort conversation its start, first hand-off, the bot's last answer, the
    shopper's last message, SLA breaches, rating and assignee.

    The rating is ``csat_score``, else the score of the conversation's latest ``csat_rated`` event.
    """
    ids = cohort(query)
    e = ConversationEvent
    by_messages = (
        select(Message.conversation_id.label("conversation_id"),
               func.max(case((Message.author == "bot", Message.created_at))).label("last_bot_at"),
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
               by_messages.c.last_customer_at, func.coalesce(by_events.c.sla_breaches, 0).label("sla_breaches"),
               func.coalesce(c.csat_score, rating.data["score"].as_integer()).label("csat"))
        .select_from(c)
        .outerjoin(by_messages, by_messages.c.conversation_id == c.id)
        .outerjoin(by_events, by_events.c.conversation_id == c.id)
        .outerjoin(rating, rating.id == by_events.c.rating_event_id)
        .where(c.id.in_(ids))
        .subquery("facts")
    )
