"""``GET /api/audit``: the audit trail of staff and system actions, for admins."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import FromQuery, QueryParameter
from sqlalchemy import select

from core.errors import ValidationFailed
from core.models import AuditRecord, StaffUser
from web.analytics.period import parse_bound
from web.auth import requires
from web.deps import DbSession

MAX_LIMIT = 500


@get("/api/audit", guards=[requires("admin")], tags=["audit"])
async def audit_log(
    db_session: DbSession,
    action: FromQuery[str | None] = None,
    actor: Annotated[str | None, QueryParameter(description="Staff id or e-mail")] = None,
    start: Annotated[str | None, QueryParameter(name="from")] = None,
    end: Annotated[str | None, QueryParameter(name="to")] = None,
    before: Annotated[int | None, QueryParameter(description="Only records older than this id")] = None,
    limit: FromQuery[int] = 100,
) -> dict:
    """Audit records, newest first, filtered by action (``auth.login``; ``auth.*`` for a prefix), actor and
    time; ``next_before`` pages to older records.

    ``from``/``to`` read as analytics' do: a date (``to`` then counts its whole day) or an ISO datetime.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit must be 1-{MAX_LIMIT}", [{"field": "limit", "error": f"1-{MAX_LIMIT}"}])
    problems: list[dict] = []
    start_at = parse_bound(start, "from", problems, inclusive_day=False)
    end_at = parse_bound(end, "to", problems, inclusive_day=True)
    if problems:
        raise ValidationFailed("; ".join(problem["error"] for problem in problems), problems)
    statement = (select(AuditRecord, StaffUser.email).outerjoin(StaffUser, StaffUser.id == AuditRecord.actor_id)
                 .order_by(AuditRecord.id.desc()).limit(limit))
    if action:
        statement = statement.where(AuditRecord.action.startswith(action[:-1]) if action.endswith("*")
                                    else AuditRecord.action == action)
    if actor:
        statement = statement.where(AuditRecord.actor_id == int(actor) if actor.isdigit()
                                    else StaffUser.email == actor.strip().lower())
    if start_at:
        statement = statement.where(AuditRecord.created_at >= start_at)
    if end_at:
        statement = statement.where(AuditRecord.created_at < end_at)
    if before:
        statement = statement.where(AuditRecord.id < before)
    rows = (await db_session.execute(statement)).all()
    records = [{"id": record.id, "created_at": record.created_at.isoformat(), "actor_type": record.actor_type,
                "actor_id": record.actor_id, "actor_email": email, "action": record.action,
                "target_type": record.target_type, "target_id": record.target_id, "details": record.details}
               for record, email in rows]
    return {"records": records, "next_before": records[-1]["id"] if len(records) == limit else None}

