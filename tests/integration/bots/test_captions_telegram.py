"""A photo with a caption is read by its caption, end to end in Telegram (demo knowledge base, real NLU,
Bot API double); a photo without one gets the notice. Found by QA: "чи є такий в наявності?" under a
photo got "I can only read text messages"."""

from sqlalchemy import select

from bots.steps.media import NOTICE
from core.models import Message
from tests.support import telegram_payloads as tp
from tests.support.channels import eventually, post_telegram


async def _reply_to(client, settings, telegram, update: dict, user_id: int) -> str:
    before = len(telegram.sent(user_id))
    assert (await post_telegram(client, settings, update)).status_code == 200
    await eventually(lambda: len(telegram.sent(user_id)) > before)
    return telegram.sent(user_id)[-1]["text"]


async def test_a_captioned_photo_is_answered_and_a_bare_one_gets_the_notice(demo_kb_client, channels_settings,
                                                                            telegram, session_factory) -> None:
    user = 7790001
    answer = await _reply_to(demo_kb_client, channels_settings, telegram,
                             tp.photo_update(user, caption="Чи є такий товар в наявності?"), user)
    assert answer.startswith("Наявність показана на сторінці товару")
    notice = await _reply_to(demo_kb_client, channels_settings, telegram, tp.photo_update(user), user)
    assert notice == NOTICE["uk"]
    async with session_factory() as session:
        photos = (await session.scalars(select(Message).where(Message.kind == "photo").order_by(Message.id))).all()
    # Both photos stay on the timeline for the agents, the caption as the message's text.
    assert [(m.text, m.payload["attachment"]["file_id"]) for m in photos] == [
        ("Чи є такий товар в наявності?", "AgADBAADbqcxG-large"), ("", "AgADBAADbqcxG-large")]
