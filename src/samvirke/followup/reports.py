"""The annual evaluation's report: the page, an editable Word document and a tagged PDF, both laid out by
core.documents from one block list (`report_document`).

All three are built from one `Report` (`report_data`): the evaluation (fetched by the view through
selectors.get_evaluation_for) and the facts of its year as the reader may see them
(selectors.evaluation_facts), so a download never holds more than its reader may read. The marking on
every page is the strictest level of what the report names: the evaluation, the documents and the
measures listed by title.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats, timezone, translation
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _

from samvirke.core.access import AccessLevel, Actor
from samvirke.core.documents import Document, to_docx, to_pdf
from samvirke.followup import domain, selectors
from samvirke.followup.models import AnnualEvaluation

LEVEL_ORDER = [
    AccessLevel.CLEAR,
    AccessLevel.GREEN,
    AccessLevel.AMBER,
    AccessLevel.AMBER_STRICT,
    AccessLevel.RED,
]
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"


@dataclass
class Report:
    evaluation: AnnualEvaluation
    facts: dict
    title: str
    questions: list  # (question, answer, comment)
    texts: list  # (heading, text)
    marking: str
    marking_bases: list
    generated_at: object

    @property
    def marking_label(self) -> str:
        return str(AccessLevel(self.marking).label)

    @property
    def marking_line(self) -> str:
        if self.marking_bases:
            return f"{self.marking_label} · {_('Exempt from public access')}: {'; '.join(self.marking_bases)}"
        return self.marking_label


def _label(name: str) -> str:
    return capfirst(str(AnnualEvaluation._meta.get_field(name).verbose_name))


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "–"


def report_data(actor: Actor, evaluation: AnnualEvaluation) -> Report:
    facts = selectors.evaluation_facts(actor, evaluation.owner, evaluation.year)
    answers = dict(domain.ANSWER_CHOICES)
    questions = [
        (
            _label(question),
            str(answers.get(getattr(evaluation, question), _("Not answered"))),
            getattr(evaluation, comment) or "–",
        )
        for question, comment in domain.QUESTIONS
    ]
    texts = [(_label(name), getattr(evaluation, name)) for name in domain.TEXTS]
    named = [
        evaluation,
        *facts["document_facts"],
        *facts["measure_facts"]["overdue"],
        *facts["measure_facts"]["due_in_year"],
    ]

    def level(record):
        return record["access_level"] if isinstance(record, dict) else record.access_level

    def basis(record):
        return (
            record.get("exemption_basis", "") if isinstance(record, dict) else record.exemption_basis
        ) or ""

    marking = max((level(r) for r in named), key=LEVEL_ORDER.index, default=AccessLevel.CLEAR)
    bases = sorted({basis(r).strip() for r in named if basis(r).strip()})
    title = _("Annual evaluation %(year)s – %(name)s") % {
        "year": evaluation.year,
        "name": evaluation.owner.name,
    }
    return Report(
        evaluation=evaluation,
        facts=facts,
        title=title,
        questions=questions,
        texts=texts,
        marking=marking,
        marking_bases=bases,
        generated_at=timezone.localtime(),
    )


def title_facts(report: Report) -> list[tuple[str, str]]:
    e = report.evaluation
    if e.is_submitted:
        who = (e.submitted_by.get_full_name() or e.submitted_by.username) if e.submitted_by else ""
        status = _("Submitted %(date)s") % {"date": _date(e.submitted_on)} + (f" ({who})" if who else "")
    else:
        status = _("Draft – not submitted")
    return [
        (_("Organisation"), e.owner.name),
        (_("Year evaluated"), str(e.year)),
        (_("Status"), status),
        (_("Access level"), report.marking_label),
        (
            _("Version"),
            _("%(version)s, produced %(when)s")
            % {
                "version": e.version,
                "when": formats.date_format(report.generated_at, "SHORT_DATETIME_FORMAT"),
            },
        ),
    ]


def facts_note(facts: dict) -> str:
    return _(
        "Facts from the document register, the revision rules, the follow-up plan and the risk analyses, as "
        "they stand on %(date)s and as far as the reader of this report may see them."
    ) % {"date": _date(facts["today"])}


def document_rows(facts: dict) -> list[list[str]]:
    from samvirke.plans.models import SurveyState

    rows = []
    for row in facts["documents"]:
        document = row["document"]
        done = None
        if document:
            done = max((d for d in (document["adopted_on"], document["last_revised_on"]) if d), default=None)
        rows.append(
            [
                row["type"].name,
                document["title"] if document else _("None you may read"),
                str(SurveyState(row["state"]).label),
                _date(done),
                _date(row["due"]),
            ]
        )
    return rows


def document_headers() -> list[str]:
    return [_("Document type"), _("Document"), _("State"), _("Adopted or last revised"), _("Next due")]


def due_summary(facts: dict) -> str:
    due = facts["due"]
    return _("%(on_time)s done on time, %(late)s done late, %(open)s not done.") % {
        "on_time": len(due["on_time"]),
        "late": len(due["late"]),
        "open": len(due["open"]),
    }


def due_rows(facts: dict) -> list[list[str]]:
    due = facts["due"]
    rows = []
    for state, items in (
        (_("Not done"), due["open"]),
        (_("Done late"), due["late"]),
        (_("Done on time"), due["on_time"]),
    ):
        for item in items:
            rows.append([item.rule.title, _date(item.due_date), _date(item.done_on), state])
    return rows


def due_headers() -> list[str]:
    return [_("Obligation"), _("Due date"), _("Done on"), _("State")]


def plan_rows(facts: dict) -> list[list[str]]:
    return [
        [row["kind"], str(row["total"]), str(row["done"]), str(row["open"])]
        for row in facts["activities_by_kind"]
    ]


def plan_headers() -> list[str]:
    return [_("Kind"), _("Activities"), _("Done"), _("Not done")]


def measure_summary(facts: dict) -> str:
    m = facts["measure_facts"]
    return _("%(total)s measures: %(done)s done, %(open)s planned or in progress, %(overdue)s overdue.") % {
        "total": m["total"],
        "done": m["done"],
        "open": m["open"],
        "overdue": len(m["overdue"]),
    }


def measure_rows(facts: dict) -> list[list[str]]:
    return [
        [m.title, m.analysis.title, _date(m.deadline), m.get_status_display()]
        for m in facts["measure_facts"]["overdue"]
    ]


def measure_headers() -> list[str]:
    return [_("Measure"), _("Analysis"), _("Deadline"), _("Status")]


def file_name(report: Report, extension: str) -> str:
    e = report.evaluation
    stem = slugify(f"arlig-evaluering-{e.owner.name}-{e.year}")[:80].strip("-") or "evaluation"
    return f"{stem}-{e.pk}.{extension}"


def page_label() -> str:
    return _("Page %(page)s of %(pages)s")


# --- Word and PDF ----------------------------------------------------------------------------------------


def report_document(report: Report) -> Document:
    """The report as blocks (core.documents), the same for Word and PDF: title facts, the answers, the
    facts of the year."""
    doc = Document(
        title=report.title,
        language=translation.get_language() or "nb",
        marking=report.marking_line,
        footer=report.title,
        subject=_("Annual evaluation of the preparedness work"),
        keywords=report.marking_label,
        page_label=page_label(),
    )
    doc.title_block(kicker=_("Annual evaluation of the preparedness work"))
    doc.pairs(title_facts(report))
    doc.heading(_("Questions"), 1)
    doc.table(
        [_("Question"), _("Answer"), _("Comment")], [list(q) for q in report.questions], widths=[4, 2, 5]
    )
    for heading, text in report.texts:
        doc.heading(heading, 2)
        doc.text(text)
    facts = report.facts
    doc.heading(_("Facts of the year"), 1)
    doc.note(facts_note(facts))
    doc.heading(_("Risk analysis and emergency plan"), 2)
    doc.table(document_headers(), document_rows(facts))
    doc.heading(_("Revisions and exercises due in the year"), 2)
    doc.text(due_summary(facts))
    if due_rows(facts):
        doc.table(due_headers(), due_rows(facts))
    doc.heading(_("The follow-up plan"), 2)
    if facts["plan"] is not None:
        doc.text(facts["plan"].title)
        doc.table(plan_headers(), plan_rows(facts))
    else:
        doc.text(_("No follow-up plan for this year that you may read."))
    doc.heading(_("Risk-reducing measures"), 2)
    doc.text(measure_summary(facts))
    if measure_rows(facts):
        doc.text(_("Overdue measures:"))
        doc.table(measure_headers(), measure_rows(facts))
    return doc


def build_docx(report: Report) -> bytes:
    """An editable Word document: real headings and tables, the marking in the header, page numbers."""
    return to_docx(report_document(report))


def build_pdf(report: Report) -> bytes:
    """An A4 PDF, tagged for screen readers (PDF/UA-1), the marking on every page; the answers are placed
    as text, never as markup, and nothing is fetched (core.documents)."""
    return to_pdf(report_document(report))


def fact_tables(facts: dict) -> dict:
    """The facts as tables, shared by the evaluation form and the report page."""
    return {
        "document_headers": document_headers(),
        "document_rows": document_rows(facts),
        "due_summary": due_summary(facts),
        "due_headers": due_headers(),
        "due_rows": due_rows(facts),
        "plan_headers": plan_headers(),
        "plan_rows": plan_rows(facts),
        "measure_summary": measure_summary(facts),
        "measure_headers": measure_headers(),
        "measure_rows": measure_rows(facts),
        "facts_note": facts_note(facts),
    }
