"""Per-agent workload and ratings, and the questions the bot could not answer."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import ConversationEvent, Message, StaffUser
from web.analytics.facts import assignee_ratings, cohort, decision_field, found_no_answer
from web.analytics.period import AnalyticsQuery
from web.analytics.sql import percentile

TOP_TOPICS = 10
# Besides fallbacks that found no answer: NLU decision reasons (a hand-off) that mean "no answer found".
UNANSWERED_REASONS = ("low_confidence", "no_articles")


async def agent_workload(session: AsyncSession, query: AnalyticsQuery, timings: list[dict]) -> list[dict[str, Any]]:
    """Per staff member: conversations replied to, replies, resolutions, first-response p50 and ratings.

    Ratings belong to the conversation's assignee at the time of the query.

    Args:
        query: which conversations count.
        timings: :func:`web.analytics.queries.handoff_timings` rows (first responses per agent).
    """
    agents: dict[int, dict[str, Any]] = {}
    ids = cohort(query)

    def entry(user_id: int) -> dict[str, Any]:
        return agents.setdefault(user_id, {"agent_id": user_id, "conversations": 0, "replies": 0, "resolved": 0,
                                           "first_response_p50_s": None, "csat_avg": None, "csat_count": 0})

    replies = await session.execute(
        select(Message.author_id, func.count(distinct(Message.conversation_id)), func.count())
        .where(Message.author == "agent", Message.author_id.is_not(None), Message.conversation_id.in_(ids))
        .group_by(Message.author_id))
    for user_id, conversations, count in replies:
        entry(user_id).update(conversations=conversations, replies=count)
    resolved = await session.execute(
        select(ConversationEvent.actor_id, func.count())
        .where(ConversationEvent.kind == "resolved", ConversationEvent.actor_type == "staff",
               ConversationEvent.actor_id.is_not(None), ConversationEvent.conversation_id.in_(ids))
        .group_by(ConversationEvent.actor_id))
    for user_id, count in resolved:
        entry(user_id)["resolved"] = count
    for user_id, count, total in await session.execute(assignee_ratings(query)):
        entry(user_id).update(csat_count=count, csat_avg=round(total / count, 2))
    by_agent: dict[int, list[float]] = {}
    for timing in timings:
        if timing["first_agent_id"] is not None and timing["first_response_s"] is not None:
            by_agent.setdefault(timing["first_agent_id"], []).append(timing["first_response_s"])
    for user_id, values in by_agent.items():
        entry(user_id)["first_response_p50_s"] = percentile(sorted(values), 50)
    if agents:
        users = await session.execute(select(StaffUser.id, StaffUser.name, StaffUser.email)
                                      .where(StaffUser.id.in_(agents)))
        for user_id, name, email in users:
            agents[user_id].update(name=name or email, email=email)
    return sorted(agents.values(), key=lambda a: (-a["conversations"], -a["resolved"], a["agent_id"]))


async def unanswered_topics(session: AsyncSession, query: AnalyticsQuery) -> list[dict[str, Any]]:
    """The shopper questions the bot found no answer for, most frequent first (top 10).

    A question is the customer message just before a bot message whose stored NLU decision is a
    fallback that found no answer or a low-confidence abstention (chatter and a bare "ні" are no
    question); questions that differ only in case and spacing are one, and messages without a letter or
    digit are none.
    """
    unanswered = (select(Message.conversation_id, Message.id)
                  .where(Message.author == "bot", Message.conversation_id.in_(cohort(query)),
                         or_(found_no_answer(Message),
                             decision_field(Message, "reason").in_(UNANSWERED_REASONS)))
                  .subquery("unanswered"))
    question = (select(Message.text)
                .where(Message.conversation_id == unanswered.c.conversation_id, Message.direction == "in",
                       Message.id < unanswered.c.id)
                .order_by(Message.id.desc()).limit(1).scalar_subquery())
    questions = select(question.label("question")).select_from(unanswered).subquery("questions")
    grouped = select(questions.c.question, func.count()).group_by(questions.c.question)
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for text, count in await session.execute(grouped):
        spelling = " ".join((text or "").split())
        if not any(character.isalnum() for character in spelling):
            continue  # nothing to read ("🙂🙂🙂"): no question an article could answer
        counts[spelling.casefold()] += count
        spellings.setdefault(spelling.casefold(), Counter())[spelling] += count
    topics = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_TOPICS]
    # Show the most used spelling of each question (ties: the first in sort order, for stable output).
    return [{"text": min(spellings[key].items(), key=lambda s: (-s[1], s[0]))[0], "count": count}
            for key, count in topics]
