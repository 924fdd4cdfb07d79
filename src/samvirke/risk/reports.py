"""Reports of one risk analysis: an editable Word document and a tagged PDF, both laid out by
core.documents from one block list (`report_document`).

Both are built from one `Report` (`report_data`), read only through the reader's own visibility: the
analysis comes from `selectors.get_analysis_for` (the view), its events and measures from
`selectors.events_visible_to` / `measures_visible_to`. A fixed number of queries whatever the number of
events and measures.

The public version (`public=True`) is what may be handed out under offentleglova / OSL:

* only events and measures whose access level is TLP:CLEAR are included; for what was left out, one line
  per kind of content and legal basis says how many records were left out and why (the records'
  `exemption_basis`), never their titles;
* a measure's list of events names only included events, and the matrix after measures counts only
  included measures, so no effect of a left-out measure shows;
* an analysis that is not CLEAR itself still has a public version: its own free text (title, scope,
  method, summary) is left out with the same kind of notice and a neutral title (kind and owner) is used,
  while the structured facts that a public record journal shows anyway (owner, kind, status, adoption,
  case number), the reference scales, the requirement coverage and the CLEAR events and measures are
  kept. The file name of such a version does not contain the analysis' title;
* the public version is still made from what the reader may see: records the reader cannot read are
  neither included nor counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import formats, timezone, translation
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from samvirke.core.access import AccessLevel, Actor
from samvirke.core.documents import Document, to_docx, to_pdf
from samvirke.organisations.models import Organisation
from samvirke.risk import domain, selectors
from samvirke.risk.models import (
    AnalysedEvent,
    ConsequenceAssessment,
    CriticalFunction,
    KnowledgeStrength,
    Measure,
    Requirement,
    RiskAnalysis,
    measure_effect_text,
)

#: From least to most restricted: a document is marked with the strictest level of what it contains.
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
    analysis: RiskAnalysis
    public: bool
    title: str
    #: The analysis' own free text is left out (public version of an analysis that is not CLEAR).
    analysis_exempt: bool
    scale: dict
    requirements: list
    events: list
    measures: list
    before: dict
    after: dict
    marking: str
    marking_bases: list
    generated_at: object
    omissions: dict = field(default_factory=dict)
    knowledge_scale: list = field(default_factory=list)
    band_rows: list = field(default_factory=list)
    consequence_rows: list = field(default_factory=list)

    @property
    def marking_label(self) -> str:
        return str(AccessLevel(self.marking).label)

    @property
    def requirements_heading(self) -> str:
        if self.analysis.country == "SE":
            return _("Legal requirements (MSBFS 2015:5)")
        return _("Legal requirements (forskrift om kommunal beredskapsplikt § 2 a–f)")

    @property
    def all_omissions(self) -> list[str]:
        return [*self.omissions.get("analysis", []), *self.omissions.get("events", []),
                *self.omissions.get("measures", [])]  # fmt: skip


def _strictest(levels) -> str:
    return max(levels, key=LEVEL_ORDER.index, default=AccessLevel.CLEAR)


def _basis_text(basis: str) -> str:
    return basis or _("no legal basis recorded")


def _by_basis(records) -> list[tuple[str, int]]:
    """How many left-out records there are per legal basis (counted, never named)."""
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        counts[record.exemption_basis.strip()] += 1
    return sorted(counts.items())


def report_data(actor: Actor, analysis: RiskAnalysis, *, public: bool = False) -> Report:
    """Everything a report shows, read with the actor's visibility (see the module docstring)."""
    scale = selectors.scale_of(analysis.scale_set)
    events = list(
        selectors.events_visible_to(actor)
        .filter(analysis=analysis)
        .select_related("likelihood", "event_type")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=ConsequenceAssessment.objects.select_related("consequence_type", "level").order_by(
                    "consequence_type__position", "consequence_type_id"
                ),
            ),
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
            Prefetch(
                "events",
                queryset=selectors.events_visible_to(actor)
                .only("id", "title", "access_level")
                .order_by("id"),
            )
        )
        .order_by("deadline", "id")
    )
    omissions: dict[str, list[str]] = {}
    analysis_exempt = public and analysis.access_level != AccessLevel.CLEAR
    if public:
        left_events = [e for e in events if e.access_level != AccessLevel.CLEAR]
        left_measures = [m for m in measures if m.access_level != AccessLevel.CLEAR]
        events = [e for e in events if e.access_level == AccessLevel.CLEAR]
        measures = [m for m in measures if m.access_level == AccessLevel.CLEAR]
        if analysis_exempt:
            omissions["analysis"] = [
                _("The analysis' title, scope, method and summary are exempt from public access (%(basis)s).")
                % {"basis": _basis_text(analysis.exemption_basis)}
            ]
        omissions["events"] = [
            ngettext(
                "%(count)d analysed event is exempt from public access and left out (%(basis)s).",
                "%(count)d analysed events are exempt from public access and left out (%(basis)s).",
                count,
            )
            % {"count": count, "basis": _basis_text(basis)}
            for basis, count in _by_basis(left_events)
        ]
        omissions["measures"] = [
            ngettext(
                "%(count)d measure is exempt from public access and left out (%(basis)s).",
                "%(count)d measures are exempt from public access and left out (%(basis)s).",
                count,
            )
            % {"count": count, "basis": _basis_text(basis)}
            for basis, count in _by_basis(left_measures)
        ]
    numbers = {e.pk: n for n, e in enumerate(events, start=1)}
    proposed: dict[int, list[Measure]] = defaultdict(list)
    for measure in measures:
        measure.event_refs = [(numbers[e.pk], e.title) for e in measure.events.all() if e.pk in numbers]
        for number, _title in measure.event_refs:
            proposed[number].append(measure)
    for event in events:
        event.number = numbers[event.pk]
        event.proposed_measures = proposed.get(event.number, [])
        event.assessment_rows = list(event.assessments.all())
        event.municipality_names = [m.name for m in event.affected_municipalities.all()]
        event.function_names = [f.name for f in event.critical_functions.all()]
    before, after = _matrices(scale, events, measures)
    covered = set(analysis.covered_requirements.values_list("pk", flat=True))
    requirements = [(r, r.pk in covered) for r in Requirement.objects.filter(country=analysis.country)]
    if public:
        marking, bases = AccessLevel.CLEAR, []
    else:
        records = [analysis, *events, *measures]
        marking = _strictest(r.access_level for r in records)
        bases = sorted({r.exemption_basis.strip() for r in records if r.exemption_basis.strip()})
    # A public version of a non-public analysis gets a neutral title: its own is exempt.
    title = f"{analysis.get_kind_display()} – {analysis.owner.name}" if analysis_exempt else analysis.title
    return Report(
        analysis=analysis,
        public=public,
        title=title,
        analysis_exempt=analysis_exempt,
        scale=scale,
        requirements=requirements,
        events=events,
        measures=measures,
        before=before,
        after=after,
        marking=marking,
        marking_bases=bases,
        generated_at=timezone.localtime(),
        omissions=omissions,
        knowledge_scale=knowledge_scale(),
        band_rows=_band_rows(scale),
        consequence_rows=_consequence_rows(scale),
    )


