"""Two questions in one Telegram message get two answers, in the order asked (demo knowledge base, real NLU,
Bot API double). Before, only the first was answered and the shopper had to ask the second again."""

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


async def test_the_editors_test_a_question_shows_each_answer(demo_kb_client, session_factory) -> None:
    editor = await staff_headers(session_factory, demo_kb_client, "editor")
    found = (await demo_kb_client.get("/api/kb/search", params={"q": "How much is delivery? Can I pay by card?"},
                                      headers=editor)).json()

    assert (found["decision"]["action"], found["decision"]["article_id"]) == ("answer", "delivery-cost")
    assert [(a["article_id"], a["question"]) for a in found["also"]] == [("payment-methods", "Can I pay by card?")]
    assert found["also"][0]["confidence"] > 0
