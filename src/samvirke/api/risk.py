"""Risk analyses through the API (/api/v1/risk/...): analyses, analysed events, measures, matrices and the
scale sets they are assessed on.

The same rules as the pages, from the same places: every read starts from the chokepoint
(risk.selectors.analyses_visible_to / get_analysis_for / get_event_for / events_visible_to /
measures_visible_to), so an analysis or event the caller may not read is the same 404 as a missing one, and
AMBER, AMBER+STRICT and RED records are written to the access log (via "api", lists: the page returned).
Writes go through risk.services (editors of the owner only, stored risk result, scale checks, conflicts).
Scale sets are reference data read through risk.selectors.scale_sets_for (defaults, and copies owned by
one of the caller's organisations).

Input refers to the scale by its codes, as the scale-set endpoints show them: a likelihood class code ("C"),
consequence type codes ("dodsfall") and level codes ("4"); affected municipalities by municipality number.
A code that is not on the analysis' scale is a 422 with the field named in `details`.

Imported by api.api (which mounts the router); import that module, not this one, to get the API.
"""

from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from samvirke.api.api import ERRORS, RECORD_SCHEMAS, LoggedList, Pages, resolve_sharing
from samvirke.api.schemas import MAX_ID, ContentMeta, ErrorEnvelope, Id, Text
from samvirke.core.access import AccessLevel
from samvirke.core.services import ensure_can_edit
from samvirke.core.visibility import log_reads
from samvirke.organisations.models import Organisation
from samvirke.risk import selectors, services
from samvirke.risk.models import (
    AnalysedEvent,
    ConsequenceAssessment,
    ConsequenceType,
    CriticalFunction,
    EventType,
    KnowledgeStrength,
    LikelihoodClass,
    Measure,
    Requirement,
    RiskAnalysis,
    RiskColour,
    ScaleSet,
)
from samvirke.risk.selectors_library import get_scale_set_for

router = Router(tags=["risk"])

#: Long free text (scenario, reasoning, ...): generous, but bounded.
TEXT_MAX = 20_000


def _choice(choices) -> object:
    """An inline enum of a model's choices. The TextChoices classes themselves would become schema
    components named after the class, and several are called Kind, Status or Category (Notice.Category)."""
    return Literal[tuple(choices.values)]


AnalysisKind = _choice(RiskAnalysis.Kind)
AnalysisStatus = _choice(RiskAnalysis.Status)
ScaleSetKind = _choice(ScaleSet.Kind)
MeasureStatus = _choice(Measure.Status)
EventCategory = _choice(EventType.Category)
SocietalValue = _choice(ConsequenceType.SocietalValue)
Colour = _choice(RiskColour)
#: One enum in the schema (a union would put its member names into the error locations); "": not assessed.
KnowledgeStrengthIn = Literal[("", *KnowledgeStrength.values)]
AnalysisId = Path(..., ge=1, le=MAX_ID)
EventId = Path(..., ge=1, le=MAX_ID)
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
ScaleSetSlug = Path(..., min_length=1, max_length=80, pattern=SLUG_PATTERN)
OwnerQuery = Query(None, description="Owner organisation id.")
ConsequenceTypeQuery = Query(
    None, max_length=40, description="A consequence type code; empty: combined (worst consequence)."
)


# --- schemas: scale sets -------------------------------------------------------------------------------


class LikelihoodClassOut(Schema):
    position: int
    code: str
    label: str
    interval: str
    probability_low: float | None = Field(description="Lowest annual probability in per cent.")
    probability_high: float | None = Field(description="Highest annual probability in per cent.")


class ConsequenceLevelOut(Schema):
    position: int
    code: str
    label: str
    lower: float | None
    upper: float | None
    unit: str


class ConsequenceTypeOut(Schema):
    code: str
    name: str
    societal_value: SocietalValue
    levels: list[ConsequenceLevelOut]

    @staticmethod
    def resolve_levels(obj):
        return list(obj.levels.all())


class AcceptanceBandOut(Schema):
    colour: Colour
    meaning: str
    cells: list[list[int]] = Field(description="[likelihood position, consequence position] pairs.")


