"""Canned responses: short ready replies agents insert with one click (built in, or from a JSON file)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigurationError
from core.settings import SUPPORTED_LANGUAGES


@dataclass(frozen=True)
class CannedResponse:
    """One ready reply in every supported language."""

    key: str
    title: str
    texts: dict[str, str]

    def view(self, language: str) -> dict:
        """The reply in ``language`` (English when that translation is missing)."""
        return {"key": self.key, "title": self.title, "text": self.texts.get(language) or self.texts.get("en", "")}


BUILT_IN = (
    CannedResponse("greeting", "Greeting", {
        "uk": "Вітаю! Мене звати {agent}, я допоможу вам.",
        "ru": "Здравствуйте! Меня зовут {agent}, я вам помогу.",
        "en": "Hello! My name is {agent}, I will help you.",
    }),
    CannedResponse("checking", "Checking", {
        "uk": "Дякую, перевіряю інформацію — це займе кілька хвилин.",
        "ru": "Спасибо, проверяю информацию — это займёт несколько минут.",
        "en": "Thank you, I am checking this — it will take a few minutes.",
    }),
    CannedResponse("order_number", "Ask for the order number", {
        "uk": "Підкажіть, будь ласка, номер вашого замовлення.",
        "ru": "Подскажите, пожалуйста, номер вашего заказа.",
        "en": "Could you tell me your order number, please?",
    }),
    CannedResponse("anything_else", "Anything else?", {
        "uk": "Чи можу я допомогти ще чимось?",
        "ru": "Могу ли я помочь чем-то ещё?",
        "en": "Is there anything else I can help with?",
    }),
)


def load_canned(path: Path | None) -> tuple[CannedResponse, ...]:
    """The canned responses from ``path`` (a JSON list), or the built-in ones when no file is set.

    Raises:
        ConfigurationError: the file is missing or malformed (named in the message).
    """
    if path is None:
        return BUILT_IN
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
        return tuple(
            CannedResponse(str(e["key"]), str(e.get("title") or e["key"]),
                           {lang: str(t) for lang, t in e["texts"].items() if lang in SUPPORTED_LANGUAGES})
            for e in entries
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigurationError(f"RELAYDESK_CANNED_RESPONSES_FILE: cannot read {path}: {exc}") from exc
