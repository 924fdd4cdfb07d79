"""Excel exchange of one analysis (openpyxl): export of its events and measures, an import template, and
the import of analysed events from a filled template.

Columns are known by the key in brackets at the end of each header ("Tittel [title]"), so a file made in
one language can be imported in another, and an export can be imported again (its computed columns are
ignored). Values with words (strength of knowledge, yes/no) are accepted in every language of the site.

The import checks every row before it saves anything: codes against the analysis' scale set, the
reasoning the method requires (`services.assessment_result`), and the model's own rules through
`full_clean` (lengths, security-classification markings). Nothing is imported unless every row is valid;
the rows are then created through `services.event_create` in one transaction, so history, versions and
the stored risk result are as for an event entered in the form.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import translation
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samvirke.core.access import AccessLevel, Actor
from samvirke.core.forms import StyledFormMixin
from samvirke.organisations.models import Organisation
from samvirke.risk import domain, selectors, services
from samvirke.risk.models import (
    AnalysedEvent,
    ConsequenceAssessment,
    CriticalFunction,
    EventType,
    KnowledgeStrength,
    Measure,
    RiskAnalysis,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Limits for an uploaded file: its size, its size unpacked (an .xlsx is a zip), and its event rows.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 500

#: Access levels as written in a sheet (the TLP names).
LEVEL_NAMES = {
    AccessLevel.CLEAR: "CLEAR",
    AccessLevel.GREEN: "GREEN",
    AccessLevel.AMBER: "AMBER",
    AccessLevel.AMBER_STRICT: "AMBER+STRICT",
    AccessLevel.RED: "RED",
}
#: Columns of an export that are computed, not entered: ignored by the import.
COMPUTED_KEYS = ("number", "risk_score", "risk_colour")
_KEY_RE = re.compile(r"\[([^\[\]]+)\]\s*$")
#: Characters an .xlsx cannot hold (openpyxl refuses them); removed from exported text.
_ILLEGAL_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int = 24

    @property
    def header(self) -> str:
        return f"{self.label} [{self.key}]"


def _label(model, name) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def event_columns(scale) -> list[Column]:
    """The template's columns for an analysis' scale: the DSB fields and a level and a reasoning per
    consequence type."""
    columns = [
        Column("title", _label(AnalysedEvent, "title"), 40),
        Column("event_type", _("Event type"), 26),
        Column("scenario", _label(AnalysedEvent, "scenario"), 50),
        Column("comparable_events", _label(AnalysedEvent, "comparable_events"), 30),
        Column("causes", _label(AnalysedEvent, "causes"), 30),
        Column("barriers", _label(AnalysedEvent, "barriers"), 30),
        Column("likelihood", _("Likelihood (code)"), 14),
        Column("likelihood_reasoning", _label(AnalysedEvent, "likelihood_reasoning"), 40),
        Column("vulnerability", _label(AnalysedEvent, "vulnerability"), 40),
    ]
    for ctype in scale["types"]:
        columns.append(Column(f"consequence:{ctype.code}", _("%(type)s (level)") % {"type": ctype.name}, 16))
        columns.append(Column(f"reasoning:{ctype.code}", _("Reasoning: %(type)s") % {"type": ctype.name}, 36))
    columns += [
        Column("knowledge_strength", _("Strength of knowledge"), 16),
        Column("sensitivity", _label(AnalysedEvent, "sensitivity"), 36),
        Column("sources", _label(AnalysedEvent, "sources"), 30),
        Column("cross_municipal", _label(AnalysedEvent, "cross_municipal"), 14),
        Column("cross_border", _label(AnalysedEvent, "cross_border"), 14),
        Column("affected_municipalities", _label(AnalysedEvent, "affected_municipalities"), 30),
        Column("critical_functions", _label(AnalysedEvent, "critical_functions"), 30),
        Column("access_level", _("Access level"), 16),
        Column("exemption_basis", _label(AnalysedEvent, "exemption_basis"), 26),
    ]
    return columns


def computed_columns() -> list[Column]:
    return [
        Column("number", _("No."), 6),
        Column("risk_score", _("Risk score"), 10),
        Column("risk_colour", _("Risk"), 24),
    ]


def measure_columns() -> list[Column]:
    return [
        Column("title", _label(Measure, "title"), 40),
        Column("description", _label(Measure, "description"), 40),
        Column("responsible", _label(Measure, "responsible"), 24),
        Column("deadline", _label(Measure, "deadline"), 12),
        Column("cost_estimate", _label(Measure, "cost_estimate"), 14),
        Column("status", _("Status"), 14),
        Column("events", _label(Measure, "events"), 40),
        Column("likelihood_reduction", _label(Measure, "likelihood_reduction"), 14),
        Column("consequence_reduction", _label(Measure, "consequence_reduction"), 14),
        Column("access_level", _("Access level"), 16),
        Column("exemption_basis", _label(Measure, "exemption_basis"), 26),
    ]


def file_name(analysis: RiskAnalysis, kind: str) -> str:
    stem = slugify(analysis.title)[:60].strip("-") or "risk-analysis"
    return f"{stem}-{analysis.pk}-{kind}.xlsx"


# --- words in every language -----------------------------------------------------------------------------


def _in_every_language(make) -> dict[str, object]:
    """{lower-case word: value} for the words `make()` returns, in every language of the site."""
    words: dict[str, object] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for word, value in make():
                words[str(word).strip().lower()] = value
    return words


def _knowledge_words():
    def words():
        return [*((label, value) for value, label in KnowledgeStrength.choices),
                *((value, value) for value in KnowledgeStrength.values)]  # fmt: skip

    return _in_every_language(words)


#: Yes/no answers understood in any language, besides the translated "Yes" and "No".
YES_NO = {"yes": True, "no": False, "true": True, "false": False, "1": True, "0": False, "x": True}


def _yes_no_words():
    return _in_every_language(lambda: [(_("Yes"), True), (_("No"), False), *YES_NO.items()])


def _level_from_text(text: str) -> str | None:
    key = text.strip().upper().removeprefix("TLP:").replace(" ", "")
    for value, name in LEVEL_NAMES.items():
        if key == name:
            return value
    return None


# --- writing ---------------------------------------------------------------------------------------------


def _put(sheet, row: int, column: int, value):
    """Write one cell. Text is always text: a value starting with "=" is never stored as a formula."""
    if isinstance(value, str):
        value = _ILLEGAL_RE.sub("", value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _header(sheet, columns: list[Column]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for n, column in enumerate(columns, start=1):
        cell = _put(sheet, 1, n, column.header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(n)].width = column.width
    sheet.freeze_panes = "B2"
    sheet.row_dimensions[1].height = 45


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _events_for_export(actor: Actor, analysis: RiskAnalysis):
    events = list(
        selectors.events_visible_to(actor)
        .filter(analysis=analysis)
        .select_related("likelihood", "event_type")
        .prefetch_related(
            Prefetch("assessments", queryset=ConsequenceAssessment.objects.select_related("level")),
            Prefetch(
                "affected_municipalities", queryset=Organisation.objects.only("id", "name").order_by("name")
            ),
            Prefetch("critical_functions", queryset=CriticalFunction.objects.order_by("position")),
        )
        .order_by("id")
    )
    measures = list(
        selectors.measures_visible_to(actor)
        .filter(analysis=analysis)
        # Only events the actor may read: a measure's links must not reveal a stricter event's title.
        .prefetch_related(
            Prefetch("events", queryset=selectors.events_visible_to(actor).only("id", "title").order_by("id"))
        )
        .order_by("deadline", "id")
    )
    return events, measures


def event_values(event, scale) -> dict[str, object]:
    """One event as {column key: cell value}, in the words the import reads back."""
    levels = {a.consequence_type_id: a for a in event.assessments.all()}
    values: dict[str, object] = {
        "title": event.title,
        "event_type": event.event_type.name if event.event_type_id else "",
        "scenario": event.scenario,
        "comparable_events": event.comparable_events,
        "causes": event.causes,
        "barriers": event.barriers,
        "likelihood": event.likelihood.code if event.likelihood_id else "",
        "likelihood_reasoning": event.likelihood_reasoning,
        "vulnerability": event.vulnerability,
        "knowledge_strength": event.get_knowledge_strength_display() if event.knowledge_strength else "",
        "sensitivity": event.sensitivity,
        "sources": event.sources,
        "cross_municipal": _("Yes") if event.cross_municipal else _("No"),
        "cross_border": _("Yes") if event.cross_border else _("No"),
        "affected_municipalities": "; ".join(m.name for m in event.affected_municipalities.all()),
        "critical_functions": "; ".join(f.name for f in event.critical_functions.all()),
        "access_level": LEVEL_NAMES[event.access_level],
        "exemption_basis": event.exemption_basis,
        "risk_score": event.risk_score,
        "risk_colour": event.get_risk_colour_display() if event.risk_colour else "",
    }
    for ctype in scale["types"]:
        assessment = levels.get(ctype.pk)
        values[f"consequence:{ctype.code}"] = assessment.level.code if assessment else ""
        values[f"reasoning:{ctype.code}"] = assessment.reasoning if assessment else ""
    return values


def export_workbook(actor: Actor, analysis: RiskAnalysis) -> tuple[bytes, list, list]:
    """The analysis' events and measures the actor may read, on two sheets. The events sheet has the
    template's columns (plus computed ones), so it can be imported again. A fixed number of queries."""
    from openpyxl import Workbook

    scale = selectors.scale_of(analysis.scale_set)
    events, measures = _events_for_export(actor, analysis)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Events")
    columns = [*event_columns(scale), *computed_columns()]
    _header(sheet, columns)
    numbers = {}
    for row, event in enumerate(events, start=2):
        numbers[event.pk] = row - 1
        values = {**event_values(event, scale), "number": row - 1}
        for n, column in enumerate(columns, start=1):
            _put(sheet, row, n, values.get(column.key, ""))
    sheet.auto_filter.ref = sheet.dimensions
    measures_sheet = workbook.create_sheet(_("Measures"))
    columns = measure_columns()
    _header(measures_sheet, columns)
    for row, measure in enumerate(measures, start=2):
        values = {
            "title": measure.title,
            "description": measure.description,
            "responsible": measure.responsible,
            "deadline": measure.deadline,
            "cost_estimate": int(measure.cost_estimate) if measure.cost_estimate is not None else None,
            "status": measure.get_status_display(),
            "events": "; ".join(e.title for e in measure.events.all()),
            "likelihood_reduction": measure.likelihood_reduction,
            "consequence_reduction": measure.consequence_reduction,
            "access_level": LEVEL_NAMES[measure.access_level],
            "exemption_basis": measure.exemption_basis,
        }
        for n, column in enumerate(columns, start=1):
            cell = _put(measures_sheet, row, n, values[column.key])
            if isinstance(values[column.key], datetime.date):
                cell.number_format = "yyyy-mm-dd"
    measures_sheet.auto_filter.ref = measures_sheet.dimensions
    return _save(workbook), events, measures


