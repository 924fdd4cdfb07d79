"""Reads of emergency plans. Every one starts from the chokepoint.

* A plan: `EmergencyPlan.objects.visible_to(actor)` / `get_visible` (get_plan_for).
* A part or action card: visible itself AND its plan visible. Pages first fetch the plan (get_plan_for,
  logged), then its part by the plan (get_part_for: the part's `visible_to`, logged like get_visible) or its
  card by id (get_card_for: get_visible within the plan).
* Risk events linked to a part or card are shown only if the reader may read them
  (risk.selectors.events_visible_to), and links to events the editor may not read are kept on save.

Every page reads a fixed number of queries whatever the number of parts, entries, cards and events.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count
from django.utils import timezone

from samvirke.core.access import Actor
from samvirke.core.errors import NotFound
from samvirke.core.visibility import get_visible, log_reads
from samvirke.emergencyplan import entries
from samvirke.emergencyplan.models import ActionCard, EmergencyPlan
from samvirke.emergencyplan.parts import ANSWERING, PARTS, PartSpec
from samvirke.organisations.models import Organisation
from samvirke.organisations.selectors import organisations_visible_to

#: Municipalities per page of the regional list (as on the region overview).
MUNICIPALITIES_PER_PAGE = 50


def plans_visible_to(actor: Actor):
    return EmergencyPlan.objects.visible_to(actor)


def get_plan_for(actor: Actor, plan_id, *, action="read", via="web") -> EmergencyPlan:
    return get_visible(
        EmergencyPlan.objects.select_related("owner", "owner__region"), actor, plan_id, action=action, via=via
    )


def plan_of(actor: Actor, organisation: Organisation) -> EmergencyPlan | None:
    """The organisation's plan if the actor may read it (not logged: callers show it or redirect to it)."""
    return plans_visible_to(actor).filter(owner=organisation).first()


def get_part_for(actor: Actor, plan: EmergencyPlan, spec: PartSpec, *, action="read"):
    """The plan's part of this kind, if the actor may read it (the plan is already visible). As get_visible,
    by plan rather than by id: missing and not visible are the same NotFound, and the read is logged."""
    part = spec.model.objects.visible_to(actor).filter(plan=plan).select_related("owner").first()
    if part is None:
        raise NotFound()
    part.plan = plan
    log_reads(actor, [part], action=action)
    return part


def parts_of(actor: Actor, plan: EmergencyPlan) -> dict:
    """{part key: the part, or None if missing or not visible}. One query per kind of part."""
    result = {}
    for spec in PARTS:
        part = spec.model.objects.visible_to(actor).filter(plan=plan).first()
        if part is not None:
            part.plan = plan
        result[spec.key] = part
    return result


def cards_visible_to(actor: Actor):
    """Action cards the actor may read: visible themselves, in a plan the actor may read."""
    return ActionCard.objects.visible_to(actor).filter(plan_id__in=plans_visible_to(actor).values("pk"))


def cards_of(actor: Actor, plan: EmergencyPlan) -> list[ActionCard]:
    cards = list(ActionCard.objects.visible_to(actor).filter(plan=plan).order_by("position", "title", "id"))
    for card in cards:
        card.plan = plan
    return cards


def get_card_for(actor: Actor, plan: EmergencyPlan, card_id, *, action="read") -> ActionCard:
    # get_visible applies ActionCard.visible_to; the filter adds "of this (visible) plan".
    card = get_visible(
        ActionCard.objects.select_related("owner").filter(plan=plan), actor, card_id, action=action
    )
    card.plan = plan
    return card


def organisation_events(actor: Actor, organisation: Organisation):
    """The analysed events of the organisation's risk analyses that the actor may read (event and analysis
    visible), for linking and for the coverage view."""
    from samvirke.risk.selectors import events_visible_to

    return (
        events_visible_to(actor)
        .filter(owner=organisation)
        .select_related("analysis", "event_type")
        .order_by("analysis__title", "analysis_id", "id")
    )


