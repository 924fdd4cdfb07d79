"""Reads of follow-up plans, activities and annual evaluations. Every one starts from the chokepoint.

* Plans and evaluations: `Model.objects.visible_to(actor)` / `get_visible`.
* Activities: visible themselves AND in a visible plan (`activities_visible_to`, `get_activity_for`), like
  the events of a risk analysis. Their responsibilities (RACI) come with them.
* Facts from other apps (due items, documents, measures) through those apps' own visible readers:
  plans.selectors.due_items_visible_to / status_matrix, risk.selectors.measures_visible_to.

Every page reads a fixed number of queries whatever the number of activities, people or municipalities
(followup/tests/test_query_counts.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from samvirke.core.access import Actor, Role
from samvirke.core.visibility import get_visible
from samvirke.followup import domain
from samvirke.followup.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AnnualEvaluation,
    FollowUpPlan,
    Responsibility,
)
from samvirke.organisations.models import Membership, Organisation
from samvirke.organisations.selectors import organisations_visible_to

#: Municipalities per page of the regional follow-up overview (as on the region overview).
MUNICIPALITIES_PER_PAGE = 50


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- records ---------------------------------------------------------------------------------------------


def plans_visible_to(actor: Actor):
    return FollowUpPlan.objects.visible_to(actor)


def get_plan_for(actor: Actor, plan_id, *, action="read", via="web") -> FollowUpPlan:
    return get_visible(
        FollowUpPlan.objects.select_related("owner", "owner__region"), actor, plan_id, action=action, via=via
    )


def activities_visible_to(actor: Actor):
    """Activities the actor may read: visible themselves, in a plan the actor may read."""
    return Activity.objects.visible_to(actor).filter(
        plan_id__in=FollowUpPlan.objects.visible_to(actor).values("pk")
    )


def get_activity_for(actor: Actor, plan_id, activity_id, *, action="read", via="web") -> Activity:
    # get_visible applies Activity.visible_to; the filter adds "and its plan is visible".
    queryset = Activity.objects.select_related("plan", "owner", "rule", "rule__document_type").filter(
        plan_id__in=FollowUpPlan.objects.visible_to(actor).values("pk"), plan_id=_int_or_none(plan_id)
    )
    return get_visible(queryset, actor, activity_id, action=action, via=via)


def evaluations_visible_to(actor: Actor):
    return AnnualEvaluation.objects.visible_to(actor)


def get_evaluation_for(actor: Actor, evaluation_id, *, action="read", via="web") -> AnnualEvaluation:
    return get_visible(
        AnnualEvaluation.objects.select_related("owner", "submitted_by", "created_by"),
        actor,
        evaluation_id,
        action=action,
        via=via,
    )


def _responsibilities():
    return Prefetch(
        "responsibilities",
        queryset=Responsibility.objects.select_related("user", "organisation").order_by("role", "id"),
    )


def _of_readable_plan(actor: Actor, plan: FollowUpPlan):
    """Activities of a plan already fetched through get_plan_for: only their own level is left."""
    return (
        Activity.objects.visible_to(actor)
        .filter(plan_id=plan.pk)
        .select_related("rule", "rule__document_type")
        .prefetch_related(_responsibilities())
        .order_by("planned_date", "id")
    )


# --- the plan page ---------------------------------------------------------------------------------------


class Filters:
    """The plan page's filters, parsed from GET parameters (anything unknown is ignored)."""

    def __init__(self, params):
        kind = params.get("kind", "")
        status = params.get("status", "")
        self.kind = kind if kind in ActivityKind.values else ""
        self.status = status if status in (*ActivityStatus.values, "overdue", "open") else ""

    def matches(self, activity: Activity, today: datetime.date) -> bool:
        if self.kind and activity.kind != self.kind:
            return False
        if self.status == "overdue":
            return activity.is_overdue(today)
        if self.status == "open":
            return activity.status in domain.Status.OPEN
        return not self.status or activity.status == self.status

    @property
    def active(self) -> bool:
        return bool(self.kind or self.status)

    def query(self) -> str:
        from django.utils.http import urlencode

        return urlencode({k: v for k, v in (("kind", self.kind), ("status", self.status)) if v})


