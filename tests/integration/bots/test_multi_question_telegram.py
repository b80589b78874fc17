"""Two questions in one Telegram message get two answers, in the order asked (demo knowledge base, real NLU,
Bot API double). Before, only the first was answered and the shopper had to ask the second again."""

import pytest
from sqlalchemy import select

from knowledge_base.models import AnswerRecord, Article
from tests.support import telegram_payloads as tp
from tests.support.channels import eventually, post_telegram
from tests.support.kb import staff_headers


async def test_each_question_of_a_message_is_answered(demo_kb_client, channels_settings, telegram,
                                                       session_factory) -> None:
    user = 7810001
    update = tp.text_update("Скільки коштує доставка? І як можна оплатити?", user_id=user, language_code="uk")
    assert (await post_telegram(demo_kb_client, channels_settings, update)).status_code == 200
    await eventually(lambda: len(telegram.sent(user)) == 2)

    delivery, payment = telegram.sent(user)
    assert "70 грн" in delivery["text"]
    assert "карт" in payment["text"].lower()
    # Each answer has its own 👍/👎, for its own article.
    assert [sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"] for sent in (delivery, payment)] == [
        "fb:delivery-cost:up", "fb:payment-methods:up"]
    async with session_factory() as session:
        answered = (await session.execute(select(Article.slug, AnswerRecord.question).join(
            AnswerRecord, AnswerRecord.article_id == Article.id).order_by(AnswerRecord.id))).all()
    assert answered == [("delivery-cost", "Скільки коштує доставка?"), ("payment-methods", "І як можна оплатити?")]


@pytest.mark.parametrize(("text", "language"), [
    ("Добрий день! Хочу замовити куртку, але не знаю розмір. Я 176 см, 70 кг. Яку брати, M чи L?\n"
     "І скільки буде доставка в Житомир?", "uk"),
    ("Здравствуйте! Хочу купить куртку, но не знаю размер. Я 176 см, 70 кг. Какой брать, M или L? "
     "И сколько стоит доставка в Житомир?", "ru"),
    ("Hi! I want to buy a jacket but don't know my size. I'm 176 cm, 70 kg. Which should I take, M or L? "
     "And how much is delivery to Zhytomyr?", "en"),
])
async def test_the_answers_come_in_the_order_asked(demo_kb_client, channels_settings, telegram, text, language
                                                   ) -> None:
    # Found by QA: the whole message matched the delivery question best, and its answer was sent first,
    # before the size guide asked about first. ("заказать"/"order" would be read as an order question. Which
    # delivery article, cost or time, the uk wording gets is the knowledge base's matter, not the order's.)
    user = 7810002
    update = tp.text_update(text, user_id=user, language_code=language)
    assert (await post_telegram(demo_kb_client, channels_settings, update)).status_code == 200
    # A greeting in front may get its own reply; the answers are the replies with 👍/👎 buttons.
    def answered() -> list[str]:
        buttons = [sent.get("reply_markup", {}).get("inline_keyboard", [[{}]])[0][0] for sent in telegram.sent(user)]
        return [button["callback_data"] for button in buttons if button.get("callback_data", "").startswith("fb:")]

    await eventually(lambda: len(answered()) == 2)
    first, second = answered()
    assert first == "fb:size-guide:up"
    assert second in ("fb:delivery-cost:up", "fb:delivery-time:up")


async def test_the_editors_test_a_question_shows_each_answer(demo_kb_client, session_factory) -> None:
    editor = await staff_headers(session_factory, demo_kb_client, "editor")
    found = (await demo_kb_client.get("/api/kb/search", params={"q": "How much is delivery? Can I pay by card?"},
                                      headers=editor)).json()

    assert (found["decision"]["action"], found["decision"]["article_id"]) == ("answer", "delivery-cost")
    assert [(a["article_id"], a["question"]) for a in found["also"]] == [("payment-methods", "Can I pay by card?")]
    assert found["also"][0]["confidence"] > 0
