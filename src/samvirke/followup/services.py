"""Writes of follow-up plans, activities and annual evaluations. Content writes go through core.services
(editors of the owner, versions and conflicts, history, the classification check).

* `plan_generate` fills a plan from the rules (the plans app's due items the editor may see) and the
  standard activities, idempotently: domain.sync_plan decides, this module writes.
* Every change a person makes to an activity marks it `edited`, so re-generating leaves it alone.
* A generated activity about a document gets the document's access level and sharing when the document
  is at least as strict as the plan, so the plan never reveals more than the document it follows up.
* Submitting an annual evaluation marks the year's annual-evaluation activity done.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from samvirke.core.access import AccessLevel, Actor
from samvirke.core.classification import validate_unclassified
from samvirke.core.errors import PermissionDenied
from samvirke.core.services import content_create, content_restore, content_update, ensure_can_edit
from samvirke.followup import domain, selectors
from samvirke.followup.models import (
    DUPLICATE,
    Activity,
    ActivityStatus,
    AnnualEvaluation,
    FollowUpPlan,
    Responsibility,
)
from samvirke.organisations.models import Membership
from samvirke.organisations.selectors import get_organisation_for

#: From least to most restricted (as risk.reports.LEVEL_ORDER).
LEVEL_ORDER = [
    AccessLevel.CLEAR,
    AccessLevel.GREEN,
    AccessLevel.AMBER,
    AccessLevel.AMBER_STRICT,
    AccessLevel.RED,
]

PLAN_FIELDS = ("year", "title", "goals", "access_level", "exemption_basis")
ACTIVITY_FIELDS = (
    "kind", "title", "description", "planned_date", "recurrence_months", "status", "done_on",
    "postpone_reason", "notes", "access_level", "exemption_basis",
)  # fmt: skip


def _pick(data: dict, names) -> dict:
    return {k: v for k, v in data.items() if k in names}


def _date_text(day) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


# --- plans -----------------------------------------------------------------------------------------------


def plan_create(
    *, actor: Actor, owner_id: int, data: dict, shared_with=(), named_people=(), generate: bool = True
) -> FollowUpPlan:
    """A follow-up plan for `owner_id` (its editors), for a year or rolling; filled from the rules unless
    `generate` is false. One plan per organisation and year (ValidationError on "year" otherwise)."""
    organisation = get_organisation_for(actor, owner_id)
    if not actor.can_edit_for(organisation.pk):
        raise PermissionDenied(_("Only the organisation's editors can make its follow-up plan."))
    try:
        with transaction.atomic():
            plan = content_create(
                FollowUpPlan,
                actor=actor,
                owner_id=organisation.pk,
                data=_pick(data, PLAN_FIELDS),
                shared_with=shared_with,
                named_people=named_people,
            )
    except ValidationError as error:
        raise _year_taken(error, data.get("year")) from None
    if generate:
        plan_generate(actor=actor, plan_id=plan.pk)
    return plan


def is_duplicate(error: ValidationError) -> bool:
    """A unique-constraint violation of this app (models.DUPLICATE), raised by full_clean."""
    if not hasattr(error, "error_dict"):
        return False
    return any(e.code == DUPLICATE for e in error.error_dict.get("__all__", []))


def _year_taken(error: ValidationError, year) -> ValidationError:
    """The one-plan-per-year rule, said so a person can act on it (the plan may be one they cannot read)."""
    if not is_duplicate(error):
        return error
    if year in (None, ""):
        message = _("The organisation already has a rolling follow-up plan. Open it, or choose a year.")
    else:
        message = _(
            "The organisation already has a follow-up plan for %(year)s. Open it from the organisation's "
            "follow-up page, or choose another year."
        ) % {"year": year}
    return ValidationError({"year": message})


def plan_update(
    *, actor: Actor, plan_id, expected_version: int, data: dict, shared_with=None, named_people=None
) -> FollowUpPlan:
    try:
        with transaction.atomic():
            return content_update(
                FollowUpPlan,
                actor=actor,
                pk=plan_id,
                expected_version=expected_version,
                data=_pick(data, PLAN_FIELDS),
                shared_with=shared_with,
                named_people=named_people,
            )
    except ValidationError as error:
        raise _year_taken(error, data.get("year")) from None


def plan_restore(*, actor: Actor, plan_id, history_id: int) -> FollowUpPlan:
    return content_restore(FollowUpPlan, actor=actor, pk=plan_id, history_id=history_id)


# --- generating from the rules ---------------------------------------------------------------------------


def wanted_activities(actor: Actor, plan: FollowUpPlan, *, today: datetime.date) -> list[domain.Wanted]:
    """What the rules and the standard list want in `plan`: the owner's due items in the plan's window
    that the actor may see (plans.selectors.due_items_visible_to), and for a year plan the standard
    activities. Titles in the owner's language."""
    from samvirke.plans.selectors import due_items_visible_to

    start, end = domain.plan_window(plan.year, today)
    items = (
        due_items_visible_to(actor)
        .filter(organisation_id=plan.owner_id, due_date__lte=end)
        .filter(Q(due_date__gte=start) | Q(done_on__isnull=True) | Q(done_on__gte=start))
        .select_related("rule")
        .order_by("due_date", "id")
    )
    wanted = []
    for item in items:
        if not domain.takes_due_item(item.due_date, item.done_on, start=start, end=end, today=today):
            continue
        wanted.append(
            domain.Wanted(
                key=domain.due_key(item.rule_id, item.subject, item.due_date),
                kind=domain.KIND_FOR_RULE_ACTIVITY.get(item.rule.activity, domain.Kind.OTHER),
                title=item.rule.title,
                planned_date=item.due_date,
                rule_id=item.rule_id,
                done_on=item.done_on,
                document_id=item.document_id,
                description=item.rule.legal_reference,
            )
        )
    if plan.year is not None:
        with translation.override(plan.owner.language or "nb"):
            for standard in domain.standard_activities(plan.year, plan.owner.country):
                wanted.append(
                    domain.Wanted(
                        key=standard.key,
                        kind=standard.kind,
                        title=str(standard.title),
                        planned_date=standard.planned_date,
                        description=str(standard.description),
                    )
                )
    return wanted