def _due_lookup(actor: Actor, plan: FollowUpPlan, activities, today) -> dict:
    """{source key: due item} for the generated activities, through due_items_visible_to (an item about a
    document the reader may not read is not found, so its link and state are not shown). One query."""
    from samvirke.plans.selectors import due_items_visible_to

    keys = {a.source_key: domain.parse_due_key(a.source_key) for a in activities if a.source_key}
    dates = [parsed[2] for parsed in keys.values() if parsed]
    start, end = domain.plan_window(plan.year, today)
    low, high = (min(dates), max(dates)) if dates else (start, end)
    items = (
        due_items_visible_to(actor)
        .filter(organisation_id=plan.owner_id, due_date__gte=low, due_date__lte=high)
        .select_related("rule")
    )
    return {domain.due_key(i.rule_id, i.subject, i.due_date): i for i in items}


def _documents(actor: Actor, owner_id: int) -> dict:
    """{id: document} of the owner's documents the reader may read (for the due items' links). One query."""
    from samvirke.plans.selectors import documents_visible_to

    return {d.pk: d for d in documents_visible_to(actor).filter(owner_id=owner_id).only("id", "title")}


def annotate_activities(actor: Actor, plan: FollowUpPlan, activities: list, today) -> None:
    """Give each activity what the pages show: overdue, its due item and document (if the reader may see
    them), its responsibilities by letter and the RACI gaps."""
    due = _due_lookup(actor, plan, activities, today)
    documents = _documents(actor, plan.owner_id)
    for activity in activities:
        activity.overdue = activity.is_overdue(today)
        item = due.get(activity.source_key) if activity.source_key else None
        activity.due_item = item
        activity.document = documents.get(item.document_id) if item and item.document_id else None
        by_letter = defaultdict(list)
        for responsibility in activity.responsibilities.all():
            by_letter[responsibility.role].append(responsibility)
        activity.raci = {letter: by_letter.get(letter, []) for letter in domain.RACI_LETTERS}
        activity.raci_gaps = (
            domain.raci_gaps(by_letter) if activity.status != ActivityStatus.CANCELLED else []
        )


def _months(plan: FollowUpPlan, activities: list) -> list[dict]:
    """Activities grouped for the year view: owed from earlier years, each month, and later."""
    groups: dict[tuple, list] = defaultdict(list)
    for activity in activities:
        day = activity.planned_date
        if plan.year is not None and day.year < plan.year:
            groups[(0, 0)].append(activity)
        elif plan.year is not None and day.year > plan.year:
            groups[(9999, 0)].append(activity)
        else:
            groups[(day.year, day.month)].append(activity)
    result = []
    for key in sorted(groups):
        if key == (0, 0):
            label, kind = None, "earlier"
        elif key == (9999, 0):
            label, kind = None, "later"
        else:
            label, kind = datetime.date(key[0], key[1], 1), "month"
        result.append({"kind": kind, "month": label, "activities": groups[key]})
    return result


def plan_page(actor: Actor, plan: FollowUpPlan, filters: Filters, *, today=None) -> dict:
    """The plan page: its activities (filtered), grouped by month, with counts over the whole plan.
    `plan` must come from get_plan_for. A fixed number of queries whatever the number of activities."""
    today = today or timezone.localdate()
    activities = list(_of_readable_plan(actor, plan))
    annotate_activities(actor, plan, activities, today)
    counts = dict.fromkeys(ActivityStatus.values, 0)
    overdue = 0
    for activity in activities:
        counts[activity.status] += 1
        overdue += activity.overdue
    shown = [a for a in activities if filters.matches(a, today)]
    return {
        "activities": shown,
        "all_activities": activities,
        "groups": _months(plan, shown),
        "counts": counts,
        "overdue_count": overdue,
        "total": len(activities),
        "gaps": sum(1 for a in activities if a.raci_gaps),
        "today": today,
    }


# --- RACI matrix -----------------------------------------------------------------------------------------


def _party_label(responsibility: Responsibility) -> str:
    if responsibility.user_id:
        user = responsibility.user
        return user.get_full_name() or user.username
    if responsibility.organisation_id:
        return responsibility.organisation.name
    return responsibility.name