class ScaleSetOut(Schema):
    slug: str
    name: str
    kind: ScaleSetKind
    description: str
    owner_id: int | None = Field(description="Null for a shared default; else the organisation's copy.")
    copied_from: str | None = Field(description="Slug of the set this one was copied from, if readable.")

    @staticmethod
    def resolve_copied_from(obj):
        source = obj.copied_from
        # Readable by whoever reads this set: a default, or a set of the same owner.
        if source is None or (source.owner_id is not None and source.owner_id != obj.owner_id):
            return None
        return source.slug


class ScaleSetDetailOut(ScaleSetOut):
    likelihood_classes: list[LikelihoodClassOut]
    consequence_types: list[ConsequenceTypeOut]
    acceptance_bands: list[AcceptanceBandOut]
    knowledge_strengths: list[KnowledgeStrengthIn]

    @staticmethod
    def resolve_likelihood_classes(obj):
        return list(obj.likelihood_classes.order_by("position"))

    @staticmethod
    def resolve_consequence_types(obj):
        return list(obj.consequence_types.prefetch_related("levels").order_by("position", "id"))

    @staticmethod
    def resolve_acceptance_bands(obj):
        return list(obj.acceptance_bands.all())

    @staticmethod
    def resolve_knowledge_strengths(obj):
        return KnowledgeStrength.values


# --- schemas: analyses, events, measures ---------------------------------------------------------------


class RiskAnalysisOut(ContentMeta):
    title: str
    kind: AnalysisKind
    status: AnalysisStatus
    sector: str | None = Field(description="Sector code (sector analyses).")
    scope: str
    method: str
    period_start: date | None
    period_end: date | None
    adopted_on: date | None
    adopted_by: str
    case_number: str
    body: str
    scale_set: str = Field(description="Slug of the scale set: /api/v1/risk/scale-sets/{slug}.")

    @staticmethod
    def resolve_sector(obj):
        return obj.sector.code if obj.sector_id else None

    @staticmethod
    def resolve_scale_set(obj):
        return obj.scale_set.slug


class RequirementOut(Schema):
    code: str
    text: str
    covered: bool


class RiskAnalysisDetailOut(RiskAnalysisOut):
    scale_set_name: str
    requirements: list[RequirementOut] = Field(
        description="The legal requirements for this kind of analysis (forskrift § 2 a–f or MSBFS 2015:5)."
    )
    missing_requirements: list[str] = Field(description="Codes of the requirements not yet covered.")


class EventTypeRef(Schema):
    id: int
    name: str
    category: EventCategory


class LikelihoodOut(Schema):
    code: str
    position: int
    label: str


class ConsequenceOut(Schema):
    type: str = Field(description="Consequence type code.")
    type_name: str
    societal_value: SocietalValue
    level: str = Field(description="Level code.")
    position: int
    label: str
    reasoning: str


class RiskEventOut(ContentMeta):
    analysis_id: int
    title: str
    event_type: EventTypeRef | None
    scenario: str
    comparable_events: str
    causes: str
    barriers: str
    likelihood: LikelihoodOut | None
    likelihood_reasoning: str
    vulnerability: str
    consequences: list[ConsequenceOut]
    consequence_position: int | None = Field(description="Worst consequence over the assessed types.")
    risk_score: int | None = Field(description="Likelihood position × consequence position (1–25).")
    risk_colour: Literal[("", *RiskColour.values)]
    knowledge_strength: KnowledgeStrengthIn
    sensitivity: str
    sources: str
    cross_municipal: bool
    cross_border: bool
    affected_municipalities: list[str] = Field(description="Municipality numbers.")
    critical_functions: list[str]

    @staticmethod
    def resolve_likelihood(obj):
        if obj.likelihood_id is None:
            return None
        likelihood = obj.likelihood
        return {"code": likelihood.code, "position": likelihood.position, "label": likelihood.label}

    @staticmethod
    def resolve_consequences(obj):
        return [
            {
                "type": a.consequence_type.code,
                "type_name": a.consequence_type.name,
                "societal_value": a.consequence_type.societal_value,
                "level": a.level.code,
                "position": a.level.position,
                "label": a.level.label,
                "reasoning": a.reasoning,
            }
            for a in obj.assessments.all()
        ]

    @staticmethod
    def resolve_affected_municipalities(obj):
        return [o.municipality_number for o in obj.affected_municipalities.all()]

    @staticmethod
    def resolve_critical_functions(obj):
        return [f.name for f in obj.critical_functions.all()]


