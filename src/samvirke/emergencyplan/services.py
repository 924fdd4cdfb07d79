"""Writes of emergency plans. Every content write goes through core.services (editors of the owner only,
the version check that turns a concurrent save into Conflict, history, the classification check).

A change to an entry of a list (a role, an alert-list entry, a resource) is a new version of its part: the
caller passes the part's version it started from, so two editors changing the same list never overwrite
each other silently, and "mark verified today" never confirms details the editor has not seen.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samvirke.core.access import AccessLevel, Actor
from samvirke.core.errors import Conflict, NotFound, PermissionDenied
from samvirke.core.services import (
    content_create,
    content_delete,
    content_restore,
    content_update,
    ensure_can_edit,
)
from samvirke.emergencyplan import entries, selectors
from samvirke.emergencyplan.models import ActionCard, EmergencyPlan
from samvirke.emergencyplan.parts import BY_KEY, PARTS, PartSpec
from samvirke.organisations.selectors import get_organisation_for

#: Legal basis for exemption given to parts that start as TLP:AMBER (personal data, preparedness plans).
DEFAULT_EXEMPTION = {"NO": "offl. § 24 tredje ledd", "SE": "OSL 18 kap. 13 §"}


def _hidden_plan_message():
    return _("The organisation already has an emergency plan that you may not read. Ask its author.")


def default_title(organisation) -> str:
    if organisation.country == "SE":
        return f"Plan för hantering av extraordinära händelser – {organisation.name}"
    return f"Overordnet beredskapsplan for {organisation.name}"


# --- the plan --------------------------------------------------------------------------------------------


def plan_create(*, actor: Actor, organisation_id, data: dict | None = None) -> EmergencyPlan:
    """Create the organisation's plan with all its parts, each at its usual access level (the alert list
    and crisis management TLP:AMBER). Editors of the organisation only; one plan per organisation."""
    organisation = get_organisation_for(actor, organisation_id)
    if not actor.can_edit_for(organisation.pk):
        raise PermissionDenied(_("Only the organisation's editors can create its emergency plan."))
    if selectors.plan_of(actor, organisation) is not None:
        raise ValidationError(_("The organisation already has an emergency plan."))
    values = {"title": default_title(organisation), "access_level": AccessLevel.GREEN, **(data or {})}
    try:
        with transaction.atomic():
            plan = content_create(EmergencyPlan, actor=actor, owner_id=organisation.pk, data=values)
            for spec in PARTS:
                level = spec.default_level
                basis = DEFAULT_EXEMPTION.get(organisation.country, "") if level == AccessLevel.AMBER else ""
                content_create(
                    spec.model,
                    actor=actor,
                    owner_id=organisation.pk,
                    data={"plan": plan, "access_level": level, "exemption_basis": basis},
                )
    except IntegrityError:
        raise PermissionDenied(_hidden_plan_message()) from None
    except ValidationError as error:
        if any(e.code == "unique" for e in getattr(error, "error_dict", {}).get("owner", [])):
            raise PermissionDenied(_hidden_plan_message()) from None
        raise
    return plan


def plan_update(
    *, actor: Actor, plan_id, expected_version: int, data: dict, shared_with=None, named_people=None
) -> EmergencyPlan:
    plan = selectors.get_plan_for(actor, plan_id)
    return content_update(
        EmergencyPlan,
        actor=actor,
        pk=plan.pk,
        expected_version=expected_version,
        data=data,
        shared_with=shared_with,
        named_people=named_people,
    )


def plan_restore(*, actor: Actor, plan_id, history_id: int) -> EmergencyPlan:
    plan = selectors.get_plan_for(actor, plan_id)
    return content_restore(EmergencyPlan, actor=actor, pk=plan.pk, history_id=history_id)


# --- parts -----------------------------------------------------------------------------------------------


def _editable_part(actor: Actor, plan_id, spec: PartSpec):
    plan = selectors.get_plan_for(actor, plan_id)
    part = selectors.get_part_for(actor, plan, spec)
    ensure_can_edit(actor, part)
    return plan, part


def _link_events(actor: Actor, record, plan: EmergencyPlan, chosen) -> None:
    """Set the risk events a part or card answers to `chosen` (events of the plan's organisation the actor
    may read), keeping links to events the actor may not read (the form could not show them)."""
    readable = selectors.organisation_events(actor, plan.owner)
    chosen_ids = {e.pk for e in chosen}
    allowed = set(readable.filter(pk__in=chosen_ids).values_list("pk", flat=True))
    if chosen_ids - allowed:
        raise ValidationError({"events": _("Choose events of the organisation's own risk analyses.")})
    current = set(record.events.values_list("pk", flat=True))
    hidden = current - set(readable.filter(pk__in=current).values_list("pk", flat=True))
    record.events.set(allowed | hidden)


def part_update(
    *,
    actor: Actor,
    plan_id,
    part_key: str,
    expected_version: int,
    data: dict,
    shared_with=None,
    named_people=None,
    events=None,
):
    """Change a part's text, access level and sharing (and the events it answers); Conflict if someone saved
    the part since `expected_version`."""
    spec = BY_KEY[part_key]
    with transaction.atomic():
        plan, part = _editable_part(actor, plan_id, spec)
        saved = content_update(
            spec.model,
            actor=actor,
            pk=part.pk,
            expected_version=expected_version,
            data=data,
            shared_with=shared_with,
            named_people=named_people,
        )
        if events is not None and spec.answers_events:
            _link_events(actor, saved, plan, events)
    return saved


def part_restore(*, actor: Actor, plan_id, part_key: str, history_id: int):
    spec = BY_KEY[part_key]
    _plan, part = _editable_part(actor, plan_id, spec)
    return content_restore(spec.model, actor=actor, pk=part.pk, history_id=history_id)


# --- entries of a part's list ----------------------------------------------------------------------------


def _entries_part(actor: Actor, plan_id, part_key: str, expected_version: int):
    spec = BY_KEY[part_key]
    if spec.entries is None:
        raise NotFound()
    _plan, part = _editable_part(actor, plan_id, spec)
    if part.version != expected_version:
        raise Conflict(current=part)
    return spec, part


def _save_entries(actor, spec, part, expected_version, new_entries, reason):
    return content_update(
        spec.model,
        actor=actor,
        pk=part.pk,
        expected_version=expected_version,
        data={"entries": new_entries},
        reason=reason,
    )


def find_entry(part, key) -> dict | None:
    return next((e for e in part.entries if e.get("key") == key), None)


def entry_save(*, actor: Actor, plan_id, part_key: str, key: str | None, expected_version: int, values: dict):
    """Add an entry (key None) or replace one. Returns (part, key). Conflict if the part changed since
    `expected_version`; NotFound if the entry is gone; ValidationError with the entry's problems."""
    with transaction.atomic():
        spec, part = _entries_part(actor, plan_id, part_key, expected_version)
        values = {name: values.get(name) for name in spec.entries.names}
        items = [dict(e) for e in part.entries]
        title = spec.entries.title_of(values)
        if key is None:
            key = entries.new_key(items)
            items.append({"key": key, **values})
            reason = _("Added “%(title)s”") % {"title": title}
        else:
            index = next((i for i, e in enumerate(items) if e.get("key") == key), None)
            if index is None:
                raise NotFound()
            items[index] = {"key": key, **values}
            reason = _("Changed “%(title)s”") % {"title": title}
        saved = _save_entries(actor, spec, part, expected_version, items, reason)
    return saved, key


