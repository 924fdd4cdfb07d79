"""Writes of risk analyses, analysed events and measures, over the shared content services.

Events and measures belong to an analysis: they are owned by the analysis' owner, their access level
defaults to the analysis' level, and they are created only under an analysis the actor can read and edit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samvirke.core import services as content
from samvirke.core.access import Actor
from samvirke.core.errors import PermissionDenied
from samvirke.risk import domain, selectors, versions
from samvirke.risk.models import (
    AcceptanceBand,
    AnalysedEvent,
    ConsequenceAssessment,
    ConsequenceType,
    LikelihoodClass,
    Measure,
    RiskAnalysis,
    ScaleSet,
)

ANALYSIS_FIELDS = (
    "title", "kind", "sector", "scope", "method", "period_start", "period_end", "status", "adopted_on",
    "adopted_by", "case_number", "body", "scale_set", "access_level", "exemption_basis",
)  # fmt: skip
EVENT_FIELDS = (
    "title", "event_type", "scenario", "comparable_events", "causes", "barriers", "likelihood",
    "likelihood_reasoning", "vulnerability", "knowledge_strength", "sensitivity", "sources",
    "cross_municipal", "cross_border", "access_level", "exemption_basis",
)  # fmt: skip
MEASURE_FIELDS = (
    "title", "description", "responsible", "deadline", "cost_estimate", "status", "likelihood_reduction",
    "consequence_reduction", "access_level", "exemption_basis",
)  # fmt: skip


def _pick(data, fields):
    return {k: data[k] for k in fields if k in data}


# --- analyses --------------------------------------------------------------------------------------------


def analysis_create(
    *, actor: Actor, owner_id: int, data: dict, requirements=(), shared_with=(), named_people=()
):
    with transaction.atomic():
        analysis = content.content_create(
            RiskAnalysis,
            actor=actor,
            owner_id=owner_id,
            data=_pick(data, ANALYSIS_FIELDS),
            shared_with=shared_with,
            named_people=named_people,
        )
        _set_requirements(analysis, requirements)
    return analysis


def analysis_update(
    *, actor: Actor, analysis_id, expected_version: int, data: dict, requirements=None, shared_with=None,
    named_people=None,
):  # fmt: skip
    with transaction.atomic():
        analysis = content.content_update(
            RiskAnalysis,
            actor=actor,
            pk=analysis_id,
            expected_version=expected_version,
            data=_pick(data, ANALYSIS_FIELDS),
            shared_with=shared_with,
            named_people=named_people,
        )
        if requirements is not None:
            _set_requirements(analysis, requirements)
        # Adoption freezes a version (risk.versions), in the same transaction as the save.
        versions.freeze_on_adoption(analysis, user_id=actor.user_id)
    return analysis


def _set_requirements(analysis, requirements):
    wrong = [r for r in requirements if r.country != analysis.country]
    if wrong:
        raise ValidationError(
            {"covered_requirements": _("These requirements do not apply to this kind of analysis.")}
        )
    analysis.covered_requirements.set(requirements)


# --- events ----------------------------------------------------------------------------------------------


def assessment_result(
    analysis: RiskAnalysis, data: dict, consequences: dict, cells=None
) -> tuple[dict, list]:
    """Check the scores against the analysis' scale and compute the stored result.

    `consequences` is {ConsequenceType: (ConsequenceLevel or None, reasoning)}. Returns the computed
    fields for the event and the assessments to write."""
    errors: dict[str, list] = {}
    likelihood = data.get("likelihood")
    if likelihood is not None:
        if likelihood.scale_set_id != analysis.scale_set_id:
            errors.setdefault("likelihood", []).append(
                _("This likelihood class is not on the analysis' scale.")
            )
        elif not (data.get("likelihood_reasoning") or "").strip():
            errors.setdefault("likelihood_reasoning", []).append(_("Give the reasoning for the likelihood."))
    rows, positions = [], []
    for ctype, (level, reasoning) in consequences.items():
        if level is None:
            continue
        field = f"consequence_{ctype.code}"
        if ctype.scale_set_id != analysis.scale_set_id or level.consequence_type_id != ctype.pk:
            errors.setdefault(field, []).append(_("This consequence level is not on the analysis' scale."))
            continue
        try:
            domain.check_position(level.position)
        except domain.ScaleError:
            errors.setdefault(field, []).append(_("This consequence level is not on the analysis' scale."))
            continue
        if not (reasoning or "").strip():
            errors.setdefault(f"reasoning_{ctype.code}", []).append(
                _("Give the reasoning for the consequence “%(type)s”.") % {"type": ctype.name}
            )
        rows.append((ctype, level, reasoning))
        positions.append(level.position)
    if errors:
        raise ValidationError(errors)
    computed = {
        "likelihood_position": None,
        "consequence_position": None,
        "risk_score": None,
        "risk_colour": "",
    }
    consequence = domain.combined_consequence(positions)
    if likelihood is not None:
        computed["likelihood_position"] = likelihood.position
    if consequence is not None:
        computed["consequence_position"] = consequence
    if likelihood is not None and consequence is not None:
        if cells is None:
            bands = AcceptanceBand.objects.filter(scale_set_id=analysis.scale_set_id)
            cells = domain.band_map({b.colour: b.cells for b in bands})
        computed["risk_score"] = domain.risk_score(likelihood.position, consequence)
        computed["risk_colour"] = domain.colour_for(cells, likelihood.position, consequence)
    return computed, rows


def assessments_write(event, rows, *, new=False):
    if not new:
        event.assessments.all().delete()
    ConsequenceAssessment.objects.bulk_create(
        ConsequenceAssessment(event=event, consequence_type=ctype, level=level, reasoning=reasoning)
        for ctype, level, reasoning in rows
    )


def event_create(
    *, actor: Actor, analysis_id, data: dict, consequences=None, affected_municipalities=(),
    critical_functions=(), shared_with=(), named_people=(), via="web",
):  # fmt: skip
    """Add an analysed event to an analysis the actor can read and edit; its owner is the analysis' owner."""
    analysis = selectors.get_analysis_for(actor, analysis_id, via=via)
    content.ensure_can_edit(actor, analysis)
    fields = _pick(data, EVENT_FIELDS)
    fields.setdefault("access_level", analysis.access_level)
    with transaction.atomic():
        computed, rows = assessment_result(analysis, fields, consequences or {})
        event = content.content_create(
            AnalysedEvent,
            actor=actor,
            owner_id=analysis.owner_id,
            data={**fields, **computed, "analysis": analysis},
            shared_with=shared_with,
            named_people=named_people,
        )
        assessments_write(event, rows)
        event.affected_municipalities.set(affected_municipalities)
        event.critical_functions.set(critical_functions)
    return event


