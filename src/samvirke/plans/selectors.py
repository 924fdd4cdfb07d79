"""Reads of the document register, the status survey and due items. Every one starts from the chokepoint.

* Documents, status assessments and snapshots: `Model.objects.visible_to(actor)` / `get_visible`.
* An attachment only through a document the actor may read (`get_attachment_for`).
* Due items (derived, not content): members of the organisation's region, and an item about a document
  only if the actor may read that document (`due_items_visible_to`, one uncorrelated subquery).

The survey judges only what the reader may see: a document the reader may not read counts as missing for
them, so the page never reveals that a hidden document exists.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from samvirke.core.access import Actor
from samvirke.core.errors import NotFound
from samvirke.core.visibility import get_visible
from samvirke.organisations.models import Organisation
from samvirke.organisations.selectors import organisations_visible_to
from samvirke.plans import domain
from samvirke.plans.models import (
    Activity,
    DocumentAttachment,
    DocumentType,
    DueItem,
    GoverningDocument,
    Rule,
    RuleSet,
    StatusAssessment,
    StatusSnapshot,
)

#: Documents that are in force (a draft is not).
IN_FORCE = (GoverningDocument.Status.ADOPTED, GoverningDocument.Status.OUTDATED)
#: Municipalities per page of the regional status (as on the region overview).
MUNICIPALITIES_PER_PAGE = 50


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- documents -------------------------------------------------------------------------------------------


def documents_visible_to(actor: Actor):
    return GoverningDocument.objects.visible_to(actor)


def get_document_for(actor: Actor, document_id, *, action="read", via="web") -> GoverningDocument:
    return get_visible(
        GoverningDocument.objects.select_related("owner", "document_type", "responsible", "created_by"),
        actor,
        document_id,
        action=action,
        via=via,
    )


def get_attachment_for(actor: Actor, document_id, attachment_id, *, action="export"):
    """(document, attachment): the document through the chokepoint (logged), then its own attachment."""
    document = get_document_for(actor, document_id, action=action)
    attachment = DocumentAttachment.objects.filter(document=document, pk=_int_or_none(attachment_id)).first()
    if attachment is None:
        raise NotFound()
    return document, attachment


def get_snapshot_for(actor: Actor, snapshot_id, *, action="read") -> StatusSnapshot:
    return get_visible(
        StatusSnapshot.objects.select_related("owner", "taken_by"), actor, snapshot_id, action=action
    )


def due_items_visible_to(actor: Actor, *, organisation_ids=None):
    """Due items of the organisations of the actor's regions; an item about a document only if the actor
    may read the document. `organisation_ids` (ids or a subquery) narrows both the items and the documents
    checked to those organisations' (an item's document is its organisation's), so a page of fifty
    municipalities does not check every readable document of a national region."""
    if not actor.is_verified or not actor.region_ids:
        return DueItem.objects.none()
    documents = GoverningDocument.objects.visible_to(actor)
    items = DueItem.objects.filter(
        organisation_id__in=Organisation.objects.filter(region_id__in=list(actor.region_ids)).values("pk")
    )
    if organisation_ids is not None:
        items = items.filter(organisation_id__in=organisation_ids)
        documents = documents.filter(owner_id__in=organisation_ids)
    return items.filter(Q(document__isnull=True) | Q(document_id__in=documents.values("pk")))


def rule_sets_for(actor: Actor):
    """National rule sets and the local ones of the actor's regions."""
    return RuleSet.objects.filter(Q(region__isnull=True) | Q(region_id__in=list(actor.region_ids)))


def region_rules(actor: Actor, region) -> dict:
    """The rules that apply in a region the actor belongs to (the caller fetched it with get_region_for):
    the national rule sets of its municipalities' countries (read-only) and the region's own. Three
    queries, whatever the number of rules."""
    countries = sorted(
        set(
            Organisation.objects.filter(region=region, kind=Organisation.Kind.MUNICIPALITY).values_list(
                "country", flat=True
            )
        )
    )
    rule_sets = list(
        rule_sets_for(actor)
        .filter(Q(region__isnull=True, country__in=[*countries, "both"]) | Q(region=region))
        .prefetch_related(
            Prefetch(
                "rules", queryset=Rule.objects.select_related("document_type").order_by("-active", "title")
            )
        )
        .order_by("country", "name", "id")
    )
    return {
        "national": [s for s in rule_sets if s.region_id is None],
        "local": [s for s in rule_sets if s.region_id == region.pk],
        "countries": countries,
    }


