"""What the web chat shows beside a message's text: the formatted answer only when sent whole, author labels."""

from bots.messengers.webchat import WEBCHAT_TEXT_LIMIT, author_name, whole_message_html


def test_html_goes_with_a_message_that_fits_and_never_with_one_cut_into_parts() -> None:
    assert whole_message_html({"text": "Hi", "html": "<p><strong>Hi</strong></p>"}) == "<p><strong>Hi</strong></p>"
    assert whole_message_html({"text": "Hi"}) is None
    long_text = "word " * (WEBCHAT_TEXT_LIMIT // 5 + 10)
    assert whole_message_html({"text": long_text, "html": f"<p>{long_text}</p>"}) is None
    # the html's own length counts too: the plain text fits, the markup does not
    fits = "x" * (WEBCHAT_TEXT_LIMIT - 10)
    assert whole_message_html({"text": fits, "html": f"<p><strong>{fits}</strong></p>"}) is None


def test_labels() -> None:
    assert author_name("agent", {"agent_name": "Olena"}, "en", "Shop") == "Olena"
    assert author_name("agent", {}, "uk", "Shop") == "Оператор"
    assert author_name("agent", {}, "de", None) == "Agent"
    assert author_name("bot", {"agent_name": "Olena"}, "en", "Shop") == "Shop"
    assert author_name("system", {}, "ru", None) == "Бот"
    assert author_name("bot", {}, "en", None) == "Bot"