def knowledge_scale() -> list[tuple[str, str]]:
    """The strength-of-knowledge scale (FylkesROS Rogaland, Vedlegg 6: data, understanding, agreement)."""
    meaning = {
        KnowledgeStrength.STRONG: _(
            "Good data and experience, the phenomenon is well understood and the experts agree."
        ),
        KnowledgeStrength.MEDIUM: _(
            "Between strong and weak: some data, partly understood or some disagreement."
        ),
        KnowledgeStrength.WEAK: _(
            "Little data or experience, the phenomenon is poorly understood or the experts disagree."
        ),
    }
    return [(str(label), meaning[value]) for value, label in KnowledgeStrength.choices]


def _band_rows(scale) -> list[dict]:
    rows = []
    for band in scale["bands"]:
        scores = [x * y for x, y in band.cells] or [0]
        rows.append(
            {
                "colour": band.colour,
                "label": band.get_colour_display(),
                "meaning": band.meaning,
                "scores": f"{min(scores)}–{max(scores)}",
            }
        )
    return rows


def level_text(level) -> str:
    text = f"{level.code} – {level.label}"
    if level.lower is not None or level.upper is not None:
        low = "" if level.lower is None else f"{level.lower.normalize():f}"
        high = "" if level.upper is None else f"{level.upper.normalize():f}"
        text += f" ({low}–{high} {level.unit})".replace(" )", ")")
    return text


def _consequence_rows(scale) -> list[dict]:
    return [
        {
            "type": ctype,
            "value": ctype.get_societal_value_display(),
            "levels": [level_text(level) for level in ctype.levels.all()],
        }
        for ctype in scale["types"]
    ]


