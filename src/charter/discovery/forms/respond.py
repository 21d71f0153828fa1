"""The answering form of a questionnaire, built from its questions: one field ``q<id>`` per
question (a ranking or a Kano pair posts ``q<id>_0``, ``q<id>_1`` …), plus ``q<id>_other``
for a written-in "other". The same form, disabled, is the builder's preview."""

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from charter.discovery.choices import KanoAnswer, QuestionKind
from charter.discovery.models import Answer, Question, QuestionSection
from charter.discovery.services.responses import (
    CHOICE_KINDS,
    KANO_SIDES,
    OTHER,
    TEXT_KINDS,
    GivenAnswer,
    scale,
)

FIELD_NAME = re.compile(r"^q(\d+)(?:_.*)?$")


class PartsField(forms.MultiValueField):
    """Several answers to one question (ranks of a ranking, the two halves of a Kano pair)."""

    def __init__(self, parts: Sequence[forms.Field], **kwargs: Any) -> None:
        widget = forms.MultiWidget([part.widget for part in parts])
        super().__init__(parts, require_all_fields=False, widget=widget, **kwargs)

    def compress(self, data_list: list[Any]) -> list[Any]:
        return list(data_list)


def _options(question: Question) -> list[tuple[str, str]]:
    return [(str(option), str(option)) for option in question.options]


def question_field(question: Question) -> forms.Field:
    """The form field that takes an answer to ``question``."""
    kind = question.kind
    if kind == QuestionKind.SHORT_TEXT:
        return forms.CharField(max_length=500, required=False)
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(max_length=5000, required=False, widget=forms.Textarea)
    other = [(OTHER, str(_("Other")))] if question.allow_other else []
    if kind == QuestionKind.SINGLE:
        return forms.ChoiceField(choices=_options(question) + other, required=False)
    if kind == QuestionKind.MULTIPLE:
        return forms.MultipleChoiceField(choices=_options(question) + other, required=False)
    if kind in (QuestionKind.RATING, QuestionKind.NPS):
        low, high = scale(question)
        choices = [(value, str(value)) for value in range(low, high + 1)]
        return forms.TypedChoiceField(choices=choices, coerce=int, empty_value=None, required=False)
    if kind == QuestionKind.RANKING:
        ranks = [(rank, str(rank)) for rank in range(1, len(question.options) + 1)]
        parts = [
            forms.TypedChoiceField(choices=ranks, coerce=int, empty_value=None, required=False)
            for _option in question.options
        ]
        return PartsField(parts, required=False)
    if kind == QuestionKind.DATE:
        return forms.DateField(required=False)
    halves = [forms.ChoiceField(choices=KanoAnswer.choices, required=False) for _side in KANO_SIDES]
    return PartsField(halves, required=False)


def initial_value(question: Question, answer: Answer | None) -> Any:
    """A saved answer as the field's initial value."""
    if answer is None or answer.value is None:
        return None
    value = answer.value
    if question.kind == QuestionKind.RANKING:
        ranks = {option: rank for rank, option in enumerate(value, start=1)}
        return [ranks.get(str(option)) for option in question.options]
    if question.kind == QuestionKind.KANO:
        return [value.get(side) for side in KANO_SIDES]
    return value


@dataclass
class Item:
    """One question as the template draws it."""

    question: Question
    field: BoundField
    other: BoundField | None

    @property
    def errors(self) -> list[str]:
        return [*self.field.errors, *(self.other.errors if self.other else [])]

    @property
    def chosen(self) -> list[str]:
        """The chosen values as strings, whatever the kind."""
        value = self.field.value()
        values = value if isinstance(value, list | tuple) else [value]
        return [str(item) for item in values if item not in (None, "")]

    @property
    def scale(self) -> list[int]:
        low, high = scale(self.question)
        return list(range(low, high + 1))

    @property
    def parts(self) -> list[tuple[str, str]]:
        """(input name, current value) of each part of a ranking or Kano pair."""
        value = self.field.value() or []
        count = len(self.question.options) if self.question.kind == QuestionKind.RANKING else 2
        values = [*value, *[None] * count][:count]
        return [
            (f"{self.field.html_name}_{index}", "" if part is None else str(part))
            for index, part in enumerate(values)
        ]

    @property
    def ranking_rows(self) -> list[tuple[str, str, str]]:
        return [
            (str(option), name, current)
            for option, (name, current) in zip(self.question.options, self.parts, strict=True)
        ]

    @property
    def kano_rows(self) -> list[tuple[str, str, str]]:
        texts = [self.question.text, self.question.dysfunctional_text]
        return [
            (text, name, current) for text, (name, current) in zip(texts, self.parts, strict=True)
        ]

    @property
    def ranks(self) -> list[int]:
        return list(range(1, len(self.question.options) + 1))


