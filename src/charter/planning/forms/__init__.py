"""Planning forms, one module per area."""

from charter.planning.forms.projects import (
    ConvertForm,
    DateInput,
    ProjectFilterForm,
    ProjectForm,
    TemplateEditForm,
    TemplateForm,
    colleagues,
    content_as_text,
    managers,
)

__all__ = [
    "ConvertForm",
    "DateInput",
    "ProjectFilterForm",
    "ProjectForm",
    "TemplateEditForm",
    "TemplateForm",
    "colleagues",
    "content_as_text",
    "managers",
]