# --- the template ----------------------------------------------------------------------------------------


def _choices(analysis: RiskAnalysis, scale) -> dict:
    """What the cells of the template may contain, per column key."""
    region_id = analysis.owner.region_id
    types = EventType.objects.filter(Q(region__isnull=True) | Q(region_id=region_id)).order_by("name")
    return {
        "likelihood": [c.code for c in scale["likelihoods"]],
        **{f"consequence:{t.code}": [level.code for level in t.levels.all()] for t in scale["types"]},
        "knowledge_strength": [str(label) for _value, label in KnowledgeStrength.choices],
        "cross_municipal": [_("Yes"), _("No")],
        "cross_border": [_("Yes"), _("No")],
        "access_level": list(LEVEL_NAMES.values()),
        "event_type": sorted({t.name for t in types}),
    }


def template_workbook(analysis: RiskAnalysis) -> bytes:
    """An empty events sheet with the analysis' columns and drop-down lists, and an instructions sheet in
    the active language with the codes of the analysis' scale set."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    scale = selectors.scale_of(analysis.scale_set)
    columns = event_columns(scale)
    choices = _choices(analysis, scale)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Events")
    _header(sheet, columns)
    instructions = workbook.create_sheet(_("Instructions"))
    lists = workbook.create_sheet("lists")
    lists.sheet_state = "hidden"
    list_column = 0
    for n, column in enumerate(columns, start=1):
        options = choices.get(column.key)
        if not options:
            continue
        list_column += 1
        letter = get_column_letter(list_column)
        _put(lists, 1, list_column, column.key)
        for row, option in enumerate(options, start=2):
            _put(lists, row, list_column, str(option))
        validation = DataValidation(
            type="list",
            formula1=f"lists!${letter}$2:${letter}${len(options) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Not on the list"),
            error=_("Choose a value from the list."),
        )
        target = get_column_letter(n)
        validation.add(f"{target}2:{target}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)

    wrap = Alignment(wrap_text=True, vertical="top")
    instructions.column_dimensions["A"].width = 28
    instructions.column_dimensions["B"].width = 40
    instructions.column_dimensions["C"].width = 60
    row = 1
    title = _put(instructions, row, 1, _("Import template: %(title)s") % {"title": analysis.title})
    title.font = Font(bold=True, size=14)
    row += 2
    for line in instruction_lines(analysis, scale):
        cell = _put(instructions, row, 1, line)
        cell.alignment = wrap
        instructions.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        instructions.row_dimensions[row].height = 32
        row += 1

    def table(heading, headers, rows):
        nonlocal row
        row += 1
        _put(instructions, row, 1, heading).font = Font(bold=True, size=12)
        row += 1
        for n, text in enumerate(headers, start=1):
            _put(instructions, row, n, text).font = Font(bold=True)
        row += 1
        for values in rows:
            for n, text in enumerate(values, start=1):
                _put(instructions, row, n, text).alignment = wrap
            row += 1

    table(
        _("Likelihood classes"),
        [_("Code"), _("Class"), _("Interval")],
        [(c.code, c.label, c.interval) for c in scale["likelihoods"]],
    )
    table(
        _("Consequence levels"),
        [_("Consequence type"), _("Code"), _("Level")],
        [(t.name, level.code, level.label) for t in scale["types"] for level in t.levels.all()],
    )
    table(
        _("Strength of knowledge"),
        [_("Value")],
        [(label,) for label in choices["knowledge_strength"]],
    )
    municipalities = Organisation.objects.filter(
        region_id=analysis.owner.region_id, kind=Organisation.Kind.MUNICIPALITY
    ).order_by("name")
    table(_("Municipalities"), [_("Name")], [(m.name,) for m in municipalities])
    table(
        _("Critical societal functions"),
        [_("Name")],
        [(f.name,) for f in CriticalFunction.objects.order_by("position")],
    )
    table(_("Event types"), [_("Name")], [(name,) for name in choices["event_type"]])
    return _save(workbook)


def instruction_lines(analysis: RiskAnalysis, scale) -> list[str]:
    return [
        _(
            "Write one analysed event per row on the sheet “%(sheet)s”, from row 2. Keep the header row "
            "as it is: the key in brackets at the end of each header tells Samvirke what the column is."
        )
        % {"sheet": _("Events")},
        _("Only the title is required. Leave a cell empty if you have nothing to write."),
        _(
            "Likelihood: the code of a class on the analysis' scale set (%(scale)s), see the table below. "
            "If you give a likelihood, also give the reasoning for it."
        )
        % {"scale": analysis.scale_set.name},
        _(
            "Consequences: for each consequence type, the code of a level, see the table below. If you "
            "give a level, also give the reasoning for it."
        ),
        _("Strength of knowledge: %(choices)s.")
        % {"choices": ", ".join(str(label) for _value, label in KnowledgeStrength.choices)},
        _("Affects several municipalities / crosses the national border: %(yes)s or %(no)s.")
        % {"yes": _("Yes"), "no": _("No")},
        _(
            "Affected municipalities and critical societal functions: names from the tables below, "
            "separated by semicolons."
        ),
        _(
            "Access level: CLEAR, GREEN, AMBER, AMBER+STRICT or RED. Empty: the analysis' level (%(level)s), "
            "shared with the same organisations and people as the analysis."
        )
        % {"level": LEVEL_NAMES[analysis.access_level]},
        _(
            "Nothing is imported unless every row is valid; you get a list of what to fix. At most "
            "%(rows)d rows and %(size)d MB."
        )
        % {"rows": MAX_ROWS, "size": MAX_UPLOAD_BYTES // (1024 * 1024)},
        _(
            "Do not enter security-classified information (sikkerhetsloven / säkerhetsskyddslagen): "
            "Samvirke refuses it."
        ),
    ]


# --- reading ---------------------------------------------------------------------------------------------


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in template (.xlsx)"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) made from the import template, at most 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext_lazy("The file is larger than %(size)d MB. Split it into smaller files."),
                params={"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        return upload


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str


@dataclass
class ParsedRow:
    row: int
    data: dict
    consequences: dict
    municipalities: list
    functions: list


@dataclass
class ImportResult:
    sheet: str = ""
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""
    labels: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors and bool(self.rows)

    def add(self, row: int | None, key: str, message) -> None:
        self.errors.append(RowError(self.sheet, row, self.labels.get(key, ""), str(message)))

    def add_validation_error(self, row: int | None, error: ValidationError) -> None:
        for name, messages in _error_dict(error).items():
            for message in messages:
                self.add(row, _column_key(name), message)

    def add_service_error(self, error: ValidationError) -> None:
        """A row that passed the checks but was refused when saved (nothing was saved)."""
        self.add_validation_error(getattr(error, "import_row", None), error)


def _error_dict(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


def _column_key(name: str) -> str:
    for prefix in ("consequence", "reasoning"):
        if name.startswith(f"{prefix}_"):
            return f"{prefix}:{name[len(prefix) + 1 :]}"
    return name


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


def _names(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]


def _not_xlsx() -> str:
    return _("The file is not an Excel workbook (.xlsx). Save it as “Excel Workbook (.xlsx)” and try again.")


def _open_workbook(upload):
    """The workbook, or a message saying what is wrong with the file."""
    from openpyxl import load_workbook

    not_xlsx = _not_xlsx()
    if upload.size > MAX_UPLOAD_BYTES:
        return None, _("The file is larger than %(size)d MB. Split it into smaller files.") % {
            "size": MAX_UPLOAD_BYTES // (1024 * 1024)
        }
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if "xl/workbook.xml" not in {m.filename for m in members}:
                return None, not_xlsx
            if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                return None, _("The workbook is too large when unpacked. Remove images and unused sheets.")
    except (zipfile.BadZipFile, ValueError, OSError):
        return None, not_xlsx
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True), ""
    except Exception:  # openpyxl raises many kinds of errors for a broken workbook
        return None, not_xlsx


class _Context:
    """The analysis' scale and lists, read once per import."""

    def __init__(self, analysis: RiskAnalysis):
        self.analysis = analysis
        self.scale = selectors.scale_of(analysis.scale_set)
        self.cells = self.scale["cells"]
        self.likelihoods = {c.code.upper(): c for c in self.scale["likelihoods"]}
        self.types = {t.code: t for t in self.scale["types"]}
        self.levels = {
            t.code: {level.code.upper(): level for level in t.levels.all()} for t in self.scale["types"]
        }
        region_id = analysis.owner.region_id
        self.event_types = {}
        # Regional types after the shared ones: a region's own type wins over a shared one of the same name.
        types = EventType.objects.filter(Q(region__isnull=True) | Q(region_id=region_id)).order_by(
            "region_id"
        )
        for event_type in sorted(types, key=lambda t: t.region_id is not None):
            self.event_types[event_type.name.lower()] = event_type
        self.municipalities = {
            o.name.lower(): o
            for o in Organisation.objects.filter(region_id=region_id, kind=Organisation.Kind.MUNICIPALITY)
        }
        self.functions = {f.name.lower(): f for f in CriticalFunction.objects.all()}
        self.knowledge = _knowledge_words()
        self.yes_no = _yes_no_words()


