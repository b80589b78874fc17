"""What a staff merge changed on the conversation it kept, and giving that back when the merge is undone.

A merge joins the customer's held conversations into one (:mod:`handoff.joining`), which takes the
highest priority of those closed into it, and, the survivor being a VIP, may move it to the VIP line
(:mod:`handoff.promotion`). Both borrow from the other person: once an unmerge splits the two again,
the person left with the kept conversation would wait with the other's priority, in the VIP line,
ahead of shoppers who waited longer. So the merge records the kept conversation's team and priority
before and after, and the unmerge puts the ones from before back, unless people have changed them
since (a re-route, a breach that raised the priority): what they did stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.database import utcnow
from core.models import Conversation
from core.settings import pick_language
from handoff import agents, routing, sla
from handoff.config import HandoffConfig
from handoff.flows import conversation_updated, dispatch, send_notices, tell_place_in_line
from handoff.state import HUMAN_STATUSES, SYSTEM, Outcome, transition

KEPT = "kept_conversation"  # the key of the merge audit record's details holding the change
UNMERGED = "unmerged"  # the reason recorded on the move back


def _state(conversation: Conversation) -> dict[str, object]:
    return {"team": conversation.team, "priority": conversation.priority}


async def held_state(session: AsyncSession, customer_id: int) -> dict[int, dict[str, object]]:
    """Team and priority of the customer's conversations people hold, by id (taken before a merge joins them)."""
    held = (await session.scalars(select(Conversation).where(
        Conversation.customer_id == customer_id, Conversation.status.in_(HUMAN_STATUSES)))).all()
    return {conversation.id: _state(conversation) for conversation in held}


def merge_change(before: dict[int, dict[str, object]], kept: Conversation) -> dict | None:
    """``{"conversation_id", "before", "after"}`` when the merge changed the kept conversation, else None.

    Args:
        before: :func:`held_state` taken before the join.
        kept: the conversation the join kept, after the join and any promotion.
    """
    if kept.id not in before or before[kept.id] == _state(kept):
        return None
    return {"conversation_id": kept.id, "before": before[kept.id], "after": _state(kept)}


@dataclass
class Restored:
    """What an unmerge did with the kept conversation: put back (as now) or left, with why."""

    # {"conversation_id", "team", "priority"}: the values it has again.
    restored: list[dict[str, object]] = field(default_factory=list)
    # {"conversation_id", "reason"}: "finished" when people no longer hold it, "changed_since_merge"
    # when its team or priority is no longer what the merge left.
    not_restored: list[dict[str, object]] = field(default_factory=list)


async def restore_after_unmerge(session: AsyncSession, change: dict | None, *, config: HandoffConfig,
                                outcome: Outcome) -> Restored:
    """Give the kept conversation of an undone merge the team and priority it had before the merge.

    ``change`` is the merge record's :data:`KEPT` entry (None when the merge changed nothing or was
    recorded before this was). Only its priority goes back while an agent holds it: the agent keeps it,
    in their team, as a promotion would have left it. Moved back to its old team's queue, its running
    timers restart under that team, and the shopper hears their new place in line. The change is a
    ``transferred`` event with reason ``unmerged``.
    """
    restored = Restored()
    if not change:
        return restored
    conversation = await session.get(Conversation, change["conversation_id"])
    if conversation is None or conversation.status not in HUMAN_STATUSES:
        restored.not_restored.append({"conversation_id": change["conversation_id"], "reason": "finished"})
        return restored
    if _state(conversation) != change["after"]:
        restored.not_restored.append({"conversation_id": conversation.id, "reason": "changed_since_merge"})
        return restored
    before = change["before"]
    team = await agents.find_team(session, name=before["team"]) if before["team"] else None
    # A team deleted since cannot take it back; nor does a conversation an agent holds leave their team.
    moves = conversation.status == "queued" and before["team"] != conversation.team \
        and (team is not None or before["team"] is None)
    team_name = before["team"] if moves else conversation.team
    changes: dict[str, object] = {"team": team_name, "priority": before["priority"]}
    if moves:
        await routing.enter_queues(session)
        changes.update(sla.restarted_timers(conversation, team, utcnow()))
    await transition(session, conversation, "transferred", actor=SYSTEM, reason=UNMERGED,
                     data={"from_team": conversation.team, "to_team": team_name, "from_agent": None,
                           "to_agent": None, "priority": before["priority"],
                           "from_priority": conversation.priority}, changes=changes)
    conversation_updated(outcome, conversation, "transferred")
    if moves:
        own, language = Outcome(), pick_language(conversation.language)
        await dispatch(session, team, current=conversation, language=language, outcome=own)
        if conversation.status != "assigned":
            await tell_place_in_line(session, conversation, team, now=utcnow(), config=config, language=language,
                                     outcome=own)
        await send_notices(session, conversation, own)
        outcome.events.extend(own.events)
    restored.restored.append({"conversation_id": conversation.id, **_state(conversation)})
    return restored
