"""The one rule for the language of the bot's own texts, whichever step speaks."""

from types import SimpleNamespace

import pytest

from bots.steps.language import shopper_language


def context(*, conversation=None, decision=None, preferred=None, hint=None, identity=None, default="uk"):
    return SimpleNamespace(
        conversation=SimpleNamespace(language=conversation),
        decision=None if decision is None else {"language": decision},
        customer=SimpleNamespace(preferred_language=preferred),
        inbound=SimpleNamespace(language_hint=hint),
        identity=SimpleNamespace(language_code=identity),
        settings=SimpleNamespace(default_language=default),
    )


@pytest.mark.parametrize(("values", "expected"), [
    pytest.param({"conversation": "ru", "decision": "en", "preferred": "uk", "hint": "en"}, "ru", id="conversation"),
    pytest.param({"decision": "en", "preferred": "uk", "hint": "ru"}, "en", id="nlu-decision"),
    pytest.param({"preferred": "ru", "hint": "en"}, "ru", id="customer-preference"),
    pytest.param({"hint": "en-US"}, "en", id="channel-hint-with-region"),
    pytest.param({"identity": "ru"}, "ru", id="identity-code-when-no-hint"),
    pytest.param({"hint": "de", "default": "ru"}, "ru", id="unsupported-hint-gets-default"),
    pytest.param({}, "uk", id="nothing-known"),
])
def test_the_first_supported_language_wins(values, expected):
    assert shopper_language(context(**values)) == expected
