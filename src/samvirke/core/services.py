"""Generic writes for content records: create, update with conflict detection, restore from history.

Domain apps wrap these in their own `<entity>_<verb>` services, so one grep finds everything about an
entity, while the rules every content record shares (who may edit, versions, history, the
classification check) live here once.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from samvirke.core.access import AccessLevel, Actor
from samvirke.core.errors import Conflict, NotFound, PermissionDenied
from samvirke.core.visibility import get_visible

CONTENT_FIELDS = ("access_level", "exemption_basis")


def ensure_can_edit(actor: Actor, obj) -> None:
    if not actor.can_edit_for(obj.owner_id):
        raise PermissionDenied(_("Only the owner organisation's editors can change this record."))


def _check_sharing(actor: Actor, *, access_level: str, shared_with, named_people) -> None:
    from samvirke.organisations.models import Organisation

    errors = {}
    if shared_with:
        known = Organisation.objects.filter(
            pk__in=[o.pk for o in shared_with], region_id__in=actor.region_ids
        ).count()
        if known != len({o.pk for o in shared_with}):
            errors["shared_with"] = _("You can only share with organisations in your region.")
    if access_level == AccessLevel.RED and not named_people:
        errors["named_people"] = _("A TLP:RED record must name at least one person who may read it.")
    if errors:
        raise ValidationError(errors)


def content_create(
    model, *, actor: Actor, owner_id: int, data: dict, shared_with=(), named_people=(), reason=""
):
    """Create a content record owned by `owner_id`. The actor must be an editor there."""
    if not actor.can_edit_for(owner_id):
        raise PermissionDenied(_("You can only create records for organisations where you are an editor."))
    user_model = get_user_model()
    named = list(named_people)
    if data.get("access_level") == AccessLevel.RED and actor.user_id not in {u.pk for u in named}:
        named.append(user_model.objects.get(pk=actor.user_id))
    _check_sharing(actor, access_level=data.get("access_level"), shared_with=shared_with, named_people=named)
    with transaction.atomic():
        obj = model(owner_id=owner_id, created_by_id=actor.user_id, **data)
        obj.full_clean()
        obj._history_user = user_model(pk=actor.user_id)
        obj._change_reason = reason or _("Created")
        obj.save()
        obj.shared_with.set(shared_with)
        obj.named_people.set(named)
    return obj


def content_update(
    model,
    *,
    actor: Actor,
    pk,
    expected_version: int,
    data: dict,
    shared_with=None,
    named_people=None,
    reason="",
    via="web",
):
    """Update a record if nobody else saved it since `expected_version`; otherwise raise Conflict."""
    with transaction.atomic():
        obj = get_visible(model.objects.select_for_update(), actor, pk, action="read", via=via)
        ensure_can_edit(actor, obj)
        if obj.version != expected_version:
            raise Conflict(current=obj)
        for key, value in data.items():
            setattr(obj, key, value)
        level = data.get("access_level", obj.access_level)
        named = list(named_people) if named_people is not None else list(obj.named_people.all())
        if level == AccessLevel.RED and not named:
            named = [get_user_model().objects.get(pk=actor.user_id)]
        _check_sharing(
            actor,
            access_level=level,
            shared_with=list(shared_with) if shared_with is not None else list(obj.shared_with.all()),
            named_people=named,
        )
        obj.version += 1
        obj.full_clean()
        obj._history_user = get_user_model()(pk=actor.user_id)
        obj._change_reason = reason or _("Changed")
        obj.save()
        if shared_with is not None:
            obj.shared_with.set(shared_with)
        if named_people is not None or level == AccessLevel.RED:
            obj.named_people.set(named)
    return obj


def content_delete(model, *, actor: Actor, pk, expected_version: int, reason="", via="web") -> str:
    """Delete a record if nobody else saved it since `expected_version` (otherwise Conflict): the editor
    must not remove what they have not seen. Its history keeps a last version. Returns its title."""
    with transaction.atomic():
        obj = get_visible(model.objects.select_for_update(), actor, pk, action="read", via=via)
        ensure_can_edit(actor, obj)
        if obj.version != expected_version:
            raise Conflict(current=obj)
        obj._history_user = get_user_model()(pk=actor.user_id)
        obj._change_reason = reason or _("Deleted")
        title = str(obj)
        obj.delete()
    return title


def content_restore(model, *, actor: Actor, pk, history_id: int, via="web"):
    """Restore the fields of an earlier version. The restore itself becomes a new version in history."""
    with transaction.atomic():
        obj = get_visible(model.objects.select_for_update(), actor, pk, action="read", via=via)
        ensure_can_edit(actor, obj)
        record = obj.history.filter(history_id=history_id).first()
        if record is None:
            raise NotFound()
        skip = {"id", "version", "created_at", "updated_at", "created_by", "owner"}
        for field in model._meta.concrete_fields:
            if field.name in skip or not field.editable:
                continue
            setattr(obj, field.attname, getattr(record, field.attname))
        obj.version += 1
        obj.full_clean()
        obj._history_user = get_user_model()(pk=actor.user_id)
        when = formats.date_format(timezone.localtime(record.history_date), "SHORT_DATETIME_FORMAT")
        obj._change_reason = _("Restored version from %(date)s") % {"date": when}
        obj.save()
    return obj


def history_with_changes(obj):
    """The record's versions, newest first, each with the fields that changed from the one before."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id"))
    result = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changes = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=["version", "updated_at"])
            for change in delta.changes:
                field = obj._meta.get_field(change.field)
                changes.append({"field": field.verbose_name, "old": change.old, "new": change.new})
        result.append({"record": newer, "changes": changes})
    return result