@dataclass
class Block:
    section: QuestionSection | None
    items: list[Item]


class AnswerForm(forms.Form):
    def __init__(
        self,
        questions: Iterable[Question],
        data: Mapping[str, Any] | None = None,
        *,
        saved: Mapping[int, Answer] | None = None,
        submitting: bool = False,
        disabled: bool = False,
    ) -> None:
        self.questions = list(questions)
        self.submitting = submitting
        saved = saved or {}
        super().__init__(data)
        initial = self.initial
        for question in self.questions:
            name = f"q{question.pk}"
            self.fields[name] = question_field(question)
            answer = saved.get(question.pk)
            initial[name] = initial_value(question, answer)
            if question.allow_other and question.kind in CHOICE_KINDS:
                self.fields[f"{name}_other"] = forms.CharField(max_length=500, required=False)
                initial[f"{name}_other"] = answer.other_text if answer else ""
        for field in self.fields.values():
            field.disabled = disabled

    # ---- reading ---------------------------------------------------------------------------

    def removed_ids(self) -> list[int]:
        """Questions the respondent answered that the questionnaire no longer has."""
        present = {question.pk for question in self.questions}
        answered = {
            int(match[1])
            for key, value in (self.data or {}).items()
            if (match := FIELD_NAME.match(key)) and value not in ("", None)
        }
        return sorted(answered - present)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for question in self.questions:
            name = f"q{question.pk}"
            if name in self.errors:
                continue
            problem = self._problem(question, data.get(name), data.get(f"{name}_other", ""))
            if problem:
                self.add_error(name, problem)
        return data

    def _problem(self, question: Question, value: Any, other: str) -> str | None:
        kind = question.kind
        multipart = kind in (QuestionKind.RANKING, QuestionKind.KANO)
        given = [part for part in (value or []) if part not in (None, "")] if multipart else []
        if kind == QuestionKind.RANKING and given:
            count = len(question.options)
            if sorted(given) != list(range(1, count + 1)):
                message = _("Give each option a different rank, from 1 to %(count)s.")
                return str(message % {"count": count})
        if kind == QuestionKind.KANO and len(given) == 1 and self.submitting:
            return str(_("Answer both halves of the question."))
        chosen = value if isinstance(value, list) else [value]
        if OTHER in chosen and not (other or "").strip():
            return str(_("Say what “other” means."))
        empty = not given if multipart else value in (None, "", [])
        if self.submitting and question.required and empty:
            return str(_("This question needs an answer."))
        return None

    def given_answers(self) -> dict[int, GivenAnswer]:
        """Every question's answer as posted (value None: left empty)."""
        answers = {}
        for question in self.questions:
            name = f"q{question.pk}"
            value = self.cleaned_data.get(name)
            other = self.cleaned_data.get(f"{name}_other", "")
            answers[question.pk] = GivenAnswer(self._stored(question, value), other)
        return answers

    @staticmethod
    def _stored(question: Question, value: Any) -> Any:
        """A cleaned field value in the shape Answer.value keeps (see the model)."""
        kind = question.kind
        if kind in TEXT_KINDS:
            return value.strip() or None
        if kind == QuestionKind.RANKING:
            if not value or None in value:
                return None
            ranked = sorted(zip(value, question.options, strict=True))
            return [str(option) for _rank, option in ranked]
        if kind == QuestionKind.KANO:
            halves = [half or None for half in (value or [None, None])]
            pair = dict(zip(KANO_SIDES, halves, strict=True))
            return pair if any(pair.values()) else None
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value if value not in ("", []) else None

    # ---- drawing ---------------------------------------------------------------------------

    def blocks(self) -> list[Block]:
        """The questions grouped by section, in the order given."""
        blocks: list[Block] = []
        for question in self.questions:
            name = f"q{question.pk}"
            other = self[f"{name}_other"] if f"{name}_other" in self.fields else None
            item = Item(question, self[name], other)
            if blocks and blocks[-1].section == question.section:
                blocks[-1].items.append(item)
            else:
                blocks.append(Block(question.section, [item]))
        return blocks
