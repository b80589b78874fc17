"""Tell the shopper, politely and in their language, that the bot reads only text.

Photos, files, voice notes, stickers, locations and unknown message types are stored with their
attachments for the agents; the bot itself cannot read them.
"""

from __future__ import annotations

from bots.inbound import FlowContext
from bots.steps.language import shopper_language

UNREADABLE_KINDS = frozenset({
    "photo", "picture", "document", "file", "voice", "audio", "sticker", "video", "video_note", "animation",
    "location", "url", "unsupported",
})
NOTICE = {
    "uk": "Дякуємо! Я поки що розумію лише текстові повідомлення — напишіть, будь ласка, ваше питання словами. "
          "Вкладення збережено, і наш менеджер зможе його переглянути.",
    "ru": "Спасибо! Я пока понимаю только текстовые сообщения — напишите, пожалуйста, ваш вопрос словами. "
          "Вложение сохранено, и наш менеджер сможет его посмотреть.",
    "en": "Thank you! I can only read text messages for now — please type your question. "
          "Your attachment is saved and our team can look at it.",
}


async def explain_unreadable_media(ctx: FlowContext) -> None:
    """Reply with the notice to anything that is not text; a captioned photo is read by its caption."""
    if ctx.inbound.kind in UNREADABLE_KINDS and not ctx.inbound.reads_as_text:
        ctx.reply(NOTICE[shopper_language(ctx)])
