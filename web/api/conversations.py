"""Conversations for agents: lists, the cross-channel timeline, and every hand-off action."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import PermissionDenied
from core.language import conversation_language
from core.models import Conversation, StaffUser
from handoff import agents, cards, flows
from handoff import services as crud
from handoff.state import Actor, Outcome
from web import conversation_search
from web.api.pressed import with_pressed_labels
from web.api.publishing import after_commit, handoff_config
from web.auth import AGENTS, Principal, requires
from web.deps import DbSession, Services
from web.services import AppServices

GUARD = [requires(*AGENTS)]
TAGS = ["conversations"]
BASE = "/api/conversations/{conversation_id:int}"
ConversationId = FromPath[int]


class AssignRequest(BaseModel):
    """Whom to assign to; yourself when omitted."""

    agent_id: int | None = None


class TextRequest(BaseModel):
    """A reply or a note.

    No length cap here: the request body is capped by ``MAX_REQUEST_BYTES``, and the hand-off checks
    each kind against its own limit with a message that names it (a cap here answered a long paste
    with a bare "Validation failed").
    """

    text: str


class TransferRequest(BaseModel):
    """The team (by name) or the agent to transfer to: exactly one."""

    team: str | None = Field(None, max_length=64)
    agent_id: int | None = None


def _actor(request: Request) -> Actor:
    principal: Principal = request.user
    return Actor("staff", principal.user_id, principal.name, principal.role)


async def _language(session: AsyncSession, conversation: Conversation, app: AppServices) -> str:
    return await conversation_language(session, conversation, default=app.settings.default_language)


async def _finish(session: AsyncSession, conversation: Conversation, app: AppServices, outcome: Outcome,
                  body: dict | None = None, status_code: int = 200) -> Response:
    """Queue the shopper notices, answer with the conversation, publish once committed."""
    await flows.send_notices(session, conversation, outcome)
    return Response(body if body is not None else crud.summarize(conversation), status_code=status_code,
                    background=after_commit(app, outcome))


@get("/api/conversations", guards=GUARD, tags=TAGS)
async def list_conversations(request: Request, db_session: DbSession, status: FromQuery[str | None] = None,
                             mine: FromQuery[bool] = False, q: FromQuery[str | None] = None) -> list[dict]:
    """Conversations by ``status`` (bot, queued, assigned, resolved); ``mine=true`` keeps yours only;
    ``q`` (2–100 characters) keeps those whose customer's name or phone, or one of whose messages, holds it."""
    assignee = request.user.user_id if mine else None
    if q is None:
        found = await crud.get_all(db_session, status=status, assignee_id=assignee)
    else:
        found = await conversation_search.find(db_session, q, status=status, assignee_id=assignee)
    names = await crud.customer_names(db_session, found)
    return [{**crud.summarize(conversation), "customer_name": names.get(conversation.customer_id)}
            for conversation in found]


@get(BASE, guards=GUARD, tags=TAGS)
async def conversation_detail(conversation_id: ConversationId, db_session: DbSession, services: Services) -> dict:
    """The conversation with its customer card, recorded transitions (hand-off reasons) and notes."""
    conversation = await crud.get(db_session, conversation_id=conversation_id)
    assignee = await db_session.get(StaffUser, conversation.assignee_id) if conversation.assignee_id else None
    return {
        **crud.summarize(conversation),
        "assignee_name": agents.display_name(assignee) if assignee else None,
        "customer": await cards.customer_card(db_session, customer_id=conversation.customer_id,
                                              settings=services.settings),
        "events": [crud.event_view(e) for e in await crud.get_events(
            db_session, customer_id=conversation.customer_id)],
        "notes": await crud.note_views(db_session, await crud.get_notes(db_session,
                                                                        conversation_id=conversation.id)),
    }


@get(f"{BASE}/messages", guards=GUARD, tags=TAGS)
async def conversation_messages(conversation_id: ConversationId, db_session: DbSession) -> list[dict]:
    """The customer's whole timeline across channels and conversations, oldest first; button presses
    carry ``pressed_label`` (what the shopper pressed, e.g. "▸ Delivery cost" for ``kb:delivery-cost``)."""
    conversation = await crud.get(db_session, conversation_id=conversation_id)
    return await with_pressed_labels(db_session, [crud.message_view(m) for m in await crud.get_timeline(
        db_session, customer_id=conversation.customer_id)])


