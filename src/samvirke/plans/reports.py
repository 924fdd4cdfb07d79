"""The regional status report (issue 4 item 3): the municipalities' required documents compared, now and at
the project start, as an editable Word file and a PDF (core.documents: python-docx and Typst).

Everything comes from the reader's own visibility, like the page it prints:

* the states now from `selectors.region_status` (documents the reader may read; one the reader may not read
  counts as missing, so the report never reveals that it exists), for every municipality of the region;
* "at the project start" from each municipality's oldest status snapshot the reader may read
  (`StatusSnapshot.objects.visible_to`); a municipality without one is named as such;
* the report is marked with the strictest access level of the documents and snapshots behind it, and the
  view logs them as exported.

A fixed number of queries whatever the number of municipalities, documents and snapshots.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samvirke.core import documents
from samvirke.core.access import AccessLevel, Actor
from samvirke.plans import domain, selectors
from samvirke.plans.models import Activity, StatusSnapshot, SurveyState

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"

#: From least to most restricted: the report is marked with the strictest level of what it is based on.
LEVEL_ORDER = [
    AccessLevel.CLEAR,
    AccessLevel.GREEN,
    AccessLevel.AMBER,
    AccessLevel.AMBER_STRICT,
    AccessLevel.RED,
]
#: Worst to best, to say whether a municipality moved forward since the project start.
STATE_RANK = {
    domain.DocumentState.MISSING: 0,
    domain.DocumentState.DRAFT: 1,
    domain.DocumentState.OUTDATED: 2,
    domain.DocumentState.CURRENT: 3,
}
#: Cell colours (core.documents.FILLS) next to the state in words, never instead of it.
STATE_FILL = {
    domain.DocumentState.CURRENT: "green",
    domain.DocumentState.OUTDATED: "yellow",
    domain.DocumentState.DRAFT: "yellow",
    domain.DocumentState.MISSING: "red",
}


@dataclass
class StatusReport:
    region: object
    categories: list
    rows: list
    generated_at: datetime.datetime
    today: datetime.date
    marking: str
    #: The records behind the report (document facts as dicts, snapshots), for the access log.
    document_facts: list = field(default_factory=list)
    snapshots: list = field(default_factory=list)
    #: Overdue obligations other than revisions (exercises, training, evaluations): the overview counts
    #: them with the revisions, so the report lists them too. Dicts: municipality, obligation, what, due.
    other_overdue: list = field(default_factory=list)

    @property
    def marking_label(self) -> str:
        return str(AccessLevel(self.marking).label)

    @property
    def title(self) -> str:
        return _("Status of governing documents: %(region)s") % {"region": self.region.name}


def _oldest_snapshots(actor: Actor, municipality_ids) -> dict:
    """{municipality id: its oldest snapshot the actor may read}. Two queries: the candidates' ids, then the
    chosen snapshots with their matrices."""
    first: dict[int, int] = {}
    for pk, owner_id in (
        StatusSnapshot.objects.visible_to(actor)
        .filter(owner_id__in=municipality_ids)
        .order_by("owner_id", "taken_at", "id")
        .values_list("pk", "owner_id")
    ):
        first.setdefault(owner_id, pk)
    if not first:
        return {}
    chosen = StatusSnapshot.objects.visible_to(actor).filter(pk__in=list(first.values()))
    return {s.owner_id: s for s in chosen}


def _then_states(snapshot) -> dict[str, str]:
    """{document type code: state} from a snapshot's stored matrix (damaged entries are skipped)."""
    states = {}
    for entry in snapshot.matrix if isinstance(snapshot.matrix, list) else []:
        if isinstance(entry, dict) and entry.get("type") and entry.get("state") in STATE_RANK:
            states[entry["type"]] = entry["state"]
    return states


def _other_overdue(actor: Actor, municipality_ids, today) -> tuple[list[dict], list[dict]]:
    """(rows, document facts): the open obligations past their date that are not revisions, of the
    municipalities, read through the chokepoint (an item about a document only if the actor may read
    it). Two queries."""
    items = list(
        selectors.due_items_visible_to(actor)
        .filter(
            organisation_id__in=municipality_ids, done_on__isnull=True, projected=False, due_date__lt=today
        )
        .exclude(rule__activity=Activity.REVISION)
        .select_related("rule", "rule__document_type", "organisation")
        .order_by("organisation__name", "due_date", "id")
    )
    documents_by_pk = {
        d["pk"]: d
        for d in selectors.documents_visible_to(actor)
        .filter(pk__in={i.document_id for i in items if i.document_id})
        .values("pk", "title", "access_level")
    }
    rows = []
    for item in items:
        if item.document_id and item.document_id not in documents_by_pk:
            continue  # the chokepoint above already left it out
        if item.document_id:
            what = documents_by_pk[item.document_id]["title"]
        elif item.rule.document_type_id:
            what = item.rule.document_type.name
        else:
            what = "–"
        rows.append(
            {"municipality": item.organisation.name, "obligation": item.rule.title, "what": what,
             "due": item.due_date}
        )  # fmt: skip
    return rows, list(documents_by_pk.values())


