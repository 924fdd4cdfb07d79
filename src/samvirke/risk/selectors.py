"""Reads of risk analyses, analysed events and measures. Every one starts from the chokepoint.

An event or measure is readable only if it is visible itself AND its analysis is visible: events and
measures are fetched through `RiskAnalysis.objects.visible_to(actor)` (one uncorrelated subquery).
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from samvirke.core.access import Actor
from samvirke.core.visibility import get_visible
from samvirke.risk import domain
from samvirke.risk.models import (
    AnalysedEvent,
    ConsequenceAssessment,
    ConsequenceType,
    EventType,
    KnowledgeStrength,
    LikelihoodClass,
    Measure,
    Requirement,
    RiskAnalysis,
    RiskColour,
    ScaleSet,
)


def analyses_visible_to(actor: Actor):
    return RiskAnalysis.objects.visible_to(actor).prefetch_related("owner").order_by("-created_at", "-id")


def get_analysis_for(actor: Actor, analysis_id, *, action="read", via="web") -> RiskAnalysis:
    return get_visible(
        RiskAnalysis.objects.select_related("owner", "created_by", "scale_set", "sector"),
        actor,
        analysis_id,
        action=action,
        via=via,
    )


def events_visible_to(actor: Actor):
    """Events the actor may read: visible themselves, in an analysis the actor may read."""
    return AnalysedEvent.objects.visible_to(actor).filter(
        analysis_id__in=RiskAnalysis.objects.visible_to(actor).values("pk")
    )


def measures_visible_to(actor: Actor):
    return Measure.objects.visible_to(actor).filter(
        analysis_id__in=RiskAnalysis.objects.visible_to(actor).values("pk")
    )


def regional_events_for(actor: Actor, filters):
    """Events of one region's organisations the actor may read (the event visible AND its analysis
    visible), narrowed by `filters` (a selectors_regional.RegionalFilters). A region the actor is not a
    member of gives nothing. One query when evaluated; every filter is a column test or an uncorrelated
    subquery, so the matrix can be aggregated in SQL (selectors_regional.regional_matrix)."""
    from samvirke.organisations.models import Organisation

    if filters.region_id not in actor.region_ids:
        return AnalysedEvent.objects.none()
    events = events_visible_to(actor).filter(
        owner_id__in=Organisation.objects.filter(region_id=filters.region_id).values("pk")
    )
    if filters.owner_id:
        events = events.filter(owner_id=filters.owner_id)
    if filters.event_type_id:
        events = events.filter(event_type_id=filters.event_type_id)
    if filters.category:
        events = events.filter(
            event_type_id__in=EventType.objects.filter(category=filters.category).values("pk")
        )
    if filters.kind:
        events = events.filter(
            analysis_id__in=RiskAnalysis.objects.visible_to(actor).filter(kind=filters.kind).values("pk")
        )
    if filters.consequence_type:
        events = events.filter(
            pk__in=ConsequenceAssessment.objects.filter(
                consequence_type__code=filters.consequence_type
            ).values("event_id")
        )
    if filters.cross_municipal:
        events = events.filter(cross_municipal=True)
    if filters.cross_border:
        events = events.filter(cross_border=True)
    return events


def get_event_for(actor: Actor, analysis_id, event_id, *, action="read", via="web") -> AnalysedEvent:
    # get_visible applies AnalysedEvent.visible_to; the filter adds "and its analysis is visible".
    queryset = AnalysedEvent.objects.select_related(
        "analysis", "analysis__scale_set", "owner", "likelihood", "event_type"
    ).filter(
        analysis_id__in=RiskAnalysis.objects.visible_to(actor).values("pk"),
        analysis_id=_int_or_none(analysis_id),
    )
    return get_visible(queryset, actor, event_id, action=action, via=via)


def get_measure_for(actor: Actor, analysis_id, measure_id, *, action="read", via="web") -> Measure:
    queryset = Measure.objects.select_related("analysis", "owner").filter(
        analysis_id__in=RiskAnalysis.objects.visible_to(actor).values("pk"),
        analysis_id=_int_or_none(analysis_id),
    )
    return get_visible(queryset, actor, measure_id, action=action, via=via)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- scales ---------------------------------------------------------------------------------------------


def scale_sets_for(actor: Actor):
    """Shared default sets and the copies owned by the actor's organisations."""
    return ScaleSet.objects.filter(Q(owner__isnull=True) | Q(owner_id__in=list(actor.organisation_ids)))