def _level_of(plan: FollowUpPlan, plan_sharing, document, document_sharing) -> tuple:
    """(access level, exemption basis, shared with, named people) of a new generated activity."""
    if document is not None and LEVEL_ORDER.index(document.access_level) >= LEVEL_ORDER.index(
        plan.access_level
    ):
        return document.access_level, document.exemption_basis, *document_sharing[document.pk]
    return plan.access_level, plan.exemption_basis, *plan_sharing


def plan_generate(*, actor: Actor, plan_id, today: datetime.date | None = None) -> dict:
    """Fill `plan` from the rules (see the module docstring and domain.sync_plan). Idempotent; returns
    counts of what was created, brought in line with its due item, and cancelled."""
    from samvirke.plans.selectors import documents_visible_to

    today = today or timezone.localdate()
    plan = selectors.get_plan_for(actor, plan_id)
    ensure_can_edit(actor, plan)
    wanted = wanted_activities(actor, plan, today=today)
    # The activities the editor may read; one they may not (RED, not named) is never changed, and a
    # duplicate of it is refused by the unique key below and skipped.
    current = {
        a.source_key: a for a in Activity.objects.visible_to(actor).filter(plan=plan).exclude(source_key="")
    }
    existing = [
        domain.Existing(a.pk, key, a.edited, a.status, a.title, a.planned_date, a.done_on)
        for key, a in current.items()
    ]
    sync = domain.sync_plan(existing, wanted)
    document_ids = {w.document_id for w in sync.create if w.document_id}
    documents = {
        d.pk: d
        for d in documents_visible_to(actor)
        .filter(pk__in=document_ids)
        .prefetch_related("shared_with", "named_people")
    }
    document_sharing = {
        pk: (list(d.shared_with.all()), list(d.named_people.all())) for pk, d in documents.items()
    }
    plan_sharing = (list(plan.shared_with.all()), list(plan.named_people.all()))
    created = 0
    by_id = {a.pk: a for a in current.values()}
    with transaction.atomic():
        for item in sync.create:
            level, basis, shared, named = _level_of(
                plan, plan_sharing, documents.get(item.document_id), document_sharing
            )
            data = {
                "plan": plan,
                "kind": item.kind,
                "title": item.title[:200],
                "description": item.description,
                "planned_date": item.planned_date,
                "status": ActivityStatus.DONE if item.done_on else ActivityStatus.PLANNED,
                "done_on": item.done_on,
                "source_key": item.key,
                "rule_id": item.rule_id,
                "access_level": level,
                "exemption_basis": basis,
            }
            try:
                with transaction.atomic():
                    content_create(
                        Activity,
                        actor=actor,
                        owner_id=plan.owner_id,
                        data=data,
                        shared_with=shared if level == AccessLevel.AMBER else (),
                        named_people=named if level == AccessLevel.RED else (),
                        reason=_("Generated from the rules"),
                    )
            except ValidationError as error:
                if is_duplicate(error):
                    continue  # an activity with this key exists that the editor may not read
                raise
            created += 1
        for activity_id, fields in sync.update:
            activity = by_id[activity_id]
            content_update(
                Activity,
                actor=actor,
                pk=activity_id,
                expected_version=activity.version,
                data=fields,
                reason=_("Updated from the rules"),
            )
        for activity_id in sync.obsolete:
            activity = by_id[activity_id]
            content_update(
                Activity,
                actor=actor,
                pk=activity_id,
                expected_version=activity.version,
                data={"status": ActivityStatus.CANCELLED},
                reason=_("Cancelled: the rules no longer make this due"),
            )
    return {"created": created, "updated": len(sync.update), "cancelled": len(sync.obsolete)}