def read_import(upload, *, analysis: RiskAnalysis) -> ImportResult:
    """Read and check a filled template. Saves nothing: see `import_events`."""
    context = _Context(analysis)
    columns = event_columns(context.scale)
    known = {c.key: c for c in columns}
    result = ImportResult(labels={c.key: c.label for c in columns})
    workbook, problem = _open_workbook(upload)
    if workbook is None:
        result.file_error = problem
        return result
    try:
        _read_rows(workbook, context, known, result)
    except Exception:  # a sheet is read lazily: broken or refused XML (defusedxml) shows up only here
        result.rows, result.errors = [], []
        result.file_error = _not_xlsx()
    finally:
        workbook.close()
    return result


def _read_rows(workbook, context: _Context, known: dict, result: ImportResult) -> None:
    sheet, header = None, None
    for candidate in workbook.worksheets:
        first = next(candidate.iter_rows(min_row=1, max_row=1, values_only=True), None) or ()
        if any(_KEY_RE.search(_text(v)) and _KEY_RE.search(_text(v)).group(1) == "title" for v in first):
            sheet, header = candidate, first
            break
    if sheet is None:
        result.file_error = _(
            "No sheet in the file has the template's header row (a column ending in “[title]”). Download "
            "the import template and fill it in."
        )
        return
    result.sheet = sheet.title
    keys: list[str | None] = []
    problems = []
    for number, value in enumerate(header, start=1):
        text = _text(value)
        if not text:
            keys.append(None)
            continue
        match = _KEY_RE.search(text)
        key = match.group(1).strip() if match else None
        if key in COMPUTED_KEYS:
            keys.append(None)
        elif key not in known:
            problems.append(
                _("Column %(number)d (“%(header)s”) is not a column of this analysis' template.")
                % {"number": number, "header": text[:80]}
            )
            keys.append(None)
        elif key in keys:
            problems.append(_("The column “%(header)s” appears twice.") % {"header": text[:80]})
            keys.append(None)
        else:
            keys.append(key)
    if problems:
        result.file_error = " ".join(
            [*problems, _("Keep the header row of the import template for this analysis.")]
        )
        return
    count = 0
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        cells = {key: _text(v) for key, v in zip(keys, values, strict=False) if key}
        if not any(cells.values()):
            continue
        count += 1
        if count > MAX_ROWS:
            result.file_error = _("The file has more than %(rows)d events. Split it into smaller files.") % {
                "rows": MAX_ROWS
            }
            result.rows, result.errors = [], []
            return
        parsed = _check_row(number, cells, context, result)
        if parsed is not None:
            result.rows.append(parsed)
    if count == 0:
        result.file_error = _("The sheet “%(sheet)s” has no events: write them from row 2.") % {
            "sheet": sheet.title
        }


