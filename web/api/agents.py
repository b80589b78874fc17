"""Agents' status, teams, canned responses and suggested knowledge-base answers for the console."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from litestar import Request, Response, get, patch, post, put
from litestar.params import Body, FromPath, JSONBody
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select

from core import events
from core.errors import ValidationFailed, describe
from core.language import conversation_language
from core.models import Message, Team
from core.settings import SUPPORTED_LANGUAGES
from handoff import agents, canned, flows, teams
from handoff import services as crud
from handoff.state import Outcome
from knowledge_base.models import Article
from knowledge_base.rendering import plain_text
from nlu.signals import asks_for_person
from nlu.small_talk import small_talk
from nlu.text import normalize
from web.api.publishing import after_commit, handoff_config
from web.auth import AGENTS, SUPERVISORS, requires
from web.deps import DbSession, Services
from web.errors import model_problems
from web.query_filters import choice, one_of

logger = logging.getLogger(__name__)
TAGS = ["agents"]
MAX_SUGGESTIONS = 3
ConversationId = FromPath[int]


class StatusRequest(BaseModel):
    """An agent's availability."""

    status: str = Field(max_length=16, description="online | away | offline")


@get("/api/agents", guards=[requires(*AGENTS)], tags=TAGS)
async def list_agents(db_session: DbSession) -> list[dict]:
    """Everyone who can take conversations, with status, capacity and open conversations."""
    found = await agents.get_all(db_session)
    load = await agents.open_load(db_session, [agent.id for agent in found])
    return [agents.view(agent, load[agent.id]) for agent in found]


async def _set_status(db_session, services, agent_id: int, status: str) -> Response:
    agent = await agents.update_status(db_session, agent=await agents.get(db_session, agent_id=agent_id),
                                       status=status)
    outcome = Outcome()
    if status == "online":  # a newly available agent picks up what waits in their team's queue
        team = await db_session.get(Team, agent.team_id) if agent.team_id else None
        await flows.dispatch(db_session, team, outcome=outcome)
    load = await agents.open_load(db_session, [agent.id])
    view = agents.view(agent, load[agent.id])
    # Consoles show statuses live: without this, panels and the agent's own box kept the old one until a reload.
    outcome.publish(events.AGENT_STATUS, view)
    return Response(view, background=after_commit(services, outcome))


@post("/api/agents/me/status", guards=[requires(*AGENTS)], tags=TAGS, status_code=200)
async def set_my_status(request: Request, data: JSONBody[StatusRequest], db_session: DbSession,
                        services: Services) -> Response:
    """Set your own status; going online assigns you waiting conversations up to your capacity."""
    return await _set_status(db_session, services, request.user.user_id, data.status)


@post("/api/agents/{agent_id:int}/status", guards=[requires(*SUPERVISORS)], tags=TAGS, status_code=200)
async def set_agent_status(agent_id: FromPath[int], data: JSONBody[StatusRequest], db_session: DbSession,
                           services: Services) -> Response:
    """Set another agent's status (supervisors and admins)."""
    return await _set_status(db_session, services, agent_id, data.status)


class AgentUpdate(BaseModel):
    """What a supervisor may change about an agent; omitted fields stay."""

    capacity: int | None = Field(None, ge=0, le=100, description="Open conversations at once.")
    team: str | None = Field(None, max_length=64, description="Team name (must exist).")


@patch("/api/agents/{agent_id:int}", guards=[requires(*SUPERVISORS)], tags=TAGS)
async def update_agent(agent_id: FromPath[int], data: JSONBody[AgentUpdate], db_session: DbSession) -> dict:
    """Change an agent's capacity or team (supervisors and admins)."""
    agent = await agents.get(db_session, agent_id=agent_id)
    if data.capacity is not None:
        agent.capacity = data.capacity
    if data.team is not None:
        agent.team_id = (await agents.get_team(db_session, name=data.team)).id
    await db_session.flush()
    load = await agents.open_load(db_session, [agent.id])
    return agents.view(agent, load[agent.id])


class TeamUpdate(BaseModel):
    """A team's routing settings; omitted fields stay as they are.

    Strict where JSON has the type: ``"yes"`` is not taken for true, nor ``"60"`` for 60 seconds.
    """

    skills: list[str] | None = Field(None, max_length=100, description="Topics routed to this team.")
    is_vip: bool | None = Field(None, strict=True)
    timezone: str | None = Field(None, max_length=64)
    business_hours: dict[str, list[str]] | None = Field(None, description='{"mon": ["09:00", "18:00"], ...}')
    first_response_sla_s: int | None = Field(None, strict=True)
    next_response_sla_s: int | None = Field(None, strict=True)


