"""Which messages ask for a person or show anger, in Telegram end to end (the demo knowledge base, the real
NLU, the Bot API double).

Found by QA: a word for a person inside an ordinary question ("яким оператором доставляєте?", "чи може інша
людина забрати моє замовлення?") was read as a request for one, and enthusiasm ("ужасно хочу…"), a shouted
question ("HOW MUCH IS DELIVERY") or shouted thanks ("ДЯКУЮ!!!") as anger: each shopper was queued for an
agent without an answer. A real request or real anger must still go to a person.
"""

from sqlalchemy import select

from bots.steps.small_talk import YOU_ARE_WELCOME
from core.models import Conversation, Message
from tests.support import telegram_payloads as tp
from tests.support.channels import eventually, post_telegram


async def _after(client, settings, telegram, session_factory, user_id: int, text: str, language: str):
    """Send ``text`` as a new shopper; return their conversation and the bot's first reply."""
    update = tp.text_update(text, user_id=user_id, language_code=language)
    assert (await post_telegram(client, settings, update)).status_code == 200
    await eventually(lambda: len(telegram.sent(user_id)) >= 1)
    async with session_factory() as session:
        conversation = await session.scalar(select(Conversation).where(Conversation.chat_id == str(user_id)))
        reply = await session.scalar(select(Message).where(Message.conversation_id == conversation.id,
                                                           Message.direction == "out").order_by(Message.id))
    return conversation, reply


# The app is built once per test (the demo knowledge base's NLU takes a while), so each test sends
# several shoppers' messages; each shopper is new.
ORDINARY_QUESTIONS = [
    # (user id, text, Telegram language, the article it must be answered with, if one is certain)
    (7780001, "яким оператором доставляєте, нова пошта чи укрпошта?", "uk", None),
    (7780002, "какой оператор доставки у вас? новая почта?", "ru", None),
    (7780003, "which delivery operator do you use?", "en", None),
    (7780004, "чи може інша людина забрати моє замовлення?", "uk", None),
    (7780005, "а можно чтобы другой человек забрал заказ?", "ru", None),
    (7780006, "чи є консультант у вашому магазині у Львові?", "uk", None),
    (7780007, "ужасно хочу ваши кроссовки, есть 42 размер?", "ru", None),
    (7780008, "жах як сподобалась куртка, є розмір M?", "uk", None),
    (7780009, "is it stupid to ask if you ship to Canada?", "en", None),
    (7780010, "HOW MUCH IS DELIVERY", "en", "delivery-cost"),
]


async def test_an_ordinary_question_is_not_queued_for_a_person(demo_kb_client, channels_settings, telegram,
                                                               session_factory) -> None:
    for user_id, text, language, article in ORDINARY_QUESTIONS:
        conversation, reply = await _after(demo_kb_client, channels_settings, telegram, session_factory, user_id,
                                           text, language)
        assert conversation.status != "queued", (text, conversation.handoff_reason)
        decision = reply.payload["decision"]
        assert decision["reason"] not in ("explicit_request", "frustration"), text
        if article:
            assert (decision["action"], decision["article_id"]) == ("answer", article), text


async def test_shouted_thanks_gets_you_are_welcome(demo_kb_client, channels_settings, telegram,
                                                   session_factory) -> None:
    for user_id, text, language in ((7780021, "ДЯКУЮ!!!", "uk"), (7780022, "СПАСИБО ОГРОМНОЕ!!!", "ru"),
                                    (7780023, "THANK YOU!!!", "en")):
        conversation, reply = await _after(demo_kb_client, channels_settings, telegram, session_factory, user_id,
                                           text, language)
        assert reply.text == YOU_ARE_WELCOME[language], text
        assert conversation.status != "queued", text


REAL_REQUESTS_AND_ANGER = [
    (7780031, "оператор", "uk", "explicit_request"),
    (7780032, "хочу поговорити з людиною", "uk", "explicit_request"),
    (7780033, "живой человек", "ru", "explicit_request"),
    (7780034, "позовите оператора, пожалуйста", "ru", "explicit_request"),
    (7780035, "can I talk to someone", "en", "explicit_request"),
    (7780036, "connect me to an operator", "en", "explicit_request"),
    (7780037, "ви що, ідіоти?", "uk", "frustration"),
    (7780038, "это просто ужас, достали", "ru", "frustration"),
    (7780039, "WHY IS MY ORDER STILL NOT HERE!!!", "en", "frustration"),
    (7780040, "this bot is useless", "en", "frustration"),
]


async def test_a_real_request_or_real_anger_still_goes_to_a_person(demo_kb_client, channels_settings, telegram,
                                                                   session_factory) -> None:
    for user_id, text, language, reason in REAL_REQUESTS_AND_ANGER:
        conversation, _ = await _after(demo_kb_client, channels_settings, telegram, session_factory, user_id, text,
                                       language)
        assert (conversation.status, conversation.handoff_reason) == ("queued", reason), text