def entry_remove(*, actor: Actor, plan_id, part_key: str, key: str, expected_version: int):
    with transaction.atomic():
        spec, part = _entries_part(actor, plan_id, part_key, expected_version)
        entry = find_entry(part, key)
        if entry is None:
            raise NotFound()
        items = [dict(e) for e in part.entries if e.get("key") != key]
        reason = _("Removed “%(title)s”") % {"title": spec.entries.title_of(entry)}
        return _save_entries(actor, spec, part, expected_version, items, reason)


def entry_mark_verified(*, actor: Actor, plan_id, key: str, expected_version: int, today=None):
    """Record that an alert-list entry was checked today. Refused (Conflict) if the list changed since the
    editor opened it: they would confirm details they have not seen."""
    today = today or timezone.localdate()
    with transaction.atomic():
        spec, part = _entries_part(actor, plan_id, "alert_list", expected_version)
        entry = find_entry(part, key)
        if entry is None:
            raise NotFound()
        items = [
            dict(e, verified_on=today.isoformat()) if e.get("key") == key else dict(e) for e in part.entries
        ]
        reason = _("Verified “%(title)s”") % {"title": spec.entries.title_of(entry)}
        return _save_entries(actor, spec, part, expected_version, items, reason)


# --- action cards ----------------------------------------------------------------------------------------


def _link_types(actor: Actor, card: ActionCard, event_types) -> None:
    from samvirke.risk.selectors_regional import event_types_for

    chosen = {t.pk for t in event_types}
    allowed = set(event_types_for(actor).filter(pk__in=chosen).values_list("pk", flat=True))
    if chosen - allowed:
        raise ValidationError({"event_types": _("Choose event types of the shared library or your region.")})
    card.event_types.set(allowed)


def card_create(
    *, actor: Actor, plan_id, data: dict, events=(), event_types=(), shared_with=(), named_people=()
) -> ActionCard:
    plan = selectors.get_plan_for(actor, plan_id)
    with transaction.atomic():
        card = content_create(
            ActionCard,
            actor=actor,
            owner_id=plan.owner_id,
            data={**data, "plan": plan},
            shared_with=shared_with,
            named_people=named_people,
        )
        _link_events(actor, card, plan, events)
        _link_types(actor, card, event_types)
    return card


def card_update(
    *,
    actor: Actor,
    plan_id,
    card_id,
    expected_version: int,
    data: dict,
    events=None,
    event_types=None,
    shared_with=None,
    named_people=None,
) -> ActionCard:
    with transaction.atomic():
        plan = selectors.get_plan_for(actor, plan_id)
        card = selectors.get_card_for(actor, plan, card_id)
        ensure_can_edit(actor, card)
        saved = content_update(
            ActionCard,
            actor=actor,
            pk=card.pk,
            expected_version=expected_version,
            data=data,
            shared_with=shared_with,
            named_people=named_people,
        )
        if events is not None:
            _link_events(actor, saved, plan, events)
        if event_types is not None:
            _link_types(actor, saved, event_types)
    return saved


def card_delete(*, actor: Actor, plan_id, card_id, expected_version: int) -> str:
    """Remove an action card the plan no longer needs; its history stays (a last "removed" version).
    Refused (Conflict) if someone saved the card after the editor opened it: they would remove a card
    they have not seen. Returns the card's title for the message."""
    plan = selectors.get_plan_for(actor, plan_id)
    card = selectors.get_card_for(actor, plan, card_id)  # a card of this plan
    return content_delete(
        ActionCard,
        actor=actor,
        pk=card.pk,
        expected_version=expected_version,
        reason=_("Removed from the plan"),
    )


def card_restore(*, actor: Actor, plan_id, card_id, history_id: int) -> ActionCard:
    plan = selectors.get_plan_for(actor, plan_id)
    card = selectors.get_card_for(actor, plan, card_id)
    return content_restore(ActionCard, actor=actor, pk=card.pk, history_id=history_id)
