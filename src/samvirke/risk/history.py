"""History and restore of analyses, events and measures, over core.services (history_with_changes and
content_restore), with values readable by people: choices and scale classes by name, not by code or id.

Every function takes a record already fetched through the chokepoint (selectors.get_analysis_for /
get_event_for / get_measure_for), or fetches it that way itself.

Restoring an event goes through services.event_update instead of content_restore, so the stored risk
result is computed again from the restored likelihood (one new version, with the conflict check).
Consequence assessments and links (measures ↔ events, critical functions) are not versioned; a restore
keeps them as they are now.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from samvirke.core import services as content
from samvirke.core.access import Actor
from samvirke.core.errors import NotFound
from samvirke.risk import selectors, services, versions
from samvirke.risk.models import (
    AnalysedEvent,
    EventType,
    LikelihoodClass,
    Measure,
    RiskAnalysis,
    ScaleSet,
    Sector,
)

#: Foreign keys a history can show, and the reference data they point to (no content).
_REFERENCES = {
    "likelihood": LikelihoodClass,
    "event_type": EventType,
    "scale_set": ScaleSet,
    "sector": Sector,
}


def readable_history(obj) -> list[dict]:
    """history_with_changes(obj) with readable values. One query per kind of reference shown."""
    versions_ = content.history_with_changes(obj)
    by_label = {str(f.verbose_name): f for f in type(obj)._meta.concrete_fields}
    wanted: dict[str, set] = {}
    for version in versions_:
        for change in version["changes"]:
            field = by_label.get(str(change["field"]))
            change["name"] = field.name if field else ""
            if change["name"] in _REFERENCES:
                wanted.setdefault(change["name"], set()).update({change["old"], change["new"]} - {None})
    names = {
        name: {o.pk: _reference_label(o) for o in _REFERENCES[name].objects.filter(pk__in=ids)}
        for name, ids in wanted.items()
    }
    for version in versions_:
        for change in version["changes"]:
            field = by_label.get(str(change["field"]))
            for side in ("old", "new"):
                change[side] = _readable(field, change[side], names.get(change["name"], {}))
    return versions_


def _reference_label(obj) -> str:
    if isinstance(obj, LikelihoodClass):
        return f"{obj.code} – {obj.label}"
    return str(obj)


def _readable(field, value, names: dict):
    if value is None or value == "":
        return ""
    if field is None:
        return value
    if field.name in _REFERENCES:
        return names.get(value, value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value


# --- restore -----------------------------------------------------------------------------------------------


def analysis_restore(*, actor: Actor, analysis_id, history_id: int) -> RiskAnalysis:
    """Write an earlier version's fields back as a new version. Restoring an adopted version is an
    adoption: it freezes a version like any other (versions.freeze_on_adoption)."""
    with transaction.atomic():
        analysis = content.content_restore(RiskAnalysis, actor=actor, pk=analysis_id, history_id=history_id)
        versions.freeze_on_adoption(analysis, user_id=actor.user_id)
    return analysis


def event_restore(*, actor: Actor, analysis_id, event_id, history_id: int) -> AnalysedEvent:
    """Write an earlier version of an event back through services.event_update (risk recomputed)."""
    event = selectors.get_event_for(actor, analysis_id, event_id)
    content.ensure_can_edit(actor, event)
    record = event.history.filter(history_id=_int(history_id)).first()
    if record is None:
        raise NotFound()
    data = {name: getattr(record, name) for name in services.EVENT_FIELDS if name != "likelihood"}
    data["event_type"] = EventType.objects.filter(pk=record.event_type_id).first()
    data["likelihood"] = LikelihoodClass.objects.filter(pk=record.likelihood_id).first()
    when = formats.date_format(timezone.localtime(record.history_date), "SHORT_DATETIME_FORMAT")
    return services.event_update(
        actor=actor,
        analysis_id=event.analysis_id,
        event_id=event.pk,
        expected_version=event.version,
        data=data,
        reason=_("Restored version from %(date)s") % {"date": when},
    )


def measure_restore(*, actor: Actor, analysis_id, measure_id, history_id: int) -> Measure:
    measure = selectors.get_measure_for(actor, analysis_id, measure_id)
    return content.content_restore(Measure, actor=actor, pk=measure.pk, history_id=_int(history_id))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
