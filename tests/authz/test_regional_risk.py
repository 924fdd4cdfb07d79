"""The regional risk pages (regional matrix, comparison of an event type, the region's measures) and the
overview's overdue flags show only what the caller may read.

The canary records of `conftest.make_risk_records` are assessed events of one event type with overdue
measures, at every access level and owned by Rana: a member of another municipality must never see the
secret ones, while the owner does (so these tests can fail), and a member of another region sees none of
the demo region's.
"""

import pytest
from django.test import Client

from samvirke.risk.models import EventType

from .conftest import CANARIES, SECRET_KEYS

OUTSIDERS = ("demo-hemnes", "demo-industripark")


def pages(world) -> list[str]:
    event_type = world.extra["event_type"].pk
    region = world.region.pk
    return [
        f"/risk/regional/?region={region}",
        f"/risk/regional/?region={region}&measures=after",
        f"/risk/regional/?region={region}&event_type={event_type}&likelihood=3&consequence=3",
        "/risk/compare/",
        f"/risk/compare/{event_type}/",
        f"/risk/measures/?region={region}",
        f"/risk/measures/?region={region}&overdue=1",
    ]


def secret(*keys):
    return [CANARIES[k] for k in keys]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_never_see_secret_canaries(world, signed_in, outsider):
    client = signed_in(outsider)
    for url in pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for canary in secret(*SECRET_KEYS, "other_green"):
            assert canary not in body, f"GET {url} as {outsider}: {canary} leaked"


def test_region_members_see_green_and_the_owner_sees_everything(world, signed_in):
    """The canaries are really on these pages for those who may read them: the tests above can fail."""
    event_type = world.extra["event_type"].pk
    hemnes = signed_in("demo-hemnes")
    for url in (f"/risk/regional/?event_type={event_type}", f"/risk/compare/{event_type}/"):
        body = hemnes.get(url).content.decode()
        assert CANARIES["green"] in body or CANARIES["clear"] in body, url
    rana = signed_in("demo-rana")
    body = rana.get(f"/risk/regional/?event_type={event_type}").content.decode()
    for key in ("amber", "amber_strict", "red"):
        assert CANARIES[key] in body, f"the owner (named on RED) does not see {key} on the regional matrix"
    body = rana.get("/risk/measures/?overdue=1").content.decode()
    assert CANARIES["amber_strict"] in body and CANARIES["red"] in body
    # One row per municipality on the comparison: Rana's newest analysis of this type is one canary.
    body = rana.get(f"/risk/compare/{event_type}/").content.decode()
    assert sum(CANARIES[k] in body for k in ("clear", "green", "amber", "amber_strict", "red")) == 1


def test_another_regions_member_sees_nothing_of_this_region(world, signed_in):
    client = signed_in("authz-other-region")
    event_type = world.extra["event_type"].pk
    for url in ("/risk/regional/", f"/risk/compare/{event_type}/", "/risk/compare/", "/risk/measures/"):
        body = client.get(url).content.decode()
        for key in ("clear", "green", *SECRET_KEYS):
            assert CANARIES[key] not in body, f"GET {url}: {key} of another region shown"
    assert CANARIES["other_green"] in client.get("/risk/regional/").content.decode()
    # Asking for the demo region explicitly changes nothing: the region must be one's own.
    body = client.get(f"/risk/regional/?region={world.region.pk}").content.decode()
    assert CANARIES["green"] not in body and CANARIES["other_green"] in body


def test_another_regions_event_type_is_not_found(world, signed_in):
    own = EventType.objects.create(region=world.other_region, category="natural", name="Isgang")
    hemnes = signed_in("demo-hemnes")  # one sign-in: a one-time code cannot be used twice
    assert hemnes.get(f"/risk/compare/{own.pk}/").status_code == 404
    assert hemnes.get("/risk/compare/2000000000/").status_code == 404
    assert signed_in("authz-other-region").get(f"/risk/compare/{own.pk}/").status_code == 200


def test_overview_counts_only_visible_overdue_measures(world, signed_in):
    """Rana's overdue canary measures: the outsider's overview counts the CLEAR and GREEN ones only."""
    from django.utils import timezone

    from samvirke.core.access import AccessLevel
    from samvirke.risk.models import Measure

    rana = world.orgs["1833"]
    overview = signed_in("demo-hemnes").get("/overview/").content.decode()
    today = timezone.localdate()
    hemnes_org, hemnes_user = world.orgs["1832"], world.users["demo-hemnes"]

    def readable(record):  # the sharing rules written out plainly for a Hemnes advisor
        level = record.access_level
        return (
            level in (AccessLevel.CLEAR, AccessLevel.GREEN)
            or (level == AccessLevel.AMBER and hemnes_org in record.shared_with.all())
            or (level == AccessLevel.RED and hemnes_user in record.named_people.all())
        )

    expected = sum(
        m.is_overdue(today) and readable(m) and readable(m.analysis)
        for m in Measure.objects.filter(owner=rana).select_related("analysis")
    )
    owner_expected = sum(m.is_overdue(today) for m in Measure.objects.filter(owner=rana))
    assert expected >= 2 and owner_expected > expected
    link = f"/risk/measures/?region={world.region.pk}&amp;owner={rana.pk}&amp;overdue=1"
    assert link in overview
    tail = overview.split(link, 1)[1][:200]
    assert f">{expected} " in tail, tail
    owner_view = signed_in("demo-rana").get("/overview/").content.decode()
    # Rana's advisor reads all of Rana's (named on the RED canary too).
    assert f">{owner_expected} " in owner_view.split(link, 1)[1][:200]


@pytest.mark.parametrize("path", ["/risk/regional/", "/risk/compare/", "/risk/measures/"])
def test_anonymous_is_sent_to_login(world, path):
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    event_type = world.extra["event_type"].pk
    response = Client().get(f"/risk/compare/{event_type}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
