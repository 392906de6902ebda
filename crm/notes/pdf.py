"""The PDF copy of minutes: crm.pdf.MarkedPdf with the engagement's classification marked at
the top and bottom of every page, and the reader's name with the time (Pakistan) watermarked
across every page, so a leaked copy names who took it and when (R5).
"""

from __future__ import annotations

from datetime import datetime

from crm.engagements.models import Engagement
from crm.formatting import format_datetime, local
from crm.pdf import MarkedPdf


def watermark_text(reader: str, now: datetime) -> str:
    """`Copy for <reader> · dd-mm-yyyy HH:MM PKT` (the time of the copy, in Pakistan)."""
    return f"Copy for {reader} · {local(now).strftime('%d-%m-%Y %H:%M')} PKT"


def minutes_document(engagement: Engagement, minutes: str, *, reader: str, now: datetime) -> MarkedPdf:
    """The document (not yet output) for one engagement's minutes, for `reader` at `now`.

    The engagement needs its company and thread loaded. The minutes are Markdown; fpdf2's
    markup renders **bold** and __italic__, the rest prints as written.
    """
    pdf = MarkedPdf(engagement.classification.value, watermark=watermark_text(reader, now))
    pdf.add_title(f"Minutes: {engagement.subject}")
    facts = (
        ("Date and time", format_datetime(engagement.occurred_at)),
        ("Company", engagement.company.name),
        ("Negotiation thread", engagement.thread.title if engagement.thread else "None"),
        ("Kind", f"{engagement.kind.label}, {engagement.direction.label.lower()}"),
        ("Classification", engagement.classification.label),
    )
    pdf.add_table(["", ""], [[label, value] for label, value in facts], widths=[30, 70])
    pdf.add_heading("Minutes")
    pdf.add_markdown(minutes.strip() or "No minutes were recorded.")
    return pdf


def minutes_pdf(engagement: Engagement, minutes: str, *, reader: str, now: datetime) -> bytes:
    """The PDF copy's bytes (see minutes_document)."""
    return minutes_document(engagement, minutes, reader=reader, now=now).output()
