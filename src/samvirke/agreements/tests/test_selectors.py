"""Agreement reads and writes on the demo region: states in SQL and Python agree, parties read what they
are party to, renewals for reminders and calendars, and the parties' sharing follows every save."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from samvirke.agreements import domain, selectors, services
from samvirke.agreements.models import Agreement
from samvirke.core.access import AccessLevel
from samvirke.core.errors import NotFound, PermissionDenied
from samvirke.organisations.models import Organisation, Region

D = datetime.date


@pytest.fixture
def orgs(demo):
    return {o.municipality_number or o.name: o for o in Organisation.objects.all()}


def by_title(title):
    return Agreement.objects.get(title=title)


def test_demo_has_every_state_and_cross_border_agreements(demo, orgs):
    today = timezone.localdate()
    states = {a.title: a.state(today) for a in Agreement.objects.all()}
    owners = set(Agreement.objects.values_list("owner__municipality_number", flat=True))
    assert {"1833", "1832", "1826", "1828", "1834", "1835", "2421", "2462", "2506"} <= owners
    assert states["Avtale om sjøredningsberedskap i Lurøy 2021–2024"] == "expired"
    assert states["Avtale om varsling og beredskap i Røssåga-vassdraget"] == "expiring"
    assert states["Beredskapsavtale for Trænafestivalen"] == "expiring"
    assert states["Avtal om gränsöverskridande samverkan vid skogsbrand (Vilhelmina–Hattfjelldal)"] == "draft"
    assert states["Samarbeidsavtale om beredskap i Mo Industripark"] == "active"
    cross = set(
        Agreement.objects.filter(cross_border=True).values_list("owner__municipality_number", flat=True)
    )
    assert {"1826", "2421", "2462"} <= cross
    assert not by_title("Avtale om bistand fra frivillige organisasjoner").cross_border


def test_demo_loads_again_without_changes(demo):
    from samvirke.demo.agreements import load_agreements_demo

    before = set(Agreement.objects.values_list("pk", "version"))
    orgs = {o.municipality_number or o.name: o for o in Organisation.objects.all()}
    result = load_agreements_demo(orgs)
    assert result["created"] == 0 and result["changed"] == 0
    assert set(Agreement.objects.values_list("pk", "version")) == before


@pytest.mark.parametrize("offset_days", [-400, -100, 0, 45, 91, 400, 2000])
def test_states_in_sql_equal_the_domain(demo, orgs, offset_days):
    """selectors.state_q and domain.agreement_state agree on every agreement, on many days, including
    edge cases at exactly 90 days and on the last day."""
    today = timezone.localdate() + datetime.timedelta(days=offset_days)
    rana = orgs["1833"]
    for days, notice in ((90, 0), (91, 0), (0, 0), (-1, 0), (200, 4)):
        agreement = Agreement(
            owner=rana, title=f"Kant {days} {notice}", status="active", valid_from=D(2000, 1, 1),
            valid_to=today + datetime.timedelta(days=days), notice_months=notice, access_level="green",
        )  # fmt: skip
        agreement.save()
    every = list(Agreement.objects.all())
    assert len(every) > 15
    for state in domain.State.ALL:
        in_sql = set(Agreement.objects.filter(selectors.state_q(state, today)).values_list("pk", flat=True))
        in_python = {a.pk for a in every if a.state(today) == state}
        assert in_sql == in_python, state


def test_a_party_in_the_region_reads_the_agreement_it_is_party_to(demo, actor_of, orgs):
    park = by_title("Samarbeidsavtale om beredskap i Mo Industripark")
    assert park.access_level == AccessLevel.AMBER
    assert selectors.get_agreement_for(actor_of("demo-industripark"), park.pk) == park
    with pytest.raises(NotFound):
        selectors.get_agreement_for(actor_of("demo-hemnes"), park.pk)
    # Rana is a party to Hemnes's AMBER agreement: it is on Rana's list, not on Nesna's.
    rossaga = by_title("Avtale om varsling og beredskap i Røssåga-vassdraget")
    listed = selectors.organisation_agreements(actor_of("demo-rana"), orgs["1833"])["agreements"]
    assert rossaga in listed and park in listed
    assert (
        rossaga not in selectors.region_agreements(actor_of("demo-nesna"), orgs["1828"].region)["agreements"]
    )
    # AMBER+STRICT: the party (SOS Alarm) does not read it; that is what the level means.
    strict = by_title("Avtal om beredskap vid vintertester på isbanorna")
    assert strict.access_level == AccessLevel.AMBER_STRICT
    assert not selectors.agreements_visible_to(actor_of("demo-storuman")).filter(pk=strict.pk).exists()


def test_upcoming_renewals_for_reminders_and_calendars(demo, actor_of):
    today = timezone.localdate()
    rana = actor_of("demo-rana")
    items = selectors.upcoming_renewals(rana, today + datetime.timedelta(days=365))
    titles = [a.title for a, _due in items]
    assert "Avtale om varsling og beredskap i Røssåga-vassdraget" in titles  # renewal passed, not ended
    assert "Avtale om bistand fra frivillige organisasjoner" in titles
    assert "Avtale om sjøredningsberedskap i Lurøy 2021–2024" not in titles  # ended
    assert "Avtale om interkommunalt beredskapssamarbeid på Helgeland" not in titles  # no end date
    assert not any("skogsbrand" in t for t in titles)  # draft
    dates = [due for _a, due in items]
    assert dates == sorted(dates)
    assert all(
        due == a.renewal_due_on == domain.renewal_date(a.valid_to, a.notice_months) for a, due in items
    )
    # Only what the actor may read: Nesna is no party to Hemnes's AMBER agreement, a visitor reads nothing.
    nesna = [
        a.title
        for a, _d in selectors.upcoming_renewals(actor_of("demo-nesna"), today + datetime.timedelta(days=365))
    ]
    assert "Avtale om varsling og beredskap i Røssåga-vassdraget" not in nesna
    assert selectors.upcoming_renewals(actor_of("demo-visitor"), today + datetime.timedelta(days=365)) == []
    # A nearer horizon gives fewer.
    near = selectors.upcoming_renewals(rana, today + datetime.timedelta(days=30))
    assert len(near) < len(items)
    soon = selectors.renewal_due_items(rana)
    assert {i.state for i in soon} == {"expiring"}
    assert all(i.renewal_due <= today + datetime.timedelta(days=90) for i in soon)


def test_renewals_are_one_query(demo, actor_of, django_assert_num_queries):
    actor = actor_of("demo-coordinator")
    with django_assert_num_queries(1):
        items = selectors.upcoming_renewals(actor, timezone.localdate() + datetime.timedelta(days=3650))
        [a.owner.name for a, _d in items]


def test_saving_shares_with_the_parties(demo, actor_of, orgs):
    rana = actor_of("demo-rana")
    agreement = services.agreement_create(
        actor=rana,
        owner_id=orgs["1833"].pk,
        data={"title": "Avtale med Hemnes", "status": "draft", "access_level": "amber", "notice_months": 3},
        organisations=[orgs["1832"], orgs["1833"]],  # the owner itself is not a party
        external=[{"name": "Statkraft Energi AS", "kind": "infrastructure", "country": "NO"}],
    )
    assert [p["name"] for p in agreement.parties] == ["Hemnes kommune", "Statkraft Energi AS"]
    assert set(agreement.shared_with.all()) == {orgs["1832"]}
    assert set(agreement.party_organisations.all()) == {orgs["1832"]}
    assert agreement.party_kinds == "|infrastructure|municipality|"
    assert selectors.get_agreement_for(actor_of("demo-hemnes"), agreement.pk)
    # Hemnes is no longer a party, Storuman is: the sharing follows (nothing else was shared).
    agreement = services.agreement_update(
        actor=rana,
        agreement_id=agreement.pk,
        expected_version=agreement.version,
        data={"title": "Avtale med Storuman"},
        organisations=[orgs["2421"]],
        shared_with=[],
    )
    assert set(agreement.shared_with.all()) == {orgs["2421"]}
    assert agreement.cross_border
    with pytest.raises(NotFound):
        selectors.get_agreement_for(actor_of("demo-hemnes"), agreement.pk)
    # A restore brings the first version's parties back, and their sharing.
    first = agreement.history.order_by("history_id").first().history_id
    agreement = services.agreement_restore(actor=rana, agreement_id=agreement.pk, history_id=first)
    assert set(agreement.party_organisations.all()) == {orgs["1832"]}
    assert orgs["1832"] in agreement.shared_with.all()
    assert not agreement.cross_border


def test_parties_outside_the_region_and_incomplete_ones_are_refused(demo, actor_of, orgs):
    other = Region.objects.create(name="Annen region", slug="annen")
    stranger = Organisation.objects.create(region=other, kind="municipality", name="Fremmed kommune")
    with pytest.raises(ValidationError) as error:
        services.agreement_create(
            actor=actor_of("demo-rana"),
            owner_id=orgs["1833"].pk,
            data={"title": "x", "status": "draft", "access_level": "green"},
            organisations=[stranger],
            external=[{"name": "Uten land", "kind": "", "country": ""}],
        )
    assert set(error.value.message_dict) == {"party_organisations", "parties"}
    assert not Agreement.objects.filter(title="x").exists()


def test_only_the_owners_editors_write(demo, actor_of, orgs):
    with pytest.raises(PermissionDenied):
        services.agreement_create(
            actor=actor_of("demo-rana-reader"),
            owner_id=orgs["1833"].pk,
            data={"title": "x", "status": "draft", "access_level": "green"},
        )
    park = by_title("Samarbeidsavtale om beredskap i Mo Industripark")
    with pytest.raises(PermissionDenied):
        services.agreement_update(
            actor=actor_of("demo-industripark"),
            agreement_id=park.pk,
            expected_version=park.version,
            data={"title": "x"},
        )
