"""The author labels the web chat shows above outgoing messages."""

from bots.messengers.webchat import author_name


def test_labels() -> None:
    assert author_name("agent", {"agent_name": "Olena"}, "en", "Shop") == "Olena"
    assert author_name("agent", {}, "uk", "Shop") == "Оператор"
    assert author_name("agent", {}, "de", None) == "Agent"
    assert author_name("bot", {"agent_name": "Olena"}, "en", "Shop") == "Shop"
    assert author_name("system", {}, "ru", None) == "Бот"
    assert author_name("bot", {}, "en", None) == "Bot"