@post(f"{BASE}/assign", guards=GUARD, tags=TAGS, status_code=200, errors=(409,))
async def assign(conversation_id: ConversationId, request: Request, db_session: DbSession, services: Services,
                 data: JSONBody[AssignRequest | None] = None) -> Response:
    """Take a queued conversation (or, for supervisors, give it to ``agent_id``); 409 when already taken."""
    actor = _actor(request)
    agent_id = data.agent_id if data and data.agent_id is not None else actor.id
    if agent_id != actor.id and not actor.is_supervisor:
        raise PermissionDenied("only supervisors and admins may assign conversations to someone else")
    conversation = await crud.get(db_session, conversation_id=conversation_id)
    agent = await agents.get(db_session, agent_id=agent_id)
    outcome = Outcome()
    await flows.assign(db_session, conversation, agent, actor=actor, outcome=outcome,
                       language=await _language(db_session, conversation, services))
    return await _finish(db_session, conversation, services, outcome)


@post(f"{BASE}/messages", guards=GUARD, tags=TAGS, status_code=201, errors=(409,))
async def reply(conversation_id: ConversationId, request: Request, data: JSONBody[TextRequest], db_session: DbSession,
                services: Services) -> Response:
    """Send the agent's reply on the channel the customer last wrote from (409 unless it is yours)."""
    conversation = await crud.get(db_session, conversation_id=conversation_id)
    agent = await agents.get(db_session, agent_id=request.user.user_id)
    outcome = Outcome()
    message = await flows.agent_reply(db_session, conversation, agent=agent, text=data.text, outcome=outcome)
    return await _finish(db_session, conversation, services, outcome, body=crud.message_view(message),
                         status_code=201)


@post(f"{BASE}/notes", guards=GUARD, tags=TAGS, status_code=201)
async def add_note(conversation_id: ConversationId, request: Request, data: JSONBody[TextRequest],
                   db_session: DbSession) -> dict:
    """Leave a private note (never sent to the shopper)."""
    conversation = await crud.get(db_session, conversation_id=conversation_id)
    note = await crud.create_note(db_session, conversation=conversation, author_id=request.user.user_id,
                                      text=data.text)
    return (await crud.note_views(db_session, [note]))[0]


@get(f"{BASE}/notes", guards=GUARD, tags=TAGS)
async def list_notes(conversation_id: ConversationId, db_session: DbSession) -> list[dict]:
    """The conversation's private notes, oldest first."""
    await crud.get(db_session, conversation_id=conversation_id)
    return await crud.note_views(db_session, await crud.get_notes(db_session, conversation_id=conversation_id))


@post(f"{BASE}/transfer", guards=GUARD, tags=TAGS, status_code=200, errors=(409,))
async def transfer(conversation_id: ConversationId, request: Request, data: JSONBody[TransferRequest],
                   db_session: DbSession, services: Services) -> Response:
    """Move the conversation to another team's queue or to another agent."""
    conversation = await crud.get(db_session, conversation_id=conversation_id)
    agent = await agents.get(db_session, agent_id=data.agent_id) if data.agent_id is not None else None
    outcome = Outcome()
    await flows.transfer(db_session, conversation, actor=_actor(request), team_name=data.team, agent=agent,
                         language=await _language(db_session, conversation, services), outcome=outcome,
                         config=handoff_config(services))
    return await _finish(db_session, conversation, services, outcome)


async def _closing_action(action, conversation_id: int, request: Request, db_session: AsyncSession,
                          services: AppServices) -> Response:
    """Run ``flows.resolve`` or ``flows.hand_back`` on the conversation and answer with it."""
    conversation = await crud.get(db_session, conversation_id=conversation_id)
    outcome = Outcome()
    await action(db_session, conversation, actor=_actor(request), outcome=outcome,
                 language=await _language(db_session, conversation, services))
    return await _finish(db_session, conversation, services, outcome)


@post(f"{BASE}/resolve", guards=GUARD, tags=TAGS, status_code=200, errors=(409,))
async def resolve(conversation_id: ConversationId, request: Request, db_session: DbSession,
                  services: Services) -> Response:
    """Resolve; the bot then asks the shopper for a 1–5 rating with buttons."""
    return await _closing_action(flows.resolve, conversation_id, request, db_session, services)


@post(f"{BASE}/handback", guards=GUARD, tags=TAGS, status_code=200, errors=(409,))
async def handback(conversation_id: ConversationId, request: Request, db_session: DbSession,
                   services: Services) -> Response:
    """Hand the conversation back to the bot."""
    return await _closing_action(flows.hand_back, conversation_id, request, db_session, services)


HANDLERS = [list_conversations, conversation_detail, conversation_messages, assign, reply, add_note, list_notes,
            transfer, resolve, handback]
