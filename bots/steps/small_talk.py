"""Greetings, thanks and acknowledgements: answered as such, never counted as questions the bot could not answer.

A message that is only a greeting gets the bot's welcome (the one /start gets), one that is only
thanks a short "you're welcome", a bare "ок" / "got it" a short "anything else?" (:mod:`nlu.small_talk`
decides what "only" means). None touches ``conversation.low_confidence_streak`` nor the editors'
unanswered inbox: before this step "Привіт" got the fallback, a second greeting (or "ок" then
"зрозуміло") was handed to a person, and all of them topped the unanswered lists. A bare "no, not that"
is the answer step's: it is about the answer the bot gave.

The knowledge base is not asked first, on purpose: a whole-message greeting or thanks holds no
question for an article to answer, and letting the NLU score it is what matched greetings to
unrelated articles or to nothing. A shop changes what the bot says here with the welcome text.
"""

from __future__ import annotations

from bots.inbound import FlowContext
from bots.steps.answer import WELCOME
from bots.steps.escalation import needs_a_person
from bots.steps.language import settle_language
from nlu.small_talk import ACKNOWLEDGEMENT, GREETING, NEGATION, THANKS, small_talk

YOU_ARE_WELCOME = {
    "uk": "Будь ласка! Чим ще можу допомогти?",
    "ru": "Пожалуйста! Чем ещё могу помочь?",
    "en": "You're welcome! Anything else I can help with?",
}
ANYTHING_ELSE = {
    "uk": "Чим ще можу допомогти?",
    "ru": "Чем ещё могу помочь?",
    "en": "Anything else I can help with?",
}
_REPLIES = {GREETING: WELCOME, THANKS: YOU_ARE_WELCOME, ACKNOWLEDGEMENT: ANYTHING_ELSE}


async def answer_small_talk(ctx: FlowContext) -> None:
    """Answer a text that is only a greeting, thanks or an acknowledgement; anything else goes on to the next steps."""
    if not ctx.inbound.reads_as_text or ctx.conversation.status not in ("bot", "resolved"):
        return
    kind = small_talk(ctx.inbound.text)
    # "HELLO!!!" reads as anger to the NLU, which hands it off; it stays that way.
    if kind is None or kind == NEGATION or needs_a_person(ctx):
        return
    ctx.done = True
    language = settle_language(ctx)
    texts = _REPLIES[kind]
    ctx.reply(texts.get(language, texts["en"]))