def linked_events(actor: Actor, record) -> list:
    """The risk events a part or card answers, as far as the actor may read them."""
    from samvirke.risk.selectors import events_visible_to

    return list(
        events_visible_to(actor)
        .filter(pk__in=record.events.values("pk"))
        .select_related("analysis")
        .order_by("analysis__title", "analysis_id", "id")
    )


def emergency_plan_documents(actor: Actor, organisation: Organisation):
    """Documents of the register the plan may link to: the organisation's, of the category emergency plan."""
    from samvirke.plans.models import DocumentType
    from samvirke.plans.selectors import documents_visible_to

    return (
        documents_visible_to(actor)
        .filter(owner=organisation, document_type__category=DocumentType.Category.EMERGENCY_PLAN)
        .select_related("document_type")
        .order_by("-adopted_on", "title")
    )


def part_summary(spec: PartSpec, part, today) -> dict:
    """Counts shown on the plan page and the regional list for one part."""
    if part is None:
        return {}
    items = part.entries if spec.entries is not None else []
    summary = {"count": len(items)}
    if spec.entries is not None and spec.entries.verifiable:
        summary["stale"] = sum(1 for e in items if entries.is_stale(e, today))
    if spec.entries is entries.RESOURCES:
        summary["lendable"] = sum(1 for e in items if e.get("lendable"))
    return summary


def plan_overview(actor: Actor, plan: EmergencyPlan) -> dict:
    """The plan page: every part the actor may read with its last revision and counts, the action cards,
    the linked document of the register (if readable). A fixed number of queries."""
    today = timezone.localdate()
    parts = parts_of(actor, plan)
    cards = cards_of(actor, plan)
    document = None
    if plan.governing_document_id:
        document = emergency_plan_documents(actor, plan.owner).filter(pk=plan.governing_document_id).first()
    rows = [
        {"spec": spec, "part": parts[spec.key], "summary": part_summary(spec, parts[spec.key], today)}
        for spec in PARTS
    ]
    shown = [p for p in parts.values() if p is not None]
    dates = [plan.updated_at, *(p.updated_at for p in shown), *(c.updated_at for c in cards)]
    log_reads(actor, [*shown, *cards], action="list")
    return {
        "rows": rows,
        "cards": cards,
        "document": document,
        "last_revised": max(dates),
        "hidden_parts": [r["spec"] for r in rows if r["part"] is None],
        "today": today,
    }


