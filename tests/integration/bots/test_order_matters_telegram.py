"""A message naming an order but asking to return it reaches the returns rules, end to end in Telegram
(demo knowledge base, real NLU, Bot API double). Found by QA: a VIP writing "хочу повернути
замовлення 10188, товар бракований" got only the order's status, and no person."""

from sqlalchemy import select

from core.models import Conversation
from tests.support import telegram_payloads as tp
from tests.support.channels import eventually, post_telegram
from tests.support.customers import OKSANA, add_customers

VIP_OKSANA = {**OKSANA, "tags": ["vip"]}
USER = 7780001


async def _send(client, settings, telegram, update: dict, replies: int) -> None:
    assert (await post_telegram(client, settings, update)).status_code == 200
    await eventually(lambda: len(telegram.sent(USER)) >= replies)


async def test_a_vip_returning_an_order_gets_a_person_not_the_status(demo_kb_client, channels_settings, telegram,
                                                                    settings, session_factory) -> None:
    await add_customers(session_factory, settings, VIP_OKSANA)
    await _send(demo_kb_client, channels_settings, telegram, tp.contact_update("+380501234567", contact_user_id=USER,
                                                                               user_id=USER), 1)
    before = len(telegram.sent(USER))
    await _send(demo_kb_client, channels_settings, telegram,
                tp.text_update("хочу повернути замовлення 10188, товар бракований", user_id=USER,
                               language_code="uk"), before + 1)
    async with session_factory() as session:
        conversation = await session.scalar(select(Conversation).where(Conversation.chat_id == str(USER)))
    assert (conversation.status, conversation.handoff_reason) == ("queued", "vip")
    assert not any("№10188" in m["text"] for m in telegram.sent(USER)[before:])
