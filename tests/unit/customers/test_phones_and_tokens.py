"""Phone normalisation to E.164 and signed messenger link tokens."""

from datetime import timedelta

import pytest

from core.customers.linking import looks_like_link_token, make_link_token, messenger_links, read_link_token
from core.customers.phones import InvalidPhone, normalise_phone, split_phones
from core.database import utcnow
from core.settings import Settings


@pytest.mark.parametrize(("raw", "expected"), [
    pytest.param("050 123 45 67", "+380501234567", id="local-ua"),
    pytest.param("+38 (050) 123-45-67", "+380501234567", id="formatted"),
    pytest.param("380501234567", "+380501234567", id="telegram-contact-without-plus"),
    pytest.param("+44 20 7946 0958", "+442079460958", id="foreign"),
])
def test_phones_are_normalised_to_e164(raw, expected):
    assert normalise_phone(raw, "UA") == expected


@pytest.mark.parametrize("raw", ["12345", "call me", "", "+380 00 000"])
def test_malformed_phones_are_rejected_with_the_value(raw):
    with pytest.raises(InvalidPhone, match="not a valid phone number"):
        normalise_phone(raw, "UA")


def test_phones_are_found_in_free_text_and_taken_out_of_it():
    phones, rest = split_phones("замовлення 10234, телефон 050 123 45 67", "UA")
    assert phones == ["+380501234567"]
    assert "10234" in rest and "050" not in rest


def test_link_tokens_fit_telegram_and_cannot_be_forged_or_reused_forever():
    token = make_link_token(42, "key")
    assert len(token) <= 64 and all(c.isalnum() or c in "_-" for c in token)
    assert read_link_token(token, "key", ttl_days=30) == 42
    assert read_link_token(token, "other-key", ttl_days=30) is None
    assert read_link_token(token.replace("42_", "43_", 1), "key", ttl_days=30) is None
    old = make_link_token(42, "key", now=utcnow() - timedelta(days=31))
    assert read_link_token(old, "key", ttl_days=30) is None
    assert read_link_token("campaign_autumn_sale", "key", ttl_days=30) is None


def test_every_link_token_is_new_and_fits_telegram_even_for_the_largest_customer_id():
    largest = 2**63 - 1  # 19 digits
    tokens = {make_link_token(largest, "key") for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert len(token) <= 64 and looks_like_link_token(token)
        assert read_link_token(token, "key", ttl_days=30) == largest
    customer, day, nonce, signature = make_link_token(42, "key").split("_", 3)
    other_nonce = f"{int(nonce, 16) ^ 1:012x}"
    assert read_link_token(f"{customer}_{day}_{other_nonce}_{signature}", "key", ttl_days=30) is None


@pytest.mark.parametrize("payload", ["promo_black_friday", "utm_source_instagram", "12_34_short", "1_2_3_4", ""])
def test_campaign_tags_do_not_look_like_link_tokens(payload):
    assert not looks_like_link_token(payload)


def test_messenger_links_need_the_bot_names():
    settings = Settings(_env_file=None, telegram_bot_username="shop_bot", viber_bot_uri="shopbot")
    assert messenger_links("1_2_x", settings) == {"telegram": "https://t.me/shop_bot?start=1_2_x",
                                                  "viber": "viber://pa?chatURI=shopbot&context=1_2_x"}
    assert messenger_links("1_2_x", Settings(_env_file=None)) == {"telegram": None, "viber": None}
