"""Writes of a region's own rules (local rule sets). National rule sets are reference data loaded by
plans.defaults and are never changed here.

Who: the region's regional coordinators and administrators (the coordinator or administrator role in any
organisation of the region); other members read the rules (403 on writes), members of other regions get
404. Every rule is checked by `Rule.full_clean` (plans.domain.check_rule: an impossible cadence is refused
with the reason). Changes are kept with who made them (django-simple-history) and a fingerprint of the
values the editor saw turns a concurrent change into a Conflict instead of a silent overwrite. After every
change the region's due items are derived again (plans.due.refresh_due_items) in the same transaction, so
the survey, the register and the reminders follow at once. Rules are retired (inactive), never deleted,
so done items and history keep their rule.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samvirke.core.access import Actor, Role
from samvirke.core.errors import Conflict, NotFound, PermissionDenied
from samvirke.organisations.models import Organisation, Region
from samvirke.plans.due import refresh_due_items
from samvirke.plans.models import Rule, RuleSet

#: The roles that may change a region's own rules, held in any organisation of the region.
RULE_EDITOR_ROLES = frozenset({Role.REGIONAL_COORDINATOR, Role.ADMINISTRATOR})
RULE_FIELDS = (
    "title", "activity", "document_type", "cadence", "months", "due_month", "due_day", "reminder_offsets",
    "escalate_after_days", "legal_reference", "effective_from",
)  # fmt: skip
RULE_SET_FIELDS = ("name", "source", "description")


def can_edit_rules(actor: Actor, region_id: int) -> bool:
    """Does the actor hold the coordinator or administrator role in an organisation of this region?"""
    if not actor.is_verified or region_id not in actor.region_ids:
        return False
    candidates = [org for org, roles in actor.roles.items() if roles & RULE_EDITOR_ROLES]
    return bool(candidates) and Organisation.objects.filter(pk__in=candidates, region_id=region_id).exists()


def ensure_can_edit_rules(actor: Actor, region: Region) -> None:
    if not can_edit_rules(actor, region.pk):
        raise PermissionDenied(
            _("Only the region's coordinators and administrators can change its rules. Ask them to do it.")
        )


def _fingerprint(values) -> str:
    return hashlib.sha256(json.dumps(values, default=str, sort_keys=True).encode()).hexdigest()[:32]


def rule_fingerprint(rule: Rule) -> str:
    values = [getattr(rule, "document_type_id" if f == "document_type" else f) for f in RULE_FIELDS]
    return _fingerprint([*values, rule.active])


def rule_set_fingerprint(rule_set: RuleSet) -> str:
    return _fingerprint([getattr(rule_set, f) for f in RULE_SET_FIELDS] + [rule_set.active])


def local_rule_set_for(region: Region, rule_set_id, *, lock=False) -> RuleSet:
    queryset = RuleSet.objects.filter(region=region)
    if lock:
        queryset = queryset.select_for_update()
    try:
        rule_set = queryset.filter(pk=int(rule_set_id)).first()
    except (TypeError, ValueError):
        rule_set = None
    if rule_set is None:
        raise NotFound()
    return rule_set


def local_rule_for(region: Region, rule_id, *, lock=False) -> Rule:
    queryset = Rule.objects.filter(rule_set__region=region).select_related("rule_set", "document_type")
    if lock:
        # Only the rule's own row: PostgreSQL refuses FOR UPDATE on the nullable side of the outer join
        # (document_type).
        queryset = queryset.select_for_update(of=("self",))
    try:
        rule = queryset.filter(pk=int(rule_id)).first()
    except (TypeError, ValueError):
        rule = None
    if rule is None:
        raise NotFound()
    return rule


def _rederive(region: Region) -> dict:
    """The region's due items again, from all rules that now apply (see plans.due)."""
    municipalities = Organisation.objects.filter(region=region, kind=Organisation.Kind.MUNICIPALITY)
    return refresh_due_items(organisation_ids=list(municipalities.values_list("pk", flat=True)))


