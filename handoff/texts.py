"""What the shopper reads during a hand-off, in Ukrainian, Russian and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "queued": {
        "uk": "З'єднуємо вас з оператором — ви {position}-й у черзі. Орієнтовний час очікування: {minutes} хв.",
        "ru": "Соединяем вас с оператором — вы {position}-й в очереди. Примерное время ожидания: {minutes} мин.",
        "en": "Connecting you with an agent — you are number {position} in the queue. "
              "Estimated wait: about {minutes} min.",
    },
    "closed": {
        "uk": "Зараз наша команда не працює. Оператор відповість {when} — ваше повідомлення збережено, "
              "ви {position}-й у черзі.",
        "ru": "Сейчас наша команда не работает. Оператор ответит {when} — ваше сообщение сохранено, "
              "вы {position}-й в очереди.",
        "en": "Our team is offline right now. An agent will answer {when} — your message is saved and "
              "you are number {position} in the queue.",
    },
    # A shopper writing again while queued (handoff.waiting): the message reached the team, nobody has joined yet.
    "waiting_ack": {
        "uk": "Ваше повідомлення передано — оператор відповість тут, щойно зможе. Ви {position}-й у черзі.",
        "ru": "Ваше сообщение передано — оператор ответит здесь, как только сможет. Вы {position}-й в очереди.",
        "en": "Your message is passed on — a person will answer here as soon as possible. "
              "You are number {position} in the queue.",
    },
    "waiting_ack_closed": {
        "uk": "Ваше повідомлення передано. Зараз наша команда не працює — оператор відповість {when}.",
        "ru": "Ваше сообщение передано. Сейчас наша команда не работает — оператор ответит {when}.",
        "en": "Your message is passed on. Our team is offline right now — an agent will answer {when}.",
    },
    # Said instead of the bot's "write «оператор»" when a person takes over the same message anyway.
    "passing_on": {
        "uk": "Передаю ваше питання оператору.",
        "ru": "Передаю ваш вопрос оператору.",
        "en": "I am passing your question to a person.",
    },
    "joined": {
        "uk": "{agent} приєднується до розмови.",
        "ru": "{agent} присоединяется к разговору.",
        "en": "{agent} has joined.",
    },
    # A transfer to an agent who is away or offline: nobody answers now, so the shopper must not read
    # "has joined". The name stays in the nominative, as shoppers' names cannot be declined safely.
    "passed_to_absent": {
        "uk": "Розмову передано: {agent} відповість вам, щойно повернеться на зв'язок. Ваші повідомлення збережено.",
        "ru": "Разговор передан: {agent} ответит вам, как только вернётся на связь. Ваши сообщения сохранены.",
        "en": "Your conversation was passed to {agent}, who will reply when back online. Your messages are saved.",
    },
    "handback": {
        "uk": "Далі вам знову допомагатиме бот. Напишіть «оператор», якщо знадобиться людина.",
        "ru": "Дальше вам снова поможет бот. Напишите «оператор», если понадобится человек.",
        "en": "The bot will help you from here. Write \"agent\" whenever you need a person again.",
    },
    "csat_question": {
        "uk": "Розмову завершено. Оцініть, будь ласка, нашу допомогу від 1 до 5.",
        "ru": "Разговор завершён. Оцените, пожалуйста, нашу помощь от 1 до 5.",
        "en": "Your conversation is resolved. Please rate our help from 1 to 5.",
    },
    "csat_thanks": {
        "uk": "Дякуємо за оцінку!",
        "ru": "Спасибо за оценку!",
        "en": "Thank you for your rating!",
    },
    # Thanks or praise while the rating is still to come: the buttons come again with it.
    "csat_glad_ask": {
        "uk": "Раді були допомогти! Оцініть, будь ласка, нашу допомогу від 1 до 5.",
        "ru": "Рады были помочь! Оцените, пожалуйста, нашу помощь от 1 до 5.",
        "en": "Glad we could help! Please rate our help from 1 to 5.",
    },
    "csat_glad": {
        "uk": "Раді були допомогти! Гарного дня!",
        "ru": "Рады были помочь! Хорошего дня!",
        "en": "Glad we could help! Have a nice day!",
    },
    "talk_to_person": {
        "uk": "Зв'язатися з оператором",
        "ru": "Связаться с оператором",
        "en": "Talk to a person",
    },
}

WEEKDAYS = {
    "uk": ("у понеділок", "у вівторок", "у середу", "у четвер", "у п'ятницю", "у суботу", "у неділю"),
    "ru": ("в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу", "в воскресенье"),
    "en": ("on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "on Sunday"),
}
NEAR_DAYS = {"uk": ("сьогодні", "завтра"), "ru": ("сегодня", "завтра"), "en": ("today", "tomorrow")}
AT = {"uk": "о", "ru": "в", "en": "at"}



def text(key: str, language: str, **values: object) -> str:
    """The shopper text ``key`` in ``language`` with ``values`` filled in."""
    return TEXTS[key][language].format(**values)


def describe_opening(days_ahead: int, weekday: int, clock: str, language: str) -> str:
    """"today at 09:00", "tomorrow at 09:00" or "on Monday at 09:00" in ``language``.

    ``days_ahead`` counts from the shopper's day to the opening's, ``weekday`` is 0 for Monday (both in
    the team's time zone): at 00:02 on Tuesday, "on Tuesday at 09:00" would make one look at a calendar.
    """
    day = NEAR_DAYS[language][days_ahead] if days_ahead in (0, 1) else WEEKDAYS[language][weekday]
    return f"{day} {AT[language]} {clock}"
