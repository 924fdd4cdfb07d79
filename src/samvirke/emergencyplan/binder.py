"""The offline plan binder (beredskapsperm): the emergency plan, its alert list, action cards and resources as
one self-contained HTML file (inline CSS, no scripts, no external references: it opens from a USB stick or a
phone with the network down) and as a print-ready PDF (core.documents, Typst, nothing fetched) for the crisis
room's shelf. Both print the time they were generated and the SHA-256 of the content.

What goes in is what the reader may read (`content_for`): the plan is already visible (the view fetched it
through selectors.get_plan_for), each part and card comes from the chokepoint, and linked risk events only if
the reader may read them. A reader who may not read a part gets a binder without it, with a line saying it was
left out; reading the binder is logged as an export of every record in it.

Binders are stored (`Binder`, one row per plan and *variant*: the language and the records the reader may see)
with the hash of the content they were made from. A download rebuilds the content (a fixed number of queries),
and regenerates the file only when its hash differs from the stored one, so a download always reflects the
latest content without laying out the PDF again for every download. The hash covers what is printed (texts,
entries, versions, staleness), not the generation time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samvirke.core.access import AccessLevel, Actor
from samvirke.core.visibility import log_reads
from samvirke.emergencyplan import entries, selectors
from samvirke.emergencyplan.models import ActionCard, Binder, EmergencyPlan
from samvirke.emergencyplan.parts import PARTS, PartSpec

#: From least to most restricted: the binder is marked with the strictest level of what it holds.
LEVEL_ORDER = [
    AccessLevel.CLEAR,
    AccessLevel.GREEN,
    AccessLevel.AMBER,
    AccessLevel.AMBER_STRICT,
    AccessLevel.RED,
]

HTML_TYPE = "text/html; charset=utf-8"
PDF_TYPE = "application/pdf"


@dataclass
class PartContent:
    spec: PartSpec
    part: object
    texts: list  # [(label, value)]
    rows: list  # entries.rows(...)
    columns: list  # the list's fields shown as columns
    events: list  # risk events it answers (readable)


@dataclass
class CardContent:
    card: ActionCard
    events: list
    event_types: list


@dataclass
class BinderContent:
    plan: EmergencyPlan
    document: object | None
    parts: list[PartContent]
    left_out: list[PartSpec]
    cards: list[CardContent]
    today: object
    data: dict = field(default_factory=dict)

    @property
    def records(self) -> list:
        return [self.plan, *(p.part for p in self.parts), *(c.card for c in self.cards)]

    @property
    def content_hash(self) -> str:
        text = json.dumps(self.data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def variant(self, language: str) -> str:
        """Which binder this is: the language and the records (and linked events) the reader may see."""
        ids = [f"{type(r).__name__}:{r.pk}" for r in self.records]
        ids += [f"event:{e.pk}" for p in self.parts for e in p.events]
        ids += [f"event:{e.pk}" for c in self.cards for e in c.events]
        return hashlib.sha256(f"{language}|{'|'.join(sorted(ids))}".encode()).hexdigest()

    @property
    def marking(self) -> str:
        level = max((r.access_level for r in self.records), key=LEVEL_ORDER.index)
        bases = sorted({r.exemption_basis for r in self.records if r.exemption_basis})
        text = str(AccessLevel(level).label)
        if bases:
            text += " · " + _("Exempt from public access: %(basis)s") % {"basis": "; ".join(bases)}
        return text

    def part(self, key: str) -> PartContent | None:
        return next((p for p in self.parts if p.spec.key == key), None)


def content_for(actor: Actor, plan: EmergencyPlan) -> BinderContent:
    """Everything the reader may read of the plan, and its canonical data for the hash. A fixed number of
    queries whatever the number of parts, entries, cards and links."""
    today = timezone.localdate()
    parts = selectors.parts_of(actor, plan)
    cards = selectors.cards_of(actor, plan)
    document = None
    if plan.governing_document_id:
        document = (
            selectors.emergency_plan_documents(actor, plan.owner)
            .filter(pk=plan.governing_document_id)
            .first()
        )
    card_events = selectors.event_links(actor, ActionCard, [c.pk for c in cards])
    card_types = selectors.type_links([c.pk for c in cards])
    shown, left_out = [], []
    for spec in PARTS:
        part = parts[spec.key]
        if part is None:
            left_out.append(spec)
            continue
        events = selectors.event_links(actor, spec.model, [part.pk])[part.pk] if spec.answers_events else []
        texts = [
            (part._meta.get_field(name).verbose_name, getattr(part, name)) for name in spec.model.TEXT_FIELDS
        ]
        entry_spec = spec.entries
        shown.append(
            PartContent(
                spec=spec,
                part=part,
                texts=texts,
                rows=entries.rows(entry_spec, part.entries, today) if entry_spec else [],
                columns=[f for f in entry_spec.fields if f.column] if entry_spec else [],
                events=events,
            )
        )
    content = BinderContent(
        plan=plan,
        document=document,
        parts=shown,
        left_out=left_out,
        cards=[CardContent(c, card_events[c.pk], card_types[c.pk]) for c in cards],
        today=today,
    )
    content.data = _data(content)
    return content


def _record(record) -> dict:
    return {
        "id": record.pk,
        "version": record.version,
        "level": record.access_level,
        "exemption": record.exemption_basis,
        "revised": record.updated_at.date().isoformat(),
    }


def _data(content: BinderContent) -> dict:
    """What the binder prints, as plain data (the hash is taken of this)."""
    plan, document = content.plan, content.document
    return {
        "plan": {
            **_record(plan),
            "title": plan.title,
            "owner": plan.owner.name,
            "introduction": plan.introduction,
            "document": [document.pk, document.title, document.status, str(document.adopted_on)]
            if document
            else None,
        },
        "parts": [
            {
                **_record(p.part),
                "key": p.spec.key,
                "texts": {name: getattr(p.part, name) for name in p.spec.model.TEXT_FIELDS},
                "entries": [{**row["values"], "stale": row.get("stale", False)} for row in p.rows],
                "events": [[e.pk, e.title, e.analysis.title] for e in p.events],
            }
            for p in content.parts
        ],
        "left_out": [spec.key for spec in content.left_out],
        "cards": [
            {
                **_record(c.card),
                "title": c.card.title,
                "trigger": c.card.trigger,
                "steps": c.card.steps,
                "responsible": c.card.responsible,
                "notes": c.card.notes,
                "events": [[e.pk, e.title, e.analysis.title] for e in c.events],
                "types": [t.name for t in c.event_types],
            }
            for c in content.cards
        ],
    }


# --- the files -------------------------------------------------------------------------------------------


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "–"


def _when(value) -> str:
    """Local time with its offset from UTC: a printed binder may be read far from where it was made."""
    local = timezone.localtime(value)
    offset = local.strftime("%z")  # "+0100"
    return f"{formats.date_format(local, 'SHORT_DATETIME_FORMAT')} (UTC{offset[:3]}:{offset[3:]})"


def render_html(content: BinderContent, *, generated_at, content_hash: str) -> str:
    return render_to_string(
        "emergencyplan/binder.html",
        {
            "c": content,
            "plan": content.plan,
            "generated": _when(generated_at),
            "content_hash": content_hash,
            "language": translation.get_language() or "nb",
            "alert": content.part("alert_list"),
            "crisis": content.part("crisis_management"),
            "resources": content.part("resources"),
            "other_parts": [p for p in content.parts if p.spec.key in ("evacuation", "communication")],
        },
    )


#: Relative column widths of the lists in the PDF (the name column wide: it carries the details).
WIDTHS = {"name": 3.2, "role": 2.2, "email": 2.8, "authority": 3.5, "location": 2.2, "fallback": 1.8}


def _breakable(text: str) -> str:
    """Let long addresses break after @ and dots in narrow PDF columns."""
    return text.replace("@", "@\u200b").replace(".", ".\u200b") if "@" in text else text


def _entry_table(doc, part: PartContent) -> None:
    spec = part.spec.entries
    headers = [str(f.label) for f in part.columns]
    widths = [WIDTHS.get(f.name, 1.5) for f in part.columns]
    if spec.verifiable:
        headers.append(_("Status"))
        widths.append(1.2)
    rows, fills = [], []
    for row in part.rows:
        cells = []
        for f in part.columns:
            text = _breakable(entries.display_value(f, row["values"].get(f.name))) or "–"
            if f.name == spec.title_field:
                extra = [
                    f"{g.label}: {entries.display_value(g, row['values'].get(g.name))}"
                    for g in spec.fields
                    if not g.column and row["values"].get(g.name)
                ]
                text = "\n".join([text, *extra])
            cells.append(text)
        if spec.verifiable:
            cells.append(_("Stale") if row["stale"] else _("Verified"))
        rows.append(cells)
        fills.append([("red" if row.get("stale") else None) for _cell in cells])
    if rows:
        doc.table(headers, rows, fills=fills, widths=widths, small=True)
    else:
        doc.text("", empty=_("The list is empty."))


def build_document(content: BinderContent, *, generated_at, content_hash: str):
    """The binder as core.documents blocks, for the PDF."""
    from samvirke.core.documents import Document

    plan = content.plan
    doc = Document(
        title=plan.title,
        language=translation.get_language() or "nb",
        marking=content.marking,
        footer=f"{_('Plan binder')} · {plan.owner.name} · SHA-256 {content_hash[:12]}",
        subject=_("Plan binder"),
        page_label=_("Page %(page)s of %(pages)s"),
    )
    doc.title_block(kicker=f"{_('Plan binder')} · {plan.owner.name}")
    facts = [
        (_("Generated"), _when(generated_at)),
        (_("Content hash (SHA-256)"), " ".join(content_hash[i : i + 16] for i in range(0, 64, 16))),
        (_("Last revised"), _date(max(r.updated_at for r in content.records).date())),
    ]
    if content.document:
        facts.append((_("Document in the register"), content.document.title))
    doc.pairs(facts)
    doc.note(_("Printed copy. Check the date it was generated; the latest version is in Samvirke."))
    if content.left_out:
        doc.note(
            _("Left out because you may not read them: %(parts)s")
            % {"parts": ", ".join(str(s.title) for s in content.left_out)}
        )
    if plan.introduction:
        doc.text(plan.introduction)
    for key in ("crisis_management", "alert_list", "resources", "evacuation", "communication"):
        part = content.part(key)
        if part is None:
            continue
        doc.heading(str(part.spec.title), 1)
        doc.pairs(
            [
                (
                    _("Last revised"),
                    f"{_date(part.part.updated_at.date())} ({_('version')} {part.part.version})",
                ),
                (_("Access level"), str(AccessLevel(part.part.access_level).label)),
            ]
        )
        texts = [(str(label).capitalize(), value) for label, value in part.texts if value]
        if texts:
            doc.pairs(texts)
        if part.spec.entries is not None:
            doc.heading(str(part.spec.entries.list_title), 2)
            _entry_table(doc, part)
        if part.events:
            doc.heading(_("Risk events this part answers"), 2)
            doc.bullets([f"{e.title} ({e.analysis.title})" for e in part.events])
    doc.heading(_("Action cards"), 1)
    if not content.cards:
        doc.text("", empty=_("No action cards."))
    for item in content.cards:
        card = item.card
        doc.heading(card.title, 2)
        facts = [(_("Last revised"), f"{_date(card.updated_at.date())} ({_('version')} {card.version})")]
        if card.responsible:
            facts.append((_("Responsible role"), card.responsible))
        if card.trigger:
            facts.append((_("When to use it"), card.trigger))
        answers = [t.name for t in item.event_types] + [e.title for e in item.events]
        if answers:
            facts.append((_("Answers"), ", ".join(answers)))
        doc.pairs(facts)
        doc.bullets([f"☐ {step}" for step in card.steps])
        if card.notes:
            doc.text(card.notes)
    return doc


def file_name(plan: EmergencyPlan, extension: str) -> str:
    stem = slugify(plan.owner.name)[:60].strip("-") or "plan"
    return f"beredskapsperm-{stem}-{plan.pk}.{extension}"


def binder_for(actor: Actor, plan: EmergencyPlan, *, pdf: bool = False) -> tuple[Binder, BinderContent]:
    """The stored binder of what `actor` may read of `plan` (already fetched through get_plan_for),
    regenerated if the content changed since it was made; with the PDF laid out if asked for and missing.
    Logs the read of every record in it as an export."""
    content = content_for(actor, plan)
    language = translation.get_language() or "nb"
    variant, content_hash = content.variant(language), content.content_hash
    binder = Binder.objects.filter(plan=plan, variant=variant).first()
    if binder is None or binder.content_hash != content_hash:
        now = timezone.now()
        values = {
            "content_hash": content_hash,
            "generated_at": now,
            "html": render_html(content, generated_at=now, content_hash=content_hash),
            "pdf": None,
        }
        try:
            with transaction.atomic():
                binder, _created = Binder.objects.update_or_create(
                    plan=plan, variant=variant, defaults=values
                )
        except IntegrityError:  # made by a parallel download just now: the same content
            binder = Binder.objects.get(plan=plan, variant=variant)
    if pdf and binder.pdf is None:
        from samvirke.core.documents import to_pdf

        binder.pdf = to_pdf(
            build_document(content, generated_at=binder.generated_at, content_hash=content_hash)
        )
        Binder.objects.filter(pk=binder.pk, content_hash=content_hash).update(pdf=binder.pdf)
    log_reads(actor, content.records[1:], action="export")
    return binder, content