#: Free-text columns, copied as they are (the model's rules check them).
TEXT_FIELDS = (
    "title", "scenario", "comparable_events", "causes", "barriers", "likelihood_reasoning", "vulnerability",
    "sensitivity", "sources",
)  # fmt: skip


def _check_row(number: int, cells: dict, context: _Context, result: ImportResult) -> ParsedRow | None:
    """Check one row; errors go to `result`. Returns the row ready for `services.event_create`."""
    errors_before = len(result.errors)
    analysis = context.analysis
    get = cells.get

    def refuse(key, message, **params):
        result.add(number, key, message % params if params else message)

    if not get("title"):
        refuse("title", _("Give the event a title."))
    data = {name: get(name, "") for name in TEXT_FIELDS}
    if get("event_type"):
        data["event_type"] = context.event_types.get(get("event_type").lower())
        if data["event_type"] is None:
            message = _("Unknown event type “%(value)s”. Use a name from the list.")
            refuse("event_type", message, value=get("event_type"))
    if get("likelihood"):
        data["likelihood"] = context.likelihoods.get(get("likelihood").upper())
        if data["likelihood"] is None:
            message = _("Unknown likelihood code “%(value)s”. Use one of: %(codes)s.")
            refuse("likelihood", message, value=get("likelihood"), codes=", ".join(context.likelihoods))
    consequences = {}
    for code, ctype in context.types.items():
        value, reasoning = get(f"consequence:{code}", ""), get(f"reasoning:{code}", "")
        if not value:
            continue
        level = context.levels[code].get(value.upper())
        if level is None:
            message = _("Unknown level “%(value)s” for “%(type)s”. Use one of: %(codes)s.")
            codes = ", ".join(context.levels[code])
            refuse(f"consequence:{code}", message, value=value, type=ctype.name, codes=codes)
        else:
            consequences[ctype] = (level, reasoning)
    if get("knowledge_strength"):
        data["knowledge_strength"] = context.knowledge.get(get("knowledge_strength").lower(), "")
        if not data["knowledge_strength"]:
            message = _("Unknown strength of knowledge “%(value)s”. Use one of: %(choices)s.")
            choices = ", ".join(str(label) for _value, label in KnowledgeStrength.choices)
            refuse("knowledge_strength", message, value=get("knowledge_strength"), choices=choices)
    for name in ("cross_municipal", "cross_border"):
        value = get(name, "")
        answer = context.yes_no.get(value.lower()) if value else False
        data[name] = bool(answer)
        if answer is None:
            refuse(name, _("Write %(yes)s or %(no)s."), yes=_("Yes"), no=_("No"))
    unknown_municipality = _(
        "Unknown municipality “%(value)s”. Use names from the list of the region's municipalities, "
        "separated by semicolons."
    )
    unknown_function = _(
        "Unknown critical societal function “%(value)s”. Use names from the list, separated by semicolons."
    )
    municipalities = _resolve(get("affected_municipalities", ""), context.municipalities)
    functions = _resolve(get("critical_functions", ""), context.functions)
    for name, (_found, missing), message in (
        ("affected_municipalities", municipalities, unknown_municipality),
        ("critical_functions", functions, unknown_function),
    ):
        for item in missing:
            refuse(name, message, value=item)
    level = analysis.access_level
    if get("access_level"):
        level = _level_from_text(get("access_level")) or analysis.access_level
        if _level_from_text(get("access_level")) is None:
            message = _("Unknown access level “%(value)s”. Use CLEAR, GREEN, AMBER, AMBER+STRICT or RED.")
            refuse("access_level", message, value=get("access_level"))
    data["access_level"] = level
    data["exemption_basis"] = get("exemption_basis", "")
    if not data["exemption_basis"] and level != AccessLevel.CLEAR:
        data["exemption_basis"] = analysis.exemption_basis
    # The model's own rules (lengths, choices, security-classification markings) ...
    candidate = AnalysedEvent(
        analysis=analysis,
        owner_id=analysis.owner_id,
        **{k: v for k, v in data.items() if k not in ("event_type", "likelihood")},
    )
    try:
        candidate.full_clean(exclude=["analysis", "owner", "event_type", "likelihood", "created_by"])
    except ValidationError as error:
        result.add_validation_error(number, error)
    # ... and the method's: codes on the analysis' scale, reasoning for every score.
    try:
        services.assessment_result(analysis, data, consequences, context.cells)
    except ValidationError as error:
        result.add_validation_error(number, error)
    except domain.ScaleError:
        refuse("likelihood", _("The analysis' scale set is incomplete; ask its owner to fix it."))
    if len(result.errors) > errors_before:
        return None
    return ParsedRow(number, data, consequences, municipalities[0], functions[0])


