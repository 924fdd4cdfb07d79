"""Writes of the risk library: adapting an organisation's scale set, and the regional event types.

Copying a scale set is `services.scale_set_copy`. The rules here:

* A scale set is changed only by editors of the organisation that owns it; the shared defaults are never
  changed through the pages (copy them instead).
* **Changing a scale set in use never silently changes adopted results.** Events store their assessed
  result (services.assessment_result), but the scale still gives the result its meaning and the matrices
  their colours. So while an adopted analysis uses the set, everything that defines results is locked:
  likelihood classes (labels, intervals, probabilities), consequence levels (labels, thresholds, units) and
  the acceptance band cells. Names, descriptions and the bands' wording may still change. The refusal says
  to copy the set and change the copy.
* Analyses not yet adopted follow the scale: when the band cells change, their events' stored colours are
  recomputed in the same transaction (the edit page says how many analyses this touches).
* An event type belongs to a region (or to the national library, region empty, which is not edited here).
  Editors of any organisation in a region may add and change that region's types.
* Scale sets and event types have no version column; a fingerprint of what the form was built from stands
  in for it, so a concurrent save is a Conflict instead of a silent overwrite.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from samvirke.core.access import Actor
from samvirke.core.classification import validate_unclassified
from samvirke.core.errors import Conflict, PermissionDenied
from samvirke.risk import domain, selectors
from samvirke.risk.models import (
    AcceptanceBand,
    AnalysedEvent,
    ConsequenceLevel,
    EventType,
    LikelihoodClass,
    RiskAnalysis,
    RiskColour,
    ScaleSet,
)
from samvirke.risk.selectors_library import editable_region_ids, get_event_type_for, get_scale_set_for

LIKELIHOOD_FIELDS = ("label", "interval", "probability_low", "probability_high")
LEVEL_FIELDS = ("label", "lower", "upper", "unit")
PROBABILITY_MAX = Decimal(100)


# Field names shared with forms_library.ScaleSetForm, so errors land on the field that caused them.
def likelihood_field(position: int, name: str) -> str:
    return f"likelihood_{position}_{name}"


def level_field(level_id: int, name: str) -> str:
    return f"level_{level_id}_{name}"


def cell_field(likelihood: int, consequence: int) -> str:
    return f"cell_{likelihood}_{consequence}"


def meaning_field(colour: str) -> str:
    return f"meaning_{colour}"


def _fingerprint(value) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def scale_fingerprint(scale: dict) -> str:
    """A digest of everything the edit form shows (selectors.scale_of output)."""
    return _fingerprint(
        {
            "set": [scale["scale_set"].name, scale["scale_set"].description],
            "likelihoods": [
                [lc.position, *(getattr(lc, f) for f in LIKELIHOOD_FIELDS)] for lc in scale["likelihoods"]
            ],
            "levels": [
                [level.pk, *(getattr(level, f) for f in LEVEL_FIELDS)]
                for ctype in scale["types"]
                for level in ctype.levels.all()
            ],
            "bands": sorted([b.colour, b.meaning, sorted(map(tuple, b.cells))] for b in scale["bands"]),
        }
    )


def event_type_fingerprint(event_type: EventType) -> str:
    return _fingerprint([event_type.category, event_type.name, event_type.description])


def _classified(errors: dict, field: str, text: str) -> None:
    try:
        validate_unclassified(text or "")
    except ValidationError as error:
        errors.setdefault(field, []).append(error)


# --- scale sets ----------------------------------------------------------------------------------------


def in_adopted_use(scale_set: ScaleSet) -> bool:
    """Is the set used by an adopted analysis? Every analysis counts, readable by the caller or not: this is
    the rule that protects adopted results, and it answers only yes or no (nothing of an analysis is shown).
    """
    return RiskAnalysis.objects.filter(scale_set=scale_set, status=RiskAnalysis.Status.ADOPTED).exists()


def ensure_can_edit_scale_set(actor: Actor, scale_set: ScaleSet) -> None:
    if scale_set.owner_id is None:
        raise PermissionDenied(
            _(
                "The shared default scales cannot be changed. Copy the scale set to your organisation and "
                "change the copy."
            )
        )
    if not actor.can_edit_for(scale_set.owner_id):
        raise PermissionDenied(_("Only the owner organisation's editors can change this scale set."))


def scale_set_update(*, actor: Actor, slug: str, expected_fingerprint: str, data: dict) -> ScaleSet:
    """Change an organisation's scale set: names, classes, levels, thresholds, band wording and cells.

    `data`: {"name", "description", "likelihoods": {position: {field: value}}, "levels": {level id: {field:
    value}}, "meanings": {colour: text}, "cells": {(likelihood, consequence): colour}}; missing keys are left
    as they are. Raises NotFound (not readable), PermissionDenied (default set, not an editor of the owner),
    Conflict (changed since the form was built) or ValidationError (per field, keyed as in the form)."""
    with transaction.atomic():
        scale_set = get_scale_set_for(actor, slug)
        ensure_can_edit_scale_set(actor, scale_set)
        scale_set = ScaleSet.objects.select_for_update().get(pk=scale_set.pk)
        scale = selectors.scale_of(scale_set)
        if scale_fingerprint(scale) != expected_fingerprint:
            raise Conflict(
                _(
                    "Someone else changed this scale set after you opened it. Your changes are kept below: "
                    "check them against the saved scale and save again."
                )
            )
        errors: dict[str, list] = {}
        locked = in_adopted_use(scale_set)
        changed_results: list[str] = []

        name = (data.get("name", scale_set.name) or "").strip()
        if not name:
            errors.setdefault("name", []).append(_("Give the scale set a name."))
        _classified(errors, "name", name)
        description = data.get("description", scale_set.description) or ""
        _classified(errors, "description", description)

        likelihoods = {lc.position: lc for lc in scale["likelihoods"]}
        for position, values in sorted(data.get("likelihoods", {}).items()):
            lc = likelihoods.get(position)
            if lc is None:
                continue
            for field in LIKELIHOOD_FIELDS:
                if field in values and values[field] != getattr(lc, field):
                    setattr(lc, field, values[field])
                    changed_results.append(likelihood_field(position, field))
        previous = None
        for position, lc in sorted(likelihoods.items()):
            _check_label(errors, likelihood_field(position, "label"), lc.label)
            _classified(errors, likelihood_field(position, "interval"), lc.interval)
            low, high = lc.probability_low, lc.probability_high
            for field, value in (("probability_low", low), ("probability_high", high)):
                if value is not None and not Decimal(0) <= value <= PROBABILITY_MAX:
                    errors.setdefault(likelihood_field(position, field), []).append(
                        _("An annual probability is between 0 and 100 per cent.")
                    )
            if low is not None and high is not None and low > high:
                errors.setdefault(likelihood_field(position, "probability_high"), []).append(
                    _("The upper probability cannot be below the lower one.")
                )
            if (
                previous is not None
                and low is not None
                and previous.probability_high is not None
                and low < previous.probability_high
            ):
                errors.setdefault(likelihood_field(position, "probability_low"), []).append(
                    _(
                        "Class %(code)s must start where class %(previous)s ends or above: the classes "
                        "cannot overlap."
                    )
                    % {"code": lc.code, "previous": previous.code}
                )
            previous = lc

        levels = {level.pk: level for ctype in scale["types"] for level in ctype.levels.all()}
        for level_id, values in sorted(data.get("levels", {}).items()):
            level = levels.get(level_id)
            if level is None:
                continue
            for field in LEVEL_FIELDS:
                if field in values and values[field] != getattr(level, field):
                    setattr(level, field, values[field])
                    changed_results.append(level_field(level_id, field))
        for ctype in scale["types"]:
            previous = None
            for level in ctype.levels.all():
                _check_label(errors, level_field(level.pk, "label"), level.label)
                _classified(errors, level_field(level.pk, "unit"), level.unit)
                if level.lower is not None and level.upper is not None and level.lower > level.upper:
                    errors.setdefault(level_field(level.pk, "upper"), []).append(
                        _("The upper threshold cannot be below the lower one.")
                    )
                if (
                    previous is not None
                    and level.lower is not None
                    and previous.upper is not None
                    and level.lower < previous.upper
                ):
                    errors.setdefault(level_field(level.pk, "lower"), []).append(
                        _(
                            "Level %(code)s must start where level %(previous)s ends or above: the "
                            "levels cannot overlap."
                        )
                        % {"code": level.code, "previous": previous.code}
                    )
                previous = level

        cells = dict(scale["cells"])
        for key, colour in data.get("cells", {}).items():
            if colour not in RiskColour.values:
                errors.setdefault(cell_field(*key), []).append(_("Choose green, yellow or red."))
            elif cells.get(key) != colour:
                cells[key] = colour
                changed_results.append(cell_field(*key))
        for key in domain.milder_cells(cells):
            errors.setdefault(cell_field(*key), []).append(
                _(
                    "This cell is milder than a cell with lower likelihood or consequence. More risk cannot "
                    "be more acceptable."
                )
            )
        bands = {b.colour: b for b in scale["bands"]}
        meanings = data.get("meanings", {})
        for colour, meaning in meanings.items():
            if colour in bands:
                if not (meaning or "").strip():
                    errors.setdefault(meaning_field(colour), []).append(_("Say what this colour means."))
                _classified(errors, meaning_field(colour), meaning)

        if locked and changed_results:
            for field in changed_results:
                errors.setdefault(field, []).append(_("Locked: an adopted analysis uses this scale set."))
            errors.setdefault("__all__", []).insert(
                0,
                _(
                    "This scale set is used by an adopted analysis. Changing its classes, levels, thresholds "
                    "or colours would change adopted results, so those changes were not saved. Copy the "
                    "scale set and change the copy instead."
                ),
            )
        if errors:
            raise ValidationError(errors)

        scale_set.name, scale_set.description = name, description
        scale_set.save(update_fields=["name", "description"])
        LikelihoodClass.objects.bulk_update(likelihoods.values(), list(LIKELIHOOD_FIELDS))
        ConsequenceLevel.objects.bulk_update(levels.values(), list(LEVEL_FIELDS))
        cells_changed = cells != scale["cells"]
        for colour in RiskColour.values:
            members = sorted([list(key) for key, value in cells.items() if value == colour])
            band = bands.get(colour)
            meaning = meanings.get(colour, band.meaning if band else "")
            if band is None:
                if members:
                    AcceptanceBand.objects.create(
                        scale_set=scale_set,
                        colour=colour,
                        meaning=meaning or str(RiskColour(colour).label),
                        cells=members,
                    )
                continue
            band.cells, band.meaning = members, meaning
            band.save(update_fields=["cells", "meaning"])
        if cells_changed:
            _recolour_open_events(scale_set, cells, user_id=actor.user_id)
    return scale_set


def _check_label(errors: dict, field: str, label: str) -> None:
    if not (label or "").strip():
        errors.setdefault(field, []).append(_("Give a label."))
    _classified(errors, field, label)


def _recolour_open_events(scale_set: ScaleSet, cells: dict, *, user_id: int | None) -> None:
    """Stored colours of events in analyses not yet adopted follow the new bands (positions do not move).

    Reads every such event, readable by the editor or not (this file is on the source-scan allow-list:
    nothing is shown); the new colours are written with a history entry each, like any other change."""
    events = list(
        AnalysedEvent.objects.filter(
            analysis_id__in=RiskAnalysis.objects.filter(scale_set=scale_set)
            .exclude(status=RiskAnalysis.Status.ADOPTED)
            .values("pk"),
            likelihood_position__isnull=False,
            consequence_position__isnull=False,
        )
    )
    changed = []
    for event in events:
        colour = domain.colour_for(cells, event.likelihood_position, event.consequence_position)
        if colour != event.risk_colour:
            event.risk_colour = colour
            changed.append(event)
    bulk_update_with_history(
        changed,
        AnalysedEvent,
        ["risk_colour"],
        default_user=get_user_model().objects.filter(pk=user_id).first() if changed and user_id else None,
        default_change_reason=_("The scale set's colours were changed"),
    )


# --- event types ---------------------------------------------------------------------------------------


def _check_event_type(errors: dict, *, region_id, name: str, description: str, category: str, exclude=None):
    if category not in EventType.Category.values:
        errors.setdefault("category", []).append(_("Choose a category."))
    if not name:
        errors.setdefault("name", []).append(_("Give the event type a name."))
    elif len(name) > EventType._meta.get_field("name").max_length:
        errors.setdefault("name", []).append(_("The name is too long."))
    else:
        same = EventType.objects.filter(Q(region__isnull=True) | Q(region_id=region_id), name__iexact=name)
        if exclude is not None:
            same = same.exclude(pk=exclude)
        if same.exists():
            errors.setdefault("name", []).append(
                _("There is already an event type with this name in the national library or in the region.")
            )
    _classified(errors, "name", name)
    _classified(errors, "description", description)


def event_type_create(*, actor: Actor, region_id: int, data: dict) -> EventType:
    """Add an event type to a region where the actor is an editor."""
    if region_id not in editable_region_ids(actor):
        raise PermissionDenied(_("You can only add event types to a region where you are an editor."))
    name = (data.get("name") or "").strip()
    description = data.get("description") or ""
    category = data.get("category") or ""
    errors: dict[str, list] = {}
    with transaction.atomic():
        _check_event_type(errors, region_id=region_id, name=name, description=description, category=category)
        if errors:
            raise ValidationError(errors)
        return EventType.objects.create(
            region_id=region_id, category=category, name=name, description=description
        )


def ensure_can_edit_event_type(actor: Actor, event_type: EventType) -> None:
    if event_type.region_id is None:
        raise PermissionDenied(
            _("The national event types cannot be changed here. Add an event type to your region instead.")
        )
    if event_type.region_id not in editable_region_ids(actor):
        raise PermissionDenied(_("Only editors in the event type's region can change it."))


def event_type_update(*, actor: Actor, event_type_id, expected_fingerprint: str, data: dict) -> EventType:
    """Change a regional event type (not its region). National types are not changed here."""
    with transaction.atomic():
        event_type = get_event_type_for(actor, event_type_id)
        ensure_can_edit_event_type(actor, event_type)
        event_type = EventType.objects.select_for_update().get(pk=event_type.pk)
        if event_type_fingerprint(event_type) != expected_fingerprint:
            raise Conflict(
                _(
                    "Someone else changed this event type after you opened it. Your changes are kept below: "
                    "check them and save again."
                )
            )
        name = (data.get("name", event_type.name) or "").strip()
        description = data.get("description", event_type.description) or ""
        category = data.get("category", event_type.category) or ""
        errors: dict[str, list] = {}
        _check_event_type(
            errors,
            region_id=event_type.region_id,
            name=name,
            description=description,
            category=category,
            exclude=event_type.pk,
        )
        if errors:
            raise ValidationError(errors)
        event_type.name, event_type.description, event_type.category = name, description, category
        event_type.save(update_fields=["name", "description", "category"])
    return event_type
