"""Query counts stay flat as the region grows: no N+1 on the overview, the notice and organisation lists or
the API lists.

Each test adds N municipalities (each with members, a partner and notices the viewer can see, at logged
and unlogged levels), measures a page, adds 3N more, and measures again. The counts must be equal (not
just "small"). N is small enough that the first page of each list is not yet full at the first
measurement, so a per-row query (N+1) shows up as a difference; both measurements show AMBER/RED rows,
so both include the one access-log insert.
"""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samvirke.core.access import AccessLevel, Role
from samvirke.organisations.models import Membership, Organisation

from .conftest import make_notice, make_user

_numbers = itertools.count(9000)
N = 2


def grow(world, viewer_username: str, n: int):
    """Add n municipalities to the demo region, each with two members and notices visible to the viewer."""
    viewer = world.users[viewer_username]
    viewer_orgs = [
        m.organisation for m in Membership.objects.filter(user=viewer).select_related("organisation")
    ]
    for _ in range(n):
        number = next(_numbers)
        org = Organisation.objects.create(
            region=world.region,
            kind=Organisation.Kind.MUNICIPALITY,
            name=f"Vekst {number} kommune",
            municipality_number=str(number),
            population=100 + number,
            administrative_centre=f"Sentrum {number}",
        )
        partner = Organisation.objects.create(
            region=world.region,
            kind=Organisation.Kind.PARTNER,
            name=f"Vekst partner {number}",
            partner_type=Organisation.PartnerType.VOLUNTEER,
        )
        advisor = make_user(
            f"grow-advisor-{number}", memberships=[(org, Role.PREPAREDNESS_ADVISOR)], totp=False
        )
        make_user(
            f"grow-reader-{number}",
            memberships=[(org, Role.READER), (partner, Role.PARTNER_CONTACT)],
            totp=False,
        )
        advisor.email = f"advisor{number}@example.invalid"
        advisor.save()
        make_notice(org, f"grow-green-{number}", AccessLevel.GREEN)
        make_notice(org, f"grow-clear-{number}", AccessLevel.CLEAR)
        make_notice(org, f"grow-amber-{number}", AccessLevel.AMBER, shared_with=viewer_orgs)
        make_notice(org, f"grow-red-{number}", AccessLevel.RED, named=[viewer, advisor])
        make_notice(org, f"grow-strict-{number}", AccessLevel.AMBER_STRICT)
        grow_plans(org, viewer_orgs)


def grow_plans(org, viewer_orgs):
    """Governing documents at several levels (AMBER shared with the viewer), one required type missing and
    a plan overdue for revision, with the due items derived: the overview's plan column and due counts."""
    import datetime

    from samvirke.plans.due import refresh_due_items
    from samvirke.plans.models import DocumentType, GoverningDocument

    codes = ["hros", "overordnet-beredskapsplan", "arealplan"]
    types = {t.code: t for t in DocumentType.objects.filter(code__in=codes)}
    for code, level in (("hros", AccessLevel.GREEN), ("overordnet-beredskapsplan", AccessLevel.AMBER),
                        ("arealplan", AccessLevel.AMBER_STRICT)):  # fmt: skip
        doc = GoverningDocument.objects.create(
            owner=org, document_type=types[code], title=f"{code} {org.pk}", status="adopted",
            adopted_on=datetime.date(2020, 1, 1), access_level=level,
        )  # fmt: skip
        if level == AccessLevel.AMBER:
            doc.shared_with.set(viewer_orgs)
    refresh_due_items(organisation_ids=[org.pk])


def count_queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def rows_shown(client, url) -> int:
    response = client.get(url)
    if url.startswith("/api/"):
        return len(response.json()["items"])
    return response.content.decode().count("<tr")


def assert_flat(world, client, url, viewer):
    grow(world, viewer, N)
    client.get(url)  # warm-up: content types, token last-used stamp, session
    small, _ = count_queries(client, url)
    rows_before = rows_shown(client, url)
    grow(world, viewer, 3 * N)
    large, sql = count_queries(client, url)
    assert rows_shown(client, url) > rows_before, (
        f"GET {url}: the page did not grow, so the test proves nothing"
    )
    assert small == large, (
        f"GET {url}: {small} queries with +{N} municipalities, {large} with +{4 * N}.\n" + "\n".join(sql)
    )


@pytest.mark.parametrize("viewer", ["demo-coordinator", "demo-rana", "demo-statsforvalter"])
@pytest.mark.parametrize("url", ["/overview/", "/notices/", "/organisations/"])
def test_pages_have_flat_query_counts(world, signed_in, url, viewer):
    assert_flat(world, signed_in(viewer), url, viewer)


@pytest.mark.parametrize("viewer", ["demo-coordinator", "demo-rana"])
@pytest.mark.parametrize("url", ["/api/v1/notices", "/api/v1/organisations"])
def test_api_lists_have_flat_query_counts(world, url, viewer):
    assert_flat(world, world.api_client(viewer), url, viewer)


def test_region_overview_by_id_has_flat_query_count(world, signed_in):
    assert_flat(world, signed_in("demo-coordinator"), f"/overview/{world.region.pk}/", "demo-coordinator")
