"""Spreadsheets written the way the office programs write them, for the reader tests.

- ``.xlsx``: openpyxl (what Excel's format is; dates as date-formatted serial numbers).
- ``.xls``: xlwt, which writes the BIFF8 records of Excel 97–2003 (no committed fixture needed).
- ``.ods``: LibreOffice is not installed here, so ``write_ods`` lays out the zip as LibreOffice Calc
  does: ``mimetype`` first and stored uncompressed, ``content.xml`` with ``table:table-row`` /
  ``table:table-cell`` typed by ``office:value-type`` (string, float, date, boolean), runs of empty
  cells and rows folded with ``table:number-columns-repeated`` / ``table:number-rows-repeated`` (also
  the huge empty tail Calc writes below formatted cells), the 1904 date system as
  ``table:null-date``, ``styles.xml``, ``meta.xml`` and ``META-INF/manifest.xml``.

A sheet is a list of rows; a cell is str, int, float, bool, date or None (empty).
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

Sheets = dict[str, list[list[object]]]

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
    'office:version="1.3"'
)
_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="{_MIMETYPE}"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""
#: Calc's sheet size: the empty tail below the data is written as one repeated row.
_CALC_ROWS, _CALC_COLUMNS = 1_048_576, 1024


def _ods_cell(value: object) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        word = "true" if value else "false"
        return (f'<table:table-cell office:value-type="boolean" office:boolean-value="{word}" '
                f'calcext:value-type="boolean"><text:p>{word.upper()}</text:p></table:table-cell>')  # fmt: skip
    if isinstance(value, (int, float)):
        shown = str(value).replace(".", ",")
        return (f'<table:table-cell office:value-type="float" office:value="{value}" calcext:value-type="float">'
                f"<text:p>{shown}</text:p></table:table-cell>")  # fmt: skip
    if isinstance(value, (date, datetime)):
        return (f'<table:table-cell table:style-name="ce1" office:value-type="date" '
                f'office:date-value="{value.isoformat()}" calcext:value-type="date">'
                f'<text:p>{value.strftime("%d.%m.%Y")}</text:p></table:table-cell>')  # fmt: skip
    return (f'<table:table-cell office:value-type="string" calcext:value-type="string">'
            f"<text:p>{escape(str(value))}</text:p></table:table-cell>")  # fmt: skip


def _ods_row(row: list[object], width: int) -> str:
    cells = [*row, *[None] * (width - len(row))]
    parts, i = [], 0
    while i < len(cells):
        if cells[i] is None:
            run = next((j for j in range(i, len(cells)) if cells[j] is not None), len(cells)) - i
            parts.append(f'<table:table-cell table:number-columns-repeated="{run}"/>' if run > 1 else _ods_cell(None))
            i += run
        else:
            parts.append(_ods_cell(cells[i]))
            i += 1
    return f'<table:table-row table:style-name="ro1">{"".join(parts)}</table:table-row>'


def _ods_table(name: str, rows: list[list[object]]) -> str:
    width = max((len(r) for r in rows), default=1)
    body, i = [], 0
    while i < len(rows):
        if not any(v is not None for v in rows[i]):
            run = next((j for j in range(i, len(rows)) if any(v is not None for v in rows[j])), len(rows)) - i
            body.append(f'<table:table-row table:style-name="ro1" table:number-rows-repeated="{run}">'
                        f'<table:table-cell table:number-columns-repeated="{width}"/></table:table-row>')  # fmt: skip
            i += run
        else:
            body.append(_ods_row(rows[i], width))
            i += 1
    tail = (f'<table:table-row table:style-name="ro1" table:number-rows-repeated="{_CALC_ROWS - len(rows)}">'
            f'<table:table-cell table:number-columns-repeated="{_CALC_COLUMNS}"/></table:table-row>')  # fmt: skip
    return (f"<table:table table:name={quoteattr(name)} table:style-name=\"ta1\">"
            f'<table:table-column table:style-name="co1" table:number-columns-repeated="{width}" '
            f'table:default-cell-style-name="Default"/>{"".join(body)}{tail}</table:table>')  # fmt: skip


def write_ods(path: Path, sheets: Sheets, null_date: str | None = None) -> Path:
    """An .ods as LibreOffice Calc saves it; ``null_date`` ("1904-01-01") is the document's day 0 if not Calc's own."""
    settings = ""
    if null_date is not None:
        settings = (f'<table:calculation-settings table:automatic-find-labels="false">'
                    f'<table:null-date table:date-value="{null_date}"/></table:calculation-settings>')  # fmt: skip
    tables = "".join(_ods_table(name, rows) for name, rows in sheets.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_NS}>'
               '<office:automatic-styles>'
               '<style:style style:name="co1" style:family="table-column"/>'
               '<style:style style:name="ro1" style:family="table-row"/>'
               '<style:style style:name="ta1" style:family="table" style:master-page-name="Default"/>'
               '<number:date-style style:name="N37"><number:day number:style="long"/><number:text>.</number:text>'
               '<number:month number:style="long"/><number:text>.</number:text><number:year number:style="long"/>'
               '</number:date-style>'
               '<style:style style:name="ce1" style:family="table-cell" style:parent-style-name="Default" '
               'style:data-style-name="N37"/>'
               f"</office:automatic-styles><office:body><office:spreadsheet>{settings}{tables}"
               "</office:spreadsheet></office:body></office:document-content>")  # fmt: skip
    styles = f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {_NS}/>'
    meta = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {_NS}><office:meta>'
            "<meta:generator>LibreOffice/24.2.7.2$Linux_X86_64 LibreOffice_project/420$Build-2</meta:generator>"
            "</office:meta></office:document-meta>")  # fmt: skip
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), _MIMETYPE, compress_type=zipfile.ZIP_STORED)
        for member, text in (("content.xml", content), ("styles.xml", styles), ("meta.xml", meta),
                             ("META-INF/manifest.xml", _MANIFEST)):  # fmt: skip
            archive.writestr(member, text, compress_type=zipfile.ZIP_DEFLATED)
    return path


def write_xlsx(path: Path, sheets: Sheets, date1904: bool = False) -> Path:
    """An .xlsx through openpyxl; dates become date-formatted serial numbers (of the 1904 system if asked)."""
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = openpyxl.Workbook()
    book.remove(book.active)
    if date1904:
        book.epoch = CALENDAR_MAC_1904
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(r, c, value)
    book.save(path)
    return path


def write_xls(path: Path, sheets: Sheets, date1904: bool = False) -> Path:
    """An Excel 97–2003 .xls through xlwt; dates as serial numbers formatted TT.MM.JJJJ."""
    import xlwt

    book = xlwt.Workbook()
    book.dates_1904 = date1904
    date_style = xlwt.easyxf(num_format_str="DD.MM.YYYY")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write(r, c, value, date_style)
                elif value is not None:
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


WRITERS = {"xlsx": write_xlsx, "ods": write_ods, "xls": write_xls}
