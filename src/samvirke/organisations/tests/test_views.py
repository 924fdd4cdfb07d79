"""Directory and membership pages through HTTP: who sees what, who may change what, bad input."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from samvirke.core.access import Role
from samvirke.organisations.models import Membership, Organisation, Region

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def org(number):
    return Organisation.objects.get(municipality_number=number)


def english(client):
    """Show pages in English (a signed-in user's own language wins over the browser's)."""
    for user in get_user_model().objects.filter(username__startswith="demo-"):
        user.language = "en"
        user.save(update_fields=["language"])
    return client


@pytest.fixture
def other_region(demo):
    region = Region.objects.create(name="Fjern region", slug="fjern")
    other = Organisation.objects.create(
        region=region, kind="municipality", name="Fjernkommune", municipality_number="9903"
    )
    user = get_user_model().objects.create_user(username="fjern", email="fjern@example.no")
    membership = Membership.objects.create(user=user, organisation=other, role=Role.ADMINISTRATOR)
    return other, membership


def test_list_shows_the_region_with_kind_number_country_and_member_count(signed_in, other_region):
    client = signed_in("demo-hemnes")
    response = client.get("/organisations/")
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("Rana", "Storuman", "Statsforvalteren i Nordland", "Styringsgruppen"):
        assert name in page
    assert "Fjernkommune" not in page
    rana = org("1833")
    members = Membership.objects.filter(organisation=rana, active=True).values("user").distinct().count()
    row = page.split(f'href="/organisations/{rana.pk}/"')[1].split("</tr>")[0]
    assert "1833" in row and f">{members}<" in row
    response = client.get("/organisations/?kind=partner")
    assert "Statsforvalteren i Nordland" in response.content.decode()
    assert "Styringsgruppen" not in response.content.decode()


def test_detail_shows_people_and_for_groups_the_member_organisations(signed_in):
    rana_advisor = get_user_model().objects.get(username="demo-rana")
    rana_advisor.phone = "+47 75 14 50 00"
    rana_advisor.save()
    client = signed_in("demo-hemnes")
    page = client.get(f"/organisations/{org('1833').pk}/").content.decode()
    assert "Ingrid Moe" in page and "Beredskapsrådgiver" in page
    assert rana_advisor.email in page and "+47 75 14 50 00" in page
    assert "members/new/" not in page  # not an administrator
    group = Organisation.objects.get(name="Prosjektgruppen")
    page = client.get(f"/organisations/{group.pk}/").content.decode()
    for name in ("Rana kommune", "Lurøy kommune", "Storuman kommun"):
        assert f">{name}</a>" in page
    assert ">Hemnes kommune</a>" not in page


def test_nav_and_overview_link_to_the_directory(signed_in):
    client = signed_in("demo-coordinator")
    assert 'href="/organisations/"' in client.get("/notices/").content.decode()
    assert f'href="/organisations/{org("1833").pk}/"' in client.get("/overview/").content.decode()


def test_anonymous_is_sent_to_login_and_other_region_is_404(client, signed_in, other_region):
    other, membership = other_region
    for url in ("/organisations/", f"/organisations/{org('1833').pk}/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client = signed_in("demo-coordinator")
    assert client.get(f"/organisations/{other.pk}/").status_code == 404
    for suffix in ("members/new/", f"members/{membership.pk}/edit/", f"members/{membership.pk}/deactivate/"):
        assert client.get(f"/organisations/{other.pk}/{suffix}").status_code == 404
        assert (
            client.post(
                f"/organisations/{other.pk}/{suffix}", {"email": "x@example.no", "role": "reader"}
            ).status_code
            == 404
        )
    assert client.post(f"/organisations/{other.pk}/members/{membership.pk}/invite/").status_code == 404
    # A membership of another region under an organisation of this region: also 404.
    assert client.get(f"/organisations/{org('1833').pk}/members/{membership.pk}/edit/").status_code == 404
    membership.refresh_from_db()
    assert membership.active and membership.role == Role.ADMINISTRATOR


def test_verified_user_without_region_sees_no_organisations(signed_in):
    client = signed_in("demo-visitor")
    response = client.get("/organisations/")
    assert response.status_code == 200
    assert "Rana" not in response.content.decode()
    assert client.get(f"/organisations/{org('1833').pk}/").status_code == 404


@pytest.mark.parametrize("username", ["demo-rana", "demo-hemnes", "demo-admin", "demo-statsforvalter"])
def test_everyone_else_gets_403_on_the_membership_routes(signed_in, username):
    rana = org("1833")
    membership = Membership.objects.get(user__username="demo-rana-reader", organisation=rana)
    client = signed_in(username)
    base = f"/organisations/{rana.pk}/members"
    for url in (f"{base}/new/", f"{base}/{membership.pk}/edit/", f"{base}/{membership.pk}/deactivate/"):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"email": "x@example.no", "role": "administrator"}).status_code == 403, url
    assert client.post(f"{base}/{membership.pk}/invite/").status_code == 403
    membership.refresh_from_db()
    assert membership.active and membership.role == Role.READER
    assert not get_user_model().objects.filter(email="x@example.no").exists()


def test_administrator_adds_changes_and_deactivates_through_the_pages(signed_in):
    client = english(signed_in("demo-admin"))
    luroy = org("1834")
    page = client.get(f"/organisations/{luroy.pk}/").content.decode()
    assert f"/organisations/{luroy.pk}/members/new/" in page
    response = client.get(f"/organisations/{luroy.pk}/members/new/")
    assert response.status_code == 200
    assert 'value="regional_coordinator"' not in response.content.decode()
    response = client.post(
        f"/organisations/{luroy.pk}/members/new/",
        {
            "email": "ny@luroy.kommune.no",
            "role": "reader",
            "title": "Konsulent",
            "first_name": "Nina",
            "last_name": "Ny",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="ny@luroy.kommune.no", organisation=luroy)
    page = client.get(response["Location"]).content.decode()
    assert "Nina Ny" in page and "An e-mail with a link to choose a password was sent" in page

    url = f"/organisations/{luroy.pk}/members/{membership.pk}/edit/"
    assert client.post(url, {"role": "crisis_staff", "title": "Kriseleder"}).status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.title) == ("crisis_staff", "Kriseleder")

    url = f"/organisations/{luroy.pk}/members/{membership.pk}/deactivate/"
    assert "Nina Ny" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    membership.refresh_from_db()
    assert membership.active is False
    history = list(membership.history.order_by("history_id").values_list("history_user__username", "active"))
    assert history == [("demo-admin", True), ("demo-admin", True), ("demo-admin", False)]


def test_bad_input_is_explained_and_nothing_is_lost(signed_in):
    client = english(signed_in("demo-coordinator"))
    luroy = org("1834")
    url = f"/organisations/{luroy.pk}/members/new/"
    response = client.post(
        url, {"email": "not-an-address", "role": "reader", "title": "Min tittel", "first_name": "Kim"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "error-summary" in page and "Enter a valid email address." in page
    assert 'value="Min tittel"' in page and 'value="Kim"' in page
    # The same role twice: a field error, the form kept.
    luroy_advisor = get_user_model().objects.get(username="demo-luroy")
    response = client.post(
        url, {"email": luroy_advisor.email, "role": "preparedness_advisor", "title": "Behold"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "already has the role" in page and 'value="Behold"' in page


def test_bad_input_is_translated(signed_in):
    client = signed_in("demo-coordinator")  # Norwegian bokmål
    url = f"/organisations/{org('1834').pk}/members/new/"
    page = client.post(url, {"email": "not-an-address", "role": "reader"}).content.decode()
    assert "error-summary" in page and "Enter a valid email address." not in page


def test_last_administrator_is_kept_with_a_clear_message(signed_in):
    client = english(signed_in("demo-admin"))
    luroy = org("1834")
    own = Membership.objects.get(user__username="demo-admin", organisation=luroy)
    response = client.post(f"/organisations/{luroy.pk}/members/{own.pk}/deactivate/", follow=True)
    assert "is the last administrator of Lurøy" in response.content.decode()
    response = client.post(
        f"/organisations/{luroy.pk}/members/{own.pk}/edit/", {"role": "reader", "title": ""}
    )
    assert response.status_code == 200 and "is the last administrator" in response.content.decode()
    own.refresh_from_db()
    assert own.active and own.role == Role.ADMINISTRATOR


def test_administrator_cannot_touch_the_coordinator_role(signed_in):
    client = signed_in("demo-admin")
    luroy = org("1834")
    coordinator = Membership.objects.get(user__username="demo-coordinator", organisation=luroy)
    assert client.get(f"/organisations/{luroy.pk}/members/{coordinator.pk}/edit/").status_code == 403
    assert client.post(f"/organisations/{luroy.pk}/members/{coordinator.pk}/deactivate/").status_code == 403
    response = client.post(
        f"/organisations/{luroy.pk}/members/new/",
        {"email": "sjef@example.no", "role": "regional_coordinator"},
    )
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.active


# ---------------------------------------------------------------------------------------------------
# Query counts: flat whatever the number of organisations, people and member organisations
# ---------------------------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_people(organisation, n, start):
    for i in range(start, start + n):
        user = get_user_model().objects.create_user(
            username=f"flat-{organisation.pk}-{i}", email=f"flat{i}@example.no", phone=f"+47 {i}"
        )
        Membership.objects.create(user=user, organisation=organisation, role=Role.READER, title=f"Tittel {i}")
        Membership.objects.create(
            user=user, organisation=organisation, role=Role.CRISIS_STAFF, active=i % 2 == 0
        )


@pytest.mark.parametrize("viewer", ["demo-hemnes", "demo-coordinator"])
def test_detail_has_a_flat_query_count(signed_in, viewer):
    client = signed_in(viewer)
    group = Organisation.objects.get(name="Prosjektgruppen")
    url = f"/organisations/{group.pk}/"
    client.get(url)
    add_people(group, 2, 0)
    small = count_queries(client, url)
    add_people(group, 8, 2)
    extra = [
        Organisation.objects.create(region=group.region, kind="partner", name=f"Flat partner {i}")
        for i in range(5)
    ]
    group.member_organisations.add(*extra)
    large = count_queries(client, url)
    page = client.get(url).content.decode()
    assert "Flat partner 4" in page and "flat9@example.no" in page
    assert small == large, (
        f"{small} queries with 2 people, {large} with 10 people and 5 more member organisations"
    )
