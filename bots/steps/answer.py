"""Answer the shopper from the knowledge base: answer, ask "did you mean", fall back or leave it to hand-off.

Text messages go through the NLU decision (``services["kb_index"]``); the buttons this step sends come
back as callbacks it handles too: ``kb:<slug>`` (a "did you mean" choice) answers that article,
``fb:<slug>:up|down`` records the shopper's rating of an answer.

The outgoing payload keeps ``text`` as plain text (what every channel can show and what the console
stores) and adds ``html`` with the channel's HTML rendering (Telegram HTML parse mode, web chat HTML)
where the channel has one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from bots.inbound import Button, FlowContext, Reply
from bots.steps.clarify import clarify_buttons
from bots.steps.escalation import needs_a_person
from bots.steps.language import settle_language, shopper_language
from bots.steps.last_answer import last_answer
from bots.steps.topics import message_topics
from core.models import Message
from knowledge_base.figures import record_answer, record_feedback
from knowledge_base.inbox import record_unanswered
from knowledge_base.index import KnowledgeIndex
from knowledge_base.models import Article
from knowledge_base.rendering import plain_text, render
from nlu.small_talk import NEGATION, small_talk
from nlu.types import Candidate, Decision, PreviousAnswer

logger = logging.getLogger(__name__)

FALLBACK = {
    "uk": "Вибачте, я не знайшов відповіді на це питання. Спробуйте сформулювати інакше або напишіть «оператор».",
    "ru": "Извините, я не нашёл ответа на этот вопрос. Попробуйте сформулировать иначе или напишите «оператор».",
    "en": "Sorry, I could not find an answer to that. Try asking in other words, or write \"agent\" to reach a person.",
}
# Everyday chatter ("what's the weather in Lviv?"): what the bot is for, without calling it a failure.
OFF_TOPIC = {
    "uk": "Я допомагаю із замовленнями, доставкою, оплатою, поверненням і обміном. Напишіть, що вас цікавить.",
    "ru": "Я помогаю с заказами, доставкой, оплатой, возвратом и обменом. Напишите, что вас интересует.",
    "en": "I can help with orders, delivery, payment, returns and exchanges. What would you like to know?",
}
WELCOME = {
    "uk": "Вітаємо! Напишіть своє питання — про доставку, оплату, повернення чи замовлення — і я відповім.",
    "ru": "Здравствуйте! Напишите свой вопрос — о доставке, оплате, возврате или заказе — и я отвечу.",
    "en": "Hello! Ask me anything about delivery, payment, returns or your order and I will answer.",
}
# A message with nothing to read ("🙂", "😊😊"): the bot failed at nothing, it asks for words.
ASK_IN_WORDS = {
    "uk": "Напишіть, будь ласка, ваше питання словами — я допоможу.",
    "ru": "Напишите, пожалуйста, ваш вопрос словами — я помогу.",
    "en": "Please type your question in words and I will help.",
}
DID_YOU_MEAN = {"uk": "Ви мали на увазі:", "ru": "Вы имели в виду:", "en": "Did you mean:"}
THANKS = {
    "uk": "Дякуємо за оцінку!",
    "ru": "Спасибо за оценку!",
    "en": "Thank you for your feedback!",
}
# A button whose article was unpublished or deleted since it was sent (or data we never sent).
GONE = {
    "uk": "Вибачте, ця відповідь більше недоступна. Поставте питання ще раз або напишіть «оператор».",
    "ru": "Извините, этот ответ больше недоступен. Задайте вопрос ещё раз или напишите «оператор».",
    "en": "Sorry, that answer is no longer available. Please ask again, or write \"agent\" to reach a person.",
}
SORRY = {
    "uk": "Дякуємо, що сказали. Ми покращимо цю відповідь. Напишіть «оператор», якщо потрібна допомога людини.",
    "ru": "Спасибо, что сказали. Мы улучшим этот ответ. Напишите «оператор», если нужна помощь человека.",
    "en": "Thanks for telling us; we will improve this answer. Write \"agent\" if you would like a person to help.",
}
HTML_TARGETS = {"telegram": "telegram", "webchat": "web"}
FEEDBACK_PREFIX = "fb:"  # fb:<slug>:up|down, the 👍/👎 under an answer
# A question asked this long after the bot's answer is a new question, not a follow-up of it.
FOLLOW_UP_WINDOW = timedelta(minutes=15)


@dataclass
class AnswerReply(Reply):
    """A reply with the channel's HTML rendering beside the plain text."""

    html: str | None = None

    def to_payload(self) -> dict:
        """The outbox payload, with ``html`` when the channel formats messages."""
        payload = super().to_payload()
        if self.html is not None:
            payload["html"] = self.html
        return payload


