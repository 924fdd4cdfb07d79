"""Regional risk pages: the region's combined matrix, comparing an event type across municipalities, and
the region's measures. Thin: parse GET parameters, call selectors_regional, render. All work without
JavaScript (filters are plain GET forms, cells and pages are links)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from samvirke.core.visibility import log_reads
from samvirke.organisations import selectors as org_selectors
from samvirke.risk import selectors_regional as regional
from samvirke.risk.models import Measure


def _region(request):
    """The region shown: `?region=` among the actor's regions, else the first; None without any."""
    regions = list(org_selectors.regions_visible_to(request.actor))
    if not regions:
        return None, regions
    wanted = request.GET.get("region", "")
    chosen = next((r for r in regions if str(r.pk) == wanted), regions[0])
    return chosen, regions


@login_required
def regional_matrix(request):
    region, regions = _region(request)
    if region is None:
        return render(request, "web/no_region.html")
    filters = regional.RegionalFilters.from_query(request.GET, region.pk)
    context = regional.regional_matrix(request.actor, filters)
    page = regional.event_page(request.actor, context, request.GET.get("page"))
    log_reads(request.actor, page.object_list, action="list")
    context.update(regional.filter_choices(region.pk))
    context.update(
        region=region,
        regions=regions,
        filters=filters,
        page=page,
        page_query=filters.query() + "&",
        before_query=filters.query(after=False, likelihood=None, consequence=None),
        after_query=filters.query(after=True, likelihood=None, consequence=None),
        all_cells_query=filters.query(likelihood=None, consequence=None),
    )
    return render(request, "risk/regional.html", context)


@login_required
def compare_index(request):
    return render(
        request, "risk/compare_index.html", {"event_types": regional.disagreement_index(request.actor)}
    )


@login_required
def compare(request, event_type_id):
    event_type = regional.get_event_type_for(request.actor, event_type_id)
    context = regional.compare_event_type(request.actor, event_type)
    log_reads(request.actor, [row["event"] for row in context["rows"]], action="list")
    return render(request, "risk/compare.html", context)


@login_required
def measure_list(request):
    region, regions = _region(request)
    if region is None:
        return render(request, "web/no_region.html")
    status = request.GET.get("status", "")
    filters = {
        "owner": regional.positive_int(request.GET.get("owner")),
        "status": status if status in Measure.Status.values else "",
        "overdue": request.GET.get("overdue") == "1",
    }
    measures = regional.regional_measures(
        request.actor,
        region.pk,
        owner_id=filters["owner"],
        status=filters["status"],
        overdue=filters["overdue"],
    )
    page = Paginator(measures, regional.MEASURES_PER_PAGE).get_page(request.GET.get("page"))
    log_reads(request.actor, page.object_list, action="list")
    today = timezone.localdate()
    for measure in page.object_list:
        measure.overdue = measure.is_overdue(today)
    query = urlencode(
        [
            (key, value)
            for key, value in (
                ("region", region.pk),
                ("owner", filters["owner"] or ""),
                ("status", filters["status"]),
                ("overdue", "1" if filters["overdue"] else ""),
            )
            if value != ""
        ]
    )
    return render(
        request,
        "risk/measures.html",
        {
            "region": region,
            "regions": regions,
            "page": page,
            "filters": filters,
            "page_query": query + "&",
            "municipalities": regional.region_municipalities(region.pk),
            "statuses": Measure.Status.choices,
        },
    )
