"""Cross-channel linking in the inbound flow: own shared phone and signed shop links join identities."""

import pytest
from sqlalchemy import func, select

from bots.flow import InboundFlow
from bots.steps import default_steps
from core.bus import MemoryEventBus
from core.customers.linking import make_link_token, read_link_token
from core.customers.merge import unmerge
from core.models import AuditRecord, Conversation, Customer, CustomerPhone, Identity, LinkTokenUse, Message
from tests.support.customers import DMYTRO, OKSANA, add_customers, shopper


@pytest.fixture
def flow(settings, session_factory):
    return InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps())


async def _customer_of(session, channel: str, user_id: str) -> Customer:
    identity = await session.scalar(select(Identity).where(Identity.channel == channel,
                                                           Identity.external_id == user_id))
    return await session.get(Customer, identity.customer_id)


async def _replies(session, conversation_id: int) -> list[Message]:
    return list((await session.scalars(select(Message).where(Message.conversation_id == conversation_id,
                                                             Message.direction == "out")
                                       .order_by(Message.id))).all())


async def test_telegram_and_viber_shoppers_sharing_their_own_phone_become_one_customer(flow, session_factory):
    await flow.process(shopper("telegram", "tg-1", text="Привіт", language="uk"))
    await flow.process(shopper("viber", "vb-1", text="Hello", language="en"))
    await flow.process(shopper("telegram", "tg-1", kind="contact", phone="380501234567"))
    result = await flow.process(shopper("viber", "vb-1", kind="contact", phone="+380 50 123 45 67"))
    async with session_factory() as session:
        telegram = await _customer_of(session, "telegram", "tg-1")
        viber = await _customer_of(session, "viber", "vb-1")
        assert telegram.id == viber.id
        messages = (await session.scalars(select(Message).where(Message.customer_id == telegram.id)
                                          .order_by(Message.id))).all()
        assert {m.channel for m in messages} == {"telegram", "viber"}
        assert len(messages) == 8  # 4 shopper messages and 4 replies, one timeline
        merged_away = await session.scalar(select(Customer).where(Customer.merged_into_id == telegram.id))
        assert merged_away is not None
        audit = await session.scalar(select(AuditRecord).where(AuditRecord.action == "customer.merge"))
        assert audit.details["reason"] == "verified_phone" and audit.details["into"] == telegram.id
        phone = await session.scalar(select(CustomerPhone).where(CustomerPhone.customer_id == telegram.id))
        assert (phone.phone, phone.verified) == ("+380501234567", True)
        reply = (await _replies(session, result.conversation_id))[-1]
        assert reply.channel == "viber" and "+380501234567" in reply.text


async def test_shared_phone_links_to_the_shop_account_and_lists_its_orders(flow, settings, session_factory):
    await add_customers(session_factory, settings, OKSANA)
    result = await flow.process(shopper("telegram", "tg-1", kind="contact", phone="+380501234567", language="uk"))
    async with session_factory() as session:
        customer = await _customer_of(session, "telegram", "tg-1")
        assert customer.external_id == "shop-1"
        replies = await _replies(session, result.conversation_id)
        assert [r.payload["keyboard"] for r in replies] == [None, "inline"]
        assert [b[0]["data"] for b in replies[1].payload["buttons"]] == ["order:10234", "order:10188"]
        # The record the messenger created first is kept, merged, for unmerge.
        assert await session.scalar(select(func.count(Customer.id)).where(Customer.merged_into_id == customer.id)) == 1


async def test_someone_elses_contact_proves_nothing(flow, settings, session_factory):
    await add_customers(session_factory, settings, OKSANA)
    result = await flow.process(shopper("telegram", "tg-1", kind="contact", phone=None, language="en"))
    async with session_factory() as session:
        customer = await _customer_of(session, "telegram", "tg-1")
        assert customer.external_id is None and not customer.phones
        (reply,) = await _replies(session, result.conversation_id)
        assert reply.payload["keyboard"] == "contact" and "your own number" in reply.text