async def answer_from_knowledge_base(ctx: FlowContext) -> None:
    """Decide on text messages, greet on /start, handle this step's own buttons; other kinds are left alone."""
    if ctx.inbound.kind == "callback":
        await _on_callback(ctx, str(ctx.inbound.payload.get("data") or ""))
    elif ctx.inbound.reads_as_text:
        await _on_text(ctx)
    elif ctx.inbound.kind == "start" and not ctx.inbound.payload.get("conversation_started"):
        # /start, or the first contact: nothing to decide on yet. (Viber's conversation_started is
        # answered in its webhook response: Viber accepts no message before the user subscribes.)
        ctx.reply(_say(WELCOME, shopper_language(ctx)))


async def _on_text(ctx: FlowContext) -> None:
    conversation = ctx.conversation
    index = ctx.services.get("kb_index")
    if index is None:
        logger.warning("no knowledge index in the flow's services; falling back")
        ctx.reply(_say(FALLBACK, shopper_language(ctx)))
        return
    if small_talk(ctx.inbound.text) == NEGATION and not needs_a_person(ctx):
        await _not_that(ctx, index)
        return
    decision = await index.decide(ctx.inbound.text, language_hint=ctx.inbound.language_hint,
                                  previous_language=conversation.language,
                                  recent_failures=conversation.low_confidence_streak or 0,
                                  previous_answer=await _previous_answer(ctx, clarifies=True))
    ctx.decision = decision
    conversation.language = decision.language
    article = await _published(ctx, decision.article_id) if decision.action == "answer" else None
    ctx.topics = await message_topics(ctx.session, decision, article)
    if article is not None:
        conversation.low_confidence_streak = 0
        await _answer_each_question(ctx, article, decision)
    elif decision.action == "clarify" and decision.candidates:
        buttons = await clarify_buttons(ctx.session, decision.candidates)
        ctx.replies.append(Reply(_say(DID_YOU_MEAN, decision.language), buttons=buttons, keyboard="inline",
                                 meta={"decision": _summary(decision)}))
    elif decision.action == "handoff":
        # The hand-off step speaks to the shopper; an unsure match still tells editors what is missing.
        if decision.reason == "low_confidence":
            conversation.low_confidence_streak = (conversation.low_confidence_streak or 0) + 1
            await _unanswered(ctx, decision.language, "low_confidence")
    elif decision.reason == "empty":
        # Nothing to read ("🙂", "😀😀😀"): no failure of the bot's (found by QA: two smileys and an "ok"
        # handed the shopper to a person), and nothing an editor could write an article for.
        ctx.reply(_say(ASK_IN_WORDS, decision.language), meta={"decision": _summary(decision)})
    elif decision.reason == "chatter":
        # Not the bot failing: no step towards a hand-off, nothing for the editors' unanswered inbox.
        ctx.reply(_say(OFF_TOPIC, decision.language), meta={"decision": _summary(decision)})
    else:
        if decision.reason != "no_articles":
            # An empty knowledge base is the shop's setup, not the bot failing this shopper: it does
            # not count towards the streak that makes the NLU hand a frustrated shopper to a person.
            conversation.low_confidence_streak = (conversation.low_confidence_streak or 0) + 1
        await _unanswered(ctx, decision.language, "fallback")
        ctx.reply(_say(FALLBACK, decision.language), meta={"decision": _summary(decision)})


async def _not_that(ctx: FlowContext, index: KnowledgeIndex) -> None:
    """A bare "ні" / "не то" / "no, that's not it": never an article (its words matched some by chance).

    Right after an answer, the articles that came closest to the answered question besides it are
    offered ("Did you mean"); otherwise the fallback asks for other words or a person. Neither counts
    as a failure nor goes to the editors' inbox: "ні" is no question. Both decisions carry the reason
    "not_that", which keeps a VIP's "ні" from paging a person and the "ні" out of the analytics'
    unanswered questions.
    """
    language = settle_language(ctx)
    previous = await _previous_answer(ctx)
    neighbours: list[Candidate] = []
    if previous is not None:
        again = await index.decide(previous.question, language_hint=ctx.inbound.language_hint,
                                   previous_language=language)
        # The answered question's runners-up, however far behind: the shopper said the best one was wrong.
        neighbours = [c for c in again.candidates if c.article_id != previous.article_id]
    action = "clarify" if neighbours else "fallback"
    decision = Decision(action=action, language=language, article_id=None, confidence=0.0,
                        candidates=tuple(neighbours), reason="not_that",
                        explanation={"not_that": previous.article_id if previous else None})
    ctx.decision = decision
    if neighbours:
        buttons = await clarify_buttons(ctx.session, neighbours)
        ctx.replies.append(Reply(_say(DID_YOU_MEAN, language), buttons=buttons, keyboard="inline",
                                 meta={"decision": _summary(decision)}))
    else:
        ctx.reply(_say(FALLBACK, language), meta={"decision": _summary(decision)})


async def _answer_each_question(ctx: FlowContext, article: Article, decision: Decision) -> None:
    """Send the answer to the message and those to its other questions ("… ? And how do I pay?"), in the
    order the questions were asked (found by QA: the whole message matched its second question best, and
    that answer went before the first question's).

    The other answers' articles' tags count among the message's topics, so a hand-off topic in any of
    them is seen.
    """
    for answer in sorted((decision, *decision.also), key=lambda each: each.explanation.get("asked_at", 0)):
        answered = article if answer is decision else await _published(ctx, answer.article_id)
        if answered is None:
            continue
        if answer is not decision:
            ctx.topics += [topic for topic in await message_topics(ctx.session, answer, answered)
                           if topic not in ctx.topics]
        await _answer(ctx, answered, answer, question=answer.explanation.get("question"))


