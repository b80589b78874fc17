"""The order number or phone a shopper gave before the bot asked for the other, kept for their next message.

Asked for "the order number together with the phone", shoppers answer in pieces: "де моє замовлення
10234", then "+380501234567" (found by QA: the phone got the "no answer" fallback). Every reply that
asks for proof stores the pieces known so far on its message (the payload, like the answer step's
decision), so whichever process takes the shopper's next message finds them in the database. Only the
bot's latest reply in the conversation counts, and only for a short while: a piece from further back is
not what the shopper is answering. The pieces only ever complete a number + phone lookup, which is
checked and capped as if both had come in one message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from bots.inbound import FlowContext
from core.database import utcnow
from core.models import Message

PIECES_KEY = "order_pieces"  # on the stored payload of a reply that asks for proof
PIECES_KEPT = timedelta(minutes=15)
# Words besides the pieces that still read as an answer to the prompt: "мій телефон", "my phone number is".
FEW_WORDS = 5
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Pieces:
    """Order numbers and phones (E.164) a shopper has given towards one lookup."""

    numbers: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()

    def completed_with(self, numbers: list[str], phones: list[str]) -> Pieces:
        """These pieces with the newly given ones; a piece given anew replaces the remembered one."""
        return Pieces(tuple(numbers) or self.numbers, tuple(phones) or self.phones)

    def meta(self) -> dict:
        """What a reply asking for the missing piece stores, for :func:`pending_pieces` to find."""
        return {PIECES_KEY: {"numbers": list(self.numbers), "phones": list(self.phones)}}


def reads_as_pieces(rest: str) -> bool:
    """Whether a message is mostly its pieces: ``rest`` (its text without them) has only a few words."""
    return len(_WORD.findall(rest)) <= FEW_WORDS


async def pending_pieces(ctx: FlowContext) -> Pieces | None:
    """The pieces the bot's latest reply asked the shopper to complete; None when it asked for none.

    The latest reply before this message is looked at, whoever sent it: after an agent's or another
    answer, a bare number is no longer an answer to the request for proof.
    """
    latest = await ctx.session.scalar(
        select(Message).where(Message.conversation_id == ctx.conversation.id, Message.direction == "out",
                              Message.id < ctx.message.id)
        .order_by(Message.id.desc()).limit(1))
    if latest is None or latest.created_at < utcnow() - PIECES_KEPT:
        return None
    kept = (latest.payload or {}).get(PIECES_KEY)
    if not isinstance(kept, dict):
        return None
    return Pieces(tuple(str(n) for n in kept.get("numbers") or ()), tuple(str(p) for p in kept.get("phones") or ()))
