"""Order questions in Telegram, end to end: the demo knowledge base, the real NLU and the Bot API double.

Regression: any message with an order number went to the order lookup, so "Хочу поговорити з оператором
про замовлення 10234" got the order's status (or a request for the phone) and nobody was called. A
request for a person or anger now reaches the hand-off; a plain status question still gets the status.
Regression too: conversations only the order step answered kept no language, so analytics' language
filter missed them.
"""

import pytest

from handoff import texts
from tests.support import telegram_payloads as tp
from tests.support.channels import eventually, post_telegram
from tests.support.customers import OKSANA, add_customers
from tests.support.telegram_talk import latest_conversation

OKSANA_PHONE = "+380501234567"
OKSANA_USER = 5550001


@pytest.fixture
async def client(demo_kb_client, channels_settings, session_factory):
    """The app with the product's own flow and NLU over the demo knowledge base, and Oksana's orders."""
    await add_customers(session_factory, channels_settings, OKSANA)
    return demo_kb_client


async def _identify_oksana(client, settings, telegram) -> None:
    contact = tp.contact_update(OKSANA_PHONE, contact_user_id=OKSANA_USER, user_id=OKSANA_USER)
    assert (await post_telegram(client, settings, contact)).status_code == 200
    await eventually(lambda: len(telegram.sent(OKSANA_USER)) == 2)  # confirmed, then the order buttons


@pytest.mark.parametrize("user_id, text, language", [
    pytest.param(OKSANA_USER, "Хочу поговорити з оператором про замовлення 10234", "uk", id="uk-owner"),
    pytest.param(5550002, "Позовите оператора, заказ 10240 не пришёл", "ru", id="ru-stranger"),
    pytest.param(5550003, "My order 10199 is wrong, I need to speak to someone", "en", id="en-stranger"),
    pytest.param(5550004, "ЗАМОВЛЕННЯ 10234 ДОСІ НЕМАЄ, ЦЕ ЖАХ", "uk", id="uk-angry"),
])
async def test_a_request_for_a_person_about_an_order_is_handed_off(client, channels_settings, telegram,
                                                                   session_factory, user_id, text,
                                                                   language) -> None:
    await _identify_oksana(client, channels_settings, telegram)
    before = len(telegram.sent(user_id))
    update = tp.text_update(text, user_id=user_id, language_code=language)
    assert (await post_telegram(client, channels_settings, update)).status_code == 200

    conversation = await latest_conversation(session_factory, user_id)
    assert conversation.status == "queued"
    assert conversation.handoff_reason in ("explicit_request", "frustration")
    await eventually(lambda: len(telegram.sent(user_id)) == before + 1)
    # The queue notice, not the order's status nor a request for the phone.
    assert telegram.sent(user_id)[-1]["text"].startswith(texts.TEXTS["queued"][language].split("{position}")[0])


async def test_a_plain_status_question_is_answered_and_sets_the_language(client, channels_settings, telegram,
                                                                       session_factory) -> None:
    await _identify_oksana(client, channels_settings, telegram)
    # The messenger says Ukrainian; the question is English: the bot's one rule answers in English.
    update = tp.text_update("where is my order 10234?", user_id=OKSANA_USER, language_code="uk")
    assert (await post_telegram(client, channels_settings, update)).status_code == 200
    await eventually(lambda: len(telegram.sent(OKSANA_USER)) == 3)
    assert "20450000123456" in telegram.sent(OKSANA_USER)[-1]["text"]
    assert telegram.sent(OKSANA_USER)[-1]["text"].startswith("Order #10234")
    conversation = await latest_conversation(session_factory, OKSANA_USER)
    assert (conversation.status, conversation.language) == ("bot", "en")

    stranger = 5550005
    bare = tp.text_update("10234", user_id=stranger, language_code="ru")
    assert (await post_telegram(client, channels_settings, bare)).status_code == 200
    await eventually(lambda: len(telegram.sent(stranger)) == 1)
    assert (await latest_conversation(session_factory, stranger)).language == "ru"