# --- activities ------------------------------------------------------------------------------------------


def _check_raci(actor: Actor, owner, raci: dict) -> list[tuple[str, int | None, int | None, str]]:
    """Validate a RACI ({letter: [("user", id) | ("org", id) | ("name", text)]}) and return its rows
    (letter, user id, organisation id, name). People must be members of an organisation in the owner's
    region; organisations must be in it. ValidationError per letter ("raci_R", ...)."""
    from samvirke.organisations.models import Organisation

    user_ids = {pk for parties in raci.values() for kind, pk in parties if kind == "user"}
    org_ids = {pk for parties in raci.values() for kind, pk in parties if kind == "org"}
    known_users = set(
        Membership.objects.filter(
            user_id__in=user_ids, active=True, organisation__region_id=owner.region_id
        ).values_list("user_id", flat=True)
    )
    known_orgs = set(
        Organisation.objects.filter(pk__in=org_ids, region_id=owner.region_id).values_list("pk", flat=True)
    )
    errors, rows, keys = {}, [], {}
    for letter in domain.RACI_LETTERS:
        seen = set()
        for kind, value in raci.get(letter, []):
            if kind == "user":
                if value not in known_users:
                    errors[f"raci_{letter}"] = _("Choose people who are members of the region.")
                    continue
                row = (letter, value, None, "")
            elif kind == "org":
                if value not in known_orgs:
                    errors[f"raci_{letter}"] = _("Choose organisations of the region.")
                    continue
                row = (letter, None, value, "")
            else:
                name = " ".join(str(value).split())[:120]
                if not name:
                    continue
                try:
                    validate_unclassified(name)
                except ValidationError as error:
                    errors[f"raci_{letter}_names"] = error.messages
                    continue
                row = (letter, None, None, name)
            key = domain.party_key(row[1], row[2], row[3])
            if key in seen:
                continue
            seen.add(key)
            rows.append(row)
        keys[letter] = sorted(seen)
    for letter, message in domain.raci_problems(keys).items():
        errors[f"raci_{letter}"] = message
    if errors:
        raise ValidationError(errors)
    return rows


