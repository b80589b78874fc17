"""The customer/order shapes shops send (CONTRACT.md), validated before anything is written."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from core.customers.phones import InvalidPhone, normalise_phone
from core.errors import ValidationFailed, describe
from core.plausible_time import plausible_utc

# An erased customer's orders keep their figures under "[erased] <order id>" instead of the shop's
# number (core/customers/privacy.py), so the shop never sends numbers of this form.
ERASED_ORDER_PREFIX = "[erased] "


class OrderRecord(BaseModel):
    """One order as the shop describes it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    number: str = Field(min_length=1, max_length=64)
    status: str = Field(min_length=1, max_length=64)
    total: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    # Left out, the shop's own (SHOP_CURRENCY, the "currency" validation context): lifetime value counts it.
    currency: str = Field(None, pattern=r"^[A-Za-z]{3}$", validate_default=True)
    created_at: datetime | None = None
    tracking: str | None = Field(None, max_length=128)
    items: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("number")
    @classmethod
    def _not_erased(cls, value: str) -> str:
        if value.startswith(ERASED_ORDER_PREFIX.strip()):
            raise ValueError(f"numbers starting with {ERASED_ORDER_PREFIX.strip()!r} are reserved for erased orders")
        return value

    @field_validator("currency", mode="before")
    @classmethod
    def _shop_currency_by_default(cls, value: object, info: ValidationInfo) -> object:
        return (info.context or {}).get("currency", "UAH") if value is None else value

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("created_at")
    @classmethod
    def _plausible(cls, value: datetime | None) -> datetime | None:
        # Shops often export local timestamps without an offset; they are taken as UTC. A date outside
        # the believable years is refused here, named: in UTC it could lie beyond what the database
        # layer holds (found by QA: a 500). Unix times are judged alike (1e10 is 2286, kept; -1 is refused).
        return None if value is None else plausible_utc(value)

    @field_validator("tracking")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class CustomerRecord(BaseModel):
    """One customer with their orders; phones normalised with the ``region`` validation context, orders
    without a currency in the ``currency`` one's."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str = Field(min_length=1, max_length=128)
    name: str | None = Field(None, max_length=255)
    phones: list[str] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    orders: list[OrderRecord] = Field(default_factory=list)

    @field_validator("phones")
    @classmethod
    def _normalise_phones(cls, values: list[str], info: ValidationInfo) -> list[str]:
        region = (info.context or {}).get("region", "UA")
        try:
            return list(dict.fromkeys(normalise_phone(value, region) for value in values))
        except InvalidPhone as exc:
            raise ValueError(str(exc)) from None

    @field_validator("emails")
    @classmethod
    def _check_emails(cls, values: list[str]) -> list[str]:
        emails = [value.strip().lower() for value in values]
        for email in emails:
            local, _, domain = email.partition("@")
            if not local or "." not in domain or len(email) > 255:
                raise ValueError(f"not an e-mail address: {email!r}")
        return list(dict.fromkeys(emails))

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(tag.strip().lower() for tag in values if tag.strip()))

    @field_validator("orders")
    @classmethod
    def _unique_numbers(cls, orders: list[OrderRecord]) -> list[OrderRecord]:
        seen: set[str] = set()
        for order in orders:
            if order.number in seen:
                raise ValueError(f"order {order.number} is listed twice")
            seen.add(order.number)
        return orders


def problems_of(exc: ValidationError) -> list[dict]:
    """One ``{"field", "error"}`` per problem of a pydantic validation error."""
    return [
        {"field": ".".join(str(part) for part in error["loc"]) or "record",
         "error": str(error["msg"]).removeprefix("Value error, ")}
        for error in exc.errors()
    ]


def _parse(model: type[BaseModel], data: object, context: dict | None = None):
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        problems = problems_of(exc)
        raise ValidationFailed(describe(problems), problems) from None


def parse_customer(data: object, *, region: str, currency: str) -> CustomerRecord:
    """Validate one customer record, normalising phones for ``region``; orders without one are in ``currency``.

    Raises:
        ValidationFailed: listing every problem of the record.
    """
    return _parse(CustomerRecord, data, {"region": region, "currency": currency})


def parse_order(data: object, *, currency: str) -> OrderRecord:
    """Validate one order record; without a currency of its own it is in ``currency`` (the shop's).

    Raises:
        ValidationFailed: listing every problem of the record.
    """
    return _parse(OrderRecord, data, {"currency": currency})
