"""Reasons to hand a conversation to a person that do not depend on retrieval confidence.

All patterns run on normalised text (lower-case, ё→е, one kind of apostrophe), except CAPS and
exclamation marks, which need the raw message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlu.text import lemmas, normalize, tokenize

# --- asking for a person ------------------------------------------------------------------------
# The words for a person also name the delivery operator ("яким оператором доставляєте?"), whoever
# collects a parcel ("чи може інша людина забрати?") or a store's staff ("чи є консультант у Львові?"),
# so a word alone in a question is no request (found by QA). It is one when the message is little
# more than the word ("оператор", "живой человек", "agent please"), or when the word is what the
# shopper wants to talk with, be put through to, or be given.
_STAFF = r"(?:оператор|менеджер|консультант|специалист|спеціаліст|сотрудник|співробітник|працівник|агент)"
_PERSON_STEM = rf"(?:{_STAFF}|фахів|людин|люди|человек)"
# "з оператором", "с живым человеком", "зі спеціалістом"; "к оператору"; "до менеджера".
_WITH_PERSON = (
    rf"\b(?:з|із|зі|с|со)\s+(?:\w+\s+)?(?:{_STAFF}(?:ом|ами)|фахівц(?:ем|ями)|людиною|людьми|человеком|кимось|"
    r"ким-небудь|кем-нибудь|кем-то)\b"
)
_TO_PERSON = rf"\b(?:к\s+(?:\w+\s+)?(?:{_STAFF}у|человеку)|до\s+(?:\w+\s+)?(?:{_STAFF}а|фахівця))\b"
# What a shopper says to be given someone: "покличте оператора", "дайте живу людину", "нужен менеджер".
_GIVE = (
    r"(?:хочу|хочемо|хотів|хотіла|хотел\w*|дайте|дай|давайте|поклич\w*|позов\w*|позвать|покликати|виклич\w*|"
    r"вызов\w*|вызвать|переключ\w*|перевед\w*|перевест\w*|з'єдна\w*|соедини\w*|зв'яж\w*|свяж\w*|прошу|"
    r"можна|можно)"
)
_NEED = r"(?:потрібен|потрібна|потрібні|треба|нужен|нужна|нужны|надо)"
_LIVE = r"(?:жив\w*|реальн\w*|справжн\w*|настоящ\w*)"
_PERSON_EN = (
    r"(?:(?:a|an|the|some|your|one of your) (?:\w+ )?)?(?:real |live |actual |human |customer (?:service |support )?"
    r"|support )?(?:person|someone|somebody|agent|operator|human|representative|rep|manager|staff|people)"
)
_EXPLICIT = re.compile(
    "|".join(
        [
            _WITH_PERSON,
            _TO_PERSON,
            # Given: the accusative ("покличте живого оператора", "дайте людину", "хочу человека"), so
            # "хочу, щоб інша людина забрала" is no request; needed: the nominative ("нужен менеджер").
            rf"\b{_GIVE}\s+(?:на\s+)?(?:\w+\s+)?(?:{_STAFF}(?:а|ів|ов)|фахівця|людину|людей|человека)\b",
            rf"\b{_NEED}\s+(?:\w+\s+)?(?:{_STAFF}|фахівець|людина|люди|человек)\b",
            rf"\b{_LIVE}\s+{_PERSON_STEM}\w*",
            r"\b(?:хтось|хто-небудь|кто|кто-нибудь|кто-то)\s+жив\w*",
            r"\b(?:з'єднайте|покличте|соедините|позовите)\b",
            # en
            r"\b(?:real|live|actual|human) (?:person|people|human|agent|operator|representative|being)s?\b",
            rf"\b(?:talk|speak|chat|connect|transfer|put)\w* (?:me |us )?(?:through )?(?:to|with) {_PERSON_EN}s?\b",
            rf"\b(?:connect|contact|reach)\w* (?:me )?{_PERSON_EN}s?\b",
            r"\b(?:need|want|give|request)\w* (?:me )?(?:to (?:talk|speak|chat) )?"
            r"(?:a |an |the |your |some )?(?:real |live |human )?(?:agent|operator|representative|human)s?\b",
        ]
    )
)
# A message of nothing but these words and a word for a person ("оператора, будь ласка!", "живой
# человек", "need an agent") asks for that person.
_PERSON_WORD = re.compile(
    rf"{_PERSON_STEM}\w*|person|people|someone|somebody|agents?|operators?|human|humans|representatives?|"
    r"managers?|staff"
)
_FILLER = frozenset({
    # please, I want / need, give, can, hello
    "будь", "ласка", "пожалуйста", "плиз", "please", "pls", "plz", "мені", "мне", "me", "i", "я", "хочу", "хочемо",
    "want", "need", "треба", "надо", "нужен", "нужна", "потрібен", "потрібна", "дайте", "дай", "давайте", "give",
    "можна", "можно", "can", "could", "may", "ну", "hi", "hello", "hey", "привіт", "привет", "вітаю",
    "здравствуйте", "добрий", "добрый", "доброго", "день", "дня", "вечір", "вечер", "ok", "ок", "так", "да", "yes",
    # is there, a / the / your, live / real
    "є", "есть", "чи", "а", "и", "і", "й", "or", "is", "there", "any", "a", "an", "the", "some", "your", "ваш",
    "вашого", "вашего", "live", "real", "actual", "справжній", "реальний", "реальный", "настоящий", "живий",
    "живого", "живу", "жива", "живой", "живая", "живую", "хтось",
    # talk to / with, now
    "to", "talk", "speak", "chat", "connect", "with", "з", "с", "со", "до", "к", "на", "покличте", "позовите",
    "з'єднайте", "соедините", "срочно", "терміново", "urgent", "urgently", "now", "зараз", "сейчас", "вже", "уже",
    "customer", "service", "support", "підтримки", "поддержки",
})
_MAX_BARE_REQUEST = 8

# --- frustration --------------------------------------------------------------------------------
_INSULT = re.compile(
    "|".join(
        [
            r"\b(?:ідіот|идиот|дебіл|дебил|кретин|придур|дурн|дурак|тупи|тупо|тупа|тупой|сука)\w*",
            r"\b(?:відстій|отстой|ганьба|позор|жах|ужас|кошмар|достали|задолбал|набридл|надоел)\w*",
            r"\b(?:бесит|бесят|бісить|бісять|дратує|раздражает|задрали|достало)\b",
            r"\b(?:скільки можна (?:чекати|ждати)|сколько можно ждать)\b",
            r"\b(?:idiot|stupid|dumb|moron|useless|pathetic|ridiculous|bullshit|wtf)\w*",
            r"\b(?:fed up|sick of waiting|how long do i have to wait)\b",
        ]
    )
)
# Words of the insult list that carry no anger here (found by QA): an intensifier before liking or
# wanting ("ужасно хочу ваши кроссовки", "жах як сподобалась куртка"), and a shopper calling their own
# question silly ("is it stupid to ask…", "може, дурне питання").
_NOT_ANGER = re.compile(
    "|".join(
        [
            r"\b(?:(?:ужас|жах)\s+(?:як|как|який|яка|яке|какой|какая|какое)|ужасно|жахливо|страшно|страшенно)\s+"
            r"(?:же\s+)?(?:\w+\s+)?(?:хоч|хоті|хотел|хочет|нрав|понрав|подоба|сподоба|любл|рад|красив|гарн|крут|"
            r"класн|клев|мил|зручн|удобн|стильн|смачн|вкусн)\w*",
            r"\b(?:stupid|dumb|silly|idiotic)\s+question\w*",
            r"\b(?:is it|it's|its|it is|might be|may be|sounds|seems|i feel|i'm|im|i am)\s+"
            r"(?:so |a bit |really |kinda |very |an? |such an? )?(?:stupid|dumb|silly|idiot|moron)\w*",
            r"\b(?:дурн|тупи|тупе|тупо|дурацк|идиотск|глуп)\w*\s+(?:питання|запитання|вопрос)\w*",
            r"\bя\s+(?:такий\s+|такая\s+|такой\s+|така\s+)?(?:ідіот|идиот|дурак|дура|дурень|тупий|тупая|тупой)\w*",
        ]
    )
)
# CAPS and "!!!" are also how shoppers shout thanks ("ДЯКУЮ!!!"), greetings or a plain question
# ("HOW MUCH IS DELIVERY"), and answering those first is better than queueing them (found by QA): shouting
# is anger only together with a complaint.
_COMPLAINT = re.compile(
    "|".join(
        [
            r"\b(?:досі|до сих пір|знову|ніколи|чекаю|чекати|чекав\w*|ніхто|поверніть|погано|поган\w*|гірш\w*)\b",
            r"\b(?:обурен|неприпустим|зламан)\w*|\bне (?:прийш|прийд|отрима|відповіда)\w*",
            r"\b(?:до сих пор|опять|снова|никогда|жду|ждать|ждал\w*|никто|верните|плохо|плох\w*|хуже)\b",
            r"\b(?:возмут|безобраз|сломан)\w*|\bне (?:приш|придет|получ|отвеча)\w*",
            r"\bну (?:і|и|що|шо|что|де|где)\b",
            r"\b(?:still|again|never|wait\w*|nobody|no one|broken|wrong|terrible|awful|horrible|worst)\b",
            r"\b(?:unacceptable|disgust\w*|angry|annoyed|furious|upset)\b",
            # Rejecting the answer just given: "НЕТ, НЕ ТО!!!" shouted is a shopper the bot has failed.
            r"\b(?:не то|не те|не це|не это|not that|not it)\b",
            r"\b(?:not|never|haven't|hasn't|didn't|did not|have not|has not) (?:arrived|received|come|got|gotten)\b",
        ]
    )
)
# Swearing used to stress a question ("where do I see your damn payment options?") is not aimed at
# anyone: with a confident answer the bot answers; without one it hands off like any frustration.
_SWEARING = re.compile(
    "|".join(
        [
            r"\b(?:бля|хуй|хуе|хуї|хер|хрен|хрін|пизд|пізд|єба|еба|ебан|їба|говн|гівн|жоп|срак)\w*",
            r"\b(?:fuck|shit|crap|damn|bloody|freaking|frigging)\w*",
        ]
    )
)
_SHOUT = re.compile(r"!{3,}|(?:\?!|!\?){2,}")
_CAPS_WORD = re.compile(r"\b[^\W\d_]{3,}\b")
_LANGUAGES = ("uk", "ru", "en")


def asks_for_person(normalized: str) -> bool:
    """Tell whether the shopper asks for a person ("оператор", "з людиною", "живой человек", "human").

    A word for a person inside another question ("яким оператором доставляєте?", "which delivery
    operator do you use?", "чи може інша людина забрати замовлення?") is not a request.
    """
    if _EXPLICIT.search(normalized):
        return True
    words = tokenize(normalized)
    return (
        0 < len(words) <= _MAX_BARE_REQUEST
        and any(_PERSON_WORD.fullmatch(w) for w in words)
        and all(w in _FILLER or _PERSON_WORD.fullmatch(w) for w in words)
    )


def swears(normalized: str) -> bool:
    """Tell whether the message contains swear words ("damn", "fucking", "бля"): a milder signal."""
    return _SWEARING.search(normalized) is not None


def is_frustrated(raw: str, normalized: str) -> bool:
    """Tell whether the message shows frustration: insults ("кошмар", "useless"), or shouting with a complaint.

    Swearing alone is not counted here (see :func:`swears`). Shouting (CAPS, "!!!", "?!?!") alone is not
    either: "ДЯКУЮ!!!" and "HOW MUCH IS DELIVERY" are answered; "WHY IS IT STILL NOT HERE!!!" is anger.
    Intensifiers ("ужасно хочу") and a shopper's own "stupid question" are not insults.
    """
    if _INSULT.search(_NOT_ANGER.sub(" ", normalized)):
        return True
    return _shouts(raw) and _COMPLAINT.search(normalized) is not None


def _shouts(raw: str) -> bool:
    # CAPS needs at least two all-capital words of three letters or more, so "OK", "COD" or a shouted
    # product name alone are not taken for shouting.
    if _SHOUT.search(raw):
        return True
    words = _CAPS_WORD.findall(raw[:2000])
    shouted = [w for w in words if w.isupper()]
    return len(shouted) >= 2 and len(shouted) >= 0.7 * len(words)


@dataclass(frozen=True)
class SensitiveTopics:
    """Configured topics that always go to a person (e.g. "chargeback", "суд", "lawyer").

    A topic matches when its normalised text occurs in the message as whole words, or when all its
    lemmas do (so "судом" matches "суд", and "посуд" does not). Lemmas are prepared for every
    language, since the message language may differ from the one the topic was written in.
    """

    phrases: re.Pattern[str] | None
    lemma_sets: tuple[frozenset[str], ...]

    @classmethod
    def build(cls, topics: Sequence[str]) -> SensitiveTopics:
        """Prepare ``topics`` for matching."""
        phrases = tuple(p for p in (normalize(t) for t in topics) if p)
        sets = {frozenset(lemmas(p, language)) for p in phrases for language in _LANGUAGES}
        pattern = re.compile("|".join(rf"(?<!\w){re.escape(p)}(?!\w)" for p in phrases)) if phrases else None
        return cls(pattern, tuple(s for s in sets if s))

    def matches(self, normalized: str, message_lemmas: set[str]) -> bool:
        """Tell whether the message touches any topic."""
        if self.phrases is not None and self.phrases.search(normalized):
            return True
        return any(topic <= message_lemmas for topic in self.lemma_sets)
