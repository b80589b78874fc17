"""First flow step: a shopper who floods the bot is throttled without slowing anyone else.

Every message is still stored (the flow stored it before the steps run) and shown to agents; the
bot just stops answering the flooding shopper until their budget refills, and says so once.
"""

from __future__ import annotations

from bots.inbound import FlowContext
from core.ratelimit import SHOPPER_LIMITER_KEY, create_shopper_limiter

SLOW_DOWN = {
    "uk": "Ви пишете дуже швидко. Я відповім на нові повідомлення за хвилинку — усі ваші повідомлення збережено.",
    "ru": "Вы пишете очень быстро. Я отвечу на новые сообщения через минутку — все ваши сообщения сохранены.",
    "en": "You are writing very fast. I will answer new messages in a minute — all your messages are saved.",
}


async def throttle_flooding_shoppers(ctx: FlowContext) -> None:
    """Stop the flow for a shopper over their message budget; tell them once per streak.

    Only conversations the bot answers are throttled: when a person owns the conversation the bot
    is silent anyway and the later steps (timers, notifications) must still see every message.
    """
    if ctx.conversation.status != "bot":
        return
    # The app puts its limiter in the services at start (web/rate_limits.py); a flow built without
    # the app (scripts, tests) makes its own on first use.
    limiter = ctx.services.get(SHOPPER_LIMITER_KEY)
    if limiter is None:
        limiter = ctx.services[SHOPPER_LIMITER_KEY] = create_shopper_limiter(ctx.settings)
    verdict = await limiter.hit(f"customer:{ctx.customer.id}")
    if verdict.allowed:
        return
    ctx.done = True
    ctx.message.payload = {**(ctx.message.payload or {}), "throttled": True}
    if verdict.first_refusal:
        language = ctx.conversation.language or ctx.customer.preferred_language or ctx.settings.default_language
        ctx.reply(SLOW_DOWN.get(language, SLOW_DOWN["en"]), author="system")