def probability_text(likelihood) -> str:
    """The class's yearly probability as the reader writes numbers ("0,1–1 %" in Norwegian and Swedish)."""
    low, high = likelihood.probability_low, likelihood.probability_high
    if low is None and high is None:
        return "–"
    separator = formats.get_format("DECIMAL_SEPARATOR")

    def number(value) -> str:
        return f"{value.normalize():f}".replace(".", separator)

    if low is None:
        return f"< {number(high)} %"
    if high is None:
        return f"> {number(low)} %"
    return f"{number(low)}–{number(high)} %"


def _matrices(scale, events, measures) -> tuple[dict, dict]:
    """Combined matrices (worst consequence over the types) before and after the active measures;
    the same rules and grid as the matrix page (selectors.matrix), over the report's own records."""
    effect: dict[int, list[int]] = {}
    for measure in measures:
        if not measure.is_active:
            continue
        for event in measure.events.all():
            steps = effect.setdefault(event.pk, [0, 0])
            steps[0] += measure.likelihood_reduction
            steps[1] += measure.consequence_reduction
    before, after = [], []
    for event in events:
        if not event.likelihood_id:
            continue
        consequence = domain.combined_consequence(a.level.position for a in event.assessment_rows)
        if consequence is None:
            continue
        position = domain.Position(event.likelihood.position, consequence)
        dl, dc = effect.get(event.pk, (0, 0))
        residual = domain.residual(position, likelihood_steps=dl, consequence_steps=dc)
        before.append((position.likelihood, position.consequence, event))
        after.append((residual.likelihood, residual.consequence, event))
    return selectors._grid(scale, before), selectors._grid(scale, after)


# --- labels shared by both formats -----------------------------------------------------------------------


def _label(model, name) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "–"


def _yes_no(value) -> str:
    return _("Yes") if value else _("No")


def title_facts(report: Report) -> list[tuple[str, str]]:
    """The title page's facts, in order."""
    a = report.analysis
    kind = a.get_kind_display() + (f" – {a.sector.name}" if a.sector_id else "")
    status = a.get_status_display()
    facts = [
        (_("Owner"), a.owner.name),
        (_("Kind"), kind),
        (_("Status"), status),
    ]
    if a.adopted_on:
        facts.append((_label(RiskAnalysis, "adopted_on"), _date(a.adopted_on)))
    if a.adopted_by:
        facts.append((_label(RiskAnalysis, "adopted_by"), a.adopted_by))
    if a.case_number:
        facts.append((_label(RiskAnalysis, "case_number"), a.case_number))
    if a.period_start or a.period_end:
        facts.append((_("Period"), f"{_date(a.period_start)} – {_date(a.period_end)}"))
    facts.append((_("Scale set"), a.scale_set.name))
    facts.append((_("Access level"), report.marking_label))
    if report.marking_bases:
        facts.append((_("Exempt from public access"), "; ".join(report.marking_bases)))
    facts.append(
        (
            _("Version"),
            _("%(version)s, produced %(when)s")
            % {
                "version": a.version,
                "when": formats.date_format(report.generated_at, "SHORT_DATETIME_FORMAT"),
            },
        )
    )
    return facts


def version_note(report: Report) -> str:
    if report.public:
        return _(
            "Public version: content that is exempt from public access is left out. Each omission is "
            "listed with its legal basis."
        )
    return _(
        "Full version for the people allowed to read it: it contains content up to %(level)s. Do not "
        "publish it; use the public version."
    ) % {"level": report.marking_label}


def marking_line(report: Report) -> str:
    """The line at the top of every page."""
    label = AccessLevel(report.marking).label
    if report.public:
        return f"{label} · {_('Public version')}"
    if report.marking_bases:
        return f"{label} · {_('Exempt from public access')}: {'; '.join(report.marking_bases)}"
    return str(label)


def event_facts(event) -> list[tuple[str, str]]:
    """The DSB fields of one event as (label, text), in the order of the analysis form."""
    likelihood = "–"
    if event.likelihood_id:
        likelihood = f"{event.likelihood.code} – {event.likelihood.label}"
        if event.likelihood.interval:
            likelihood += f" ({event.likelihood.interval})"
    affects = []
    if event.cross_municipal:
        affects.append(_("several municipalities"))
    if event.cross_border:
        affects.append(_("across the border"))
    affects_text = ", ".join(affects) or _("No")
    if event.municipality_names:
        affects_text += ": " + ", ".join(event.municipality_names)
    rows = [
        (_("Event type"), event.event_type.name if event.event_type_id else "–"),
        (_label(AnalysedEvent, "scenario"), event.scenario),
        (_label(AnalysedEvent, "comparable_events"), event.comparable_events),
        (_label(AnalysedEvent, "causes"), event.causes),
        (_label(AnalysedEvent, "barriers"), event.barriers),
        (_("Likelihood"), likelihood),
        (_label(AnalysedEvent, "likelihood_reasoning"), event.likelihood_reasoning),
        (_label(AnalysedEvent, "vulnerability"), event.vulnerability),
        (_("Risk"), risk_text(event)),
        (_("Strength of knowledge"), event.get_knowledge_strength_display() or "–"),
        (_label(AnalysedEvent, "sensitivity"), event.sensitivity),
        (
            _("Proposed measures"),
            "; ".join(m.title for m in event.proposed_measures) or "–",
        ),
        (_label(AnalysedEvent, "sources"), event.sources),
        (_("Affects"), affects_text),
        (_("Critical societal functions"), ", ".join(event.function_names) or "–"),
        (_("Access level"), access_text(event)),
    ]
    return [(label, text if text else "–") for label, text in rows]


