from decimal import Decimal

from django.utils import translation

from charter.core.templatetags.charter import money


def test_money_groups_digits_in_both_languages():
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert money(Decimal("1500000.5"), "CNY") == "CNY 1,500,000.50"
    assert money(None, "CNY") == "—"
