"""Messages that ask two or three things at once: "Скільки коштує доставка? І як можна оплатити?".

Scored whole, such a message matches one of its questions (or, split between two articles, neither
well enough), and the shopper has to ask the rest again. Split at question marks and line breaks,
each question is scored on its own, and when two or three of them get confident answers from
different articles, the bot sends each answer (:attr:`nlu.types.Decision.also`).

Only clear boundaries split: a new line, a question mark followed by more text, or "and" followed by
a question word ("Де моє замовлення і чи можна повернути товар?", "скока стоит доставка і як
оплатить"). Within a line, only the pieces that end with a question mark count: "Where is my card? I
have been waiting a week!" asks one thing and says why. Pieces without two words ("Привіт?", "ok") are
left out, and a message of more than three questions is read whole: it reads more like a letter for a
person than a list of FAQ questions.
"""

from __future__ import annotations

import re

from nlu.text import MAX_CHARS, normalize, tokenize

MAX_QUESTIONS = 3
MIN_WORDS = 2
_AFTER_QUESTION_MARK = re.compile(r"(?<=\?)\s+")
# "and" in uk, ru and en, when a question word follows it: the start of a second question. Without the
# question word ("доставка і оплата", "return and exchange") it joins two words of one question.
_QUESTION_WORDS = ("чи|як|яка|який|яке|які|де|коли|скільки|що|шо|чому|куди|можна|"
                   "как|какая|какой|какое|какие|где|когда|сколько|что|почему|куда|можно|"
                   "how|where|when|what|which|why|can|could|do|does|is|are|will")
_AND_THEN_QUESTION = re.compile(rf",?\s+(?:і|й|та|и|а также|and|also)\s+(?=(?:{_QUESTION_WORDS})\b)", re.IGNORECASE)
# "де і коли можна забрати" asks one thing twice over: "and" between two question words does not split.
_ENDS_WITH_QUESTION_WORD = re.compile(rf"\b(?:{_QUESTION_WORDS})$", re.IGNORECASE)


def split_questions(text: str) -> list[str]:
    """The message's separate questions, in order, when it holds two or three of them; else ``[]``."""
    questions = []
    for line in text[:MAX_CHARS].splitlines():
        pieces = [piece for piece in _AFTER_QUESTION_MARK.split(line.strip()) if piece]
        if len(pieces) > 1:
            # Text after a line's last question mark explains it rather than asking something else.
            pieces = [piece for piece in pieces if piece.endswith("?")]
        pieces = [part for piece in pieces for part in _split_at_and(piece)]
        questions += [piece for piece in pieces if len(tokenize(normalize(piece))) >= MIN_WORDS]
    return questions if 2 <= len(questions) <= MAX_QUESTIONS else []


def _split_at_and(piece: str) -> list[str]:
    """``piece`` cut at each "and" that starts another question."""
    parts, start = [], 0
    for joint in _AND_THEN_QUESTION.finditer(piece):
        if not _ENDS_WITH_QUESTION_WORD.search(piece[start:joint.start()]):
            parts.append(piece[start:joint.start()])
            start = joint.end()
    return [*parts, piece[start:]]
