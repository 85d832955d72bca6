"""Tagged PDF documents with fpdf2: language, title, headings as structure and bookmarks, pictures with alt text.

fpdf2 (2.8.9) writes the document language (/Lang), the title (Info, shown by
the viewer in place of the file name), a bookmark per ``start_section`` and a
structure tree (/StructTreeRoot, /MarkInfo /Marked true) holding a /Figure
with /Alt for each picture given ``alt_text``. It has no call to tag a heading
as one; ``heading`` adds /H1–/H3 elements through fpdf2's own structure
builder, the same calls ``image`` makes for a figure. Paragraphs, tables,
header and footer stay untagged – fpdf2 offers no way – so the documents are
tagged in part, not PDF/UA.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib
from fpdf import FPDF, ViewerPreferences

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "dejavu"


class Document(FPDF):
    """A page with the document's title and page number in the footer (when ``footer_text`` is set)."""

    footer_text = ""

    def footer(self) -> None:
        if not self.footer_text:
            return
        self.set_y(-11)
        self.set_font(FONT, size=7)
        self.set_text_color(80)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}", align="C")
        self.set_text_color(0)

    @contextmanager
    def tagged(self, struct_type: str) -> Iterator[None]:
        """Mark what is drawn inside as one structure element of ``struct_type`` (e.g. "H1") on this page."""
        mcid = self.struct_builder.next_mcid_for_page(self.page)
        self._add_marked_content(struct_type=f"/{struct_type}", mcid=mcid)
        self._out(f"/{struct_type} <</MCID {mcid}>> BDC")
        yield
        self._out("EMC")


def document(title: str, lang: str, page: str = "A4", orientation: str = "portrait") -> Document:
    """An empty document with DejaVu (umlauts, dashes, German quotes), its title and language set."""
    pdf = Document(orientation=orientation, format=page, unit="mm")
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_creator("Quartiersatlas")
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    return pdf


def heading(pdf: Document, text: str, level: int, size: float) -> None:
    """A bold heading of ``level`` (1 = the title) at the current position: tagged /H<level> and bookmarked."""
    pdf.start_section(text, level - 1)
    pdf.set_font(FONT, "B", size)
    with pdf.tagged(f"H{level}"):
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT", align="L")
