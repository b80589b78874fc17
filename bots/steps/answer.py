"""Answer the shopper from the knowledge base (placeholder answerer until the NLU is wired in)."""

from __future__ import annotations

from bots.inbound import FlowContext

FALLBACK = {
    "uk": "Дякуємо за повідомлення! Ми відповімо найближчим часом.",
    "ru": "Спасибо за сообщение! Мы ответим в ближайшее время.",
    "en": "Thanks for your message! We will get back to you shortly.",
}


async def answer_from_knowledge_base(ctx: FlowContext) -> None:
    """Reply to text messages; other kinds are left for later steps."""
    if ctx.inbound.kind not in ("text", "start"):
        return
    language = ctx.conversation.language or ctx.settings.default_language
    ctx.reply(FALLBACK[language])
