"""The progress report for the PMO as a PDF, in the letter's own table layout:
S.No | Decisions / Directions by the PM | Time Line | Action by | Status and progress.

Dates are dd-mm-yyyy; the classification marking is on the top and bottom of every page
(crm/pdf.py).
"""

from __future__ import annotations

from datetime import date

from crm.directives.models import Directive, ProgressReport, TimelineKind
from crm.formatting import format_date
from crm.pdf import MarkedPdf

HEADER = ("S.No", "Decisions / Directions by the PM", "Time Line", "Action by", "Status / progress")
WIDTHS = (7, 40, 15, 14, 24)


def timeline_cell(directive: Directive) -> str:
    """The time line as written, and the due date derived from it (or why there is none)."""
    written = directive.timeline_text or "—"
    if directive.due_date is not None:
        return f"{written}\n(due {format_date(directive.due_date)})"
    if directive.timeline_kind is TimelineKind.UPON_EVENT:
        return f"{written}\n(awaiting the event)"
    return written


def standing(directive: Directive, today: date) -> str:
    """The status in words, saying "behind schedule" when an open directive is past its date."""
    if directive.is_overdue(today):
        return f"Behind schedule (was due {format_date(directive.due_date)})"
    return directive.status.label


def status_cell(directive: Directive, latest: ProgressReport | None, today: date) -> str:
    parts = [standing(directive, today)]
    if directive.delay_reason:
        parts.append(f"Reason for delay: {directive.delay_reason}")
    if latest is not None:
        parts.append(f"{format_date(latest.reported_on)}, {latest.organisation.short_name}: {latest.text}")
    return "\n".join(parts)


def progress_pdf(rows: list[Directive], latest: dict[int, ProgressReport], today: date, marking: str) -> bytes:
    """The PDF of the tracker's rows, grouped by source letter."""
    pdf = MarkedPdf(marking, landscape=True)
    pdf.add_title("Progress report: directions of the Prime Minister")
    pdf.add_paragraph(f"National Social Media Coordination Working Group — as of {format_date(today)}", align="C")
    letters: dict[tuple[str, date], list[Directive]] = {}
    for directive in rows:
        letters.setdefault((directive.source_ref, directive.source_date), []).append(directive)
    if not letters:
        pdf.add_paragraph("No directives match.")
    for (ref, dated), directives in letters.items():
        pdf.add_heading(f"PMO letter {ref} dated {format_date(dated)}")
        table = [
            (d.serial, d.text, timeline_cell(d), d.action_by_text or "—", status_cell(d, latest.get(d.id), today))
            for d in directives
        ]
        pdf.add_table(HEADER, table, widths=WIDTHS)
    return pdf.output()
