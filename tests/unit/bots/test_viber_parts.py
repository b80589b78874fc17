"""Viber: tracking data, callback parsing, signatures and message tokens."""

import pytest
from viberbot.api.viber_requests import create_request

from bots.normalize import e164, language_hint
from bots.viber.convert import from_request, message_token
from bots.viber.keyboards import Tracking, keyboard_for
from bots.viber.webhook import signature_matches
from tests.support import viber_payloads as vp


def test_tracking_round_trip_and_foreign_tracking_data():
    tracking = Tracking(buttons={"Так": "csat:5"}, share_phone=True)
    assert Tracking.decode(tracking.encode()) == tracking
    assert Tracking().encode() is None
    for foreign in (None, "", "order-42", "[1]", '{"relaydesk": 5}'):
        assert Tracking.decode(foreign) == Tracking()


def test_tracking_that_would_exceed_vibers_limit_keeps_the_phone_request():
    labels = {f"button {n} " + "x" * 100: f"data-{n}" for n in range(60)}
    encoded = Tracking(buttons=labels, share_phone=True).encode()
    assert len(encoded) <= 4096
    assert Tracking.decode(encoded) == Tracking(share_phone=True)


def test_no_buttons_means_no_keyboard():
    assert keyboard_for({"text": "hi", "buttons": [], "keyboard": None}) == (None, Tracking())


@pytest.mark.parametrize(("message", "kind", "text", "phone"), [
    pytest.param(vp.text("hello"), "text", "hello", None, id="text"),
    pytest.param(vp.text("Так", Tracking(buttons={"Так": "yes"}).encode()), "callback", "yes", None,
                 id="button"),
    pytest.param(vp.text("Так", Tracking(buttons={"Ні": "no"}).encode()), "text", "Так", None,
                 id="typed-not-a-button"),
    pytest.param(vp.contact("380 50 123 45 67", tracking_data=Tracking(share_phone=True).encode()), "contact",
                 "380 50 123 45 67", "+380501234567", id="share-phone"),
    pytest.param(vp.contact("+380501234567"), "contact", "+380501234567", None, id="other-contact"),
    pytest.param(vp.picture(caption="look"), "picture", "look", None, id="picture"),
    pytest.param(vp.location(), "location", "", None, id="location"),
])
def test_message_callbacks_become_inbound_messages(message, kind, text, phone):
    raw = vp.message_event(message, token=5, language="uk")
    inbound = from_request(create_request(raw), raw)
    assert (inbound.kind, inbound.text, inbound.phone) == (kind, text, phone)
    assert (inbound.channel, inbound.user_id, inbound.chat_id) == ("viber", vp.USER_ID, vp.USER_ID)
    assert (inbound.dedup_key, inbound.language_hint, inbound.display_name) == ("5", "uk", "John McClane")


def test_attachments_keep_their_media_urls():
    raw = vp.message_event(vp.file())
    inbound = from_request(create_request(raw), raw)
    assert inbound.payload["attachment"]["media"] == "http://example.com/doc.pdf"


@pytest.mark.parametrize(("value", "expected"), [
    pytest.param(4912661846655238145, "4912661846655238145", id="int"),
    pytest.param("4912661846655238145", "4912661846655238145", id="quoted"),
])
def test_message_tokens_are_integers(value, expected):
    assert message_token(value) == expected


def test_message_token_that_is_not_a_number_is_rejected():
    with pytest.raises(ValueError):
        message_token("abc")


def test_signature_is_hmac_sha256_of_the_raw_body():
    raw = vp.encode(vp.message_event(vp.text("hi")))
    good = vp.sign(raw, "token")
    assert signature_matches(raw, good, "token")
    assert signature_matches(raw, good.upper(), "token")
    assert not signature_matches(raw + b" ", good, "token")
    assert not signature_matches(raw, good, "other")
    assert not signature_matches(raw, "", "token")


@pytest.mark.parametrize(("raw", "expected"), [
    ("+380 (50) 123-45-67", "+380501234567"), ("380501234567", "+380501234567"), ("12", None), ("", None),
    ("1" * 16, None),
])
def test_e164(raw, expected):
    assert e164(raw) == expected


@pytest.mark.parametrize(("code", "expected"), [("en-US", "en"), ("uk_UA", "uk"), ("RU", "ru"), (None, None),
                                                ("", None)])
def test_language_hint(code, expected):
    assert language_hint(code) == expected