def types_for_country(country: str) -> list[DocumentType]:
    return [t for t in DocumentType.objects.order_by("position", "code") if t.applies_to(country)]


def register(actor: Actor, organisation: Organisation, *, today=None) -> dict:
    """An organisation's register: its documents the actor may read (with attachment counts and the next
    open due item), and the required types it has no document of. Five queries, whatever the size."""
    today = today or timezone.localdate()
    documents = list(
        documents_visible_to(actor)
        .filter(owner=organisation)
        .select_related("document_type", "responsible")
        .annotate(attachment_count=Count("attachments"))
        .order_by("document_type__position", "title", "id")
    )
    next_due = {}
    for item in (
        due_items_visible_to(actor)
        .filter(organisation=organisation, done_on__isnull=True, document__isnull=False)
        .select_related("rule")
        .order_by("due_date", "id")
    ):
        next_due.setdefault(item.document_id, item)
    for document in documents:
        document.next_due = next_due.get(document.pk)
        document.overdue = bool(document.next_due and document.next_due.due_date < today)
    types = types_for_country(organisation.country)
    present = {d.document_type_id for d in documents if d.status != GoverningDocument.Status.WITHDRAWN}
    return {
        "documents": documents,
        "missing_types": [t for t in types if t.is_required_in(organisation.country) and t.pk not in present],
        "today": today,
    }


def document_detail(actor: Actor, document: GoverningDocument) -> dict:
    """Attachments, open and recent due items, and the linked risk analysis if the actor may read it."""
    from samvirke.risk.selectors import analyses_visible_to

    analysis = None
    if document.risk_analysis_id:
        analysis = analyses_visible_to(actor).filter(pk=document.risk_analysis_id).first()
    items = list(
        due_items_visible_to(actor)
        .filter(organisation_id=document.owner_id, document=document)
        .filter(Q(done_on__isnull=True, projected=False) | Q(done_on__isnull=False))
        .select_related("rule")
        .order_by("-due_date", "id")[:10]
    )
    return {
        "attachments": list(
            document.attachments.select_related("uploaded_by").order_by("-uploaded_at", "-id")
        ),
        "risk_analysis": analysis,
        "due_items": items,
        "today": timezone.localdate(),
    }


# --- the status survey -----------------------------------------------------------------------------------


def _current(documents: list) -> object | None:
    """The document that stands for a type: adopted before outdated before draft, then the newest."""
    rank = {
        GoverningDocument.Status.ADOPTED: 0,
        GoverningDocument.Status.OUTDATED: 1,
        GoverningDocument.Status.DRAFT: 2,
    }
    candidates = [d for d in documents if d["status"] in rank]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda d: (rank[d["status"]], -(d["completed_on"] or datetime.date.min).toordinal(), -d["pk"]),
    )


def _document_rows(actor: Actor, owner_filter: dict) -> dict:
    """{(owner id, type id): [document facts]} of the documents the actor may read. One query."""
    rows = defaultdict(list)
    for values in (
        documents_visible_to(actor)
        .filter(**owner_filter)
        .exclude(status=GoverningDocument.Status.WITHDRAWN)
        .values(
            "pk", "owner_id", "document_type_id", "title", "status", "adopted_on", "adopted_by",
            "last_revised_on", "next_revision_due", "access_level",
        )
    ):  # fmt: skip
        dates = [d for d in (values["adopted_on"], values["last_revised_on"]) if d]
        values["completed_on"] = max(dates) if dates else None
        rows[(values["owner_id"], values["document_type_id"])].append(values)
    return rows