async def test_a_signed_start_link_joins_the_messenger_to_the_shop_account(flow, settings, session_factory):
    await add_customers(session_factory, settings, OKSANA)
    async with session_factory() as session:
        account = await session.scalar(select(Customer).where(Customer.external_id == "shop-1"))
    token = make_link_token(account.id, settings.secret_key)
    assert len(token) <= 64 and read_link_token(token, settings.secret_key, ttl_days=1) == account.id
    result = await flow.process(shopper("viber", "vb-7", kind="start", payload={"start": token}, language="ru"))
    async with session_factory() as session:
        assert (await _customer_of(session, "viber", "vb-7")).id == account.id
        (reply,) = await _replies(session, result.conversation_id)
        assert reply.text.startswith("Готово")
        audit = await session.scalar(select(AuditRecord).where(AuditRecord.action == "customer.merge"))
        assert (audit.details["reason"], audit.details["into"]) == ("shop_account", account.id)
        # The token is a credential: the stored message (what agents see) keeps only that a link was opened.
        opened = await session.get(Message, result.message_id)
        assert token not in f"{opened.text} {opened.payload}"


async def _shop_link(session_factory, settings, external_id: str = "shop-1") -> tuple[int, str]:
    async with session_factory() as session:
        account = await session.scalar(select(Customer).where(Customer.external_id == external_id))
    return account.id, make_link_token(account.id, settings.secret_key)


async def _last_reply(session_factory, result) -> Message:
    async with session_factory() as session:
        return (await _replies(session, result.conversation_id))[-1]


async def test_a_shop_link_serves_one_account_of_each_messenger(flow, settings, session_factory):
    # Found in review: a link from a shop e-mail linked anyone it was forwarded to, for 90 days,
    # to the customer's orders and tracking.
    await add_customers(session_factory, settings, OKSANA)
    account_id, token = await _shop_link(session_factory, settings)
    await flow.process(shopper("telegram", "tg-own", kind="start", payload={"start": token}, language="uk"))
    again = await flow.process(shopper("telegram", "tg-own", kind="start", payload={"start": token}, language="uk"))
    assert (await _last_reply(session_factory, again)).text.startswith("Готово")

    forwarded = await flow.process(shopper("telegram", "tg-other", kind="start", payload={"start": token},
                                           language="en"))
    refused = await _last_reply(session_factory, forwarded)
    assert refused.text.startswith("This link has already been used by another account")
    assert refused.payload["keyboard"] == "contact"

    viber = await flow.process(shopper("viber", "vb-own", kind="start", payload={"start": token}, language="ru"))
    assert (await _last_reply(session_factory, viber)).text.startswith("Готово")
    async with session_factory() as session:
        assert (await _customer_of(session, "telegram", "tg-own")).id == account_id
        assert (await _customer_of(session, "viber", "vb-own")).id == account_id
        assert (await _customer_of(session, "telegram", "tg-other")).id != account_id
        uses = (await session.scalars(select(LinkTokenUse).order_by(LinkTokenUse.id))).all()
        assert [u.channel for u in uses] == ["telegram", "viber"]
        assert all(token not in u.token_digest for u in uses)  # only a digest of the credential is kept


async def test_a_link_that_could_not_be_used_stays_for_its_owner(flow, settings, session_factory):
    await add_customers(session_factory, settings, OKSANA, DMYTRO)
    _, dmytros_token = await _shop_link(session_factory, settings, "shop-2")
    oksana_id, oksanas_token = await _shop_link(session_factory, settings, "shop-1")
    await flow.process(shopper("telegram", "tg-dmytro", kind="start", payload={"start": dmytros_token},
                               language="en"))
    # Dmytro's messenger is already his own shop account: Oksana's link cannot join it, and stays hers.
    tried = await flow.process(shopper("telegram", "tg-dmytro", kind="start", payload={"start": oksanas_token},
                                       language="en"))
    assert (await _last_reply(session_factory, tried)).text.startswith("This link belongs to another account")
    owner = await flow.process(shopper("telegram", "tg-oksana", kind="start", payload={"start": oksanas_token},
                                       language="en"))
    assert (await _last_reply(session_factory, owner)).text.startswith("Done!")
    async with session_factory() as session:
        assert (await _customer_of(session, "telegram", "tg-oksana")).id == oksana_id


