"""Validation of Chinese company codes and phone numbers."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z); the last is a check digit.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first_17: str) -> str:
    total = sum(
        USCC_ALPHABET.index(char) * weight
        for char, weight in zip(first_17, USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """统一社会信用代码: 18 characters, valid alphabet, correct check character."""
    code = value.strip().upper()
    if len(code) != 18 or any(char not in USCC_ALPHABET for char in code):
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters "
                "(digits and capital letters except I, O, S, V, Z)."
            ),
            code="uscc_format",
        )
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _(
                "This unified social credit code's check character is wrong; "
                "please check for typos."
            ),
            code="uscc_check",
        )


def normalise_phone(value: str, *, region: str = "CN") -> str:
    """A phone number in E.164 (+8613800138000); numbers without +country are read as Chinese."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "“%(value)s” is not a valid phone number. "
                "Use e.g. 138 0013 8000 or +44 20 7946 0958."
            ),
            params={"value": value},
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