def _open_items(actor: Actor, organisation_filter: dict, today) -> dict:
    """{(organisation id, type id): (earliest open revision due date, whether overdue)} for the current
    obligations (an overdue exercise does not make a document outdated). One query."""
    result = {}
    for org_id, type_id, due in (
        due_items_visible_to(actor)
        .filter(
            **organisation_filter,
            done_on__isnull=True,
            projected=False,
            rule__activity=Activity.REVISION,
            rule__document_type__isnull=False,
        )
        .values_list("organisation_id", "rule__document_type_id", "due_date")
    ):
        key = (org_id, type_id)
        if key not in result or due < result[key]:
            result[key] = due
    return {key: (due, due < today) for key, due in result.items()}


def _cell(doc_type, documents, open_item, today) -> dict:
    current = _current(documents)
    in_force = [d for d in documents if d["status"] in IN_FORCE]
    decided = min((d["next_revision_due"] for d in in_force if d["next_revision_due"]), default=None)
    due, overdue = open_item if open_item else (None, False)
    if decided and (due is None or decided < due):
        due = decided
    state = domain.document_state(
        status=current["status"] if current else None,
        overdue=overdue and bool(in_force),
        stale=decided is not None and decided < today,
    )
    return {"type": doc_type, "document": current, "state": state, "due": due, "overdue": overdue}


def status_matrix(actor: Actor, organisation: Organisation, *, today=None) -> dict:
    """One municipality's survey: every required type × (exists, adopted, last revised, due, state), the
    assessment and the snapshots the actor may read. A fixed number of queries."""
    today = today or timezone.localdate()
    types = [t for t in types_for_country(organisation.country) if t.is_required_in(organisation.country)]
    documents = _document_rows(actor, {"owner": organisation})
    open_items = _open_items(actor, {"organisation": organisation}, today)
    rows = [
        _cell(t, documents.get((organisation.pk, t.pk), []), open_items.get((organisation.pk, t.pk)), today)
        for t in types
    ]
    items = list(
        due_items_visible_to(actor)
        .filter(organisation=organisation, done_on__isnull=True, projected=False)
        .select_related("rule", "rule__document_type")
        .order_by("due_date", "id")
    )
    return {
        "rows": rows,
        "counts": _counts(rows),
        "assessment": StatusAssessment.objects.visible_to(actor).filter(owner=organisation).first(),
        "snapshots": list(
            StatusSnapshot.objects.visible_to(actor)
            .filter(owner=organisation)
            .select_related("taken_by")[:20]
        ),
        "due_items": items,
        "today": today,
    }


def _counts(rows) -> dict:
    states = domain.DocumentState
    counts = {states.CURRENT: 0, states.OUTDATED: 0, states.DRAFT: 0, states.MISSING: 0}
    for row in rows:
        counts[row["state"]] += 1
    return counts


def snapshot_matrix(rows) -> list[dict]:
    """The survey rows as stored in a snapshot: codes, states and dates (no titles)."""

    def iso(value):
        return value.isoformat() if value else None

    return [
        {
            "type": row["type"].code,
            "state": row["state"],
            "adopted_on": iso(row["document"]["adopted_on"]) if row["document"] else None,
            "last_revised_on": iso(row["document"]["last_revised_on"]) if row["document"] else None,
            "due": iso(row["due"]),
        }
        for row in rows
    ]


def snapshot_comparison(snapshot: StatusSnapshot, rows) -> list[dict]:
    """The snapshot's states next to today's, per type (types of either side)."""
    then = {}
    for entry in snapshot.matrix:
        if isinstance(entry, dict) and entry.get("type"):
            then[entry["type"]] = {
                **entry,
                **{k: _parse_date(entry.get(k)) for k in ("adopted_on", "last_revised_on", "due")},
            }
    types = {t.code: t for t in DocumentType.objects.filter(code__in=list(then))}
    result = []
    for row in rows:
        result.append({"type": row["type"], "then": then.pop(row["type"].code, None), "now": row})
    for code, entry in then.items():
        result.append({"type": types.get(code), "code": code, "then": entry, "now": None})
    return result


