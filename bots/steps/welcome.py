"""Greet a shopper who opens the bot (Telegram /start, a web chat start) in their language."""

from __future__ import annotations

from bots.inbound import Button, FlowContext
from bots.steps.handoff import HANDOFF_BUTTON
from bots.steps.media import shopper_language
from handoff import texts

GREETING = {
    "uk": "Вітаємо! Я помічник магазину: відповім про доставку, оплату, повернення та ваші замовлення. "
          "Напишіть ваше питання.",
    "ru": "Здравствуйте! Я помощник магазина: отвечу о доставке, оплате, возврате и ваших заказах. "
          "Напишите ваш вопрос.",
    "en": "Hello! I am the shop's assistant: ask me about delivery, payment, returns or your orders.",
}


async def welcome(ctx: FlowContext) -> None:
    """Answer a plain start with the greeting and a button to reach a person.

    Viber's ``conversation_started`` is skipped: Viber accepts no message before the user subscribes,
    and its welcome goes in the webhook's response body instead.
    """
    if ctx.inbound.kind != "start" or ctx.inbound.payload.get("conversation_started"):
        return
    language = shopper_language(ctx)
    ctx.reply(GREETING[language], buttons=[[Button(texts.text("talk_to_person", language), HANDOFF_BUTTON)]],
              keyboard="inline")
    ctx.done = True
