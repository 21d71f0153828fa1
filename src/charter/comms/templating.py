"""Message templates: ``{{ variables }}`` in a template's Chinese or English words, filled in
from the project when a plan item's occurrence is sent or previewed.

Templates are written by users, so they are rendered by a Django template engine of their own
whose context holds plain strings only: a template can print the listed variables and apply
filters to them, and reach nothing else (no object attributes, no other templates).
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Sum
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, Variable, VariableNode
from django.utils import formats, timezone, translation
from django.utils.html import linebreaks, urlize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.comms.models import CommunicationItem, CommunicationKind, MessageTemplate
from charter.core.tokens import absolute_link
from charter.planning.choices import RiskStatus
from charter.planning.models import Project, Risk, Task

VARIABLES = {
    "project": gettext_lazy("the project's name"),
    "project_code": gettext_lazy("the project's code"),
    "client": gettext_lazy("the client's name"),
    "progress": gettext_lazy("how far the plan is done, in percent (42%, say)"),
    "next_milestone": gettext_lazy("the next unfinished milestone"),
    "next_milestone_date": gettext_lazy("its date"),
    "open_risks": gettext_lazy("how many risks are open"),
    "top_risks": gettext_lazy("the open risks with the highest score, one per line"),
    "portal_link": gettext_lazy("the client's view of the plan"),
    "owner": gettext_lazy("the person who owns the plan item"),
    "recipient": gettext_lazy("the name of the person it is sent to"),
    "date": gettext_lazy("the date of the occurrence"),
}
TOP_RISKS = 3
CHINESE = "zh-hans"

_ENGINE = Engine(autoescape=False, libraries={}, builtins=["django.template.defaultfilters"])


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def language_of(value: str) -> str:
    """Charter's two languages: Chinese for any zh code, English for anything else."""
    return CHINESE if (value or "").lower().startswith("zh") else "en"


def check(text: str) -> None:
    """ValidationError naming a syntax error or each variable Charter does not know."""
    try:
        template = _ENGINE.from_string(text)
    except TemplateSyntaxError as error:
        message = _("This template cannot be read: %(error)s") % {"error": error}
        raise ValidationError(message) from error
    # The context holds strings only: a dotted lookup (``project.owner``) names nothing known.
    nodes: list[Any] = template.nodelist.get_nodes_by_type(VariableNode)
    names = {str(variable.var) for node in nodes for variable in _variables(node.filter_expression)}
    if unknown := sorted(names - set(VARIABLES)):
        raise ValidationError(
            _("Unknown variables: %(names)s. Known: %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(VARIABLES)}
        )
    try:  # what fails only when filled in ({% include %}, {% url %}) is refused now, not sent
        template.render(Context(dict.fromkeys(VARIABLES, "x"), autoescape=False))
    except Exception as error:
        message = _("This template cannot be read: %(error)s") % {"error": error}
        raise ValidationError(message) from error


def _variables(expression: FilterExpression) -> list[Variable]:
    """The variables ``expression`` looks up: its own and its filters' arguments (literals
    such as ``"x"`` or ``42`` look nothing up)."""
    candidates = [expression.var] + [
        argument for _filter, arguments in expression.filters for _lookup, argument in arguments
    ]
    return [c for c in candidates if isinstance(c, Variable) and c.lookups is not None]


def template_for(item: CommunicationItem) -> MessageTemplate:
    """The item's own template, else the default of its type; ValidationError without one."""
    if item.template_id:
        return item.template  # type: ignore[return-value]
    default = MessageTemplate.objects.filter(kind=item.kind, is_default=True).first()
    if default is None:
        raise ValidationError(
            _("No message template for “%(kind)s”: choose one or make one the default.")
            % {"kind": CommunicationKind(item.kind).label}
        )
    return default


def project_facts(project: Project, *, base_url: str) -> dict[str, Any]:
    """What the variables say about ``project`` (language-neutral values); three queries."""
    weighted = Task.objects.filter(project=project, parent__isnull=True).aggregate(
        done=Sum(F("percent_complete") * F("duration")), total=Sum("duration")
    )
    progress = round((weighted["done"] or 0) / weighted["total"]) if weighted["total"] else 0
    milestone = (
        Task.objects.filter(project=project, is_milestone=True, percent_complete__lt=100)
        .order_by(F("finish").asc(nulls_last=True), "pk")  # unscheduled ones last
        .only("name", "finish")
        .first()
    )
    risks = list(
        Risk.objects.filter(project=project, status=RiskStatus.OPEN)
        .order_by(-(F("probability") * F("impact")), "pk")
        .values_list("title", flat=True)
    )
    return {
        "project": project.name,
        "project_code": project.code,
        "client": str(project.client),
        "progress": progress,
        "milestone": milestone,
        "risks": risks,
        "portal_link": absolute_link("planning:client_plan", base_url, pk=project.pk),
    }


def context_for(
    facts: dict[str, Any], *, language: str, owner: Any, recipient: str, on: Any
) -> dict[str, str]:
    """The variables' values in ``language`` (numbers and dates formatted for it)."""
    with translation.override(language):
        milestone = facts["milestone"]
        risks = facts["risks"]
        return {
            "project": facts["project"],
            "project_code": facts["project_code"],
            "client": facts["client"],
            "progress": f"{facts['progress']}%",
            "next_milestone": milestone.name if milestone else _("none left"),
            "next_milestone_date": _date(milestone.finish)
            if milestone and milestone.finish
            else "",
            "open_risks": formats.number_format(len(risks)),
            "top_risks": "\n".join(f"- {title}" for title in risks[:TOP_RISKS]) or _("none"),
            "portal_link": facts["portal_link"],
            "owner": str(owner) if owner else "",
            "recipient": recipient,
            "date": formats.date_format(on, "DATE_FORMAT") if on else "",
        }


def _date(moment: Any) -> str:
    return formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT")


def render(
    template: MessageTemplate,
    *,
    language: str,
    context: dict[str, str],
    subject: str = "",
    body: str = "",
) -> Rendered:
    """The template's words in ``language`` with ``context`` filled in; ``subject`` and
    ``body``, when given, replace the template's own (an occurrence edited by its owner).
    ValidationError when the words cannot be read."""
    chinese = language_of(language) == CHINESE
    subject_source = subject or (template.subject_zh if chinese else template.subject_en)
    body_source = body or (template.body_zh if chinese else template.body_en)
    check(subject_source)
    check(body_source)
    values = Context(context, autoescape=False)
    subject_text = " ".join(_ENGINE.from_string(subject_source).render(values).split())
    text = _ENGINE.from_string(body_source).render(values).strip()
    return Rendered(subject=subject_text, text=text, html=text_to_html(text))


def text_to_html(text: str) -> str:
    """Paragraphs and line breaks of ``text`` as HTML, with its addresses made links."""
    return linebreaks(urlize(text, nofollow=True, autoescape=True))


def site_url() -> str:
    """Where this Charter is reached, for links in messages (the worker has no request)."""
    return str(settings.CHARTER_SITE_URL)