def _raci_rows(activity) -> set[tuple]:
    return {
        (r.role, r.user_id, r.organisation_id, r.name)
        for r in Responsibility.objects.filter(activity=activity).only(
            "role", "user_id", "organisation_id", "name"
        )
    }


def _set_raci(activity, rows) -> None:
    """Make the activity's responsibilities equal `rows` (delete what went, insert what came)."""
    wanted = set(rows)
    current = _raci_rows(activity)
    removed, added = current - wanted, wanted - current
    for role, user_id, organisation_id, name in removed:
        Responsibility.objects.filter(
            activity=activity, role=role, user_id=user_id, organisation_id=organisation_id, name=name
        ).delete()
    Responsibility.objects.bulk_create(
        Responsibility(activity=activity, role=role, user_id=u, organisation_id=o, name=n)
        for role, u, o, n in sorted(added, key=lambda r: (r[0], r[1] or 0, r[2] or 0, r[3]))
    )


def activity_create(
    *, actor: Actor, plan_id, data: dict, raci=None, shared_with=(), named_people=()
) -> Activity:
    """An activity added by hand to a plan (editors of the plan's owner); the plan's level by default."""
    plan = selectors.get_plan_for(actor, plan_id)
    ensure_can_edit(actor, plan)
    fields = _pick(data, ACTIVITY_FIELDS)
    fields.setdefault("access_level", plan.access_level)
    rows = _check_raci(actor, plan.owner, raci or {})
    with transaction.atomic():
        activity = content_create(
            Activity,
            actor=actor,
            owner_id=plan.owner_id,
            data={**fields, "plan": plan, "edited": True},
            shared_with=shared_with,
            named_people=named_people,
        )
        _set_raci(activity, rows)
    return activity


def activity_update(
    *, actor: Actor, plan_id, activity_id, expected_version: int, data: dict, raci=None,
    shared_with=None, named_people=None,
) -> Activity:  # fmt: skip
    """Change an activity; Conflict if someone saved it since `expected_version`. `raci` (when given)
    replaces its responsibilities in the same versioned save (the change reason says so)."""
    activity = selectors.get_activity_for(actor, plan_id, activity_id)
    ensure_can_edit(actor, activity)
    rows = _check_raci(actor, activity.plan.owner, raci) if raci is not None else None
    fields = {**_pick(data, ACTIVITY_FIELDS), "edited": True}
    moved = fields.get("planned_date") and fields["planned_date"] != activity.planned_date
    if fields.get("status") == ActivityStatus.POSTPONED and not activity.postponed_from and moved:
        fields["postponed_from"] = activity.planned_date
    reason = _("Changed")
    with transaction.atomic():
        if rows is not None:
            current = _raci_rows(activity)
            added, removed = len(set(rows) - current), len(current - set(rows))
            if added or removed:
                reason = _("Changed; responsibility: %(added)s added, %(removed)s removed") % {
                    "added": added,
                    "removed": removed,
                }
        # The version check comes first: a Conflict leaves the responsibilities untouched.
        updated = content_update(
            Activity,
            actor=actor,
            pk=activity.pk,
            expected_version=expected_version,
            data=fields,
            shared_with=shared_with,
            named_people=named_people,
            reason=reason[:100],
        )
        if rows is not None:
            _set_raci(updated, rows)
    return updated


