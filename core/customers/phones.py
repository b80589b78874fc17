"""Phone numbers in one canonical form (E.164), so the same phone always matches itself."""

from __future__ import annotations

import phonenumbers

from core.errors import ValidationFailed


class InvalidPhone(ValidationFailed):
    """A phone number that is not a possible, valid number."""


def normalise_phone(raw: str, region: str = "UA") -> str:
    """The E.164 form of ``raw`` (``+380501234567``).

    Args:
        raw: a number as people write it: ``050 123 45 67``, ``+38 (050) 123-45-67``, ``380501234567``.
        region: the ISO country assumed when the number has no country code.

    Raises:
        InvalidPhone: the text is not a valid phone number.
    """
    text = (raw or "").strip()
    # Telegram shares contacts without "+" ("380501234567"); a leading country code is the common case.
    candidates = [text]
    if text and text[0].isdigit() and len(text) > 10:
        candidates.append("+" + text)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidPhone(f"not a valid phone number: {raw!r}", [{"field": "phone", "error": f"invalid: {raw!r}"}])


def international_without_plus(digits: str) -> str | None:
    """The E.164 form of ``digits`` read as a country code and number written without "+"
    (``48601234567``), or None when that is no valid number."""
    if not digits.isdigit() or not 11 <= len(digits) <= 15:
        return None
    try:
        number = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) \
        if phonenumbers.is_valid_number(number) else None


def split_phones(text: str, region: str = "UA") -> tuple[list[str], str]:
    """The valid phone numbers written in free ``text`` (E.164, in order) and the text without them."""
    phones, rest, position = [], [], 0
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        phones.append(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
        rest.append(text[position:match.start])
        position = match.end
    rest.append(text[position:])
    return phones, " ".join(rest)
