"""Reads for the regional risk pages: the region's matrix, comparing one event type across municipalities,
and the region's measures.

Every read starts from the chokepoint (`selectors.regional_events_for`, `selectors.events_visible_to`,
`selectors.measures_visible_to`: an event or measure counts only if it AND its analysis are visible).
The pages stay fast and keep a constant number of queries however many events the region has: the matrix
is counted in SQL (GROUP BY position and colour), lists are paged, and "the newest event per municipality"
is a window function, not a loop.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, Greatest, RowNumber

from samvirke.core.access import Actor
from samvirke.core.errors import NotFound
from samvirke.organisations.models import Organisation
from samvirke.risk import defaults, domain, selectors
from samvirke.risk.models import (
    AnalysedEvent,
    ConsequenceAssessment,
    ConsequenceType,
    EventType,
    Measure,
    RiskAnalysis,
    RiskColour,
)

#: Rows per page of the regional event list and the measure list.
EVENTS_PER_PAGE = 50
MEASURES_PER_PAGE = 50

#: Columns the lists load (not the long texts: scenario, reasoning, sources ...).
EVENT_LIST_FIELDS = (
    "id", "title", "access_level", "owner_id", "owner__name", "analysis_id", "analysis__title",
    "analysis__kind", "event_type_id", "event_type__name", "likelihood_id", "likelihood__code",
    "likelihood_position", "consequence_position", "risk_score", "risk_colour", "knowledge_strength",
    "cross_municipal", "cross_border",
)  # fmt: skip
MEASURE_LIST_FIELDS = (
    "id", "title", "access_level", "owner_id", "owner__name", "analysis_id", "analysis__title",
    "responsible", "deadline", "status",
)  # fmt: skip

#: The regional matrix places events of analyses with different scale sets side by side: positions are
#: scale steps 1–5 everywhere. Its axes and cell colours are the shared default scale's (DSB 2014), the
#: reference every municipality starts from; each event keeps its own stored colour.
REFERENCE_CELLS = domain.band_map(
    domain.cells_by_score({colour: scores for colour, _meaning, scores in defaults.BANDS})
)
REFERENCE_LIKELIHOODS = [
    {"position": position, "code": code, "label": label}
    for position, (code, label, *_rest) in enumerate(defaults.LIKELIHOOD_DSB, start=1)
]


@dataclass(frozen=True)
class RegionalFilters:
    """What the regional matrix shows. Built from GET parameters by `RegionalFilters.from_query`."""

    region_id: int | None = None
    owner_id: int | None = None
    category: str = ""
    event_type_id: int | None = None
    kind: str = ""
    consequence_type: str = ""  # a ConsequenceType code: the same code on every scale set
    cross_municipal: bool = False
    cross_border: bool = False
    after: bool = False  # after measures (residual risk) instead of before
    likelihood: int | None = None  # one cell of the matrix, for the event list
    consequence: int | None = None

    @classmethod
    def from_query(cls, params, region_id: int) -> RegionalFilters:
        """Unknown or malformed values are ignored (the filter is simply not applied)."""
        category = params.get("category", "")
        kind = params.get("kind", "")
        likelihood, consequence = _position(params.get("likelihood")), _position(params.get("consequence"))
        return cls(
            region_id=region_id,
            owner_id=positive_int(params.get("owner")),
            category=category if category in EventType.Category.values else "",
            event_type_id=positive_int(params.get("event_type")),
            kind=kind if kind in RiskAnalysis.Kind.values else "",
            consequence_type=params.get("consequence_type", "")[:40],
            cross_municipal=params.get("cross_municipal") == "1",
            cross_border=params.get("cross_border") == "1",
            after=params.get("measures") == "after",
            likelihood=likelihood if consequence else None,
            consequence=consequence if likelihood else None,
        )

    def query(self, **changes) -> str:
        """The GET query string for these filters (with `changes`), without the page number."""
        from urllib.parse import urlencode

        f = replace(self, **changes)
        pairs = [
            ("region", f.region_id),
            ("owner", f.owner_id),
            ("category", f.category),
            ("event_type", f.event_type_id),
            ("kind", f.kind),
            ("consequence_type", f.consequence_type),
            ("cross_municipal", "1" if f.cross_municipal else ""),
            ("cross_border", "1" if f.cross_border else ""),
            ("measures", "after" if f.after else ""),
            ("likelihood", f.likelihood),
            ("consequence", f.consequence),
        ]
        return urlencode([(k, v) for k, v in pairs if v not in (None, "")])


def positive_int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _position(value) -> int | None:
    number = positive_int(value)
    return number if number is not None and number <= domain.SCALE_SIZE else None


# --- the regional matrix ---------------------------------------------------------------------------------


def _with_positions(actor: Actor, events, filters: RegionalFilters):
    """Annotate `matrix_likelihood` and `matrix_consequence`: the event's place in the matrix shown.

    Combined: the stored worst consequence. One consequence type: that type's level. After measures:
    each position lowered by the summed steps of the event's active, visible measures, never below 1
    (domain.residual), computed in SQL so that nothing is loaded row by row."""
    likelihood = F("likelihood_position")
    if filters.consequence_type:
        consequence = Subquery(
            ConsequenceAssessment.objects.filter(
                event_id=OuterRef("pk"), consequence_type__code=filters.consequence_type
            ).values("level__position")[:1],
            output_field=IntegerField(),
        )
    else:
        consequence = F("consequence_position")
    events = events.annotate(base_likelihood=likelihood, base_consequence=consequence)
    if not filters.after:
        return events.annotate(
            matrix_likelihood=F("base_likelihood"), matrix_consequence=F("base_consequence")
        )
    active = selectors.measures_visible_to(actor).exclude(status=Measure.Status.CANCELLED)

    def steps(field):
        # Written from the measure's side (measure JOIN its event links, the link's event = this event) so
        # that the database looks up the event's few links by index instead of probing every visible
        # measure for every event (SQLite chose the latter for "link.measure_id IN (visible measures)").
        return Coalesce(
            Subquery(
                active.filter(events=OuterRef("pk"))
                .order_by()
                .values("events")
                .annotate(steps=Sum(field))
                .values("steps")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )

    # GREATEST ignores NULL on PostgreSQL but not on SQLite: keep "not assessed" NULL on both.
    return events.annotate(
        matrix_likelihood=Case(
            When(base_likelihood__isnull=True, then=Value(None)),
            default=Greatest(Value(1), F("base_likelihood") - steps("likelihood_reduction")),
            output_field=IntegerField(),
        ),
        matrix_consequence=Case(
            When(base_consequence__isnull=True, then=Value(None)),
            default=Greatest(Value(1), F("base_consequence") - steps("consequence_reduction")),
            output_field=IntegerField(),
        ),
    )


def regional_matrix(actor: Actor, filters: RegionalFilters) -> dict:
    """The region's events in one 5×5 matrix: counts per cell from one GROUP BY query, and the event
    list for the chosen cell or all events, paged by `event_page` (50 rows, two queries). Three queries
    whatever the region's size."""
    events = _with_positions(actor, selectors.regional_events_for(actor, filters), filters)
    groups = (
        events.values("matrix_likelihood", "matrix_consequence", "risk_colour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[int, int], int] = {}
    by_colour = dict.fromkeys(RiskColour.values, 0)
    not_assessed = 0
    # Colours: each municipality's own acceptance criteria (stored with the event) for the combined matrix
    # before measures; the reference bands otherwise (a residual or single-type position has no stored one).
    own_colours = not filters.after and not filters.consequence_type
    for row in groups:
        likelihood, consequence, n = row["matrix_likelihood"], row["matrix_consequence"], row["n"]
        if likelihood is None or consequence is None:
            not_assessed += n
            continue
        counts[(likelihood, consequence)] = counts.get((likelihood, consequence), 0) + n
        colour = row["risk_colour"] if own_colours else REFERENCE_CELLS[(likelihood, consequence)]
        if colour in by_colour:
            by_colour[colour] += n
    assessed = sum(counts.values())

    rows = []
    for likelihood in range(domain.SCALE_SIZE, 0, -1):
        cells = []
        for consequence in range(1, domain.SCALE_SIZE + 1):
            cells.append(
                {
                    "likelihood": likelihood,
                    "consequence": consequence,
                    "colour": REFERENCE_CELLS[(likelihood, consequence)],
                    "count": counts.get((likelihood, consequence), 0),
                    "query": filters.query(likelihood=likelihood, consequence=consequence),
                    "chosen": (filters.likelihood, filters.consequence) == (likelihood, consequence),
                    "x": 70 + (consequence - 1) * 90,
                    "y": 10 + (domain.SCALE_SIZE - likelihood) * 70,
                }
            )
        rows.append({"likelihood": REFERENCE_LIKELIHOODS[likelihood - 1], "cells": cells})

    listed = events
    if filters.likelihood and filters.consequence:
        listed = listed.filter(matrix_likelihood=filters.likelihood, matrix_consequence=filters.consequence)
        listed_count = counts.get((filters.likelihood, filters.consequence), 0)
    else:
        listed_count = assessed + not_assessed
    order = (F("matrix_score").desc(nulls_last=True), "owner__name", "analysis_id", "pk")
    listed = listed.annotate(matrix_score=F("matrix_likelihood") * F("matrix_consequence"))
    # The list is paged in two steps (see event_page): sort the ids only, then load the page's 50 rows.
    paginator = Paginator(
        listed.order_by(*order).values_list("pk", "matrix_likelihood", "matrix_consequence"), EVENTS_PER_PAGE
    )
    paginator.count = listed_count  # known from the GROUP BY: spare the paginator its COUNT query
    return {
        "rows": rows,
        "counts": counts,
        "assessed": assessed,
        "not_assessed": not_assessed,
        "by_colour": by_colour,
        "own_colours": own_colours,
        "paginator": paginator,
        "listed": listed,
        "likelihood_codes": {item["position"]: item["code"] for item in REFERENCE_LIKELIHOODS},
    }


def region_municipalities(region_id: int) -> list[Organisation]:
    return list(
        Organisation.objects.filter(region_id=region_id, kind=Organisation.Kind.MUNICIPALITY)
        .only("id", "name")
        .order_by("name", "id")
    )


def event_page(actor, matrix: dict, number):
    """One page of the regional event list: the page's ids and matrix positions in the list's order (the
    visible, filtered query sorts a few columns), then those events' rows with their municipality,
    analysis and type by primary key. Two small queries instead of sorting every visible event's wide row."""
    page = matrix["paginator"].get_page(number)
    positions = {pk: (likelihood, consequence) for pk, likelihood, consequence in page.object_list}
    rows = (
        AnalysedEvent.objects.visible_to(actor)
        .filter(pk__in=list(positions))
        .select_related("owner", "analysis", "event_type", "likelihood")
    )
    rows = {event.pk: event for event in rows.only(*EVENT_LIST_FIELDS)}
    page.object_list = []
    for pk, (likelihood, consequence) in positions.items():
        event = rows.get(pk)
        if event is None:  # removed or re-levelled between the two queries
            continue
        event.matrix_likelihood, event.matrix_consequence = likelihood, consequence
        page.object_list.append(event)
    return page


def filter_choices(region_id: int) -> dict:
    """The filter form's lists: the region's municipalities, its event type library and the consequence
    types of the scale sets its organisations use (one entry per code). Three small queries."""
    municipalities = region_municipalities(region_id)
    event_types = list(
        EventType.objects.filter(Q(region__isnull=True) | Q(region_id=region_id))
        .only("id", "name", "category")
        .order_by("category", "name", "id")
    )
    consequence_types: dict[str, str] = {}
    for code, name in (
        ConsequenceType.objects.filter(
            Q(scale_set__owner__isnull=True) | Q(scale_set__owner__region_id=region_id)
        )
        .order_by("scale_set_id", "position", "id")
        .values_list("code", "name")
    ):
        consequence_types.setdefault(code, name)
    return {
        "municipalities": municipalities,
        "event_types": event_types,
        "categories": EventType.Category.choices,
        "kinds": RiskAnalysis.Kind.choices,
        "consequence_types": sorted(consequence_types.items(), key=lambda item: item[1]),
    }


# --- comparing one event type across municipalities ------------------------------------------------------


def _region_events(actor: Actor):
    """Events of organisations in the actor's regions (only there is comparing meaningful and allowed)."""
    return selectors.events_visible_to(actor).filter(
        owner_id__in=Organisation.objects.filter(region_id__in=list(actor.region_ids)).values("pk")
    )


def _newest_per_owner(events):
    """Per organisation and event type, only the event of its newest analysis (a municipality's older
    analyses must not count as a disagreement with itself). One window function, evaluated in SQL."""
    ranked = events.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("owner_id"), F("event_type_id")],
            order_by=[F("analysis__created_at").desc(), F("analysis_id").desc(), F("pk").desc()],
        )
    ).filter(rank=1)
    return events.filter(pk__in=ranked.values("pk"))