def activity_postpone(
    *, actor: Actor, plan_id, activity_id, expected_version: int, new_date: datetime.date, reason: str
) -> Activity:
    """Move an open activity to a later date with a reason; the first planned date is kept."""
    activity = selectors.get_activity_for(actor, plan_id, activity_id)
    ensure_can_edit(actor, activity)
    errors = {}
    if activity.status not in domain.Status.OPEN:
        errors["new_date"] = _("Only an activity that is not done or cancelled can be postponed.")
    elif new_date <= activity.planned_date:
        errors["new_date"] = _(
            "Postponing moves the activity to a later date: choose a date after %(date)s."
        ) % {"date": _date_text(activity.planned_date)}
    if not (reason or "").strip():
        errors["reason"] = _("Say why the activity is postponed.")
    if errors:
        raise ValidationError(errors)
    return content_update(
        Activity,
        actor=actor,
        pk=activity.pk,
        expected_version=expected_version,
        data={
            "planned_date": new_date,
            "status": ActivityStatus.POSTPONED,
            "postponed_from": activity.postponed_from or activity.planned_date,
            "postpone_reason": reason.strip(),
            "edited": True,
        },
        reason=(_("Postponed to %(date)s") % {"date": _date_text(new_date)})[:100],
    )


def activity_mark_done(
    *, actor: Actor, plan_id, activity_id, expected_version: int, done_on: datetime.date, reason: str = ""
) -> tuple[Activity, Activity | None]:
    """Mark an activity done on `done_on`. A recurring activity gets its next occurrence in the plan (once,
    with the same kind, text, level and responsibilities) if it still falls inside the plan. Returns the
    activity and the next occurrence (or None)."""
    activity = selectors.get_activity_for(actor, plan_id, activity_id)
    ensure_can_edit(actor, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(
            {"done_on": _("A cancelled activity cannot be marked done. Plan it again first.")}
        )
    with transaction.atomic():
        updated = content_update(
            Activity,
            actor=actor,
            pk=activity.pk,
            expected_version=expected_version,
            data={"status": ActivityStatus.DONE, "done_on": done_on, "edited": True},
            reason=(reason or _("Marked done"))[:100],
        )
        following = _next_occurrence(actor, updated)
    return updated, following


def _next_occurrence(actor: Actor, activity: Activity) -> Activity | None:
    plan = activity.plan
    day = domain.next_occurrence(activity.planned_date, activity.recurrence_months, plan.year)
    if day is None:
        return None
    if Activity.objects.visible_to(actor).filter(plan=plan, previous=activity).exists():
        return None
    following = content_create(
        Activity,
        actor=actor,
        owner_id=activity.owner_id,
        data={
            "plan": plan,
            "kind": activity.kind,
            "title": activity.title,
            "description": activity.description,
            "planned_date": day,
            "recurrence_months": activity.recurrence_months,
            "access_level": activity.access_level,
            "exemption_basis": activity.exemption_basis,
            "previous": activity,
            "edited": True,
        },
        shared_with=list(activity.shared_with.all()),
        named_people=list(activity.named_people.all()),
        reason=_("Next occurrence of a recurring activity"),
    )
    _set_raci(following, list(_raci_rows(activity)))
    return following


def activity_restore(*, actor: Actor, plan_id, activity_id, history_id: int) -> Activity:
    activity = selectors.get_activity_for(actor, plan_id, activity_id)
    with transaction.atomic():
        restored = content_restore(Activity, actor=actor, pk=activity.pk, history_id=history_id)
        # A person chose this version: re-generating from the rules leaves it as restored.
        Activity.objects.visible_to(actor).filter(pk=restored.pk).update(edited=True)
    return restored


# --- annual evaluations ----------------------------------------------------------------------------------


def evaluation_save(
    *, actor: Actor, organisation_id, year: int, data: dict, expected_version=None, shared_with=None,
    named_people=None, submit: bool = False, today: datetime.date | None = None,
) -> AnnualEvaluation:  # fmt: skip
    """Create or change the organisation's evaluation of `year` (one per year; Conflict on a stale
    version). With `submit`, every question must be answered first (ValidationError naming each one,
    nothing saved); the evaluation is then submitted and the year's annual-evaluation activity marked done."""
    today = today or timezone.localdate()
    organisation = get_organisation_for(actor, organisation_id)
    if not actor.can_edit_for(organisation.pk):
        raise PermissionDenied(_("Only the organisation's editors can write its annual evaluation."))
    if not isinstance(year, int) or year < 2000 or year > today.year:
        raise ValidationError(
            {
                "year": _("You can evaluate this year or an earlier year (from 2000), not %(year)s.")
                % {"year": year}
            }
        )
    fields = _pick(data, (*domain.EVALUATION_FIELDS, "access_level", "exemption_basis"))
    current = evaluations_of(actor, organisation, year)
    if submit or (current is not None and current.is_submitted):
        merged = {**(current.answers() if current else {}), **fields}
        problems = {
            name: _("Answer this before submitting the evaluation.")
            for name in domain.missing_for_submit(merged)
        }
        for name in domain.comment_required(merged):
            problems[name] = _("Say what was missing or late: the answer is “partly” or “no”.")
        if problems:
            raise ValidationError(problems)
    if submit and not (current is not None and current.is_submitted):
        fields.update(
            status=AnnualEvaluation.Status.SUBMITTED, submitted_on=today, submitted_by_id=actor.user_id
        )
    with transaction.atomic():
        if current is None:
            try:
                with transaction.atomic():
                    evaluation = content_create(
                        AnnualEvaluation,
                        actor=actor,
                        owner_id=organisation.pk,
                        data={**fields, "year": year},
                        shared_with=shared_with or (),
                        named_people=named_people or (),
                        reason=_("Submitted") if submit else "",
                    )
            except ValidationError as error:
                if not is_duplicate(error):
                    raise
                raise PermissionDenied(
                    _(
                        "The organisation already has an annual evaluation for %(year)s that you may not "
                        "read. Ask its author."
                    )
                    % {"year": year}
                ) from None
        else:
            evaluation = content_update(
                AnnualEvaluation,
                actor=actor,
                pk=current.pk,
                expected_version=expected_version if expected_version is not None else current.version,
                data=fields,
                shared_with=shared_with,
                named_people=named_people,
                reason=_("Submitted") if submit and not current.is_submitted else "",
            )
        if submit:
            _mark_evaluation_activity_done(actor, organisation, year, evaluation.submitted_on or today)
    return evaluation


def evaluations_of(actor: Actor, organisation, year: int) -> AnnualEvaluation | None:
    """The organisation's evaluation of `year` if the actor may read it (logged as a read)."""
    from samvirke.core.visibility import log_reads

    evaluation = selectors.evaluations_visible_to(actor).filter(owner=organisation, year=year).first()
    if evaluation is not None:
        log_reads(actor, [evaluation])
    return evaluation


def _mark_evaluation_activity_done(actor: Actor, organisation, year: int, done_on: datetime.date) -> None:
    """The year's annual-evaluation activity (the standard one, else any open evaluation activity) in the
    year's follow-up plan the actor may read, marked done. Nothing if there is none."""
    plan = selectors.plans_visible_to(actor).filter(owner=organisation, year=year).first()
    if plan is None:
        return
    candidates = list(
        selectors.activities_visible_to(actor)
        .filter(plan=plan, kind=domain.Kind.ANNUAL_EVALUATION)
        .exclude(status__in=[ActivityStatus.DONE, ActivityStatus.CANCELLED])
        .order_by("planned_date", "id")
    )
    if not candidates:
        return
    activity = next((a for a in candidates if a.source_key == domain.ANNUAL_EVALUATION_KEY), candidates[0])
    content_update(
        Activity,
        actor=actor,
        pk=activity.pk,
        expected_version=activity.version,
        data={"status": ActivityStatus.DONE, "done_on": done_on, "edited": True},
        reason=_("Done: the annual evaluation was submitted"),
    )


def evaluation_restore(*, actor: Actor, evaluation_id, history_id: int) -> AnnualEvaluation:
    return content_restore(AnnualEvaluation, actor=actor, pk=evaluation_id, history_id=history_id)
