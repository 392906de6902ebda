"""Marked PDF documents: a classification marking at the top and bottom of every page, and an
optional watermark (e.g. the reader's name and the time on released minutes, rule R5).

The font is DejaVu Sans, vendored in crm/fonts/ (see its README and licence), so any text a
person typed (Urdu names, dashes, curly quotes) prints as written: fpdf2's built-in fonts
hold Latin-1 only. Usage:

    pdf = MarkedPdf("RESTRICTED", watermark="Read by A. Khan, 04-10-2021 10:00 PKT")
    pdf.add_title("Progress report")
    pdf.add_paragraph("...")
    pdf.add_table(["S.No", "Direction"], [["1", "..."]], widths=[10, 90])
    data: bytes = pdf.output()
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
MARKINGS = ("UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET")


class MarkedPdf(FPDF):
    """An A4 document whose every page carries `marking` top and bottom (and `watermark`).

    `marking` is one of MARKINGS (case-insensitive); anything else is a programming error.
    `marked_pages` counts the pages marked, which tests can check without a PDF reader.
    """

    def __init__(self, marking: str, watermark: str | None = None, *, landscape: bool = False) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        if marking.upper() not in MARKINGS:
            raise ValueError(f"unknown classification marking {marking!r}")
        self.marking = marking.upper()
        self.watermark = watermark or None
        self.marked_pages = 0
        for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"),
                            ("I", "DejaVuSans.ttf"), ("BI", "DejaVuSans-Bold.ttf")):  # fmt: skip
            self.add_font(FONT, style, str(FONT_DIR / name))
        self.set_margins(15, 20, 15)
        self.set_auto_page_break(auto=True, margin=20)
        # Readers (and tests) find the marking in the document's properties as well.
        self.set_subject(f"Classification: {self.marking}")
        self.set_keywords(self.marking)
        self.set_creator("Rabta")
        self.add_page()

    # Page furniture, called by fpdf2 on every page.

    def _marking_line(self, y: float) -> None:
        self.set_xy(self.l_margin, y)
        self.set_font(FONT, "B", 10)
        self.set_text_color(0, 0, 0)
        self.cell(0, 6, self.marking, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def header(self) -> None:
        self._marking_line(8)
        if self.watermark:
            self._draw_watermark()
        self.set_xy(self.l_margin, self.t_margin)
        self.set_font(FONT, "", 10)

    def footer(self) -> None:
        if self.watermark:
            self.set_xy(self.l_margin, -16)
            self.set_font(FONT, "", 7)
            self.set_text_color(90, 90, 90)
            self.cell(0, 4, self.watermark, align="C")
        self.set_xy(self.l_margin, -12)
        self.set_font(FONT, "", 8)
        self.set_text_color(0, 0, 0)
        self.cell(0, 4, f"Page {self.page_no()}/{{nb}}", align="R")
        self._marking_line(-10)
        self.marked_pages += 1

    def _draw_watermark(self) -> None:
        """The watermark across the middle of the page, light grey, at 45 degrees."""
        assert self.watermark is not None
        x, y = self.w / 2, self.h / 2
        self.set_font(FONT, "B", 22)
        self.set_text_color(200, 200, 200)
        width = self.get_string_width(self.watermark)
        with self.rotation(45, x, y):
            self.text(x - width / 2, y, self.watermark)
        self.set_text_color(0, 0, 0)

    # Content.

    def add_title(self, text: str, *, size: int = 14) -> None:
        """A bold, centred heading; also the document's title in its properties."""
        self.set_title(text)
        self.set_font(FONT, "B", size)
        self.multi_cell(0, 7, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_font(FONT, "", 10)

    def add_heading(self, text: str) -> None:
        self.set_font(FONT, "B", 11)
        self.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 10)

    def add_paragraph(self, text: str, *, size: int = 10, bold: bool = False, align: str = "L") -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(0, 5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)
        self.set_font(FONT, "", 10)

    def add_markdown(self, text: str) -> None:
        """Markdown-ish text: **bold**, __italic__ and paragraphs (fpdf2's markup)."""
        self.set_font(FONT, "", 10)
        for block in text.replace("\r\n", "\n").split("\n\n"):
            self.multi_cell(0, 5, block.strip(), markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1.5)

    def add_table(
        self, header: Sequence[str], rows: Sequence[Sequence[str]], *, widths: Sequence[float] | None = None,
        size: int = 9,
    ) -> None:  # fmt: skip
        """A bordered table; the header row repeats on every page the table spans.

        `widths` are relative column widths (default: equal).
        """
        self.set_font(FONT, "", size)
        with self.table(
            col_widths=tuple(widths) if widths else None, text_align="LEFT", line_height=size * 0.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)), repeat_headings=1,
        ) as table:  # fmt: skip
            for values in (header, *rows):
                row = table.row()
                for value in values:
                    row.cell(str(value))
        self.ln(2)

    def add_bars(self, bars: Sequence[tuple[str, int]], *, label_width: float = 35, size: int = 8) -> None:
        """A horizontal bar chart in black and grey: each bar labelled with its category on the
        left and its value at its end, so it reads in print and without colour."""
        longest = max((value for _, value in bars), default=0) or 1
        span = self.w - self.l_margin - self.r_margin - label_width - 15
        self.set_font(FONT, "", size)
        for label, value in bars:
            if self.will_page_break(5):
                self.add_page()
            y = self.get_y()
            self.set_xy(self.l_margin, y)
            self.cell(label_width, 4.5, label)
            length = span * value / longest
            if length:
                self.set_fill_color(110, 110, 110)
                self.rect(self.l_margin + label_width, y + 0.6, length, 3.3, style="F")
            self.set_xy(self.l_margin + label_width + length + 1.5, y)
            self.cell(12, 4.5, str(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_font(FONT, "", 10)

    def output(self) -> bytes:  # type: ignore[override]
        """The finished document as bytes."""
        return bytes(super().output())
