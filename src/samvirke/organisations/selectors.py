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


def get_organisation_for(actor: Actor, organisation_id) -> Organisation:
    """One organisation of the actor's region(s). Missing and outside the region are the same 404."""
    from samvirke.core.errors import NotFound

    org = organisations_visible_to(actor).select_related("region").filter(pk=organisation_id).first()
    if org is None:
        raise NotFound()
    return org


#: Organisations per page of the directory: a national cooperation pages instead of one huge table.
ORGANISATIONS_PER_PAGE = 100


def organisation_directory(actor: Actor, *, kind: str = "", page=None):
    """The directory of the actor's region(s): one page of organisations with their active member count.

    Two queries whatever the region's size (count and page); the member count is an annotation.
    """
    orgs = organisations_visible_to(actor)
    if kind in Organisation.Kind.values:
        orgs = orgs.filter(kind=kind)
    orgs = (
        orgs.select_related("region")
        .annotate(
            member_count=Count("memberships__user", filter=Q(memberships__active=True), distinct=True),
        )
        .order_by("region__name", "region_id", "kind", "country", "name", "id")
    )
    return Paginator(orgs, ORGANISATIONS_PER_PAGE).get_page(page)


def organisation_detail(actor: Actor, organisation_id, *, include_inactive: bool = False) -> dict:
    """An organisation with its people (membership, user) and, for groups, the member organisations.

    A fixed number of queries whatever the number of people or member organisations.
    """
    org = get_organisation_for(actor, organisation_id)
    memberships = (
        Membership.objects.filter(organisation=org)
        .select_related("user")
        .order_by("-active", "user__last_name", "user__first_name", "user__username", "role", "id")
    )
    if not include_inactive:
        memberships = memberships.filter(active=True)
    visible = organisations_visible_to(actor)
    member_organisations = (
        list(visible.filter(groups=org).order_by("kind", "name", "id"))
        if org.kind == Organisation.Kind.GROUP
        else []
    )
    groups = list(visible.filter(member_organisations=org).order_by("name", "id"))
    memberships = list(memberships)
    return {
        "organisation": org,
        "memberships": [m for m in memberships if m.active],
        "inactive_memberships": [m for m in memberships if not m.active],
        "member_organisations": member_organisations,
        "groups": groups,
    }


def get_membership_for(actor: Actor, organisation: Organisation, membership_id) -> Membership:
    """A membership of an organisation the caller has already fetched through `get_organisation_for`."""
    from samvirke.core.errors import NotFound

    membership = (
        Membership.objects.select_related("user").filter(organisation=organisation, pk=membership_id).first()
    )
    if membership is None or organisation.region_id not in actor.region_ids:
        raise NotFound()
    return membership


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
