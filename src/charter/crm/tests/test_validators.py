"""The USCC check character and phone numbers, as the client and contact forms use them."""

import pytest
from django.core.exceptions import ValidationError

from charter.crm.validators import normalise_phone, uscc_check_character, validate_uscc

# First 17 characters of codes in the format GB 32100-2015 describes; the check is computed.
BODIES = ["91310000MA1FL1234", "11100000000013127", "52440300MJL1234XY"]


@pytest.mark.parametrize("body", BODIES)
def test_a_code_with_its_computed_check_character_is_valid(body):
    validate_uscc(body + uscc_check_character(body))


@pytest.mark.parametrize("body", BODIES)
def test_every_wrong_check_character_is_refused(body):
    right = uscc_check_character(body)
    for wrong in "0A9Y":
        if wrong != right:
            with pytest.raises(ValidationError) as error:
                validate_uscc(body + wrong)
            assert error.value.code == "uscc_check"


@pytest.mark.parametrize("code", ["", "123", "91310000MA1FL12345X", "91310000MA1FL1234I"])
def test_wrong_length_or_alphabet_is_a_format_error(code):
    with pytest.raises(ValidationError) as error:
        validate_uscc(code)
    assert error.value.code == "uscc_format"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("13800138000", "+8613800138000"),
        ("138 0013 8000", "+8613800138000"),
        ("+86 138-0013-8000", "+8613800138000"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 415 555 2671", "+14155552671"),
    ],
)
def test_phone_numbers_are_stored_e164(given, stored):
    assert normalise_phone(given) == stored


@pytest.mark.parametrize("given", ["12345", "phone", "+86 000"])
def test_invalid_phone_numbers_are_refused(given):
    with pytest.raises(ValidationError):
        normalise_phone(given)
