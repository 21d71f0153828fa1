from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def icon(name: str, css_class: str = "icon") -> str:
    """An icon from the vendored Tabler sprite (scripts/vendor-icons keeps it to the icons used)."""
    return format_html(
        '<svg class="{}" aria-hidden="true"><use href="{}#tabler-{}"></use></svg>',
        css_class,
        static("vendor/tabler-icons/sprite.svg"),
        name,
    )


@register.simple_tag(takes_context=True)
def allows(context: template.Context, resource: str, action: str) -> bool:
    """``{% allows "crm.client" "change" as can_edit %}``: the role-level policy answer."""
    from charter.core import policy

    return policy.allows(context["request"].user, resource, action)


@register.filter
def money(amount: object, currency: str = "") -> str:
    """``{{ deal.amount|money:deal.currency }}`` → "CNY 1,500,000.00" (grouped per language)."""
    from django.template.defaultfilters import floatformat

    if amount is None or amount == "":
        return "—"
    return f"{currency} {floatformat(amount, '2g')}".strip()