async def test_a_forged_link_is_refused_and_links_nothing(flow, settings, session_factory):
    await add_customers(session_factory, settings, OKSANA)
    async with session_factory() as session:
        account = await session.scalar(select(Customer).where(Customer.external_id == "shop-1"))
    forged = make_link_token(account.id, "not-the-installation-key")
    result = await flow.process(shopper("telegram", "tg-9", kind="start", text=f"/start {forged}",
                                        payload={"start": forged}, language="en"))
    async with session_factory() as session:
        assert (await _customer_of(session, "telegram", "tg-9")).id != account.id
        opened = await session.get(Message, result.message_id)
        assert (opened.text, forged in str(opened.payload)) == ("/start", False)
        (reply,) = await _replies(session, result.conversation_id)
        assert "expired" in reply.text and reply.payload["keyboard"] == "contact"


@pytest.mark.parametrize("campaign", ["promo_black_friday", "utm_source_instagram", "12_34_short"])
async def test_a_campaign_tag_with_underscores_gets_the_welcome_not_a_broken_link(flow, campaign, session_factory):
    # Found by QA: any start payload with two underscores was read as a shop link, so shoppers from an
    # ad were told their link had expired, and the campaign tag was dropped from the stored message.
    result = await flow.process(shopper("telegram", "tg-7", kind="start", text=f"/start {campaign}",
                                        payload={"start": campaign}, language="en"))
    async with session_factory() as session:
        opened = await session.get(Message, result.message_id)
        assert (opened.text, opened.payload["start"]) == (f"/start {campaign}", campaign)
        (reply,) = await _replies(session, result.conversation_id)
        assert "expired" not in reply.text and reply.payload.get("keyboard") != "contact"
        assert reply.text.startswith("Hello! Ask me anything")


async def test_unmerge_restores_both_customers_from_the_audit_record(flow, settings, session_factory):
    await add_customers(session_factory, settings, OKSANA)
    await flow.process(shopper("telegram", "tg-1", text="hi"))
    async with session_factory() as session:
        before = await _customer_of(session, "telegram", "tg-1")
        conversation_ids = set((await session.scalars(select(Conversation.id)
                                                      .where(Conversation.customer_id == before.id))).all())
    await flow.process(shopper("telegram", "tg-1", kind="contact", phone="+380501234567"))
    async with session_factory() as session, session.begin():
        merged = await session.get(Customer, before.id)
        assert merged.merged_into_id is not None
        await unmerge(session, customer=merged, actor_type="staff", actor_id=None)
    async with session_factory() as session:
        restored = await _customer_of(session, "telegram", "tg-1")
        assert restored.id == before.id and restored.merged_into_id is None
        assert [(p.phone, p.verified) for p in restored.phones] == [("+380501234567", True)]
        account = await session.scalar(select(Customer).where(Customer.external_id == "shop-1"))
        assert [(p.phone, p.verified) for p in account.phones] == [("+380501234567", False)]
        assert set((await session.scalars(select(Conversation.id).where(
            Conversation.customer_id == restored.id))).all()) == conversation_ids
        assert await session.scalar(select(func.count(Message.id)).where(Message.customer_id == account.id)) == 0
        assert await session.scalar(select(AuditRecord.id).where(AuditRecord.action == "customer.unmerge"))


async def test_a_link_is_confirmed_in_the_language_of_the_messenger_opening_it(flow, settings, session_factory):
    # Found by the second QA pass: a Russian Telegram user got "Done! …" in the English the shop account's
    # other messenger had been answered in.
    await add_customers(session_factory, settings, OKSANA)
    account_id, token = await _shop_link(session_factory, settings)
    await flow.process(shopper("viber", "vb-own", text="hello, where is my order?", language="en"))
    await flow.process(shopper("viber", "vb-own", kind="start", payload={"start": token}, language="en"))
    async with session_factory() as session:
        assert (await session.get(Customer, account_id)).preferred_language == "en"
    opened = await flow.process(shopper("telegram", "tg-ru", kind="start", payload={"start": token}, language="ru"))
    assert (await _last_reply(session_factory, opened)).text.startswith("Готово! Ваш мессенджер привязан")
