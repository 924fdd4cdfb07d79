"""Reads of regions and organisations. Directory data: visible to members of the same region only."""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, Sum

from samvirke.core.access import Actor, Role
from samvirke.organisations.models import Membership, Organisation, Region


def regions_visible_to(actor: Actor):
    return Region.objects.filter(pk__in=list(actor.region_ids)).order_by("name")


def organisations_visible_to(actor: Actor):
    if not actor.is_verified:
        return Organisation.objects.none()
    return Organisation.objects.filter(region_id__in=list(actor.region_ids))


#: Municipalities per page of the overview's table: a region of nine shows on one page, while a
#: national cooperation (356 municipalities) pages instead of rendering every row and contact at once.
MUNICIPALITIES_PER_PAGE = 50


def region_overview(actor: Actor, region: Region, page=None) -> dict:
    """Everything the region overview shows, in a fixed number of queries whatever the region's size."""
    contacts = Prefetch(
        "memberships",
        queryset=Membership.objects.filter(active=True, role=Role.PREPAREDNESS_ADVISOR)
        .select_related("user")
        .order_by("user__last_name", "user__first_name"),
        to_attr="preparedness_contacts",
    )
    orgs = organisations_visible_to(actor).filter(region=region)
    municipality = Q(kind=Organisation.Kind.MUNICIPALITY)
    totals = orgs.aggregate(
        municipality_count=Count("pk", filter=municipality),
        population_total=Sum("population", filter=municipality, default=0),
        partner_count=Count("pk", filter=Q(kind=Organisation.Kind.PARTNER)),
        group_count=Count("pk", filter=Q(kind=Organisation.Kind.GROUP)),
    )
    paginator = Paginator(
        orgs.filter(municipality)
        .only(
            "id", "name", "municipality_number", "country", "population", "administrative_centre", "region_id"
        )
        .prefetch_related(contacts)
        .order_by("country", "name", "id"),
        MUNICIPALITIES_PER_PAGE,
    )
    paginator.count = totals["municipality_count"]  # known already: spare the paginator its COUNT query
    municipality_page = paginator.get_page(page)
    return {
        "region": region,
        "municipalities": list(municipality_page.object_list),
        "municipality_page": municipality_page,
        **totals,
    }


def get_region_for(actor: Actor, region_id):
    from samvirke.core.errors import NotFound

    region = regions_visible_to(actor).filter(pk=region_id).first()
    if region is None:
        raise NotFound()
    return region
