"""A shopper who fixes an unanswered question in place gets the answer; an edit of an answered one is only
stored. End to end in Telegram (demo knowledge base, real NLU, Bot API double); found by the second QA
pass: edits were stored and never answered."""

from bots.steps.answer import FALLBACK
from bots.steps.small_talk import YOU_ARE_WELCOME
from tests.support import telegram_payloads as tp
from tests.support.channels import eventually, post_telegram, stored_messages


async def _send(client, settings, update: dict) -> None:
    assert (await post_telegram(client, settings, update)).status_code == 200


async def test_an_edit_of_an_unanswered_question_is_answered_and_of_an_answered_one_is_not(
        demo_kb_client, channels_settings, telegram, session_factory) -> None:
    user = 7800001
    await _send(demo_kb_client, channels_settings, tp.text_update("ккк шшш ггг", user_id=user, language_code="uk"))
    await eventually(lambda: len(telegram.sent(user)) == 1)
    assert telegram.sent(user)[0]["text"] == FALLBACK["uk"]

    await _send(demo_kb_client, channels_settings, tp.edited_update("Скільки коштує доставка?", user_id=user))
    await eventually(lambda: len(telegram.sent(user)) == 2)
    assert "70 грн" in telegram.sent(user)[1]["text"]

    await _send(demo_kb_client, channels_settings, tp.edited_update("Скільки коштує доставка до Львова?",
                                                                    user_id=user))
    # The webhook answers once the update is stored with its replies: no third reply was queued.
    assert len(await stored_messages(session_factory, "out")) == 2
    edits = [m for m in await stored_messages(session_factory, "in") if m.kind == "edited"]
    assert [m.text for m in edits] == ["Скільки коштує доставка?", "Скільки коштує доставка до Львова?"]


async def test_an_edit_of_thanks_the_bot_replied_to_gets_no_second_reply(
        demo_kb_client, channels_settings, telegram, session_factory) -> None:
    """Found in review: "дякую" got "you're welcome", and fixing it to "Дякую!" got it again."""
    user = 7800002
    await _send(demo_kb_client, channels_settings, tp.text_update("дякую", user_id=user, language_code="uk"))
    await eventually(lambda: len(telegram.sent(user)) == 1)
    assert telegram.sent(user)[0]["text"] == YOU_ARE_WELCOME["uk"]

    await _send(demo_kb_client, channels_settings, tp.edited_update("Дякую!", user_id=user))
    assert len(await stored_messages(session_factory, "out")) == 1
    assert [m.text for m in await stored_messages(session_factory, "in") if m.kind == "edited"] == ["Дякую!"]