def event_types_for(actor: Actor):
    """The event type library the actor may compare in: the shared types and their regions' own."""
    return EventType.objects.filter(Q(region__isnull=True) | Q(region_id__in=list(actor.region_ids)))


def get_event_type_for(actor: Actor, event_type_id) -> EventType:
    event_type = event_types_for(actor).filter(pk=positive_int(event_type_id)).first()
    if event_type is None:
        raise NotFound()
    return event_type


def compare_event_type(actor: Actor, event_type: EventType) -> dict:
    """One row per organisation with a visible event of this type (its newest analysis' event):
    likelihood, consequence per type, combined, colour, knowledge strength; spread (max − min), median
    and outliers per dimension; rows ordered by how far they are from the median. Three queries."""
    events = list(
        _newest_per_owner(_region_events(actor).filter(event_type=event_type))
        .select_related("owner", "analysis", "likelihood")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=ConsequenceAssessment.objects.select_related("consequence_type", "level"),
            )
        )
        .order_by("owner__name", "pk")
    )
    types: dict[str, ConsequenceType] = {}
    rows = []
    for event in events:
        by_code = {}
        for assessment in event.assessments.all():
            by_code[assessment.consequence_type.code] = assessment
            types.setdefault(assessment.consequence_type.code, assessment.consequence_type)
        rows.append({"event": event, "by_code": by_code})
    ordered_types = sorted(types.values(), key=lambda t: (t.position, t.code))

    def column(values):
        return {
            "spread": domain.spread(values),
            "median": domain.median(values),
            "flags": domain.outliers(values),
        }

    dimensions = {
        "likelihood": column([r["event"].likelihood_position for r in rows]),
        "consequence": column([r["event"].consequence_position for r in rows]),
    }
    per_type = {}
    for ctype in ordered_types:
        per_type[ctype.code] = column(
            [r["by_code"][ctype.code].level.position if ctype.code in r["by_code"] else None for r in rows]
        )
    for index, row in enumerate(rows):
        event = row["event"]
        row["likelihood_outlier"] = dimensions["likelihood"]["flags"][index]
        row["consequence_outlier"] = dimensions["consequence"]["flags"][index]
        row["types"] = [
            {
                "assessment": row["by_code"].get(ctype.code),
                "outlier": per_type[ctype.code]["flags"][index],
            }
            for ctype in ordered_types
        ]
        row["deviation"] = sum(
            abs(value - dimensions[name]["median"])
            for name, value in (
                ("likelihood", event.likelihood_position),
                ("consequence", event.consequence_position),
            )
            if value is not None and dimensions[name]["median"] is not None
        )
    rows.sort(key=lambda r: (-r["deviation"], r["event"].owner.name, r["event"].pk))
    return {
        "event_type": event_type,
        "rows": rows,
        "types": ordered_types,
        "dimensions": dimensions,
        "per_type": [per_type[t.code] for t in ordered_types],
        "outlier_distance": domain.OUTLIER_DISTANCE,
    }