@get("/api/teams", guards=[requires(*AGENTS)], tags=TAGS)
async def list_teams(db_session: DbSession) -> list[dict]:
    """Teams with their skills, hours and SLA (for transfers)."""
    return [teams.view(team) for team in await agents.get_teams(db_session)]


@put("/api/teams/{name:str}", guards=[requires(*SUPERVISORS)], tags=TAGS)
async def put_team(
    name: FromPath[str], db_session: DbSession,
    data: Annotated[dict[str, Any], Body(description="The fields of TeamUpdate to set; omitted fields stay.",
                                         schema_extra={"properties": TeamUpdate.model_json_schema()["properties"]})],
) -> dict:
    """Create a team or change its skills, VIP flag, hours and SLA (supervisors and admins).

    400 lists every bad field at once: those of the wrong type and those the team's own rules refuse
    (time zone, hours, SLA) are checked together.
    """
    try:
        update, problems = TeamUpdate.model_validate(data), []
    except ValidationError as exc:
        problems = model_problems(exc)
        bad = {problem["field"].split(".")[0] for problem in problems}
        update = TeamUpdate.model_validate({key: value for key, value in data.items() if key not in bad})
    try:
        team = await teams.upsert(db_session, name=name, **update.model_dump())
    except ValidationFailed as exc:
        problems.extend(exc.details)
    if problems:
        # Raising rolls back the request's transaction, so the fields that were fine are not saved either.
        raise ValidationFailed(describe(problems), problems)
    return teams.view(team)


@get("/api/canned-responses", guards=[requires(*AGENTS)], tags=TAGS)
async def canned_responses(
    request: Request, services: Services, language: Annotated[str, choice(SUPPORTED_LANGUAGES)] = "en"
) -> list[dict]:
    """Ready replies in ``language`` with your name filled in."""
    one_of("language", language, SUPPORTED_LANGUAGES)
    name = request.user.name or request.user.email.split("@", 1)[0]
    entries = canned.load_canned(handoff_config(services).canned_responses_file)
    return [{**view, "text": view["text"].replace("{agent}", name)}
            for view in (entry.view(language) for entry in entries)]


@get("/api/conversations/{conversation_id:int}/suggestions", guards=[requires(*AGENTS)], tags=["conversations"])
async def suggestions(conversation_id: ConversationId, db_session: DbSession, services: Services) -> list[dict]:
    """Knowledge-base answers for the customer's latest question; empty when there is no index."""
    conversation = await crud.get(db_session, conversation_id=conversation_id)
    index = services.extras.get("kb_index")
    timeline = await crud.get_timeline(db_session, customer_id=conversation.customer_id)
    last = _latest_question(timeline)
    if index is None or last is None:
        return []
    language = await conversation_language(db_session, conversation, default=services.settings.default_language)
    try:
        return await _suggestions(db_session, index, last, language)
    except Exception:  # a broken index must not break the console
        logger.exception("knowledge-base suggestions failed for conversation %s", conversation_id)
        return []


def _latest_question(timeline: list[Message]) -> Message | None:
    """The shopper's latest message that asks something, skipping requests for a person and small talk.

    "Позовите живого человека" or "дякую" says nothing about the subject: scored on them, the
    suggestions were unrelated articles (found by QA). The question asked before them is what the
    agent needs answers for.
    """
    for message in reversed(timeline):
        text = message.text.strip() if message.direction == "in" else ""
        if text and not asks_for_person(normalize(text)) and small_talk(text) is None:
            return message
    return None


async def _suggestions(db_session, index, message: Message, language: str) -> list[dict]:
    """The index's best matches for ``message`` with each published article's answer in ``language``."""
    decision = await index.decide(message.text, previous_language=language)
    candidates = list(decision.candidates)[:MAX_SUGGESTIONS]
    slugs = [candidate.article_id for candidate in candidates]
    articles = {article.slug: article for article in (await db_session.scalars(
        select(Article).where(Article.slug.in_(slugs), Article.status == "published"))).all()}
    suggestions = []
    for candidate in candidates:
        article = articles.get(candidate.article_id)
        if article is None:  # unpublished since the index was built
            continue
        variant = article.variant(language) or article.variant(article.source_language) or article.variants[0]
        suggestions.append({"article_id": article.slug, "title": candidate.title,
                            "text": plain_text(variant.answer), "score": candidate.score})
    return suggestions


HANDLERS = [list_agents, set_my_status, set_agent_status, update_agent, list_teams, put_team, canned_responses,
            suggestions]