def raci_matrix(actor: Actor, plan: FollowUpPlan, *, include_done: bool = True, today=None) -> dict:
    """Activities × parties with their R/A/C/I letters: people first, then organisations, then roles by
    name. Cancelled activities are left out. A fixed number of queries."""
    today = today or timezone.localdate()
    activities = [
        a
        for a in _of_readable_plan(actor, plan)
        if a.status != ActivityStatus.CANCELLED and (include_done or a.status != ActivityStatus.DONE)
    ]
    parties: dict[str, dict] = {}
    rows = []
    for activity in activities:
        cells: dict[str, list[str]] = defaultdict(list)
        letters = set()
        for responsibility in activity.responsibilities.all():
            key = responsibility.party_key
            if key not in parties:
                kind = 0 if responsibility.user_id else 1 if responsibility.organisation_id else 2
                parties[key] = {"key": key, "label": _party_label(responsibility), "kind": kind}
            cells[key].append(responsibility.role)
            letters.add(responsibility.role)
        activity.overdue = activity.is_overdue(today)
        rows.append(
            {
                "activity": activity,
                "cells": cells,
                "gaps": domain.raci_gaps(letters),
            }
        )
    columns = sorted(parties.values(), key=lambda p: (p["kind"], p["label"].casefold(), p["key"]))
    for row in rows:
        row["letters"] = [
            "".join(x for x in domain.RACI_LETTERS if x in row["cells"].get(c["key"], ())) for c in columns
        ]
    load = []
    for index in range(len(columns)):
        letters = defaultdict(int)
        for row in rows:
            for letter in row["letters"][index]:
                letters[letter] += 1
        load.append(dict(letters))
    return {"rows": rows, "columns": columns, "load": load, "today": today}


# --- choices for the activity form -----------------------------------------------------------------------