def status_report(actor: Actor, region, *, today=None) -> StatusReport:
    """Everything the report shows, read with the actor's visibility (see the module docstring)."""
    today = today or timezone.localdate()
    status = selectors.region_status(actor, region, today=today, paged=False)
    municipality_ids = [row["municipality"].pk for row in status["rows"]]
    snapshots = _oldest_snapshots(actor, municipality_ids)
    facts = []
    for row in status["rows"]:
        snapshot = snapshots.get(row["municipality"].pk)
        then = _then_states(snapshot) if snapshot else {}
        row["snapshot"] = snapshot
        row["then"] = [then.get(cell["type"].code) if cell and snapshot else None for cell in row["cells"]]
        better = worse = 0
        for cell, before in zip(row["cells"], row["then"], strict=True):
            if cell and before:
                difference = STATE_RANK[cell["state"]] - STATE_RANK[before]
                better, worse = better + (difference > 0), worse + (difference < 0)
        row["better"], row["worse"] = better, worse
        facts.extend(cell["document"] for cell in row["cells"] if cell and cell["document"])
    other_overdue, other_facts = _other_overdue(actor, municipality_ids, today)
    facts.extend(other_facts)
    levels = [f["access_level"] for f in facts] + [s.access_level for s in snapshots.values()]
    marking = max(levels, key=LEVEL_ORDER.index, default=AccessLevel.CLEAR)
    return StatusReport(
        region=region,
        categories=status["categories"],
        rows=status["rows"],
        generated_at=timezone.localtime(),
        today=today,
        marking=marking,
        document_facts=facts,
        snapshots=list(snapshots.values()),
        other_overdue=other_overdue,
    )


# --- the document ----------------------------------------------------------------------------------------


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "–"


def _state(state) -> str:
    return str(SurveyState(state).label) if state else "–"


def _now_text(cell) -> str:
    if cell is None:
        return _("Not required")
    text = _state(cell["state"])
    if cell["due"]:
        if cell["overdue"]:
            text += " – " + _("overdue since %(date)s") % {"date": _date(cell["due"])}
        else:
            text += " – " + _("due %(date)s") % {"date": _date(cell["due"])}
    return text


def _change_text(cell, before) -> str:
    if cell is None:
        return _("Not required")
    if before is None:
        return _("%(now)s (not in the snapshot)") % {"now": _state(cell["state"])}
    if before == cell["state"]:
        return _("%(state)s, unchanged") % {"state": _state(cell["state"])}
    return f"{_state(before)} → {_state(cell['state'])}"


def _snapshot_heading(row) -> str:
    snapshot = row["snapshot"]
    return f"{row['municipality'].name} ({snapshot.label}, {_date(snapshot.taken_at)})"


def _fill(cell):
    return STATE_FILL.get(cell["state"]) if cell else None


def _country_groups(report: StatusReport) -> list[tuple[str, list, list[int]]]:
    """(country name, its municipalities' rows, the columns required there), in the rows' order: a table
    per country has no column that is not required in it."""
    groups: dict[str, list] = {}
    for row in report.rows:
        groups.setdefault(row["municipality"].country, []).append(row)
    result = []
    for rows in groups.values():
        columns = [i for i in range(len(report.categories)) if any(r["cells"][i] for r in rows)]
        result.append((str(rows[0]["municipality"].get_country_display()), rows, columns))
    return result


def _marking_line(report: StatusReport) -> str:
    return f"{report.marking_label} · {_('Regional status report')}"