def _parse_date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def region_status(actor: Actor, region, *, page=None, today=None, paged: bool = True) -> dict:
    """The regional comparison: one row per municipality (paged, or all of them with paged=False, as the
    status report has), one column per category of document required somewhere in the region. Five
    queries, whatever the number of municipalities."""
    today = today or timezone.localdate()
    municipalities = organisations_visible_to(actor).filter(
        region=region, kind=Organisation.Kind.MUNICIPALITY
    )
    countries = sorted(set(municipalities.values_list("country", flat=True)))
    types = list(DocumentType.objects.order_by("position", "code"))
    required = {(c, t.category): t for t in types for c in countries if t.is_required_in(c)}
    categories = [
        (value, label)
        for value, label in DocumentType.Category.choices
        if any((c, value) in required for c in countries)
    ]
    paginator = Paginator(
        municipalities.only("id", "name", "country", "municipality_number", "region_id").order_by(
            "country", "name", "id"
        ),
        MUNICIPALITIES_PER_PAGE,
    )
    if paged:
        municipality_page = paginator.get_page(page)
        shown = list(municipality_page.object_list)
    else:
        municipality_page, shown = None, list(paginator.object_list)
    # A page's ids as a list; every municipality as a subquery (no parameter per municipality).
    ids = [m.pk for m in shown] if paged else municipalities.values("pk")
    documents = _document_rows(actor, {"owner_id__in": ids})
    open_items = _open_items(actor, {"organisation_id__in": ids}, today)
    rows = []
    for municipality in shown:
        cells = []
        for category, _label in categories:
            doc_type = required.get((municipality.country, category))
            if doc_type is None:
                cells.append(None)
                continue
            key = (municipality.pk, doc_type.pk)
            cells.append(_cell(doc_type, documents.get(key, []), open_items.get(key), today))
        rows.append(
            {"municipality": municipality, "cells": cells, "counts": _counts([c for c in cells if c])}
        )
    return {
        "region": region,
        "categories": categories,
        "rows": rows,
        "municipality_page": municipality_page,
        "today": today,
    }