def raci_candidates(actor: Actor, owner: Organisation, current=()) -> dict:
    """Who can be given a RACI letter on the owner's activities: the owner's active members and the
    region's coordinators (people), the organisations of the owner's region, and anyone already
    assigned (so that editing never drops them silently). Directory data of the actor's region only."""
    user_model = get_user_model()
    visible = organisations_visible_to(actor)
    region_orgs = visible.filter(region_id=owner.region_id)
    current = list(current)
    current_users = [r.user_id for r in current if r.user_id]
    current_orgs = [r.organisation_id for r in current if r.organisation_id]
    people_ids = (
        Membership.objects.filter(active=True)
        .filter(Q(organisation=owner) | Q(role=Role.REGIONAL_COORDINATOR, organisation__in=region_orgs))
        .values("user_id")
    )
    people = list(
        user_model.objects.filter(Q(pk__in=people_ids, is_active=True) | Q(pk__in=current_users))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    organisations = list(
        visible.filter(Q(region_id=owner.region_id) | Q(pk__in=current_orgs))
        .exclude(pk=owner.pk)
        .order_by("kind", "name", "id")
        .only("id", "name", "kind")
    )
    return {"people": people, "organisations": [owner, *organisations]}


# --- an organisation's follow-up -------------------------------------------------------------------------


def _activity_counts(actor: Actor, plan_filter: Q, today) -> dict:
    """{plan id: {"total", "done", "overdue"}} for the plans matched, counted in SQL over the activities
    the actor may read. One query."""
    open_statuses = list(domain.Status.OPEN)
    rows = (
        activities_visible_to(actor)
        .filter(plan_id__in=plans_visible_to(actor).filter(plan_filter).values("pk"))
        .exclude(status=ActivityStatus.CANCELLED)
        .values("plan_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=ActivityStatus.DONE)),
            overdue=Count("pk", filter=Q(status__in=open_statuses, planned_date__lt=today)),
        )
        .order_by()
    )
    return {row["plan_id"]: row for row in rows}


def organisation_followup(actor: Actor, organisation: Organisation, *, today=None) -> dict:
    """An organisation's follow-up plans and annual evaluations the actor may read, with activity counts."""
    today = today or timezone.localdate()
    plans = list(plans_visible_to(actor).filter(owner=organisation).order_by("year", "id"))
    plans.sort(key=lambda p: (p.year is not None, -(p.year or 0)))  # the rolling plan first, then newest
    counts = _activity_counts(actor, Q(owner=organisation), today)
    for plan in plans:
        plan.counts = counts.get(plan.pk, {"total": 0, "done": 0, "overdue": 0})
    evaluations = list(evaluations_visible_to(actor).filter(owner=organisation).order_by("-year", "-id"))
    years = {p.year for p in plans}
    evaluated = {e.year for e in evaluations}
    return {
        "plans": plans,
        "evaluations": evaluations,
        "current_plan": next((p for p in plans if p.year == today.year), None),
        "plan_years": [y for y in (today.year, today.year + 1) if y not in years],
        "has_rolling": None in years,
        "evaluation_years": [y for y in (today.year - 1, today.year) if y not in evaluated],
        "today": today,
    }


def region_followup(actor: Actor, region, *, page=None, today=None) -> dict:
    """The region's municipalities (paged) with this year's follow-up plan and last year's evaluation, as
    far as the actor may read them. Five queries whatever the number of municipalities."""
    today = today or timezone.localdate()
    municipalities = organisations_visible_to(actor).filter(
        region=region, kind=Organisation.Kind.MUNICIPALITY
    )
    paginator = Paginator(
        municipalities.only("id", "name", "country", "region_id").order_by("country", "name", "id"),
        MUNICIPALITIES_PER_PAGE,
    )
    municipality_page = paginator.get_page(page)
    shown = list(municipality_page.object_list)
    ids = [m.pk for m in shown]
    plans = {
        p.owner_id: p
        for p in plans_visible_to(actor).filter(owner_id__in=ids, year=today.year).order_by("id")
    }
    counts = _activity_counts(actor, Q(owner_id__in=ids, year=today.year), today)
    evaluations = {
        e.owner_id: e
        for e in evaluations_visible_to(actor).filter(owner_id__in=ids, year=today.year - 1).order_by("id")
    }
    rows = []
    for municipality in shown:
        plan = plans.get(municipality.pk)
        rows.append(
            {
                "municipality": municipality,
                "plan": plan,
                "counts": counts.get(plan.pk) if plan else None,
                "evaluation": evaluations.get(municipality.pk),
            }
        )
    return {
        "region": region,
        "rows": rows,
        "municipality_page": municipality_page,
        "plans": list(plans.values()),
        "evaluations": list(evaluations.values()),
        "today": today,
    }


# --- facts for the annual evaluation ---------------------------------------------------------------------


def evaluation_facts(actor: Actor, organisation: Organisation, year: int, *, today=None) -> dict:
    """What the rules, the register, the follow-up plan and the risk analyses say about `year`, as far as
    the reader may see them: the state of the required risk analysis and emergency plan, the year's due
    revisions and exercises (done on time, done late, still open), the follow-up plan's activities by
    kind, and the organisation's risk-reducing measures (open, overdue, done). Computed when shown, for
    the reader, so a report never shows a fact its reader may not see. A fixed number of queries."""
    from samvirke.plans.models import DocumentType
    from samvirke.plans.selectors import due_items_visible_to, status_matrix
    from samvirke.risk.models import Measure
    from samvirke.risk.selectors import measures_visible_to

    today = today or timezone.localdate()
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    survey = status_matrix(actor, organisation, today=today)
    key_categories = (DocumentType.Category.RISK_ANALYSIS, DocumentType.Category.EMERGENCY_PLAN)
    documents = [row for row in survey["rows"] if row["type"].category in key_categories]

    items = list(
        due_items_visible_to(actor)
        .filter(organisation=organisation, projected=False, due_date__lte=end)
        .filter(Q(due_date__gte=start) | Q(done_on__gte=start, done_on__lte=end))
        .select_related("rule", "rule__document_type")
        .order_by("due_date", "id")
    )
    due = {"on_time": [], "late": [], "open": []}
    for item in items:
        if item.done_on:
            due["on_time" if item.done_on <= item.due_date else "late"].append(item)
        elif item.due_date <= end:
            due["open"].append(item)

    plan = plans_visible_to(actor).filter(owner=organisation, year=year).first()
    by_kind = []
    activities = []
    if plan is not None:
        activities = list(
            activities_visible_to(actor)
            .filter(plan=plan)
            .exclude(status=ActivityStatus.CANCELLED)
            .order_by("planned_date", "id")
        )
        counts: dict[str, dict] = {}
        for activity in activities:
            row = counts.setdefault(activity.kind, {"total": 0, "done": 0, "open": 0})
            row["total"] += 1
            row["done" if activity.status == ActivityStatus.DONE else "open"] += 1
        labels = dict(ActivityKind.choices)
        by_kind = [{"kind": labels[k], **counts[k]} for k in ActivityKind.values if k in counts]

    measures = list(
        measures_visible_to(actor)
        .filter(owner=organisation)
        .select_related("analysis")
        .only(
            "id",
            "title",
            "deadline",
            "status",
            "access_level",
            "exemption_basis",
            "analysis__title",
            "analysis__id",
            "analysis__access_level",
        )
        .order_by("deadline", "id")
    )
    open_statuses = (Measure.Status.PLANNED, Measure.Status.IN_PROGRESS)
    measure_facts = {
        "total": len(measures),
        "done": sum(1 for m in measures if m.status == Measure.Status.DONE),
        "open": sum(1 for m in measures if m.status in open_statuses),
        "overdue": [m for m in measures if m.is_overdue(today)],
        "due_in_year": [m for m in measures if m.deadline and start <= m.deadline <= end],
    }
    return {
        "year": year,
        "documents": documents,
        "document_facts": [row["document"] for row in documents if row["document"]],
        "due": due,
        "plan": plan,
        "activities": activities,
        "activities_by_kind": by_kind,
        "measures": measures,
        "measure_facts": measure_facts,
        "today": today,
    }
