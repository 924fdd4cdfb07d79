"""Reads of the risk library: scale sets and the regional event-type library.

Scale sets and event types are reference data, not content, but they still have one reader each:

* scale sets: `selectors.scale_sets_for(actor)` (the shared defaults, and copies owned by one of the
  actor's organisations); one set by slug through `get_scale_set_for` (missing and another
  organisation's copy are the same NotFound);
* event types: `selectors_regional.event_types_for(actor)` (the national defaults, region empty, and the
  types of the actor's regions; also used by the comparison); one type through `get_event_type_for`.

What the library pages show about analyses (which use a scale set, how many use an event type) comes from
the content chokepoint (`selectors.analyses_visible_to` / `events_visible_to`), so a count or a title never
reveals an analysis or event the actor may not read.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, F

from samvirke.core.access import Actor
from samvirke.core.errors import NotFound
from samvirke.risk import selectors
from samvirke.risk.models import ConsequenceType, EventType, KnowledgeStrength, RiskAnalysis, ScaleSet

# The one rule for which event types an actor may read (the national library and their regions' own),
# shared with the comparison pages.
from samvirke.risk.selectors_regional import event_types_for

#: Analyses listed per page under a scale set (a shared default may be used by very many).
ANALYSES_PER_PAGE = 25


# --- scale sets ----------------------------------------------------------------------------------------


def get_scale_set_for(actor: Actor, slug) -> ScaleSet:
    """One scale set the actor may read; the same NotFound for a missing set and another organisation's."""
    slug = str(slug or "")
    if not slug or len(slug) > ScaleSet._meta.get_field("slug").max_length:
        raise NotFound()
    scale_set = (
        selectors.scale_sets_for(actor).select_related("owner", "copied_from").filter(slug=slug).first()
    )
    if scale_set is None:
        raise NotFound()
    return scale_set


def source_visible(actor: Actor, scale_set: ScaleSet) -> ScaleSet | None:
    """The set this one was copied from, if the actor may read it (a copy of another organisation's copy
    must not reveal that copy's name)."""
    source = scale_set.copied_from
    if source is None or (source.owner_id is not None and source.owner_id not in actor.organisation_ids):
        return None
    return source


def scale_set_library(actor: Actor) -> list[ScaleSet]:
    """The sets available to the actor, defaults first, each with `analysis_count` (analyses the actor
    may read that use it), `source` (the set it was copied from, if readable) and `editable`. Two queries."""
    sets = list(
        selectors.scale_sets_for(actor)
        .select_related("owner", "copied_from")
        .order_by(F("owner_id").asc(nulls_first=True), "name", "id")
    )
    counts = dict(
        RiskAnalysis.objects.visible_to(actor)
        .filter(scale_set_id__in=selectors.scale_sets_for(actor).values("pk"))
        .values_list("scale_set_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for scale_set in sets:
        scale_set.analysis_count = counts.get(scale_set.pk, 0)
        scale_set.source = source_visible(actor, scale_set)
        scale_set.editable = scale_set.owner_id is not None and actor.can_edit_for(scale_set.owner_id)
    return sets


def societal_groups(types) -> list[tuple[str, list[ConsequenceType]]]:
    """Consequence types grouped by societal value, in the order of ConsequenceType.SocietalValue."""
    groups = []
    for value, label in ConsequenceType.SocietalValue.choices:
        members = [t for t in types if t.societal_value == value]
        if members:
            groups.append((label, members))
    return groups


def band_grid(scale: dict) -> dict:
    """The acceptance bands as a 5×5 grid (likelihood rows top-down) for the SVG and its table."""
    grid = selectors._grid(scale, [])
    for row in grid["rows"]:
        for cell in row["cells"]:
            cell["score"] = cell["likelihood"] * cell["consequence"]
    return grid


def scale_set_detail(actor: Actor, scale_set: ScaleSet, *, page=None) -> dict:
    """The scale-set page: classes, types grouped by societal value with their levels, knowledge strength,
    bands as a grid, and one page of the analyses the actor may read that use the set.
    A fixed number of queries, whatever the number of analyses."""
    scale = selectors.scale_of(scale_set)
    analyses = (
        selectors.analyses_visible_to(actor)
        .filter(scale_set=scale_set)
        .select_related("owner")
        .order_by("-created_at", "-id")
    )
    return {
        **scale,
        "groups": societal_groups(scale["types"]),
        "knowledge_strengths": KnowledgeStrength.choices,
        "grid": band_grid(scale),
        "analyses": Paginator(analyses, ANALYSES_PER_PAGE).get_page(page),
        "source": source_visible(actor, scale_set),
    }


def open_analysis_count(actor: Actor, scale_set: ScaleSet) -> int:
    """Analyses not yet adopted that use the set and that the actor may read."""
    return (
        RiskAnalysis.objects.visible_to(actor)
        .filter(scale_set=scale_set)
        .exclude(status=RiskAnalysis.Status.ADOPTED)
        .count()
    )


# --- event types ---------------------------------------------------------------------------------------


def get_event_type_for(actor: Actor, event_type_id) -> EventType:
    """One event type the actor may read; another region's type is the same NotFound as a missing one."""
    event_type = (
        event_types_for(actor)
        .select_related("region")
        .filter(pk=selectors._int_or_none(event_type_id))
        .first()
    )
    if event_type is None:
        raise NotFound()
    return event_type


def editable_region_ids(actor: Actor) -> frozenset[int]:
    """Regions where the actor is an editor (preparedness advisor, regional coordinator, administrator) in
    some organisation: they may add and change that region's event types. One query (none without roles)."""
    from samvirke.organisations.models import Organisation

    editable = actor.editable_organisation_ids()
    if not editable:
        return frozenset()
    return frozenset(
        Organisation.objects.filter(pk__in=list(editable)).values_list("region_id", flat=True).distinct()
    )


def event_type_library(actor: Actor) -> dict:
    """The library grouped by category, each type with `analysis_count`: analyses the actor may read with
    an event of that type the actor may read. Three queries, whatever the number of types and analyses."""
    types = list(event_types_for(actor).select_related("region").order_by("category", "name", "id"))
    counts = dict(
        selectors.events_visible_to(actor)
        .filter(event_type_id__in=event_types_for(actor).values("pk"))
        .values_list("event_type_id")
        .annotate(n=Count("analysis_id", distinct=True))
        .order_by()
    )
    editable = editable_region_ids(actor)
    for event_type in types:
        event_type.analysis_count = counts.get(event_type.pk, 0)
        event_type.editable = event_type.region_id is not None and event_type.region_id in editable
    groups = []
    for value, label in EventType.Category.choices:
        members = [t for t in types if t.category == value]
        if members:
            groups.append({"category": value, "label": label, "types": members})
    return {"groups": groups, "can_add": bool(editable), "count": len(types)}