def plan_picture(actor: Actor, region, *, organisations=None, today=None) -> dict:
    """For the region overview: required documents missing (or only drafts) and outdated, and overdue due
    items, per municipality in `organisations` (the page shown; by default every municipality of the
    region) and as the region's totals.

    The totals are counted in the database (aggregates that return one row each), so a national region
    of 650 municipalities costs the page no more rows than its fifty shown. Per municipality the
    verdicts come from domain.document_state; the totals apply the same rule in SQL: a required
    (municipality, type) pair is missing unless a readable document in force exists, and outdated unless
    one is adopted, none is past its decided revision date and no revision is overdue
    (plans/tests/test_picture.py holds the totals equal to the sums of the verdicts). Six queries,
    whatever the region's size.
    """
    today = today or timezone.localdate()
    if region.pk not in actor.region_ids:
        return {"by_owner": {}, "missing_total": 0, "outdated_total": 0, "overdue_total": 0}
    municipalities = Organisation.objects.filter(region=region, kind=Organisation.Kind.MUNICIPALITY)
    required: dict[str, list[int]] = {}
    for doc_type in DocumentType.objects.order_by("position", "code"):
        for country in ("NO", "SE"):
            if doc_type.is_required_in(country):
                required.setdefault(country, []).append(doc_type.pk)
    if organisations is None:
        organisations = list(municipalities.only("pk", "country"))
    page = {org.pk: org.country for org in organisations}
    rank = Case(
        When(status=GoverningDocument.Status.ADOPTED, then=Value(0)),
        When(status=GoverningDocument.Status.OUTDATED, then=Value(1)),
        default=Value(2),
    )
    stale = Case(When(status__in=IN_FORCE, next_revision_due__lt=today, then=Value(1)), default=Value(0))

    def required_documents(owners_by_country: dict) -> QuerySet:
        """The readable documents of a required type for their owner's country."""
        rule = Q(pk__in=[])
        for country, owners in owners_by_country.items():
            if required.get(country):
                rule |= Q(owner_id__in=owners, document_type_id__in=required[country])
        return documents_visible_to(actor).filter(rule)

    # The region's totals, in the database: one pass over the readable documents in force of a required
    # type, grouped by (municipality, type). A pair is behind when a document of it is past its decided
    # revision date or has an overdue revision (the items of a document in force name it; an item naming
    # no document is the type's, owed while no document was in force).
    per_country = dict(municipalities.values_list("country").annotate(n=Count("pk")).order_by())
    overdue_open = DueItem.objects.filter(
        organisation_id=OuterRef("owner_id"),
        done_on__isnull=True,
        projected=False,
        due_date__lt=today,
        rule_id__in=Rule.objects.filter(activity=Activity.REVISION).values("pk"),
    )
    behind = Case(
        When(
            Q(next_revision_due__lt=today)
            | Exists(overdue_open.filter(document_id=OuterRef("pk")))
            | Exists(
                overdue_open.filter(
                    document__isnull=True, rule__document_type_id=OuterRef("document_type_id")
                )
            ),
            then=Value(1),
        ),
        default=Value(0),
    )
    pairs = (
        required_documents(
            {country: municipalities.filter(country=country).values("pk") for country in per_country}
        )
        .filter(status__in=IN_FORCE)
        .values("owner_id", "document_type_id")
        .annotate(best=Min(rank), behind=Max(behind))
        .aggregate(in_force=Count("owner_id"), current=Count("owner_id", filter=Q(best=0, behind=0)))
    )
    pairs_required = sum(len(required.get(country, ())) * n for country, n in per_country.items())
    overdue_total = (
        due_items_visible_to(actor)
        .filter(
            organisation_id__in=municipalities.values("pk"),
            done_on__isnull=True,
            projected=False,
            due_date__lt=today,
        )
        .count()
    )

    # The page's municipalities, one verdict per required type.
    by_country = defaultdict(list)
    for org_id, country in page.items():
        by_country[country].append(org_id)
    documents = {
        (owner_id, type_id): (best, bool(is_stale))
        for owner_id, type_id, best, is_stale in required_documents(by_country)
        .exclude(status=GoverningDocument.Status.WITHDRAWN)
        .values_list("owner_id", "document_type_id")
        .annotate(best=Min(rank), stale=Max(stale))
        .order_by()
    }
    # One pass over the page's overdue items gives both the counts per municipality and the
    # (municipality, type) pairs with an overdue revision.
    overdue_revisions, overdue = set(), defaultdict(int)
    for org_id, type_id, activity, n in (
        due_items_visible_to(actor, organisation_ids=list(page))
        .filter(done_on__isnull=True, projected=False, due_date__lt=today)
        .values_list("organisation_id", "rule__document_type_id", "rule__activity")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        overdue[org_id] += n
        if activity == Activity.REVISION and type_id is not None:
            overdue_revisions.add((org_id, type_id))
    statuses = [
        GoverningDocument.Status.ADOPTED,
        GoverningDocument.Status.OUTDATED,
        GoverningDocument.Status.DRAFT,
    ]
    by_org = {}
    for org_id, country in page.items():
        counts = {"missing": 0, "outdated": 0, "overdue": overdue.get(org_id, 0)}
        for type_id in required.get(country, ()):
            best, is_stale = documents.get((org_id, type_id), (None, False))
            in_force_here = best is not None and best < 2
            state = domain.document_state(
                status=statuses[best] if best is not None else None,
                overdue=in_force_here and (org_id, type_id) in overdue_revisions,
                stale=is_stale,
            )
            if state in (domain.DocumentState.MISSING, domain.DocumentState.DRAFT):
                counts["missing"] += 1
            elif state == domain.DocumentState.OUTDATED:
                counts["outdated"] += 1
        by_org[org_id] = counts
    return {
        "by_owner": by_org,
        "missing_total": pairs_required - pairs["in_force"],
        "outdated_total": pairs["in_force"] - pairs["current"],
        "overdue_total": overdue_total,
    }
