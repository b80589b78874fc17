"""RFM scoring and segments, the VIP rule, notification templates and order-question detection."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bots.steps.customer_texts import amount_text
from bots.steps.orders import is_order_question, order_numbers
from core.customers.figures import is_vip
from core.customers.rfm import OrderSummary, quintile_scores, rank, segment_for
from core.customers.templates import TEMPLATES, get_template, render
from core.database import utcnow
from core.errors import ValidationFailed
from core.models import Customer
from core.settings import SUPPORTED_LANGUAGES, Settings


def test_quintiles_spread_ranks_and_ties_share_a_score():
    assert quintile_scores([1, 2, 3, 4, 5]) == [1, 2, 3, 4, 5]
    assert quintile_scores([7, 7, 7]) == [3, 3, 3]
    assert quintile_scores([100, 1]) == [4, 2]  # two customers: neither is a whole fifth apart


@pytest.mark.parametrize(("scores", "segment"), [
    pytest.param((5, 5, 5), "champions", id="champions"),
    pytest.param((5, 1, 1), "new", id="new"),
    pytest.param((1, 5, 5), "cant_lose", id="cant-lose"),
    pytest.param((1, 1, 1), "hibernating", id="hibernating"),
    pytest.param((2, 3, 4), "at_risk", id="at-risk"),
])
def test_segments_follow_the_r_by_fm_grid(scores, segment):
    assert segment_for(*scores) == segment


def test_recent_frequent_big_spenders_are_champions_and_the_lapsed_hibernate():
    now = utcnow()
    summaries = [OrderSummary(i, now - timedelta(days=days), orders, Decimal(spent))
                 for i, (days, orders, spent) in enumerate(
                     [(1, 12, 9000), (3, 8, 5000), (40, 3, 900), (200, 1, 100), (400, 1, 50)], start=1)]
    segments = rank(summaries).segments
    assert segments[1] == "champions" and segments[5] == "hibernating"


@pytest.mark.parametrize(("overrides", "customer", "vip"), [
    pytest.param({}, {"tags": ["vip"]}, True, id="default-tag"),
    pytest.param({"vip_tags": "gold"}, {"tags": ["vip"]}, False, id="other-tag"),
    pytest.param({"vip_lifetime_value": "5000"}, {"lifetime_value": Decimal("5000")}, True, id="ltv-threshold"),
    pytest.param({"vip_lifetime_value": "5000"}, {"lifetime_value": Decimal("4999.99")}, False, id="below"),
    pytest.param({"vip_segments": "champions,loyal"}, {"rfm_segment": "loyal"}, True, id="segment"),
    pytest.param({}, {"rfm_segment": "champions"}, False, id="segments-off-by-default"),
])
def test_vip_rule_is_configurable(overrides, customer, vip):
    values = {"tags": [], "lifetime_value": Decimal("0"), "rfm_segment": None, **customer}
    assert is_vip(Customer(**values), Settings(_env_file=None, **overrides)) is vip


def test_every_template_speaks_every_language_with_the_same_parameters():
    for name, template in TEMPLATES.items():
        assert set(template.texts) == set(SUPPORTED_LANGUAGES), name
        for text in template.texts.values():
            assert all("{" + field + "}" in text for field in template.fields), name
    assert [name for name, t in TEMPLATES.items() if t.marketing] == ["promo"]


def test_rendering_names_every_missing_parameter():
    with pytest.raises(ValidationFailed) as caught:
        render(get_template("order_shipped"), "uk", {"number": "1", "tracking": ""})
    assert caught.value.details == [{"field": "params.tracking", "error": "missing"}]


@pytest.mark.parametrize(("message", "asks"), [
    pytest.param("де моє замовлення", True, id="uk"),
    pytest.param("где мой заказ?", True, id="ru"),
    pytest.param("Where is my order", True, id="en"),
    pytest.param("#10234", True, id="bare-number"),
    pytest.param("статус замовлення 10234", True, id="number-in-question"),
    pytest.param("як оформити замовлення?", False, id="how-to-order-is-kb"),
    pytest.param("скільки коштує доставка", False, id="shipping-cost-is-kb"),
    pytest.param("привіт", False, id="greeting"),
    # Found by QA: these were not recognised as asking for the status ...
    pytest.param("что с моим заказом?", True, id="ru-what-about"),
    pytest.param("wheres my order?", True, id="en-no-apostrophe"),
    pytest.param("шо там з моєю посилкою", True, id="uk-surzhyk"),
    # ... and these got only the status, though they are about something else to do with the order.
    pytest.param("хочу повернути замовлення 20002, не підійшов розмір", False, id="uk-return"),
    pytest.param("как вернуть заказ 20002?", False, id="ru-return"),
    pytest.param("I want a refund for order 20002", False, id="en-refund"),
    pytest.param("замовлення 10188 прийшло пошкоджене", False, id="uk-damaged"),
])
def test_order_questions_are_told_from_other_questions(message, asks):
    assert is_order_question(message, [], order_numbers(message)) is asks


@pytest.mark.parametrize(("amount", "currency", "language", "expected"), [
    ("2450", "UAH", "uk", "2\u00a0450\u00a0грн"),
    ("1290.50", "UAH", "ru", "1\u00a0290,50\u00a0грн"),
    ("2450.00", "UAH", "en", "2,450\u00a0UAH"),
    ("99.99", "EUR", "uk", "99,99\u00a0EUR"),
    ("0.004", "UAH", "uk", "0\u00a0грн"),
])
def test_amounts_read_as_the_shopper_writes_them(amount, currency, language, expected):
    assert amount_text(Decimal(amount), currency, language) == expected