def _resolve(text: str, lookup: dict) -> tuple[list, list[str]]:
    """Names separated by semicolons → (the records found, once each; the names not found)."""
    found, missing = [], []
    for item in _names(text):
        match = lookup.get(item.lower())
        if match is None:
            missing.append(item)
        elif match not in found:
            found.append(match)
    return found, missing


def import_events(actor: Actor, analysis: RiskAnalysis, result: ImportResult) -> list[AnalysedEvent]:
    """Create every checked row through `services.event_create`, all or nothing."""
    # Rows get the analysis' sharing: an AMBER row is shared as the analysis is, a RED row names its people.
    shared_with = list(analysis.shared_with.all())
    named_people = list(analysis.named_people.all())
    created = []
    with transaction.atomic():
        for row in result.rows:
            level = row.data["access_level"]
            try:
                created.append(
                    services.event_create(
                        actor=actor,
                        analysis_id=analysis.pk,
                        data=row.data,
                        consequences=row.consequences,
                        affected_municipalities=row.municipalities,
                        critical_functions=row.functions,
                        shared_with=shared_with if level == AccessLevel.AMBER else [],
                        named_people=named_people if level == AccessLevel.RED else [],
                    )
                )
            except ValidationError as error:
                error.import_row = row.row
                raise
    return created