class RiskMeasureOut(ContentMeta):
    analysis_id: int
    title: str
    description: str
    responsible: str
    deadline: date | None
    cost_estimate: int | None
    status: MeasureStatus
    overdue: bool
    likelihood_reduction: int
    consequence_reduction: int
    event_ids: list[int] = Field(description="The events it mitigates (those you may read).")

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_event_ids(obj):
        return [e.pk for e in obj.events.all()]


class MatrixCellOut(Schema):
    likelihood: int
    likelihood_code: str
    consequence: int
    colour: Colour
    before: int = Field(description="Events in this cell before measures.")
    after: int = Field(description="Events in this cell after the active measures.")
    before_event_ids: list[int]
    after_event_ids: list[int]


class MatrixEventOut(Schema):
    id: int
    number: int = Field(description="The event's number (as on the matrix page).")
    title: str
    placed: bool = Field(description="False: not assessed enough to be placed in this matrix.")


class MatrixOut(Schema):
    scale_set: str
    consequence_type: str | None = Field(description="Null: combined (worst consequence over the types).")
    event_count: int
    events: list[MatrixEventOut] = Field(description="The analysis' events you may read.")
    cells: list[MatrixCellOut]


# --- schemas: input ------------------------------------------------------------------------------------


def _text(**kwargs):
    return Field("", max_length=TEXT_MAX, **kwargs)


class ConsequenceIn(Schema):
    type: Text = Field(min_length=1, max_length=40, description="A consequence type code of the scale.")
    level: Text | None = Field(
        None, max_length=4, description="A level code of that type; null: not assessed."
    )
    reasoning: Text = _text()


class RiskEventIn(Schema):
    title: Text = Field(min_length=1, max_length=200)
    event_type_id: Id | None = Field(
        None, description="An event type of the national or your region's library."
    )
    scenario: Text = _text()
    comparable_events: Text = _text()
    causes: Text = _text()
    barriers: Text = _text()
    likelihood: Text | None = Field(None, max_length=4, description="A likelihood class code of the scale.")
    likelihood_reasoning: Text = _text()
    vulnerability: Text = _text()
    consequences: list[ConsequenceIn] = Field(default_factory=list, max_length=50)
    knowledge_strength: KnowledgeStrengthIn = ""
    sensitivity: Text = _text()
    sources: Text = _text()
    cross_municipal: bool = False
    cross_border: bool = False
    affected_municipalities: list[Text] = Field(
        default_factory=list, max_length=500, description="Municipality numbers in the analysis' region."
    )
    critical_functions: list[Text] = Field(default_factory=list, max_length=50)
    access_level: AccessLevel | None = Field(None, description="Default: the analysis' level.")
    exemption_basis: Text = Field("", max_length=200)
    shared_with: list[Id] = Field(default_factory=list, max_length=500)
    named_people: list[Id] = Field(default_factory=list, max_length=500)


class RiskEventUpdate(Schema):
    """Only the fields sent change. `consequences` changes the listed types only (level null: remove)."""

    version: int = Field(
        ge=1,
        le=2**31 - 1,
        description="The version you last read; a newer stored version gives 409 conflict.",
    )
    title: Text | None = Field(None, min_length=1, max_length=200)
    event_type_id: Id | None = None
    scenario: Text | None = Field(None, max_length=TEXT_MAX)
    comparable_events: Text | None = Field(None, max_length=TEXT_MAX)
    causes: Text | None = Field(None, max_length=TEXT_MAX)
    barriers: Text | None = Field(None, max_length=TEXT_MAX)
    likelihood: Text | None = Field(None, max_length=4)
    likelihood_reasoning: Text | None = Field(None, max_length=TEXT_MAX)
    vulnerability: Text | None = Field(None, max_length=TEXT_MAX)
    consequences: list[ConsequenceIn] | None = Field(None, max_length=50)
    knowledge_strength: KnowledgeStrengthIn | None = None
    sensitivity: Text | None = Field(None, max_length=TEXT_MAX)
    sources: Text | None = Field(None, max_length=TEXT_MAX)
    cross_municipal: bool | None = None
    cross_border: bool | None = None
    affected_municipalities: list[Text] | None = Field(None, max_length=500)
    critical_functions: list[Text] | None = Field(None, max_length=50)
    access_level: AccessLevel | None = None
    exemption_basis: Text | None = Field(None, max_length=200)
    shared_with: list[Id] | None = Field(None, max_length=500)
    named_people: list[Id] | None = Field(None, max_length=500)


