"""Notification templates, per language; parameters are checked before anything is sent."""

from __future__ import annotations

import string
from dataclasses import dataclass

from core.errors import ValidationFailed

MAX_PARAM_LENGTH = 500


@dataclass(frozen=True)
class Template:
    """One notification in every language; ``marketing`` ones are not sent to opted-out shoppers."""

    texts: dict[str, str]
    marketing: bool = False

    @property
    def fields(self) -> set[str]:
        """The parameters the texts use."""
        return {name for text in self.texts.values() for _, name, _, _ in string.Formatter().parse(text) if name}


TEMPLATES: dict[str, Template] = {
    "order_shipped": Template({
        "uk": "Ваше замовлення №{number} відправлено. Номер для відстеження: {tracking}.",
        "ru": "Ваш заказ №{number} отправлен. Номер для отслеживания: {tracking}.",
        "en": "Your order #{number} has shipped. Tracking number: {tracking}.",
    }),
    "order_delivered": Template({
        "uk": "Замовлення №{number} доставлено. Дякуємо за покупку!",
        "ru": "Заказ №{number} доставлен. Спасибо за покупку!",
        "en": "Order #{number} has been delivered. Thank you for shopping with us!",
    }),
    "order_ready_for_pickup": Template({
        "uk": "Замовлення №{number} чекає на вас: {address}.",
        "ru": "Заказ №{number} ждёт вас: {address}.",
        "en": "Order #{number} is ready for pickup at {address}.",
    }),
    "payment_received": Template({
        "uk": "Оплату {amount} за замовлення №{number} отримано.",
        "ru": "Оплата {amount} за заказ №{number} получена.",
        "en": "We have received your payment of {amount} for order #{number}.",
    }),
    "promo": Template({
        "uk": "Знижка {discount} для вас за промокодом {code}. Напишіть «стоп», щоб не отримувати пропозицій.",
        "ru": "Скидка {discount} для вас по промокоду {code}. Напишите «стоп», чтобы не получать предложения.",
        "en": "{discount} off for you with the code {code}. Reply \"stop\" to get no more offers.",
    }, marketing=True),
}


def get_template(name: str) -> Template:
    """The template called ``name``.

    Raises:
        ValidationFailed: no such template.
    """
    template = TEMPLATES.get(name)
    if template is None:
        raise ValidationFailed(f"unknown template {name!r}; one of {', '.join(sorted(TEMPLATES))}",
                               [{"field": "template", "error": "unknown"}])
    return template


def render(template: Template, language: str, params: dict[str, object]) -> str:
    """The template's text in ``language`` with ``params`` filled in.

    Raises:
        ValidationFailed: a parameter the template needs is missing, empty or too long.
    """
    problems = [{"field": f"params.{name}", "error": "missing"} for name in sorted(template.fields)
                if params.get(name) in (None, "")]
    problems += [{"field": f"params.{name}", "error": f"longer than {MAX_PARAM_LENGTH} characters"}
                 for name in sorted(template.fields) if len(str(params.get(name) or "")) > MAX_PARAM_LENGTH]
    if problems:
        raise ValidationFailed("template parameters: " + ", ".join(f"{p['field']} {p['error']}" for p in problems),
                               problems)
    return template.texts[language].format(**{name: str(params[name]) for name in template.fields})