def access_text(record) -> str:
    text = str(AccessLevel(record.access_level).label)
    if record.exemption_basis:
        text += f" ({record.exemption_basis})"
    return text


def risk_text(event) -> str:
    if not event.risk_colour:
        return _("Not assessed")
    return f"{event.get_risk_colour_display()} ({event.risk_score})"


def measure_effect(measure) -> str:
    return measure_effect_text(measure.likelihood_reduction, measure.consequence_reduction)


def measure_events(measure) -> str:
    return "; ".join(f"{n}. {title}" for n, title in measure.event_refs) or "–"


def cost_text(measure) -> str:
    if measure.cost_estimate is None:
        return "–"
    return formats.number_format(measure.cost_estimate, 0, use_l10n=True, force_grouping=True)


def measure_headers() -> list[str]:
    return [
        _("Measure"),
        _("Responsible"),
        _("Deadline"),
        _label(Measure, "cost_estimate"),
        _("Status"),
        _("Mitigates"),
        _("Expected effect"),
    ]


def measure_row(measure) -> list[str]:
    return [
        measure.title,
        measure.responsible or "–",
        _date(measure.deadline),
        cost_text(measure),
        measure.get_status_display(),
        measure_events(measure),
        measure_effect(measure),
    ]


def page_label() -> str:
    return _("Page %(page)s of %(pages)s")


def file_name(report: Report, extension: str) -> str:
    """A safe ASCII file name in the reader's language; a public version of a non-public analysis does not
    carry its title."""
    a = report.analysis
    generic = slugify(pgettext("file name", "risk-analysis")) or "risk-analysis"
    stem = generic if report.analysis_exempt else (slugify(a.title)[:60].strip("-") or generic)
    public = pgettext("file name", "public")
    suffix = f"-{slugify(public) or 'public'}" if report.public else ""
    return f"{stem}-{a.pk}{suffix}.{extension}"


# --- Word and PDF ----------------------------------------------------------------------------------------


