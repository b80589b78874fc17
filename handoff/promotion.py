"""A shopper who turns out to be a VIP while waiting in the queue moves to the VIP line.

VIP routing happens at the hand-off, from the customer record as it is then. A shopper who writes
from a new Telegram or Viber account is nobody in particular until they share their phone or open
the shop's link; when that joins them to a VIP account, their conversation is already queued among
everyone else's. It then moves as a hand-off of a VIP would have gone: to the VIP team (when the shop
has one) with the VIP priority, recorded as a ``transferred`` event with reason ``vip``. A conversation
an agent already holds stays with that agent.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.database import utcnow
from core.models import Conversation, Customer
from core.settings import Settings
from handoff import routing, sla
from handoff.config import HandoffConfig
from handoff.flows import conversation_updated, dispatch, tell_place_in_line
from handoff.state import SYSTEM, Outcome, transition

VIP = "vip"  # the reason recorded on the move


async def promote_if_vip(session: AsyncSession, conversation: Conversation, customer: Customer, *,
                         settings: Settings, config: HandoffConfig, language: str, outcome: Outcome) -> bool:
    """Move a queued ``conversation`` of a (now) VIP ``customer`` to the VIP line; whether it moved.

    The shopper hears their new place in line, or who joined when a VIP agent takes it at once.
    """
    if conversation.status != "queued" or not routing.is_vip(customer, settings):
        return False
    team = await routing.choose_team(session, topics=[conversation.topic] if conversation.topic else [], vip=True)
    team_name = team.name if team is not None else conversation.team
    priority = max(conversation.priority, routing.base_priority(True, config))
    if (team_name, priority) == (conversation.team, conversation.priority):
        return False
    changes = {"team": team_name, "priority": priority}
    if team_name != conversation.team:
        changes.update(sla.restarted_timers(conversation, team, utcnow()))
    await transition(session, conversation, "transferred", actor=SYSTEM, reason=VIP,
                     data={"from_team": conversation.team, "to_team": team_name, "from_agent": None,
                           "to_agent": None, "priority": priority}, changes=changes)
    conversation_updated(outcome, conversation, "transferred")
    await dispatch(session, team, current=conversation, language=language, outcome=outcome)
    if conversation.status != "assigned":
        await tell_place_in_line(session, conversation, team, now=utcnow(), config=config, language=language,
                                 outcome=outcome)
    return True
