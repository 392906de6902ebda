"""The briefs as PDF documents (crm.pdf.MarkedPdf): the marking at the top and bottom of every
page is the highest classification the brief shows its reader; a brief that quotes minutes
also carries the reader's name and the time across every page, as copies of minutes do.
Dates are dd-mm-yyyy, times Asia/Karachi.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from crm.commitments.models import Commitment, CommitmentDirection
from crm.engagements import policy as engagement_policy
from crm.formatting import format_date, format_datetime
from crm.notes.pdf import watermark_text
from crm.pdf import MarkedPdf
from crm.reports.queries import BriefEngagement, CompanyBrief
from crm.reports.weekly import WeeklyBrief

HEADING = re.compile(r"^#{1,6}\s*", re.M)  # Markdown headings print as plain lines
WITHHELD = {
    engagement_policy.INSUFFICIENT_CLEARANCE: "Minutes withheld: classified above your clearance.",
    engagement_policy.NO_GRANT: "Minutes withheld: they are for the focal person, the chair and the secretariat, "
    "or with an approved notes request.",
}


def withheld(refusal: str | None) -> str:
    """Why a brief shows no minutes for an engagement, in words (R5)."""
    return WITHHELD.get(refusal or "", "Minutes withheld.")


def _document(title: str, marking: str, reader: str, now: datetime, quotes_minutes: bool) -> MarkedPdf:
    marking = marking.upper()
    pdf = MarkedPdf(marking, watermark=watermark_text(reader, now) if quotes_minutes else None)
    pdf.add_title(title)
    pdf.add_paragraph(f"Prepared for {reader} on {format_datetime(now)}. Marked {marking}: the highest "
                      "classification of what this brief shows its reader.", size=8, align="C")  # fmt: skip
    return pdf


def _table(pdf: MarkedPdf, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
    if rows:
        pdf.add_table(header, rows, widths=widths)
    else:
        pdf.add_paragraph("None.")


def _engagements(pdf: MarkedPdf, items: Sequence[BriefEngagement]) -> None:
    if not items:
        pdf.add_paragraph("None.")
    for item in items:
        e = item.engagement
        thread = f" — {e.thread.title}" if e.thread else ""
        pdf.add_paragraph(f"{format_datetime(e.occurred_at)} · {e.company.name} · {e.kind.label}, "
                          f"{e.direction.label.lower()}{thread}", size=8)  # fmt: skip
        pdf.add_paragraph(e.subject, bold=True)
        if e.summary:
            pdf.add_paragraph(e.summary, size=9)
        if item.minutes is None:
            pdf.add_paragraph(withheld(item.refusal), size=8)
        else:
            pdf.add_paragraph(f"Minutes ({e.classification.label}):", size=9, bold=True)
            pdf.add_markdown(HEADING.sub("", item.excerpt) or "None recorded.")


def _commitment_rows(commitments: Sequence[Commitment]) -> list[list[str]]:
    theirs = CommitmentDirection.COMPANY_TO_GOVERNMENT
    return [[format_date(c.due_date) or "—", c.company.name, "Theirs" if c.direction is theirs else "Ours",
             c.status.label, c.text] for c in commitments]  # fmt: skip


def _commitments(pdf: MarkedPdf, heading: str, commitments: Sequence[Commitment]) -> None:
    pdf.add_heading(heading)
    _table(pdf, ["Due", "Company", "Whose", "Status", "Promise"], _commitment_rows(commitments), [13, 18, 10, 14, 45])


def company_document(
    brief: CompanyBrief, months: Sequence[tuple[str, int]], *, reader: str, now: datetime, last_contact: str
) -> MarkedPdf:
    """The one-page brief on a company (it runs over only when the company is busy)."""
    company = brief.company
    pdf = _document(f"Brief: {company.name}", brief.marking.value, reader, now, bool(brief.minutes_shown))
    reason = f": {company.health_reason}" if company.health_reason else ""
    city = f", {company.presence_city}" if company.presence_city else ""
    facts = [["Health", company.health.label + reason], ["Priority", company.priority.label],
             ["Last contact", last_contact], ["Local presence", company.presence.label + city],
             ["PTA registration", company.pta_registration.label],
             ["Tax status (FBR)", company.tax_status.label]]  # fmt: skip
    pdf.add_table(["", ""], facts, widths=[25, 75])
    pdf.add_heading(f"Open negotiations ({brief.open_threads})")
    rows = [[t.title, t.stage.label, t.next_step or "—", t.next_step_owner.full_name if t.next_step_owner else "—",
             format_date(t.target_date) or "—"] for t in brief.threads]  # fmt: skip
    _table(pdf, ["Negotiation", "Stage", "Next step", "Owner", "Target"], rows, [28, 15, 32, 15, 10])
    theirs, ours = (brief.counts[d] for d in CommitmentDirection)
    pdf.add_paragraph(f"Commitments: theirs {theirs.open} open ({theirs.overdue} overdue); "
                      f"ours {ours.open} open ({ours.overdue} overdue).", size=9)  # fmt: skip
    _commitments(pdf, "Open commitments, soonest due first", brief.commitments)
    pdf.add_heading("Latest engagements")
    _engagements(pdf, brief.engagements)
    pdf.add_heading("Engagements per month (last 12 months)")
    pdf.add_bars(months, label_width=18)
    return pdf


def weekly_document(brief: WeeklyBrief, *, reader: str, now: datetime) -> MarkedPdf:
    """The weekly brief for the chair."""
    title = f"Weekly brief: {format_date(brief.start)} to {format_date(brief.end)}"
    pdf = _document(title, brief.marking.value, reader, now, bool(brief.minutes_shown))
    pdf.add_heading(f"Engagements this week ({brief.engagements_total})")
    _engagements(pdf, brief.engagements)
    pdf.add_heading("Negotiation stage changes")
    stages = [[format_datetime(s.changed_at), s.title, f"{s.from_stage.label if s.from_stage else '—'} → "
               f"{s.to_stage.label}", s.note or "—"] for s in brief.stage_changes]  # fmt: skip
    _table(pdf, ["When", "Negotiation", "Stage", "Note"], stages, [18, 32, 25, 25])
    _commitments(pdf, "Commitments made this week", brief.made)
    _commitments(pdf, "Commitments closed this week", brief.closed)
    _commitments(pdf, f"Commitments overdue ({brief.overdue_total})", brief.overdue)
    pdf.add_heading(f"Directives behind schedule ({brief.behind.total})")
    behind = [[i.title, format_date(i.due) or "—", i.note or "No reason recorded."] for i in brief.behind.items]
    _table(pdf, ["Directive", "Due", "Reason for delay"], behind, [50, 12, 38])
    pdf.add_heading("Deadlines in the next 7 days")
    upcoming = [[format_date(d.due), d.label, d.title, d.detail or "—"] for d in brief.upcoming]
    _table(pdf, ["Due", "What", "Item", "Whose"], upcoming, [12, 18, 50, 20])
    if brief.exceptions is not None:
        pdf.add_heading(f"Channel exceptions awaiting review ({brief.exceptions.total})")
        rows = [[format_date(i.due), i.detail, i.title, i.note] for i in brief.exceptions.items]
        _table(pdf, ["When", "Company", "Who", "What"], rows, [12, 18, 25, 45])
    return pdf
