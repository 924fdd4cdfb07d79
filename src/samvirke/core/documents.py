"""Generated documents: one simple block model, written out as an editable Word file (python-docx) or a
tagged, print-ready PDF (Typst, PDF/UA-1).

Every report Samvirke produces (risk analysis reports, status reports, the plan binder, evaluations) is built
as a `Document` of blocks — headings, paragraphs, label/value pairs, tables (optionally with coloured cells),
bullets, notes and page breaks — by code that has already decided what the reader may see. This module only
lays it out; it never reads the database.

The PDF is compiled by Typst (the `typst` package embeds the compiler; no external process, nothing fetched
from the network). User content never becomes Typst markup: the whole document goes to the template as one
JSON input (`sys.inputs.doc`) and is placed as plain text, so no title or scenario can inject layout code.
Typst lays out an 80-event analysis (about 90 pages) in about a second, where the HTML-to-PDF route took
15–20 s.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

#: Cell colours by risk colour name (acceptance band), shared by Word and PDF.
FILLS = {"green": "CFE8D0", "yellow": "FBE7A1", "red": "F5C2BD"}

TEMPLATE = Path(__file__).with_name("document.typ")
PAGE_PLACEHOLDERS = re.compile(r"(%\(pages?\)s)")


@dataclass
class Document:
    """A document as blocks. `marking` is printed at the top of every page (the TLP marking), `footer` at the
    bottom left, and `page_label` (e.g. "Page %(page)s of %(pages)s") at the bottom right."""

    title: str
    language: str = "nb"
    marking: str = ""
    footer: str = ""
    subject: str = ""
    keywords: str = ""
    page_label: str = "%(page)s / %(pages)s"
    blocks: list[dict] = field(default_factory=list)

    # -- building ------------------------------------------------------------------------------------------

    def title_block(self, kicker: str = "") -> Document:
        """The document title (Word's Title style, the PDF's title) with an optional line under it."""
        self.blocks.append({"kind": "title", "text": self.title, "kicker": kicker})
        return self

    def heading(self, text: str, level: int = 1) -> Document:
        self.blocks.append({"kind": "heading", "text": str(text), "level": max(1, min(level, 4))})
        return self

    def text(self, text: str | None, *, empty: str = "–") -> Document:
        """Paragraphs: blank lines separate paragraphs, single line breaks are kept."""
        value = (text or "").strip()
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value)] if value else [empty]
        self.blocks.append({"kind": "text", "paragraphs": paragraphs})
        return self

    def note(self, text: str) -> Document:
        """An emphasised remark (e.g. what was left out, which version this is)."""
        self.blocks.append({"kind": "note", "text": str(text)})
        return self

    def bullets(self, items: list[str]) -> Document:
        self.blocks.append({"kind": "bullets", "items": [str(i) for i in items]})
        return self

    def pairs(self, rows: list[tuple[str, str]]) -> Document:
        """Label–value rows (labels bold), e.g. an event's DSB form."""
        self.blocks.append({"kind": "pairs", "rows": [[str(label), str(value)] for label, value in rows]})
        return self

    def table(
        self,
        headers: list[str],
        rows: list[list[str]],
        *,
        fills: list[list[str | None]] | None = None,
        widths: list[float] | None = None,
        small: bool = False,
    ) -> Document:
        """A table whose header row repeats on every page. `fills` gives a colour name (see FILLS) per cell or
        None; `widths` relative column widths."""
        if fills is not None and len(fills) != len(rows):
            raise ValueError("fills needs one row of colours per table row")
        self.blocks.append(
            {
                "kind": "table",
                "headers": [str(h) for h in headers],
                "rows": [[str(v) for v in row] for row in rows],
                "fills": [[(FILLS.get(c) if c else None) for c in row] for row in fills] if fills else None,
                "widths": widths,
                "small": small,
            }
        )
        return self

    def page_break(self) -> Document:
        self.blocks.append({"kind": "pagebreak"})
        return self


# --- PDF -------------------------------------------------------------------------------------------------


def _page_label_parts(label: str) -> list[str]:
    parts = []
    for part in PAGE_PLACEHOLDERS.split(label):
        if part == "%(page)s":
            parts.append("\x00page")
        elif part == "%(pages)s":
            parts.append("\x00pages")
        elif part:
            parts.append(part)
    return parts


def _language_parts(language: str) -> tuple[str, str | None]:
    code = (language or "nb")[:2].lower()
    return code, {"nb": "NO", "sv": "SE", "en": "GB"}.get(code)


def _nested_levels(blocks: list[dict]) -> list[dict]:
    """PDF/UA forbids skipping heading levels (1 → 3): a heading is at most one level below the one before."""
    result, previous = [], 0
    for block in blocks:
        if block["kind"] == "heading":
            level = min(block["level"], previous + 1)
            block, previous = {**block, "level": level}, level
        result.append(block)
    return result


def to_pdf(document: Document) -> bytes:
    """An A4 PDF, tagged for screen readers (PDF/UA-1), with the marking on every page and page numbers."""
    import typst

    language, region = _language_parts(document.language)
    data = {
        "title": document.title,
        "subject": document.subject,
        "keywords": document.keywords,
        "marking": document.marking,
        "footer": document.footer,
        "page_label": _page_label_parts(document.page_label),
        "lang": language,
        "region": region,
        "blocks": _nested_levels(document.blocks),
    }
    return typst.compile(
        TEMPLATE.read_bytes(),
        sys_inputs={"doc": json.dumps(data, ensure_ascii=False)},
        pdf_standards=["ua-1"],
    )


