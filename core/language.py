"""Which language the shop writes to a shopper in: one rule for the bot's texts, wherever they are sent.

The inbound flow applies it to the message it is answering (``bots.steps.language``); the console's
actions (resolve, hand back, transfer) apply it to the conversation, where no message is being
answered and the channel's hint comes from the identity the conversation replies to.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Conversation, Customer, Identity
from core.settings import pick_language


def shopper_language(conversation: Conversation, customer: Customer | None, *, hint: str | None, default: str,
                     detected: str | None = None) -> str:
    """The first supported one of: the conversation's language, ``detected`` (the NLU's for the message
    being answered, once it has decided), the customer's preferred language, the channel's ``hint``
    (e.g. Telegram's ``language_code``); else ``default``."""
    return pick_language(conversation.language, detected, customer.preferred_language if customer else None, hint,
                         default=default)


async def conversation_language(session: AsyncSession, conversation: Conversation, *, default: str) -> str:
    """:func:`shopper_language` outside the inbound flow, with the hint of the chat the conversation replies to."""
    customer = await session.get(Customer, conversation.customer_id)
    hint = await session.scalar(select(Identity.language_code).where(
        Identity.customer_id == conversation.customer_id, Identity.channel == conversation.channel,
        Identity.chat_id == conversation.chat_id).limit(1))
    return shopper_language(conversation, customer, hint=hint, default=default)
