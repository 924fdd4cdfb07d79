"""Reads of regions and organisations. Directory data: visible to members of the same region only."""

from django.db.models import Prefetch, Q

from samvirke.core.access import Actor, Role
from samvirke.organisations.models import Membership, Organisation, Region


def regions_visible_to(actor: Actor):
    return Region.objects.filter(pk__in=list(actor.region_ids)).order_by("name")


def organisations_visible_to(actor: Actor):
    if not actor.is_verified:
        return Organisation.objects.none()
    return Organisation.objects.filter(region_id__in=list(actor.region_ids))


def region_overview(actor: Actor, region: Region) -> dict:
    """Everything the region overview shows, in a fixed number of queries whatever the region's size."""
    contacts = Prefetch(
        "memberships",
        queryset=Membership.objects.filter(active=True, role=Role.PREPAREDNESS_ADVISOR)
        .select_related("user")
        .order_by("user__last_name", "user__first_name"),
        to_attr="preparedness_contacts",
    )
    orgs = organisations_visible_to(actor).filter(region=region)
    municipalities = list(
        orgs.filter(kind=Organisation.Kind.MUNICIPALITY)
        .only("id", "name", "municipality_number", "country", "population", "administrative_centre", "region_id")
        .prefetch_related(contacts)
        .order_by("country", "name")
    )
    partners = orgs.filter(~Q(kind=Organisation.Kind.MUNICIPALITY)).order_by("kind", "name")
    return {
        "region": region,
        "municipalities": municipalities,
        "partner_count": partners.filter(kind=Organisation.Kind.PARTNER).count(),
        "group_count": partners.filter(kind=Organisation.Kind.GROUP).count(),
        "population_total": sum(m.population or 0 for m in municipalities),
    }


def get_region_for(actor: Actor, region_id):
    from samvirke.core.errors import NotFound

    region = regions_visible_to(actor).filter(pk=region_id).first()
    if region is None:
        raise NotFound()
    return region