def _by(actor: Actor, obj, reason: str) -> None:
    obj._history_user = get_user_model()(pk=actor.user_id)
    obj._change_reason = reason


def _unique_code(model, base: str, **scope) -> str:
    base = (slugify(base) or "rule")[:50]
    code, n = base, 2
    while model.objects.filter(code=code, **scope).exists():
        code, n = f"{base}-{n}"[:60], n + 1
    return code


def rule_set_create(*, actor: Actor, region: Region, data: dict) -> RuleSet:
    """A new local rule set of the region (for Norway, Sweden or both)."""
    ensure_can_edit_rules(actor, region)
    with transaction.atomic():
        rule_set = RuleSet(
            region=region,
            code=_unique_code(RuleSet, f"{region.slug}-{data.get('name', '')}"),
            country=data.get("country", ""),
            **{f: data.get(f, "") for f in RULE_SET_FIELDS},
        )
        rule_set.full_clean()
        _by(actor, rule_set, _("Created"))
        rule_set.save()
    return rule_set


def rule_set_update(
    *, actor: Actor, region: Region, rule_set_id, expected_fingerprint: str, data: dict
) -> RuleSet:
    """Change a local rule set's name, source, description or whether it is in use (not its country: its
    rules are checked against it). Re-derives the region's due items when it is retired or taken back."""
    ensure_can_edit_rules(actor, region)
    with transaction.atomic():
        rule_set = local_rule_set_for(region, rule_set_id, lock=True)
        if rule_set_fingerprint(rule_set) != expected_fingerprint:
            raise Conflict(
                _("Someone else changed this rule set after you opened it. Check it and save again.")
            )
        was_active = rule_set.active
        for field in (*RULE_SET_FIELDS, "active"):
            if field in data:
                setattr(rule_set, field, data[field])
        rule_set.full_clean()
        _by(actor, rule_set, _("Changed"))
        rule_set.save()
        if rule_set.active != was_active:
            _rederive(region)
    return rule_set


def rule_create(*, actor: Actor, region: Region, rule_set_id, data: dict) -> Rule:
    """Add a rule to a local rule set; ValidationError with the reasons if it is impossible."""
    ensure_can_edit_rules(actor, region)
    with transaction.atomic():
        rule_set = local_rule_set_for(region, rule_set_id)
        rule = Rule(rule_set=rule_set, code=_unique_code(Rule, data.get("title", ""), rule_set=rule_set))
        for field in RULE_FIELDS:
            if field in data:
                setattr(rule, field, data[field])
        rule.full_clean()
        _by(actor, rule, _("Created"))
        rule.save()
        _rederive(region)
    return rule


def rule_update(*, actor: Actor, region: Region, rule_id, expected_fingerprint: str, data: dict) -> Rule:
    """Change a local rule; Conflict if it changed since the editor opened it (the fingerprint)."""
    ensure_can_edit_rules(actor, region)
    with transaction.atomic():
        rule = local_rule_for(region, rule_id, lock=True)
        if rule_fingerprint(rule) != expected_fingerprint:
            raise Conflict(_("Someone else changed this rule after you opened it. Check it and save again."))
        for field in RULE_FIELDS:
            if field in data:
                setattr(rule, field, data[field])
        rule.full_clean()
        _by(actor, rule, _("Changed"))
        rule.save()
        _rederive(region)
    return rule


def rule_set_active(*, actor: Actor, region: Region, rule_id, active: bool) -> Rule:
    """Retire a local rule (nothing more is due under it) or take it back into use."""
    ensure_can_edit_rules(actor, region)
    with transaction.atomic():
        rule = local_rule_for(region, rule_id, lock=True)
        if rule.active != active:
            rule.active = active
            _by(actor, rule, _("Retired") if not active else _("Taken back into use"))
            rule.save()
            _rederive(region)
    return rule