def scale_of(scale_set: ScaleSet) -> dict:
    """Everything about a scale set the pages need, in four queries."""
    likelihoods = list(LikelihoodClass.objects.filter(scale_set=scale_set).order_by("position"))
    types = list(
        ConsequenceType.objects.filter(scale_set=scale_set)
        .prefetch_related("levels")
        .order_by("position", "id")
    )
    bands = list(scale_set.acceptance_bands.all())
    cells = domain.band_map({b.colour: b.cells for b in bands})
    return {
        "scale_set": scale_set,
        "likelihoods": likelihoods,
        "types": types,
        "bands": bands,
        "cells": cells,
        "meanings": {b.colour: b.meaning for b in bands},
    }


# --- pages -----------------------------------------------------------------------------------------------


def _of_readable_analysis(model, actor: Actor, analysis: RiskAnalysis):
    """Events or measures of an analysis already fetched through get_analysis_for: the analysis is known to
    be readable, so only the records' own level is left to the chokepoint."""
    return model.objects.visible_to(actor).filter(analysis_id=analysis.pk)


#: An analysed event's long DSB texts, which lists of events do not show.
EVENT_FORM_TEXT = (
    "scenario", "comparable_events", "causes", "barriers", "likelihood_reasoning", "vulnerability",
    "sensitivity", "sources",
)  # fmt: skip


def analysis_detail(actor: Actor, analysis: RiskAnalysis) -> dict:
    """The analysis page: events with their colours, measures (overdue flagged), missing requirements.
    A fixed number of queries whatever the number of events and measures.

    `analysis` must come from get_analysis_for (so the actor may read it): its events and measures then
    need only their own level checked, which spares compiling the analysis rule three more times (about a
    third of this function's time at 80 events; bench/risk.py)."""
    events = list(
        _of_readable_analysis(AnalysedEvent, actor, analysis)
        .select_related("likelihood", "event_type")
        .defer(*EVENT_FORM_TEXT)  # the page lists events; their DSB texts are on the event page
        .order_by("id")
    )
    # Only the events the actor may read: a measure's links must not reveal a stricter event's title.
    linked = _of_readable_analysis(AnalysedEvent, actor, analysis).only("id", "title").order_by("id")
    measures = list(
        _of_readable_analysis(Measure, actor, analysis)
        .prefetch_related(Prefetch("events", queryset=linked))
        .order_by("deadline", "id")
    )
    today = timezone.localdate()
    # Choice labels looked up once per value: Django's get_FOO_display rebuilds the choices for every call,
    # which was a fifth of this page's time at 80 events.
    risk_labels = dict(RiskColour.choices)
    knowledge_labels = dict(KnowledgeStrength.choices)
    status_labels = dict(Measure.Status.choices)
    for event in events:
        event.risk_label = risk_labels.get(event.risk_colour, "")
        event.knowledge_label = knowledge_labels.get(event.knowledge_strength, "")
    for measure in measures:
        measure.overdue = measure.is_overdue(today)
        measure.status_label = status_labels.get(measure.status, measure.status)
    covered = set(analysis.covered_requirements.values_list("pk", flat=True))
    requirements = list(Requirement.objects.filter(country=analysis.country))
    return {
        "events": events,
        "measures": measures,
        "requirements": requirements,
        "covered_ids": covered,
        "missing_requirements": [r for r in requirements if r.pk not in covered],
        "overdue_count": sum(1 for m in measures if m.overdue),
    }