def build_document(report: StatusReport) -> documents.Document:
    doc = documents.Document(
        title=report.title,
        language=translation.get_language() or "nb",
        marking=_marking_line(report),
        footer=report.title,
        subject=_("Regional status report"),
        keywords=report.marking_label,
        page_label=_("Page %(page)s of %(pages)s"),
    )
    doc.title_block(kicker=_("Regional status report"))
    category_labels = [str(label) for _value, label in report.categories]
    doc.pairs(
        [
            (_("Region"), report.region.name),
            (_("Municipalities"), str(len(report.rows))),
            (_("Produced"), formats.date_format(report.generated_at, "SHORT_DATETIME_FORMAT")),
            (_("Access level"), report.marking_label),
        ]
    )
    doc.note(
        _(
            "Judged from the documents and snapshots you may read: a document you may not read counts as "
            "missing. The report is marked with the strictest access level of the records it is based on; "
            "share it only with those allowed to read that."
        )
    )
    if not report.rows:
        doc.text(_("No municipalities are registered in this region yet."))
        return doc

    doc.heading(_("Summary"), 1)
    summary = []
    for row in report.rows:
        counts = row["counts"]
        overdue = sum(1 for c in row["cells"] if c and c["overdue"])
        summary.append(
            [
                row["municipality"].name,
                str(row["municipality"].get_country_display()),
                str(counts["current"]),
                str(counts["outdated"]),
                str(counts["draft"]),
                str(counts["missing"]),
                str(overdue),
            ]
        )
    doc.table(
        [_("Municipality"), _("Country"), _state("current"), _state("outdated"), _state("draft"),
         _state("missing"), _("Revisions overdue")],
        summary,
        widths=[3, 1.6, 1.2, 1.2, 1.2, 1.2, 1.4],
    )  # fmt: skip

    groups = _country_groups(report)
    doc.heading(_("Status now"), 1)
    doc.text(
        _(
            "Each municipality's required documents by kind: current, outdated, only a draft or missing, "
            "with the next due date where the rules give one. Norwegian and Swedish documents of the same "
            "kind have the same column."
        )
    )
    for country, rows, columns in groups:
        if len(groups) > 1:
            doc.heading(country, 2)
        doc.table(
            [_("Municipality"), *[category_labels[i] for i in columns]],
            [[row["municipality"].name, *[_now_text(row["cells"][i]) for i in columns]] for row in rows],
            fills=[[None, *[_fill(row["cells"][i]) for i in columns]] for row in rows],
            widths=[1.5, *[1] * len(columns)],
            small=True,
        )

    doc.heading(_("Compared with the status at project start"), 1)
    doc.text(
        _(
            "The oldest status snapshot of each municipality that you may read, next to the status now. "
            "“Missing → Current” means the document was missing then and is current now."
        )
    )
    for country, rows, columns in groups:
        rows = [r for r in rows if r["snapshot"]]
        if not rows:
            continue
        if len(groups) > 1:
            doc.heading(country, 2)
        doc.table(
            [_("Municipality"), *[category_labels[i] for i in columns], _("Change")],
            [
                [
                    _snapshot_heading(row),
                    *[_change_text(row["cells"][i], row["then"][i]) for i in columns],
                    _("%(better)s better, %(worse)s worse")
                    % {"better": row["better"], "worse": row["worse"]},
                ]
                for row in rows
            ],
            fills=[[None, *[_fill(row["cells"][i]) for i in columns], None] for row in rows],
            widths=[1.5, *[1] * len(columns), 1],
            small=True,
        )
    without = [r["municipality"].name for r in report.rows if not r["snapshot"]]
    if without:
        doc.note(
            _("No snapshot you may read for: %(names)s. Take one on the municipality's status survey.")
            % {"names": ", ".join(without)}
        )

    overdue_rows = [
        [row["municipality"].name, label, _date(cell["due"])]
        for row in report.rows
        for label, cell in zip(category_labels, row["cells"], strict=True)
        if cell and cell["overdue"]
    ]
    doc.heading(_("Revisions overdue"), 1)
    if overdue_rows:
        doc.table([_("Municipality"), _("Document"), _("Due date")], overdue_rows, widths=[2, 3, 1.2])
    else:
        doc.text(_("No revision of a required document is overdue."))

    doc.heading(_("Exercises, training and evaluations overdue"), 1)
    if report.other_overdue:
        doc.table(
            [_("Municipality"), _("Obligation"), _("Document"), _("Due date")],
            [[r["municipality"], r["obligation"], r["what"], _date(r["due"])] for r in report.other_overdue],
            widths=[2, 2.4, 2.4, 1.2],
        )
    else:
        doc.text(_("No exercise, training or evaluation is overdue."))
    return doc


def build_docx(report: StatusReport) -> bytes:
    return documents.to_docx(build_document(report))


def build_pdf(report: StatusReport) -> bytes:
    return documents.to_pdf(build_document(report))


def file_name(report: StatusReport, extension: str) -> str:
    stem = slugify(report.region.slug or report.region.name)[:50].strip("-") or "region"
    return f"status-{stem}-{report.today.isoformat()}.{extension}"