async def _on_callback(ctx: FlowContext, data: str) -> None:
    kind, _, rest = data.partition(":")
    if kind not in ("kb", "fb"):
        return
    language = ctx.conversation.language or ctx.settings.default_language
    slug, _, vote = rest.partition(":")
    article = await _published(ctx, slug)
    ctx.done = True  # our own button: nothing for later steps to do
    if kind == "kb" and article is not None:
        decision = Decision(action="answer", language=language, article_id=slug, confidence=1.0, candidates=(),
                            reason=None, explanation={"chosen_by": "button"})
        ctx.decision = decision
        ctx.topics = list(article.tags or [])
        ctx.conversation.low_confidence_streak = 0
        await _answer(ctx, article, decision, question=await _last_question(ctx))
    elif article is None:
        # A stale button (the article was unpublished or deleted after we offered it) or forged data:
        # say so plainly; "could not find an answer to that" would puzzle a shopper who just chose one.
        logger.info("%s button for %r, which is not a published article", kind, slug[:64])
        ctx.reply(_say(GONE, language))
    elif kind == "fb" and vote in ("up", "down"):
        helpful = vote == "up"
        rated = await record_feedback(ctx.session, article=article, conversation_id=ctx.conversation.id,
                                      helpful=helpful, message_id=ctx.message.id)
        if rated is not None:
            ctx.reply(_say(THANKS if helpful else SORRY, language))
    else:
        ctx.reply(_say(FALLBACK, language))


async def _answer(ctx: FlowContext, article: Article, decision: Decision, *, question: str | None = None) -> None:
    variant = (article.variant(decision.language) or article.variant(ctx.settings.default_language)
               or article.variant(article.source_language) or article.variants[0])
    target = HTML_TARGETS.get(ctx.conversation.channel)
    feedback = [[Button(thumb, f"{FEEDBACK_PREFIX}{article.slug}:{vote}")
                 for thumb, vote in (("👍", "up"), ("👎", "down"))]]
    ctx.replies.append(AnswerReply(
        plain_text(variant.answer), buttons=feedback, keyboard="inline", meta={"decision": _summary(decision)},
        html=render(variant.answer, target) if target else None,
    ))
    await record_answer(ctx.session, article=article, conversation_id=ctx.conversation.id,
                        question=question or ctx.inbound.text, language=variant.language)


async def _previous_answer(ctx: FlowContext, *, clarifies: bool = False) -> PreviousAnswer | None:
    """The bot's answer just before this message, if the conversation's latest reply was one, and recent.

    With ``clarifies``, a "Did you mean …?" there counts too (with no article): a follow-up right after
    the buttons is read against the question they were offered for. Anything else said since (an
    agent, a fallback) or a pause of more than :data:`FOLLOW_UP_WINDOW` ends the context a follow-up
    question leans on.
    """
    found = await last_answer(ctx.session, ctx.conversation.id, within=FOLLOW_UP_WINDOW, before_id=ctx.message.id,
                              clarifies=clarifies)
    if found is None:
        return None
    reply, slug = found
    question = await ctx.session.scalar(
        select(Message.text).where(Message.conversation_id == ctx.conversation.id, Message.direction == "in",
                                   Message.kind == "text", Message.id < reply.id)
        .order_by(Message.id.desc()).limit(1)
    )
    return PreviousAnswer(question, slug) if question else None


async def _last_question(ctx: FlowContext) -> str | None:
    """The shopper's latest text in this conversation: the question a "did you mean" button answers.

    A press carries only the button's data ("kb:<slug>"); recording that as the question would put
    it in the figures and, after a 👎, in the editors' unanswered inbox instead of what was asked.
    """
    return await ctx.session.scalar(
        select(Message.text).where(Message.conversation_id == ctx.conversation.id, Message.direction == "in",
                                   Message.kind == "text", Message.id < ctx.message.id)
        .order_by(Message.id.desc()).limit(1)
    )


async def _published(ctx: FlowContext, slug: str | None) -> Article | None:
    if not slug:
        return None
    return await ctx.session.scalar(select(Article).where(Article.slug == slug, Article.status == "published"))


async def _unanswered(ctx: FlowContext, language: str, reason: str) -> None:
    await record_unanswered(ctx.session, text=ctx.inbound.text, language=language, reason=reason,
                            conversation_id=ctx.conversation.id, message_id=ctx.message.id)


def _say(texts: dict[str, str], language: str | None) -> str:
    return texts.get(language or "", texts["en"])


def _summary(decision: Decision) -> dict:
    return {"action": decision.action, "article_id": decision.article_id, "confidence": decision.confidence,
            "language": decision.language, "reason": decision.reason}