#: Fields where an explicit null means "clear it"; for the others null means "leave it".
NULLABLE = {"event_type_id", "likelihood"}
PLAIN_FIELDS = (
    "title", "scenario", "comparable_events", "causes", "barriers", "likelihood_reasoning", "vulnerability",
    "knowledge_strength", "sensitivity", "sources", "cross_municipal", "cross_border", "access_level",
    "exemption_basis",
)  # fmt: skip

RECORD_SCHEMAS[AnalysedEvent] = RiskEventOut


# --- reads ---------------------------------------------------------------------------------------------


def _events(actor, analysis):
    """The analysis' events the actor may read, with everything RiskEventOut shows, in a fixed number of
    queries (5 for any page)."""
    return (
        selectors.events_visible_to(actor)
        .filter(analysis=analysis)
        .select_related("likelihood", "event_type")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=ConsequenceAssessment.objects.select_related("consequence_type", "level"),
            ),
            Prefetch(
                "affected_municipalities", queryset=Organisation.objects.only("id", "municipality_number")
            ),
            Prefetch("critical_functions", queryset=CriticalFunction.objects.only("id", "name")),
        )
        .order_by("id")
    )


@router.get("/analyses", response={200: list[RiskAnalysisOut], **ERRORS})
@paginate(Pages)
def risk_analysis_list(
    request,
    kind: AnalysisKind | None = None,
    status: AnalysisStatus | None = None,
    owner: Id | None = OwnerQuery,
):
    analyses = selectors.analyses_visible_to(request.actor).select_related("scale_set", "sector")
    if kind:
        analyses = analyses.filter(kind=kind)
    if status:
        analyses = analyses.filter(status=status)
    if owner:
        analyses = analyses.filter(owner_id=owner)
    return LoggedList(analyses, request.actor)


@router.get("/analyses/{analysis_id}", response={200: RiskAnalysisDetailOut, **ERRORS})
def risk_analysis_detail(request, analysis_id: int = AnalysisId):
    analysis = selectors.get_analysis_for(request.actor, analysis_id, via="api")
    covered = set(analysis.covered_requirements.values_list("pk", flat=True))
    requirements = list(Requirement.objects.filter(country=analysis.country))
    analysis.scale_set_name = analysis.scale_set.name
    analysis.requirements = [
        {"code": r.code, "text": r.text, "covered": r.pk in covered} for r in requirements
    ]
    analysis.missing_requirements = [r.code for r in requirements if r.pk not in covered]
    return analysis


@router.get("/analyses/{analysis_id}/events", response={200: list[RiskEventOut], **ERRORS})
@paginate(Pages)
def risk_event_list(request, analysis_id: int = AnalysisId):
    analysis = selectors.get_analysis_for(request.actor, analysis_id, via="api")
    return LoggedList(_events(request.actor, analysis), request.actor)


@router.get("/analyses/{analysis_id}/events/{event_id}", response={200: RiskEventOut, **ERRORS})
def risk_event_detail(request, analysis_id: int = AnalysisId, event_id: int = EventId):
    return selectors.get_event_for(request.actor, analysis_id, event_id, via="api")


@router.get("/analyses/{analysis_id}/measures", response={200: list[RiskMeasureOut], **ERRORS})
@paginate(Pages)
def risk_measure_list(request, analysis_id: int = AnalysisId):
    actor = request.actor
    analysis = selectors.get_analysis_for(actor, analysis_id, via="api")
    measures = (
        selectors.measures_visible_to(actor)
        .filter(analysis=analysis)
        # Only the events the caller may read: a link must not reveal a stricter event.
        .prefetch_related(
            Prefetch("events", queryset=selectors.events_visible_to(actor).only("id").order_by("id"))
        )
        .order_by("deadline", "id")
    )
    return LoggedList(measures, actor)


