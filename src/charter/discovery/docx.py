"""The requirements document as a Word file (python-docx), in the document's language."""

import io
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Pt

from charter.discovery.services.document_content import SectionView, content_hash, present

EAST_ASIAN_FONT = "Microsoft YaHei"


def _use_east_asian_font(doc: Any) -> None:
    """Chinese text needs an East Asian font on the run properties, or Word falls back."""
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        fonts = doc.styles[name].element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def _facts(doc: Any, content: dict[str, Any], version: Any) -> None:
    when = version.published_at if version else timezone.now()
    lines = [
        _("Version %(number)s") % {"number": version.number}
        if version
        else _("Draft (not published)"),
        _("Date: %(date)s")
        % {"date": formats.date_format(timezone.localtime(when), "SHORT_DATE_FORMAT")},
        _("Content hash (SHA-256): %(hash)s")
        % {"hash": version.content_hash if version else content_hash(content)},
    ]
    for line in lines:
        doc.add_paragraph(line).runs[0].font.size = Pt(9)


def _requirement_table(doc: Any, rows: list[dict[str, Any]]) -> None:
    headers = [_("Code"), _("Requirement"), _("Priority"), _("Status"), _("Acceptance criteria")]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = header
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        title = row["title"]
        if row["latent_need"]:
            title += f" ({_('Latent need')})"
        if row["description"]:
            title += f"\n{row['description']}"
        values = [row["code"], title, row["priority_label"], row["status_label"]]
        for cell, value in zip(
            table.add_row().cells, [*values, row["acceptance_criteria"]], strict=True
        ):
            cell.text = value


def _goal_table(doc: Any, goals: list[dict[str, Any]]) -> None:
    doc.add_heading(_("Measurable goals"), level=2)
    headers = [_("Goal"), _("Today's value"), _("Target"), _("Due"), _("Requirements")]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = header
        cell.paragraphs[0].runs[0].bold = True
    for goal in goals:
        baseline = "—" if goal["baseline"] is None else f"{goal['baseline']} {goal['unit']}"
        values = [
            goal["title"],
            baseline,
            f"{goal['target']} {goal['unit']}",
            formats.date_format(goal["due_date"], "SHORT_DATE_FORMAT"),
            ", ".join(goal["requirements"]) or "—",
        ]
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value


def _section(doc: Any, section: SectionView) -> None:
    doc.add_heading(f"{section.number}. {section.heading}", level=1)
    for part in section.texts:
        if part.label:
            doc.add_heading(part.label, level=2)
        for paragraph in part.text.splitlines():
            if paragraph.strip():
                doc.add_paragraph(paragraph.strip())
        for item in part.items:
            doc.add_paragraph(item, style="List Bullet")
    if section.goals:
        _goal_table(doc, section.goals)
    for term, meaning in section.glossary:
        paragraph = doc.add_paragraph()
        if term:
            paragraph.add_run(f"{term}: ").bold = True
        paragraph.add_run(meaning)
    for group in section.groups:
        if group.label:
            doc.add_heading(group.label, level=2)
        _requirement_table(doc, group.rows)
    if section.empty:
        doc.add_paragraph(_("Nothing in this section."))


def document_docx_bytes(content: dict[str, Any], *, version: Any = None) -> bytes:
    """``content`` (a version's, or the draft's) as .docx bytes; ``version`` gives the number,
    date and hash of a published version."""
    with translation.override(content["language"]):
        doc = Document()
        doc.sections[0].orientation = WD_ORIENT.PORTRAIT
        _use_east_asian_font(doc)
        doc.core_properties.title = content["title"]
        doc.core_properties.language = content["language"]
        doc.add_heading(content["title"], level=0)
        _facts(doc, content, version)
        for section in present(content):
            _section(doc, section)
        buffer = io.BytesIO()
        doc.save(buffer)
    return buffer.getvalue()
