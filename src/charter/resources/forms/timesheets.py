"""The week grid of a timesheet: one row per task, an hours input per day (decimals allowed,
stored as minutes) and one note per row, which is kept on each of the row's entries. Also the
rejection note of a manager."""

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.core.forms import StyledForm, VersionedForm
from charter.resources.forms.pool import hours_of
from charter.resources.models.timesheets import DAYS_PER_WEEK, Timesheet, TimesheetEntry
from charter.resources.services.pool import MINUTES_PER_HOUR
from charter.resources.services.timesheets import NOTE_LENGTH, Row

MAX_ROWS = 200
TASK_KEY = re.compile(r"^task_(\d{1,3})$")


def hours_text(minutes: int) -> str:
    """Minutes as hours for an input: 90 → "1.5", 0 → ""."""
    if not minutes:
        return ""
    return f"{hours_of(minutes):f}"


class WeekForm(VersionedForm):
    """Rows posted as ``task_<r>``, ``note_<r>`` and ``h_<r>_<d>`` (d = 0 Monday … 6 Sunday);
    ``add_task`` adds a row for a task without saving."""

    add_task = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, sheet: Timesheet, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.sheet = sheet
        self.row_indexes = self._indexes(data)
        for r in self.row_indexes:
            self.fields[f"task_{r}"] = forms.IntegerField(widget=forms.HiddenInput)
            self.fields[f"note_{r}"] = forms.CharField(
                label=_("Note"), max_length=NOTE_LENGTH, required=False
            )
            for d in range(DAYS_PER_WEEK):
                self.fields[f"h_{r}_{d}"] = forms.DecimalField(
                    label=_("Hours"),
                    min_value=0,
                    max_value=24,
                    max_digits=4,
                    decimal_places=2,
                    required=False,
                )

    @staticmethod
    def _indexes(data: Any) -> list[int]:
        if not data:
            return []
        found = sorted({int(m.group(1)) for key in data if (m := TASK_KEY.match(key))})
        return found[:MAX_ROWS]

    def rows(self) -> list[Row]:
        """The cells as the service's rows: each day with hours; a row with a note but no
        hours keeps its note on Monday, so the row stays on the sheet."""
        rows: list[Row] = []
        for r in self.row_indexes:
            task = self.cleaned_data[f"task_{r}"]
            note = self.cleaned_data.get(f"note_{r}", "").strip()
            row_cells = []
            for d, day in enumerate(self.sheet.days):
                hours = self.cleaned_data.get(f"h_{r}_{d}")
                if hours:
                    minutes = int((hours * MINUTES_PER_HOUR).to_integral_value())
                    row_cells.append(Row(task=task, day=day, minutes=minutes, note=note))
            if not row_cells and note:
                row_cells.append(Row(task=task, day=self.sheet.week_start, minutes=0, note=note))
            rows.extend(row_cells)
        return rows

    def posted_grid(self, tasks: dict[int, Any]) -> list[dict[str, Any]]:
        """The rows as posted (valid or not), to show them again; unknown tasks are dropped."""
        data = self.data
        grid = []
        for r in self.row_indexes:
            try:
                task = tasks.get(int(data.get(f"task_{r}", "")))
            except ValueError:
                task = None
            if task is None:
                continue
            cells = [
                {
                    "name": f"h_{len(grid)}_{d}",
                    "value": data.get(f"h_{r}_{d}", ""),
                    "invalid": f"h_{r}_{d}" in self.errors,
                }
                for d in range(DAYS_PER_WEEK)
            ]
            grid.append({"task": task, "cells": cells, "note": data.get(f"note_{r}", "")})
        return grid


def grid_of(sheet: Timesheet, entries: Iterable[TimesheetEntry]) -> list[dict[str, Any]]:
    """The saved entries as rows of the grid, one per task in plan order, with the row's
    notes (distinct, in day order) joined."""
    by_task: dict[int, dict[str, Any]] = {}
    days = sheet.days
    for entry in entries:
        row = by_task.setdefault(
            entry.task_id,
            {"task": entry.task, "minutes": [0] * DAYS_PER_WEEK, "notes": [], "cost": Decimal(0)},
        )
        row["minutes"][days.index(entry.day)] += entry.minutes
        if entry.note and entry.note not in row["notes"]:
            row["notes"].append(entry.note)
        if entry.cost is not None:
            row["cost"] += entry.cost
    grid = []
    for index, row in enumerate(by_task.values()):
        cells = [
            {"name": f"h_{index}_{d}", "value": hours_text(minutes), "invalid": False}
            for d, minutes in enumerate(row["minutes"])
        ]
        grid.append(
            {
                "task": row["task"],
                "cells": cells,
                "note": "; ".join(row["notes"]),
                "hours": hours_text(sum(row["minutes"])),
                "cost": row["cost"],
            }
        )
    return grid


class RejectForm(StyledForm, VersionedForm):
    note = forms.CharField(
        label=_("What should be corrected"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The author sees this note and can change and resubmit the week."),
    )


class DecisionForm(VersionedForm):
    """Approve: only the version the manager looked at."""
