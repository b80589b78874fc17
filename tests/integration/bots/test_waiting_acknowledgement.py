"""A shopper writing while queued for a person hears that the message is passed on: Telegram and Viber end
to end (the demo knowledge base, the real NLU, the Bot API doubles).

Found in support: a shopper 100 minutes from an agent got no reply at all to further messages (they
reached the console, the shopper could not know). Now one acknowledgement per ten minutes, in the
shopper's language; none once an agent has joined.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.database import utcnow
from core.models import Conversation, Message, StaffUser
from handoff import flows, texts
from handoff.hours import DAY_KEYS
from handoff.state import SYSTEM, Outcome
from handoff.waiting import ACKNOWLEDGE_EVERY
from tests.support import telegram_payloads as tp
from tests.support import viber_payloads as vp
from tests.support.channels import eventually, post_telegram, post_viber
from tests.support.handoff import make_agent, make_team
from tests.support.telegram_talk import latest_conversation, say_on_telegram

_ASK_FOR_A_PERSON = {"uk": "покличте оператора", "ru": "позовите оператора", "en": "talk to a human please"}
_LINES = {
    "uk": ["алло?", "я чекаю на замовлення 1042", "воно мало прийти вчора", "є хтось?", "відповідайте будь ласка"],
    "ru": ["алло?", "я жду заказ 1042", "он должен был прийти вчера", "есть кто?", "ответьте пожалуйста"],
    "en": ["hello?", "I am waiting for order 1042", "it was due yesterday", "anyone there?", "please answer"],
}


async def _messages(session_factory, conversation_id: int, direction: str) -> list[Message]:
    async with session_factory() as session:
        return list((await session.scalars(select(Message).where(
            Message.conversation_id == conversation_id, Message.direction == direction).order_by(Message.id))).all())


async def _write_lines(client, settings, session_factory, conversation_id: int, user_id: int, lines: list[str],
                       language: str) -> None:
    """Send ``lines`` one after another as the shopper; return once the flow has stored every one."""
    for line in lines:
        stored = len(await _messages(session_factory, conversation_id, "in"))
        update_ = tp.text_update(line, user_id=user_id, language_code=language)
        assert (await post_telegram(client, settings, update_)).status_code == 200
        await eventually(lambda expected=stored + 1: _count_in(session_factory, conversation_id, expected))


async def _count_in(session_factory, conversation_id: int, expected: int) -> bool:
    return len(await _messages(session_factory, conversation_id, "in")) == expected


async def _as_if_minutes_passed(session_factory, conversation_id: int) -> None:
    """Date what went out to the shopper back past the acknowledgement interval (the shopper waited)."""
    async with session_factory() as session, session.begin():
        await session.execute(update(Message).where(Message.conversation_id == conversation_id,
                                                    Message.direction == "out")
                              .values(created_at=utcnow() - ACKNOWLEDGE_EVERY - timedelta(minutes=1)))


@pytest.mark.parametrize("user_id, language", [
    pytest.param(7790001, "uk", id="uk"),
    pytest.param(7790002, "ru", id="ru"),
    pytest.param(7790003, "en", id="en"),
])
async def test_a_queued_shopper_gets_one_acknowledgement_per_interval(demo_kb_client, channels_settings, telegram,
                                                                     session_factory, user_id, language) -> None:
    client = demo_kb_client
    queued_notice = await say_on_telegram(client, channels_settings, telegram, user_id,
                                          _ASK_FOR_A_PERSON[language], language)
    conversation = await latest_conversation(session_factory, user_id)
    assert conversation.status == "queued", queued_notice["text"]

    # Right after "you are number 1 in the queue" the shopper has just heard from us: nothing more.
    await _write_lines(client, channels_settings, session_factory, conversation.id, user_id, ["?"], language)
    await _as_if_minutes_passed(session_factory, conversation.id)
    sent_before = len(telegram.sent(user_id))
    await _write_lines(client, channels_settings, session_factory, conversation.id, user_id, _LINES[language],
                       language)

    await eventually(lambda: len(telegram.sent(user_id)) == sent_before + 1)
    acknowledgement = telegram.sent(user_id)[-1]
    assert acknowledgement["text"] == texts.text("waiting_ack", language, position=1)
    out = await _messages(session_factory, conversation.id, "out")
    assert [(m.author, m.text) for m in out[-1:]] == [("bot", acknowledgement["text"])]  # on the agent's timeline
    assert len(out) == 2  # the queue notice and one acknowledgement for five lines
    stored = [m.text for m in await _messages(session_factory, conversation.id, "in")]
    assert stored == [_ASK_FOR_A_PERSON[language], "?", *_LINES[language]]  # every line kept for the agent
    assert (await latest_conversation(session_factory, user_id)).status == "queued"


async def test_no_acknowledgement_once_an_agent_has_joined(demo_kb_client, channels_settings, telegram,
                                                          session_factory) -> None:
    client, user_id = demo_kb_client, 7790011
    await say_on_telegram(client, channels_settings, telegram, user_id, _ASK_FOR_A_PERSON["uk"], "uk")
    conversation = await latest_conversation(session_factory, user_id)
    await _as_if_minutes_passed(session_factory, conversation.id)
    acknowledgement = await say_on_telegram(client, channels_settings, telegram, user_id, "алло?", "uk")
    assert acknowledgement["text"] == texts.text("waiting_ack", "uk", position=1)
    agent_id = await make_agent(session_factory, "olena@shop.ua", name="Olena")
    async with session_factory() as session, session.begin():
        agent = await session.get(StaffUser, agent_id)
        held = await session.get(Conversation, conversation.id)
        await flows.assign(session, held, agent, actor=SYSTEM, language="uk", outcome=Outcome())
    await _as_if_minutes_passed(session_factory, conversation.id)
    sent_before = len(telegram.sent(user_id))

    await _write_lines(client, channels_settings, session_factory, conversation.id, user_id, _LINES["uk"], "uk")

    assert len(await _messages(session_factory, conversation.id, "out")) == 2  # the queue notice, the acknowledgement
    assert len(telegram.sent(user_id)) == sent_before
    assert (await latest_conversation(session_factory, user_id)).status == "assigned"


async def test_pressing_for_a_person_again_while_queued_is_acknowledged(demo_kb_client, channels_settings,
                                                                        telegram, session_factory) -> None:
    """The "talk to a person" button pressed again does not queue a second time; the shopper hears it arrived."""
    client, user_id = demo_kb_client, 7790021
    await say_on_telegram(client, channels_settings, telegram, user_id, _ASK_FOR_A_PERSON["en"], "en")
    conversation = await latest_conversation(session_factory, user_id)
    await _as_if_minutes_passed(session_factory, conversation.id)
    press = tp.callback_update("handoff:request", user_id=user_id, query_id=f"cq-{user_id}")
    sent_before = len(telegram.sent(user_id))
    assert (await post_telegram(client, channels_settings, press)).status_code == 200

    await eventually(lambda: len(telegram.sent(user_id)) == sent_before + 1)
    assert telegram.sent(user_id)[-1]["text"] == texts.text("waiting_ack", "en", position=1)
    again = await latest_conversation(session_factory, user_id)
    assert (again.id, again.status) == (conversation.id, "queued")


async def test_on_viber_out_of_hours_the_acknowledgement_says_when_the_team_opens(
        demo_kb_client, channels_settings, viber, session_factory) -> None:
    # Open only on the day after tomorrow (a day either way in the team's zone): closed now, whatever the hour.
    day_after_tomorrow = DAY_KEYS[(utcnow().weekday() + 2) % 7]
    await make_team(session_factory, "support", skills=["general"],
                    business_hours={day_after_tomorrow: ["09:00", "18:00"]})
    client = demo_kb_client
    body = vp.message_event(vp.text(_ASK_FOR_A_PERSON["uk"]), language="uk")
    assert (await post_viber(client, channels_settings, body)).status_code == 200
    await viber.wait_for_async(lambda: len(viber.texts_to(vp.USER_ID)) >= 1)
    async with session_factory() as session:
        conversation = await session.scalar(select(Conversation))
    assert conversation.status == "queued"
    await _as_if_minutes_passed(session_factory, conversation.id)

    for line in _LINES["uk"][:2]:
        assert (await post_viber(client, channels_settings, vp.message_event(vp.text(line), language="uk"))
                ).status_code == 200
    await viber.wait_for_async(lambda: len(viber.texts_to(vp.USER_ID)) >= 2)
    await eventually(lambda: _count_in(session_factory, conversation.id, 3))
    acknowledgements = viber.texts_to(vp.USER_ID)[1:]
    assert len(acknowledgements) == 1
    assert acknowledgements[0].startswith("Ваше повідомлення передано. Зараз наша команда не працює — оператор "
                                          "відповість ")
    assert acknowledgements[0].endswith(" о 09:00.")