# --- Word ------------------------------------------------------------------------------------------------


def to_docx(document: Document) -> bytes:
    """An editable Word file: real headings and tables, the marking in the page header and "page N of M"
    as Word fields in the footer, so numbers stay right when the municipality edits it."""
    from docx import Document as WordDocument
    from docx.shared import Cm, Pt

    word = WordDocument()
    section = word.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    _docx_language(word, document.language)
    word.core_properties.title = document.title
    word.core_properties.language = document.language
    word.core_properties.subject = document.subject
    word.core_properties.keywords = document.keywords
    word.styles["Normal"].font.size = Pt(10)
    section.header.paragraphs[0].text = document.marking
    _docx_page_footer(section.footer.paragraphs[0], document)

    for block in document.blocks:
        kind = block["kind"]
        if kind == "title":
            word.add_heading(block["text"], 0)
            if block["kicker"]:
                word.add_paragraph(block["kicker"])
        elif kind == "heading":
            word.add_heading(block["text"], block["level"])
        elif kind == "text":
            for paragraph in block["paragraphs"]:
                word.add_paragraph(paragraph)
        elif kind == "note":
            word.add_paragraph().add_run(block["text"]).italic = True
        elif kind == "bullets":
            for item in block["items"]:
                word.add_paragraph(item, style="List Bullet")
        elif kind == "pairs":
            _docx_pairs(word, block["rows"])
        elif kind == "table":
            _docx_table(word, block)
        elif kind == "pagebreak":
            word.add_page_break()
        else:  # pragma: no cover - a programming error, caught by the tests of each report
            raise ValueError(f"unknown block kind {kind!r}")
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _docx_language(word, language: str) -> None:
    """Mark the text's language (spelling, screen readers): nb-NO, sv-SE or en-GB."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    code, region = _language_parts(language)
    rpr = word.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), f"{code}-{region}" if region else code)
    rpr.append(lang)


def _docx_page_footer(paragraph, document: Document) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def field_run(instruction: str):
        simple = OxmlElement("w:fldSimple")
        simple.set(qn("w:instr"), instruction)
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        simple.append(run)
        paragraph._p.append(simple)

    if document.footer:
        paragraph.add_run(f"{document.footer} · ")
    for part in _page_label_parts(document.page_label):
        if part == "\x00page":
            field_run("PAGE")
        elif part == "\x00pages":
            field_run("NUMPAGES")
        else:
            paragraph.add_run(part)


#: Characters XML 1.0 does not allow (control characters other than tab, newline and carriage return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _cell_xml(text: str, *, bold: bool = False, fill: str | None = None, width: int | None = None) -> str:
    """One table cell as WordprocessingML; line breaks kept as <w:br/>."""
    from xml.sax.saxutils import escape

    lines = [escape(_NOT_XML.sub("", line)) for line in str(text).split("\n")]
    run_props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    texts = "<w:br/>".join(f'<w:t xml:space="preserve">{line}</w:t>' for line in lines)
    width_xml = f'<w:tcW w:w="{width}" w:type="dxa"/>' if width else '<w:tcW w:w="0" w:type="auto"/>'
    shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    return f"<w:tc><w:tcPr>{width_xml}{shade}</w:tcPr><w:p><w:r>{run_props}{texts}</w:r></w:p></w:tc>"


def _append_rows(table, rows_xml: list[str]) -> None:
    """Rows are written as one piece of XML and parsed once: python-docx's cell-by-cell API took most of the
    time of a long report."""
    from docx.oxml.parser import parse_xml

    parsed = parse_xml(f'<w:tbl xmlns:w="{_W}">{"".join(rows_xml)}</w:tbl>')
    for row in list(parsed):
        table._tbl.append(row)


def _docx_table(word, block: dict):
    """A table with a bold header row that repeats on every page, cells shaded where the block says."""
    headers = block["headers"]
    table = word.add_table(rows=0, cols=len(headers))
    table.style = "Table Grid"
    rows = ['<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>'
            + "".join(_cell_xml(h, bold=True) for h in headers) + "</w:tr>"]  # fmt: skip
    fills = block["fills"] or [None] * len(block["rows"])
    for values, row_fills in zip(block["rows"], fills, strict=True):
        cells = [
            _cell_xml(value, fill=row_fills[index] if row_fills else None)
            for index, value in enumerate(values)
        ]
        rows.append(f"<w:tr>{''.join(cells)}</w:tr>")
    _append_rows(table, rows)
    word.add_paragraph()
    return table


def _docx_pairs(word, rows: list[list[str]]):
    """Label–value rows, the label bold: 5 cm and 11.6 cm wide."""
    table = word.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    _append_rows(
        table,
        [
            f"<w:tr>{_cell_xml(label, bold=True, width=2835)}{_cell_xml(value, width=6577)}</w:tr>"
            for label, value in rows
        ],
    )
    word.add_paragraph()
    return table