def matrix(actor: Actor, analysis: RiskAnalysis, *, type_code: str | None = None) -> dict:
    """5×5 matrices before and after measures, for one consequence type or combined (worst over types)."""
    scale = scale_of(analysis.scale_set)
    types = {t.code: t for t in scale["types"]}
    chosen = types.get(type_code) if type_code else None
    events = list(
        events_visible_to(actor)
        .filter(analysis=analysis)
        .select_related("likelihood")
        .prefetch_related(
            Prefetch("assessments", queryset=ConsequenceAssessment.objects.select_related("level"))
        )
        .order_by("id")
    )
    active = (
        measures_visible_to(actor)
        .filter(analysis=analysis)
        .exclude(status=Measure.Status.CANCELLED)
        .values_list("events", "likelihood_reduction", "consequence_reduction")
    )
    effect: dict[int, list[int]] = {}
    for event_id, dl, dc in active:
        if event_id is not None:
            steps = effect.setdefault(event_id, [0, 0])
            steps[0] += dl
            steps[1] += dc
    before, after = [], []
    for number, event in enumerate(events, start=1):
        event.number = number
        if not event.likelihood_id:
            continue
        levels = {a.consequence_type_id: a.level.position for a in event.assessments.all()}
        consequence = levels.get(chosen.pk) if chosen else domain.combined_consequence(levels.values())
        if consequence is None:
            continue
        position = domain.Position(event.likelihood.position, consequence)
        dl, dc = effect.get(event.pk, (0, 0))
        residual = domain.residual(position, likelihood_steps=dl, consequence_steps=dc)
        before.append((position.likelihood, position.consequence, event))
        after.append((residual.likelihood, residual.consequence, event))
    return {
        **scale,
        "chosen": chosen,
        "before": _grid(scale, before),
        "after": _grid(scale, after),
        "events": events,
        "event_count": len(before),
    }


def _grid(scale, positions) -> dict:
    grid = domain.matrix_grid(positions)
    rows = []
    for likelihood in range(domain.SCALE_SIZE, 0, -1):
        cells = []
        for consequence in range(1, domain.SCALE_SIZE + 1):
            cells.append(
                {
                    "likelihood": likelihood,
                    "consequence": consequence,
                    "colour": scale["cells"][(likelihood, consequence)],
                    "events": grid[(likelihood, consequence)],
                    "x": 70 + (consequence - 1) * 90,
                    "y": 10 + (domain.SCALE_SIZE - likelihood) * 70,
                }
            )
        rows.append({"likelihood": scale["likelihoods"][likelihood - 1], "cells": cells})
    return {"rows": rows}


def risk_picture(actor: Actor, region) -> dict:
    """Per organisation of the region: analyses, events in red and overdue measures the actor may see,
    and the totals (`others_counted`: they include groups' or partners' records). Four queries, whatever
    the size of the region."""
    from samvirke.organisations.models import Organisation

    in_region = Organisation.objects.filter(region=region).values("pk")
    analyses = dict(
        RiskAnalysis.objects.visible_to(actor)
        .filter(owner_id__in=in_region)
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    red = dict(
        events_visible_to(actor)
        .filter(owner_id__in=in_region, risk_colour=RiskColour.RED)
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    overdue = dict(
        overdue_measures(measures_visible_to(actor).filter(owner_id__in=in_region))
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counted = {*analyses, *red, *overdue}
    # The overview's rows are municipalities: say when the totals also hold a group's or partner's records.
    others = set(
        Organisation.objects.filter(region=region)
        .exclude(kind=Organisation.Kind.MUNICIPALITY)
        .values_list("pk", flat=True)
    )
    return {
        "by_owner": {
            pk: {"analyses": analyses.get(pk, 0), "red": red.get(pk, 0), "overdue": overdue.get(pk, 0)}
            for pk in counted
        },
        "others_counted": bool(counted & others),
        "analysis_total": sum(analyses.values()),
        "red_total": sum(red.values()),
        "overdue_total": sum(overdue.values()),
    }


def overdue_measures(measures, today=None):
    """Measures past their deadline and not finished (planned or in progress): Measure.is_overdue in SQL."""
    return measures.filter(
        deadline__lt=today or timezone.localdate(),
        status__in=[Measure.Status.PLANNED, Measure.Status.IN_PROGRESS],
    )