@router.get("/analyses/{analysis_id}/matrix", response={200: MatrixOut, **ERRORS})
def risk_matrix(
    request,
    analysis_id: int = AnalysisId,
    consequence_type: Text | None = ConsequenceTypeQuery,
):
    actor = request.actor
    analysis = selectors.get_analysis_for(actor, analysis_id, via="api")
    matrix = selectors.matrix(actor, analysis, type_code=consequence_type or None)
    if consequence_type and matrix["chosen"] is None:
        raise ValidationError({"consequence_type": _("This consequence type is not on the analysis' scale.")})
    after = {
        (cell["likelihood"], cell["consequence"]): cell["events"]
        for row in matrix["after"]["rows"]
        for cell in row["cells"]
    }
    cells, shown = [], {}
    for row in reversed(matrix["before"]["rows"]):
        for cell in row["cells"]:
            key = (cell["likelihood"], cell["consequence"])
            shown.update({e.pk: e for e in cell["events"]})
            cells.append(
                {
                    "likelihood": key[0],
                    "likelihood_code": row["likelihood"].code,
                    "consequence": key[1],
                    "colour": cell["colour"],
                    "before": len(cell["events"]),
                    "after": len(after[key]),
                    "before_event_ids": [e.pk for e in cell["events"]],
                    "after_event_ids": [e.pk for e in after[key]],
                }
            )
    log_reads(actor, matrix["events"], action="list", via="api")
    return {
        "scale_set": analysis.scale_set.slug,
        "consequence_type": matrix["chosen"].code if matrix["chosen"] else None,
        "event_count": matrix["event_count"],
        "events": [
            {"id": e.pk, "number": e.number, "title": e.title, "placed": e.pk in shown}
            for e in matrix["events"]
        ],
        "cells": cells,
    }


@router.get("/scale-sets", response={200: list[ScaleSetOut], **ERRORS})
@paginate(Pages)
def risk_scale_set_list(request):
    return (
        selectors.scale_sets_for(request.actor)
        .select_related("copied_from")
        .order_by(F("owner_id").asc(nulls_first=True), "name", "id")  # defaults first on every engine
    )


@router.get("/scale-sets/{scale_set_slug}", response={200: ScaleSetDetailOut, **ERRORS})
def risk_scale_set_detail(request, scale_set_slug: str = ScaleSetSlug):
    return get_scale_set_for(request.actor, scale_set_slug)


# --- writes --------------------------------------------------------------------------------------------


def _choice_error(value) -> str:
    return _("Select a valid choice. %(value)s is not one of the available choices.") % {"value": value}