def event_update(
    *, actor: Actor, analysis_id, event_id, expected_version: int, data: dict, consequences=None,
    affected_municipalities=None, critical_functions=None, shared_with=None, named_people=None, reason="",
    via="web",
):  # fmt: skip
    """Change an event and its assessment. A concurrent save raises Conflict (nothing is written).
    `reason` is the change reason shown in the history (default "Changed")."""
    event = selectors.get_event_for(actor, analysis_id, event_id, via=via)
    content.ensure_can_edit(actor, event)
    fields = _pick(data, EVENT_FIELDS)
    with transaction.atomic():
        if consequences is None:
            consequences = {
                a.consequence_type: (a.level, a.reasoning)
                for a in event.assessments.select_related("consequence_type", "level")
            }
        merged = {
            "likelihood": event.likelihood,
            "likelihood_reasoning": event.likelihood_reasoning,
            **fields,
        }
        computed, rows = assessment_result(event.analysis, merged, consequences)
        event = content.content_update(
            AnalysedEvent,
            actor=actor,
            pk=event.pk,
            via=via,
            expected_version=expected_version,
            data={**fields, **computed},
            shared_with=shared_with,
            named_people=named_people,
            reason=reason,
        )
        assessments_write(event, rows)
        if affected_municipalities is not None:
            event.affected_municipalities.set(affected_municipalities)
        if critical_functions is not None:
            event.critical_functions.set(critical_functions)
    return event


# --- measures --------------------------------------------------------------------------------------------


def _check_events(analysis, events):
    if any(e.analysis_id != analysis.pk for e in events):
        raise ValidationError({"events": _("A measure can only mitigate events of its own analysis.")})


def measure_create(*, actor: Actor, analysis_id, data: dict, events=(), shared_with=(), named_people=()):
    analysis = selectors.get_analysis_for(actor, analysis_id)
    content.ensure_can_edit(actor, analysis)
    fields = _pick(data, MEASURE_FIELDS)
    fields.setdefault("access_level", analysis.access_level)
    _check_events(analysis, events)
    with transaction.atomic():
        measure = content.content_create(
            Measure,
            actor=actor,
            owner_id=analysis.owner_id,
            data={**fields, "analysis": analysis},
            shared_with=shared_with,
            named_people=named_people,
        )
        measure.events.set(events)
    return measure


def measure_update(
    *, actor: Actor, analysis_id, measure_id, expected_version: int, data: dict, events=None,
    shared_with=None, named_people=None,
):  # fmt: skip
    measure = selectors.get_measure_for(actor, analysis_id, measure_id)
    content.ensure_can_edit(actor, measure)
    if events is not None:
        _check_events(measure.analysis, events)
    with transaction.atomic():
        measure = content.content_update(
            Measure,
            actor=actor,
            pk=measure.pk,
            expected_version=expected_version,
            data=_pick(data, MEASURE_FIELDS),
            shared_with=shared_with,
            named_people=named_people,
        )
        if events is not None:
            measure.events.set(events)
    return measure


# --- scales ----------------------------------------------------------------------------------------------


def scale_set_copy(*, actor: Actor, scale_set_id, owner_id: int, name: str) -> ScaleSet:
    """Copy a scale set for an organisation to adapt. Analyses keep pointing at the set they used."""
    if not actor.can_edit_for(owner_id):
        raise PermissionDenied(_("You can only create records for organisations where you are an editor."))
    source = selectors.scale_sets_for(actor).filter(pk=scale_set_id).first()
    if source is None:
        from samvirke.core.errors import NotFound

        raise NotFound()
    with transaction.atomic():
        copy = ScaleSet.objects.create(
            slug=f"{source.slug}-{owner_id}-{ScaleSet.objects.count() + 1}",
            name=name,
            kind=source.kind,
            description=source.description,
            owner_id=owner_id,
            copied_from=source,
        )
        for lc in LikelihoodClass.objects.filter(scale_set=source):
            lc.pk, lc.scale_set = None, copy
            lc.save()
        for ctype in ConsequenceType.objects.filter(scale_set=source).prefetch_related("levels"):
            levels = list(ctype.levels.all())
            ctype.pk, ctype.scale_set = None, copy
            ctype.save()
            for level in levels:
                level.pk, level.consequence_type = None, ctype
                level.save()
        for band in AcceptanceBand.objects.filter(scale_set=source):
            band.pk, band.scale_set = None, copy
            band.save()
    return copy