def region_plans(actor: Actor, region, *, page=None) -> dict:
    """The region's municipalities (paged) with their plans as far as the reader may see them: last
    revision, alert-list entries and stale ones, resources and lendable ones, action cards. A fixed number
    of queries whatever the number of municipalities."""
    today = timezone.localdate()
    municipalities = organisations_visible_to(actor).filter(
        region=region, kind=Organisation.Kind.MUNICIPALITY
    )
    paginator = Paginator(
        municipalities.only("id", "name", "country", "municipality_number", "region_id").order_by(
            "country", "name", "id"
        ),
        MUNICIPALITIES_PER_PAGE,
    )
    municipality_page = paginator.get_page(page)
    shown = list(municipality_page.object_list)
    plans = {p.owner_id: p for p in plans_visible_to(actor).filter(owner_id__in=[m.pk for m in shown])}
    plan_ids = [p.pk for p in plans.values()]
    parts: dict[int, dict] = {pk: {} for pk in plan_ids}
    for spec in PARTS:
        for part in spec.model.objects.visible_to(actor).filter(plan_id__in=plan_ids):
            parts[part.plan_id][spec.key] = part
    card_counts = dict(
        ActionCard.objects.visible_to(actor)
        .filter(plan_id__in=plan_ids)
        .values_list("plan_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = []
    for municipality in shown:
        plan = plans.get(municipality.pk)
        row = {"municipality": municipality, "plan": plan}
        if plan is not None:
            own = parts[plan.pk]
            row["summaries"] = {spec.key: part_summary(spec, own.get(spec.key), today) for spec in PARTS}
            row["visible"] = {spec.key: spec.key in own for spec in PARTS}
            row["cards"] = card_counts.get(plan.pk, 0)
            row["last_revised"] = max([plan.updated_at, *(p.updated_at for p in own.values())])
        rows.append(row)
    log_reads(
        actor,
        [*plans.values(), *(p for own in parts.values() for p in own.values())],
        action="list",
    )
    return {"region": region, "rows": rows, "municipality_page": municipality_page, "parts": PARTS}


def _through(model, name: str):
    field = model._meta.get_field(name)
    return field.remote_field.through, f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"


def event_links(actor: Actor, model, ids) -> dict[int, list]:
    """{record id: [risk events it answers that the actor may read]} for parts or cards of one model. Two
    queries whatever the number of records and links."""
    from samvirke.risk.selectors import events_visible_to

    through, source, target = _through(model, "events")
    links = through.objects.filter(**{f"{source}__in": list(ids)})
    readable = {
        e.pk: e
        for e in events_visible_to(actor)
        .filter(pk__in=links.values(target))
        .select_related("analysis", "event_type")
        .order_by("analysis__title", "analysis_id", "id")
    }
    result: dict[int, list] = {pk: [] for pk in ids}
    for record_id, event_id in links.values_list(source, target).order_by(source, target):
        if event_id in readable:
            result[record_id].append(readable[event_id])
    return result


def type_links(ids) -> dict[int, list]:
    """{card id: [event types it answers]} (reference data). Two queries."""
    from samvirke.risk.models import EventType

    through, source, target = _through(ActionCard, "event_types")
    links = through.objects.filter(**{f"{source}__in": list(ids)})
    by_id = EventType.objects.in_bulk(list(links.values_list(target, flat=True)))
    result: dict[int, list] = {pk: [] for pk in ids}
    for card_id, type_id in links.values_list(source, target):
        result[card_id].append(by_id[type_id])
    for types in result.values():
        types.sort(key=lambda t: (t.category, t.name))
    return result


def coverage(actor: Actor, plan: EmergencyPlan) -> dict:
    """The chain from risk to plan: every analysed event of the organisation's risk analyses the actor may
    read, with the action cards and plan parts that answer it (a card answers the events it links and every
    event of the event types it links), and when it was last exercised. A fixed number of queries whatever
    the number of events, cards and links.

    Exercises are not recorded in Samvirke yet: every event is "not exercised", and the page says so rather
    than guessing from the plan's last exercise in the document register (shown beside it)."""
    events = list(organisation_events(actor, plan.owner))
    cards = cards_of(actor, plan)
    card_ids = [c.pk for c in cards]
    by_card_event = event_links(actor, ActionCard, card_ids)
    by_card_type = type_links(card_ids)
    answers: dict[int, list] = {e.pk: [] for e in events}
    by_type: dict[int, list] = {}
    for card in cards:
        for event in by_card_event[card.pk]:
            if event.pk in answers:
                answers[event.pk].append({"kind": "card", "card": card, "how": "event"})
        for event_type in by_card_type[card.pk]:
            by_type.setdefault(event_type.pk, []).append(card)
    for event in events:
        linked = {a["card"].pk for a in answers[event.pk]}
        for card in by_type.get(event.event_type_id, []):
            if card.pk not in linked:
                answers[event.pk].append({"kind": "card", "card": card, "how": "type"})
                linked.add(card.pk)
    parts = []
    for spec in ANSWERING:
        part = spec.model.objects.visible_to(actor).filter(plan=plan).first()
        if part is None:
            continue
        parts.append(part)
        for event in event_links(actor, spec.model, [part.pk])[part.pk]:
            if event.pk in answers:
                answers[event.pk].append({"kind": "part", "spec": spec, "part": part})
    rows = [{"event": e, "answers": answers[e.pk], "exercised": None} for e in events]
    document = None
    if plan.governing_document_id:
        document = emergency_plan_documents(actor, plan.owner).filter(pk=plan.governing_document_id).first()
    log_reads(actor, [*events, *cards, *parts], action="list")
    return {
        "rows": rows,
        "answered": sum(1 for r in rows if r["answers"]),
        "total": len(rows),
        "unanswered": sum(1 for r in rows if not r["answers"]),
        "document": document,
        "analyses": sorted({e.analysis for e in events}, key=lambda a: a.title),
    }