def _resolve_event_input(analysis, data: dict, *, event=None):
    """Codes and numbers in `data` → the records the services take, checked against the analysis' scale
    and region as the form checks them. Returns (fields, consequences or None, municipalities or None,
    functions or None, where): `where` maps a service error key to the API field it came from."""
    errors: dict[str, list[str]] = {}
    fields = {k: data[k] for k in PLAIN_FIELDS if k in data}
    where = {"likelihood": "likelihood", "event_type": "event_type_id"}
    if "likelihood" in data:
        code = data["likelihood"]
        fields["likelihood"] = None
        if code is not None:
            fields["likelihood"] = LikelihoodClass.objects.filter(
                scale_set=analysis.scale_set, code=code
            ).first()
            if fields["likelihood"] is None:
                errors["likelihood"] = [_("This likelihood class is not on the analysis' scale.")]
    if "event_type_id" in data:
        type_id = data["event_type_id"]
        fields["event_type"] = None
        if type_id is not None:
            fields["event_type"] = (
                EventType.objects.filter(Q(region__isnull=True) | Q(region_id=analysis.owner.region_id))
                .filter(pk=type_id)
                .first()
            )
            if fields["event_type"] is None:
                errors["event_type_id"] = [_choice_error(type_id)]
    consequences = None
    if data.get("consequences") is not None:
        types = {
            t.code: t
            for t in ConsequenceType.objects.filter(scale_set=analysis.scale_set).prefetch_related("levels")
        }
        consequences = {}
        if event is not None:
            consequences = {
                a.consequence_type: (a.level, a.reasoning)
                for a in event.assessments.select_related("consequence_type", "level")
            }
        seen = set()
        for index, item in enumerate(data["consequences"]):
            ctype = types.get(item["type"])
            if ctype is None:
                errors[f"consequences.{index}.type"] = [
                    _("This consequence type is not on the analysis' scale.")
                ]
                continue
            if ctype.code in seen:
                errors[f"consequences.{index}.type"] = [_("List each consequence type only once.")]
                continue
            seen.add(ctype.code)
            where[f"consequence_{ctype.code}"] = f"consequences.{index}.level"
            where[f"reasoning_{ctype.code}"] = f"consequences.{index}.reasoning"
            if item["level"] is None:
                consequences.pop(ctype, None)
                continue
            level = next((lv for lv in ctype.levels.all() if lv.code == item["level"]), None)
            if level is None:
                errors[f"consequences.{index}.level"] = [
                    _("This consequence level is not on the analysis' scale.")
                ]
                continue
            consequences[ctype] = (level, item["reasoning"])
    municipalities = None
    if data.get("affected_municipalities") is not None:
        numbers = list(dict.fromkeys(data["affected_municipalities"]))
        found = {
            o.municipality_number: o
            for o in Organisation.objects.filter(
                region_id=analysis.owner.region_id,
                kind=Organisation.Kind.MUNICIPALITY,
                municipality_number__in=numbers,
            )
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            errors["affected_municipalities"] = [_choice_error(n) for n in missing]
        municipalities = [found[n] for n in numbers if n in found]
    functions = None
    if data.get("critical_functions") is not None:
        names = list(dict.fromkeys(data["critical_functions"]))
        found = {f.name: f for f in CriticalFunction.objects.filter(name__in=names)}
        missing = [n for n in names if n not in found]
        if missing:
            errors["critical_functions"] = [_choice_error(n) for n in missing]
        functions = [found[n] for n in names if n in found]
    if errors:
        raise ValidationError(errors)
    return fields, consequences, municipalities, functions, where


def _renamed(error: ValidationError, where: dict) -> ValidationError:
    """A service's error keys (consequence_dodsfall, event_type, ...) as the API's field names."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({where.get(key, key): value for key, value in error.error_dict.items()})


@router.post("/analyses/{analysis_id}/events", response={201: RiskEventOut, **ERRORS})
def risk_event_create(request, payload: RiskEventIn, analysis_id: int = AnalysisId):
    actor = request.actor
    analysis = selectors.get_analysis_for(actor, analysis_id, via="api")
    ensure_can_edit(actor, analysis)
    data = payload.dict()
    shared, named = resolve_sharing(actor, data.pop("shared_with"), data.pop("named_people"))
    if data.get("access_level") is None:
        data.pop("access_level", None)  # the service's default: the analysis' level
    fields, consequences, municipalities, functions, where = _resolve_event_input(analysis, data)
    try:
        event = services.event_create(
            actor=actor,
            analysis_id=analysis.pk,
            data=fields,
            consequences=consequences,
            affected_municipalities=municipalities,
            critical_functions=functions,
            shared_with=shared,
            named_people=named,
            via="api",
        )
    except ValidationError as error:
        raise _renamed(error, where) from None
    return Status(201, event)


@router.patch(
    "/analyses/{analysis_id}/events/{event_id}",
    response={200: RiskEventOut, 409: ErrorEnvelope, **ERRORS},
)
def risk_event_update(
    request, payload: RiskEventUpdate, analysis_id: int = AnalysisId, event_id: int = EventId
):
    actor = request.actor
    event = selectors.get_event_for(actor, analysis_id, event_id, via="api")
    ensure_can_edit(actor, event)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    data = {k: v for k, v in data.items() if v is not None or k in NULLABLE}
    shared, named = resolve_sharing(actor, data.pop("shared_with", None), data.pop("named_people", None))
    fields, consequences, municipalities, functions, where = _resolve_event_input(
        event.analysis, data, event=event
    )
    try:
        return services.event_update(
            actor=actor,
            analysis_id=event.analysis_id,
            event_id=event.pk,
            expected_version=version,
            data=fields,
            consequences=consequences,
            affected_municipalities=municipalities,
            critical_functions=functions,
            shared_with=shared,
            named_people=named,
            via="api",
        )
    except ValidationError as error:
        raise _renamed(error, where) from None