def report_document(report: Report) -> Document:
    """The report as blocks (core.documents), the same for Word and PDF: title page, scope and method,
    scales, requirement coverage, events (overview and every event's DSB form), matrices before and after
    measures, measures."""
    a = report.analysis
    doc = Document(
        title=report.title,
        language=translation.get_language() or "nb",
        marking=marking_line(report),
        footer=report.title,
        subject=_("Risk and vulnerability analysis"),
        keywords=report.marking_label,
        page_label=page_label(),
    )
    doc.title_block(kicker=_("Risk and vulnerability analysis"))
    doc.pairs(title_facts(report))
    doc.note(version_note(report))
    if report.public and report.all_omissions:
        doc.heading(_("Content left out of this public version"), 2)
        doc.bullets(report.all_omissions)
    doc.page_break()

    doc.heading(_("Scope and method"), 1)
    if report.analysis_exempt:
        for line in report.omissions.get("analysis", []):
            doc.note(line)
    else:
        for heading, text in ((_("Scope"), a.scope), (_("Method"), a.method), (_("Summary"), a.body)):
            doc.heading(heading, 2).text(text)

    doc.heading(_("Scales"), 1)
    doc.text(
        _("Scale set: %(name)s.") % {"name": a.scale_set.name}
        + (f" {a.scale_set.description}" if a.scale_set.description else "")
    )
    doc.heading(_("Likelihood classes"), 2)
    doc.table(
        [_("Code"), _("Class"), _("Interval"), _("Annual probability")],
        [[c.code, c.label, c.interval or "–", probability_text(c)] for c in report.scale["likelihoods"]],
        widths=[1, 3, 3, 3],
    )
    doc.heading(_("Consequence types and levels"), 2)
    doc.table(
        [_("Consequence type"), _("Societal value"), *[str(n) for n in range(1, 6)]],
        [[row["type"].name, row["value"], *row["levels"]] for row in report.consequence_rows],
        small=True,
    )
    doc.heading(_("Acceptance criteria"), 2)
    doc.table(
        [_("Colour"), _("Meaning"), _("Risk score")],
        [[row["label"], row["meaning"], row["scores"]] for row in report.band_rows],
        fills=[[row["colour"], None, None] for row in report.band_rows],
        widths=[2, 5, 2],
    )
    doc.heading(_("Strength of knowledge"), 2)
    doc.table([_("Level"), _("Meaning")], [list(row) for row in report.knowledge_scale], widths=[1, 4])

    doc.heading(report.requirements_heading, 1)
    doc.table(
        [_("Requirement"), _("Text"), _("Covered")],
        [[r.code, r.text, _yes_no(covered)] for r, covered in report.requirements],
        widths=[1, 6, 1],
    )

    doc.page_break().heading(_("Analysed events"), 1)
    for line in report.omissions.get("events", []):
        doc.note(line)
    if report.events:
        doc.table(
            [_("No."), _("Event"), _("Likelihood"), _("Consequence (worst)"), _("Risk"),
             _("Strength of knowledge")],
            [
                [str(e.number), e.title, e.likelihood.code if e.likelihood_id else "–",
                 str(e.consequence_position or "–"), risk_text(e), e.get_knowledge_strength_display() or "–"]
                for e in report.events
            ],
            fills=[[None, None, None, None, e.risk_colour or None, None] for e in report.events],
            widths=[1, 6, 2, 2, 3, 2],
            small=True,
        )  # fmt: skip
    else:
        doc.text(_("No events have been analysed yet."))
    for event in report.events:
        doc.heading(f"{event.number}. {event.title}", 2)
        doc.pairs(event_facts(event))
        doc.heading(_("Consequences"), 3)
        if event.assessment_rows:
            doc.table(
                [_("Consequence type"), _("Level"), _("Reasoning")],
                [
                    [r.consequence_type.name, level_text(r.level), r.reasoning or "–"]
                    for r in event.assessment_rows
                ],
                widths=[3, 3, 6],
                small=True,
            )
        else:
            doc.text(_("Not assessed"))

    doc.page_break().heading(_("Risk matrices"), 1)
    doc.text(
        _(
            "Combined: each event at its worst consequence over all types. Rows are likelihood classes, "
            "columns consequence levels 1–5; each cell lists the numbers of the events placed there."
        )
    )
    if report.public:
        doc.text(_("The matrix after measures counts only the measures in this version."))
    doc.bullets([f"{band['label']}: {band['meaning']}" for band in report.band_rows])
    for heading, grid in (
        (_("Risk before measures"), report.before),
        (_("Risk after measures"), report.after),
    ):
        doc.heading(heading, 2)
        _matrix_table(doc, grid)

    doc.page_break().heading(_("Measures"), 1)
    for line in report.omissions.get("measures", []):
        doc.note(line)
    if report.measures:
        doc.table(
            measure_headers(),
            [measure_row(m) for m in report.measures],
            widths=[4, 3, 2.5, 2, 2, 4, 3],
            small=True,
        )
        for measure in (m for m in report.measures if m.description):
            doc.heading(measure.title, 3).text(measure.description)
    else:
        doc.text(_("No measures yet."))
    return doc


def _matrix_table(doc: Document, grid: dict) -> None:
    """The 5×5 matrix as a table: a row per likelihood class, the event numbers in each cell, the cell
    coloured by its acceptance band (the colour is also named in the legend above it)."""
    headers = [_("Likelihood"), *[f"{_('Consequence')} {n}" for n in range(1, 6)]]
    rows, fills = [], []
    for row in grid["rows"]:
        likelihood = row["likelihood"]
        rows.append(
            [f"{likelihood.code} – {likelihood.label}"]
            + [", ".join(str(e.number) for e in cell["events"]) for cell in row["cells"]]
        )
        fills.append([None, *[cell["colour"] for cell in row["cells"]]])
    doc.table(headers, rows, fills=fills, widths=[3, 2, 2, 2, 2, 2])


def build_docx(report: Report) -> bytes:
    """An editable Word document: real headings, tables and a page-number footer; no images of text."""
    return to_docx(report_document(report))


def build_pdf(report: Report) -> bytes:
    """An A4 PDF, tagged for screen readers (PDF/UA-1), with the marking on every page and page numbers."""
    return to_pdf(report_document(report))