def disagreement_index(actor: Actor) -> list[dict]:
    """Event types of the actor's regions, the most disputed first: per type the number of organisations
    and the spread (max − min) of their likelihood and combined consequence positions, over each
    organisation's newest event of the type. One query (GROUP BY event type over a window function)."""
    rows = (
        _newest_per_owner(_region_events(actor).filter(event_type__isnull=False))
        .filter(event_type_id__in=event_types_for(actor).values("pk"))
        .values("event_type_id", "event_type__name", "event_type__category")
        .annotate(
            organisations=Count("owner_id", distinct=True),
            likelihood_spread=Max("likelihood_position") - Min("likelihood_position"),
            consequence_spread=Max("consequence_position") - Min("consequence_position"),
            # COUNT(column) counts the assessed (not NULL) positions: a spread needs two.
            n_likelihood=Count("likelihood_position"),
            n_consequence=Count("consequence_position"),
        )
        .order_by()
    )
    result = []
    for row in rows:
        likelihood = row["likelihood_spread"] if row["n_likelihood"] >= 2 else None
        consequence = row["consequence_spread"] if row["n_consequence"] >= 2 else None
        result.append(
            {
                "event_type_id": row["event_type_id"],
                "name": row["event_type__name"],
                "category": EventType.Category(row["event_type__category"]).label,
                "organisations": row["organisations"],
                "likelihood_spread": likelihood,
                "consequence_spread": consequence,
                "disagreement": None
                if likelihood is None and consequence is None
                else (likelihood or 0) + (consequence or 0),
            }
        )
    result.sort(
        key=lambda r: (
            r["disagreement"] is None,
            -(r["disagreement"] or 0),
            -max(r["likelihood_spread"] or 0, r["consequence_spread"] or 0),
            -r["organisations"],
            r["name"],
            r["event_type_id"],
        )
    )
    return result


# --- the region's measures -------------------------------------------------------------------------------


def regional_measures(
    actor: Actor, region_id: int, *, owner_id=None, status: str = "", overdue: bool = False
):
    """Measures of the region's organisations the actor may read (measure and analysis visible), earliest
    deadline first; `overdue`: past the deadline and not done or cancelled."""
    if region_id not in actor.region_ids:
        return Measure.objects.none()
    measures = selectors.measures_visible_to(actor).filter(
        owner_id__in=Organisation.objects.filter(region_id=region_id).values("pk")
    )
    if owner_id:
        measures = measures.filter(owner_id=owner_id)
    if status in Measure.Status.values:
        measures = measures.filter(status=status)
    if overdue:
        measures = selectors.overdue_measures(measures)
    return (
        measures.select_related("owner", "analysis")
        .only(*MEASURE_LIST_FIELDS)
        .order_by(F("deadline").asc(nulls_last=True), "pk")
    )
