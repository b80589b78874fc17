"""Joining a shopper's messenger accounts to one customer: by a verified phone or a signed link.

A phone counts as verified only when the channel vouches the shopper shared their own number.
A link token is what a shop puts in its e-mails (Telegram ``/start`` payload, Viber ``context``):
``<customer id>_<issue day>_<nonce>_<HMAC>``, at most 64 characters of ``[A-Za-z0-9_-]`` as Telegram
requires, signed with the installation's secret key so nobody can forge a link to someone else. The
random nonce makes every issued link a new one: a link serves one account per messenger, and the
shop must be able to send its customer another. Tokens issued before nonces (``<id>_<day>_<HMAC>``)
are still read until they expire.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.merge import merge
from core.database import utcnow
from core.models import AuditRecord, Customer, CustomerPhone, Identity, LinkTokenUse
from core.settings import Settings

logger = logging.getLogger(__name__)

DAY_SECONDS = 86_400
# The merge reason of records joined by a phone the shopper verified as their own.
VERIFIED_PHONE = "verified_phone"


NONCE_BYTES = 6  # 12 hex digits: a customer id of 19 digits still leaves the token within 64 characters
# What make_link_token writes: customer id, issue day, the nonce (absent in tokens issued before it),
# and 16 HMAC bytes in unpadded URL-safe base64 (which may itself hold "_").
LINK_TOKEN_SHAPE = re.compile(rf"(\d+)_(\d+)_(?:([0-9a-f]{{{2 * NONCE_BYTES}}})_)?([A-Za-z0-9_-]{{22}})")


def _signature(secret_key: str, customer_id: int, day: int, nonce: str | None) -> str:
    signed = f"link:{customer_id}:{day}" + (f":{nonce}" if nonce is not None else "")
    digest = hmac.new(secret_key.encode(), signed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def make_link_token(customer_id: int, secret_key: str, now: datetime | None = None) -> str:
    """A new signed token (never the same twice) that links whoever opens it in a messenger to ``customer_id``."""
    day = int((now or utcnow()).timestamp()) // DAY_SECONDS
    nonce = secrets.token_hex(NONCE_BYTES)
    return f"{customer_id}_{day}_{nonce}_{_signature(secret_key, customer_id, day, nonce)}"


def read_link_token(token: str, secret_key: str, *, ttl_days: int, now: datetime | None = None) -> int | None:
    """The customer id of a genuine, unexpired link token (either form), or None for anything else."""
    shape = LINK_TOKEN_SHAPE.fullmatch(token.strip())
    if shape is None:
        return None
    customer_part, day_part, nonce, signature = shape.groups()
    customer_id, day = int(customer_part), int(day_part)
    if not hmac.compare_digest(signature, _signature(secret_key, customer_id, day, nonce)):
        logger.warning("link token with a bad signature for customer %s", customer_id)
        return None
    today = int((now or utcnow()).timestamp()) // DAY_SECONDS
    if not 0 <= today - day <= ttl_days:
        return None
    return customer_id


def looks_like_link_token(payload: str) -> bool:
    """Whether a start payload has a link token's shape (genuine or not): campaign tags such as
    ``promo_black_friday`` do not, and are no broken links."""
    return LINK_TOKEN_SHAPE.fullmatch(payload.strip()) is not None


def _digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


async def _use_of(session: AsyncSession, token: str, channel: str) -> LinkTokenUse | None:
    return await session.scalar(select(LinkTokenUse).where(LinkTokenUse.token_digest == _digest(token),
                                                           LinkTokenUse.channel == channel))


async def link_token_taken(session: AsyncSession, token: str, identity: Identity) -> bool:
    """Whether another account of ``identity``'s messenger has already been linked by ``token``.

    A shop link is meant for one shopper: the first Telegram account and the first Viber account
    linked by it keep it (opening it again from them is fine); anyone a forwarded e-mail reaches
    later is refused, and the shop can send its customer a new link.
    """
    use = await _use_of(session, token, identity.channel)
    return use is not None and use.identity_id != identity.id


async def remember_link_token(session: AsyncSession, token: str, identity: Identity) -> None:
    """Record that ``token`` linked ``identity`` (only the token's SHA-256 is stored).

    Two accounts linked by one token at the same moment meet the table's unique constraint: the
    flow runs again, and the later one finds the link taken.
    """
    if await _use_of(session, token, identity.channel) is None:
        session.add(LinkTokenUse(token_digest=_digest(token), channel=identity.channel, identity_id=identity.id))
        await session.flush()


def messenger_links(token: str, settings: Settings) -> dict[str, str | None]:
    """The t.me and viber:// links carrying ``token`` (None for a messenger that is not configured)."""
    telegram = f"https://t.me/{settings.telegram_bot_username}?start={token}" if settings.telegram_bot_username \
        else None
    viber = (f"viber://pa?chatURI={quote(settings.viber_bot_uri)}&context={token}"
             if settings.viber_bot_uri else None)
    return {"telegram": telegram, "viber": viber}


async def verify_phone(session: AsyncSession, customer: Customer, phone: str) -> Customer:
    """Record ``phone`` (E.164) as the customer's own, verified, and merge with its other holders.

    The survivor is the shopper's own shop account when they have one, else the one shop account
    holding the phone, else the oldest record. A phone on several shop accounts (a family sharing a
    number) links the shopper to none of them: which orders are theirs is for the shop's link or a
    person to say. Shop accounts are never merged. Returns the customer the shopper now is.
    """
    row = await session.scalar(select(CustomerPhone).where(CustomerPhone.customer_id == customer.id,
                                                           CustomerPhone.phone == phone))
    if row is None:
        session.add(CustomerPhone(customer_id=customer.id, phone=phone, verified=True))
    else:
        row.verified = True
    await session.flush()
    holders = (await session.scalars(
        select(Customer).join(CustomerPhone, CustomerPhone.customer_id == Customer.id)
        .where(CustomerPhone.phone == phone, Customer.merged_into_id.is_(None), Customer.erased_at.is_(None))
        .order_by(Customer.id)
    )).unique().all()
    accounts = [c for c in holders if c.external_id]
    shoppers = [c for c in holders if not c.external_id]
    survivor = customer if customer.external_id else accounts[0] if len(accounts) == 1 else shoppers[0]
    for other in shoppers:
        if other.id != survivor.id:
            await merge_by_phone(session, source=other, target=survivor, phone=phone, actor_type="customer",
                                 actor_id=customer.id)
    return survivor if customer.merged_into_id is not None else customer


async def shop_accounts_with_phone(session: AsyncSession, phone: str) -> int:
    """How many live shop accounts list ``phone`` (more than one: the phone identifies none of them)."""
    return await session.scalar(
        select(func.count(func.distinct(Customer.id))).join(CustomerPhone, CustomerPhone.customer_id == Customer.id)
        .where(CustomerPhone.phone == phone, Customer.external_id.is_not(None), Customer.merged_into_id.is_(None),
               Customer.erased_at.is_(None)))


async def merge_by_phone(session: AsyncSession, *, source: Customer, target: Customer, phone: str,
                         actor_type: str, actor_id: int | None) -> AuditRecord:
    """Merge ``source`` into ``target`` because both hold ``phone``, verified by the shopper (reason
    ``verified_phone``, the phone named in the audit record). A shop that later removes the phone from
    the account undoes such a merge (:mod:`core.customers.phone_links`)."""
    record = await merge(session, source=source, target=target, reason=VERIFIED_PHONE, actor_type=actor_type,
                         actor_id=actor_id)
    record.details = {**record.details, "phone": phone}  # a new dict, so the JSON column is written
    return record


async def link_account(session: AsyncSession, customer: Customer, account: Customer) -> Customer:
    """Join the messenger ``customer`` to the shop ``account`` a link token named; returns the survivor.

    Raises:
        ConflictError: the shopper is already another shop account (the link is not theirs to use).
    """
    if customer.id == account.id:
        return customer
    await merge(session, source=customer, target=account, reason="shop_account", actor_type="customer",
                actor_id=customer.id)
    return account
