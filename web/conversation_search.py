"""Finding conversations for the console's search box: by the customer's name or phone, or a word of a message.

Finished conversations leave the console's queue and "mine" lists; an agent following up a complaint
or a low rating finds them here, whatever their status.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import ValidationFailed
from core.models import CONVERSATION_STATUSES, Conversation, Customer, CustomerPhone, Message
from web.query_filters import one_of

MIN_QUERY_CHARS = 2
MAX_QUERY_CHARS = 100
# Fewer digits than this match half the phone book: a query like "12" searches names and messages only.
MIN_PHONE_DIGITS = 4
MAX_FOUND = 50


def search_text(value: str) -> str:
    """``value`` without surrounding spaces, when it is 2–100 characters long.

    Raises:
        ValidationFailed: shorter or longer (one letter would list every conversation).
    """
    text = value.strip()
    if not MIN_QUERY_CHARS <= len(text) <= MAX_QUERY_CHARS:
        error = f"between {MIN_QUERY_CHARS} and {MAX_QUERY_CHARS} characters"
        raise ValidationFailed(f"q must be {error}", [{"field": "q", "error": error}])
    return text


def _holds(column, spellings) -> ColumnElement[bool]:
    """``column`` holds one of ``spellings``, case ignored, ``%`` and ``_`` read as themselves."""
    return or_(*(column.icontains(spelling, autoescape=True) for spelling in spellings))


async def find(session: AsyncSession, text: str, *, status: str | None = None,
               assignee_id: int | None = None) -> Sequence[Conversation]:
    """Conversations whose customer's name holds ``text``, whose customer has a phone holding its digits,
    or with a message holding ``text`` (case ignored; newest activity first, at most 50).

    Raises:
        ValidationFailed: ``text`` not 2–100 characters, or an unknown ``status``.
    """
    text = search_text(text)
    one_of("status", status, CONVERSATION_STATUSES)
    # SQLite ignores the case of Latin letters only: "олена" is looked for as written and capitalized too, as
    # names and sentences start ("Олена Коваль", "Чайник прийшов розбитий"); PostgreSQL ignores every case.
    spellings = dict.fromkeys((text, text.capitalize(), text.title()))
    named = select(Customer.id).where(_holds(Customer.name, spellings))
    written = select(Message.conversation_id).where(_holds(Message.text, spellings))
    matches = [Conversation.customer_id.in_(named), Conversation.id.in_(written)]
    # Phones are stored in E.164: "067 123 45 67" and "+380671234567" both find +380671234567.
    digits = "".join(character for character in text if character.isdigit())
    if len(digits) >= MIN_PHONE_DIGITS:
        matches.append(Conversation.customer_id.in_(
            select(CustomerPhone.customer_id).where(CustomerPhone.phone.contains(digits))))
    statement = select(Conversation).where(or_(*matches))
    if status is not None:
        statement = statement.where(Conversation.status == status)
    if assignee_id is not None:
        statement = statement.where(Conversation.assignee_id == assignee_id)
    statement = statement.order_by(Conversation.updated_at.desc(), Conversation.id.desc()).limit(MAX_FOUND)
    return (await session.scalars(statement)).all()
