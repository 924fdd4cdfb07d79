"""A region's own rules through HTTP on the demo region: coordinators and administrators add, edit and
retire them, impossible cadences are refused with the reason, the region's due items follow every change,
national rules are read-only, members read and get 403 on the editing pages, others get 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samvirke.organisations.models import Organisation, Region
from samvirke.plans import services_rules
from samvirke.plans.models import DocumentType, DueItem, Rule, RuleSet


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def region(demo):
    return demo["region"]


@pytest.fixture
def local_set(region, actor_of):
    return services_rules.rule_set_create(
        actor=actor_of("demo-coordinator"),
        region=region,
        data={
            "name": "Regionale rutiner",
            "country": "NO",
            "source": "Styringsgruppen 2025",
            "description": "",
        },
    )


def rule_post(**fields):
    data = {
        "title": "Kontinuitetsplan revidert annethvert år",
        "activity": "revision",
        "document_type": DocumentType.objects.get(code="kontinuitetsplan").pk,
        "cadence": "months",
        "months": "24",
        "reminder_offsets": "60, 14, 0",
        "escalate_after_days": "30",
        "legal_reference": "Vedtak i styringsgruppen",
        "effective_from": "2020-01-01",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_members_read_national_and_local_rules(signed_in, region, local_set):
    client = english(signed_in("demo-rana"))
    response = client.get(f"/plans/regions/{region.pk}/rules/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Forskrift om kommunal beredskapsplikt" in body and "LEH och MSBFS 2015:5" in body
    assert "every 12 months" in body and "by October 31 the year after an election" in body
    assert "Regionale rutiner" in body
    assert "/rules/sets/" not in body and "Retire" not in body  # no editing for an advisor


def test_coordinator_adds_a_rule_and_due_items_follow(signed_in, region, local_set):
    client = signed_in("demo-coordinator")
    response = client.post(f"/plans/regions/{region.pk}/rules/sets/{local_set.pk}/rules/new/", rule_post())
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = Rule.objects.get(rule_set=local_set)
    assert (rule.months, rule.reminder_offsets, rule.code) == (
        24,
        [60, 14, 0],
        "kontinuitetsplan-revidert-annethvert-ar",
    )
    items = DueItem.objects.filter(rule=rule)
    norwegian = set(
        Organisation.objects.filter(region=region, kind="municipality", country="NO").values_list(
            "pk", flat=True
        )
    )
    assert items.exists() and set(items.values_list("organisation_id", flat=True)) <= norwegian
    assert rule.history.first().history_user.username == "demo-coordinator"
    # Editing the cadence re-derives: a yearly revision makes more occurrences due.
    before = items.count()
    form = client.get(f"/plans/regions/{region.pk}/rules/{rule.pk}/edit/")
    fingerprint = form.context["form"]["fingerprint"].value()
    response = client.post(
        f"/plans/regions/{region.pk}/rules/{rule.pk}/edit/", rule_post(months="12", fingerprint=fingerprint)
    )
    assert response.status_code == 302
    assert DueItem.objects.filter(rule=rule).count() > before
    # Retired: nothing is due under it any more; taken back: the items return.
    assert (
        client.post(f"/plans/regions/{region.pk}/rules/{rule.pk}/retire/", {"active": "0"}).status_code == 302
    )
    assert not DueItem.objects.filter(rule=rule).exists()
    client.post(f"/plans/regions/{region.pk}/rules/{rule.pk}/retire/", {"active": "1"})
    assert DueItem.objects.filter(rule=rule).exists()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"months": "0"}, "A cadence of 0 months is impossible: give at least 1 month."),
        ({"months": "300"}, "A cadence of 300 months is longer than 240 months"),
        (
            {"cadence": "after_election", "due_month": "2", "due_day": "31"},
            "Day 31 of month 2 does not exist every year",
        ),
        ({"reminder_offsets": "30, soon"}, "“soon” is not a whole number of 0 or more"),
        ({"reminder_offsets": "800"}, "A reminder 800 days before the due date comes before the previous"),
        ({"escalate_after_days": "900"}, "Escalating 900 days after the due date"),
        ({"document_type": "", "activity": "revision"}, "A revision rule needs the document type to revise."),
    ],
)
def test_impossible_rules_are_refused_with_the_reason(signed_in, region, local_set, fields, reason):
    client = english(signed_in("demo-coordinator"))
    response = client.post(
        f"/plans/regions/{region.pk}/rules/sets/{local_set.pk}/rules/new/",
        rule_post(title="Umulig regel", **fields),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert reason in body
    assert 'value="Umulig regel"' in body  # what was typed is kept
    assert not Rule.objects.filter(rule_set=local_set).exists()


def test_the_reason_is_translated(signed_in, region, local_set):
    client = signed_in("demo-coordinator")  # bokmål
    response = client.post(
        f"/plans/regions/{region.pk}/rules/sets/{local_set.pk}/rules/new/", rule_post(months="0")
    )
    body = response.content.decode()
    assert "A cadence of 0 months is impossible" not in body
    assert "0" in body and 'aria-invalid="true"' in body


def test_a_concurrent_change_is_a_conflict_that_keeps_the_input(signed_in, actor_of, region, local_set):
    rule = services_rules.rule_create(
        actor=actor_of("demo-coordinator"), region=region, rule_set_id=local_set.pk,
        data={"title": "Felles øvelse", "activity": "exercise", "cadence": "months", "months": 36},
    )  # fmt: skip
    client = english(signed_in("demo-admin"))
    stale = (
        client.get(f"/plans/regions/{region.pk}/rules/{rule.pk}/edit/").context["form"]["fingerprint"].value()
    )
    services_rules.rule_update(
        actor=actor_of("demo-coordinator"), region=region, rule_id=rule.pk,
        expected_fingerprint=services_rules.rule_fingerprint(rule), data={"months": 24},
    )  # fmt: skip
    response = client.post(
        f"/plans/regions/{region.pk}/rules/{rule.pk}/edit/",
        rule_post(title="Min tittel", activity="exercise", document_type="", months="48", fingerprint=stale),
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this rule after you opened it" in body and 'value="Min tittel"' in body
    rule.refresh_from_db()
    assert (rule.title, rule.months) == ("Felles øvelse", 24)
    # Saving again (now on top of the latest version) goes through.
    fresh = response.context["form"]["fingerprint"].value()
    response = client.post(
        f"/plans/regions/{region.pk}/rules/{rule.pk}/edit/",
        rule_post(title="Min tittel", activity="exercise", document_type="", months="48", fingerprint=fresh),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.title, rule.months) == ("Min tittel", 48)


def test_who_may_change_the_rules(signed_in, region, local_set):
    rule = Rule.objects.create(
        rule_set=local_set, code="x", title="X", activity="training", cadence="months", months=12
    )
    national = Rule.objects.filter(rule_set__region__isnull=True).first()
    urls = [
        f"/plans/regions/{region.pk}/rules/sets/new/",
        f"/plans/regions/{region.pk}/rules/sets/{local_set.pk}/edit/",
        f"/plans/regions/{region.pk}/rules/sets/{local_set.pk}/rules/new/",
        f"/plans/regions/{region.pk}/rules/{rule.pk}/edit/",
    ]
    advisor = signed_in("demo-rana")
    for url in urls:
        assert advisor.get(url).status_code == 403, url
        assert advisor.post(url, rule_post()).status_code == 403, url
    assert (
        advisor.post(f"/plans/regions/{region.pk}/rules/{rule.pk}/retire/", {"active": "0"}).status_code
        == 403
    )
    rule.refresh_from_db()
    assert rule.active and not Rule.objects.filter(rule_set=local_set).exclude(pk=rule.pk).exists()
    admin = signed_in("demo-admin")  # administrator in Lurøy: may
    assert admin.get(urls[3]).status_code == 200
    # A national rule is not the region's: not found under the region's rules, read-only on the page.
    assert admin.get(f"/plans/regions/{region.pk}/rules/{national.pk}/edit/").status_code == 404
    assert (
        admin.post(f"/plans/regions/{region.pk}/rules/{national.pk}/retire/", {"active": "0"}).status_code
        == 404
    )
    national.refresh_from_db()
    assert national.active
    # Another region's rule set under this region's address: 404.
    other = Region.objects.create(name="Annen region", slug="annen-region")
    foreign = RuleSet.objects.create(code="annen-lokal", name="Annen", country="NO", region=other)
    assert admin.get(f"/plans/regions/{region.pk}/rules/sets/{foreign.pk}/rules/new/").status_code == 404


def test_rule_sets_are_created_and_retired(signed_in, region):
    client = signed_in("demo-coordinator")
    response = client.post(
        f"/plans/regions/{region.pk}/rules/sets/new/",
        {"name": "Grenseavtalen", "country": "both", "source": ""},
    )
    assert response.status_code == 302
    rule_set = RuleSet.objects.get(region=region, name="Grenseavtalen")
    assert rule_set.code.startswith(region.slug)
    services_rules.rule_create(
        actor=services_rules_actor(), region=region, rule_set_id=rule_set.pk,
        data={"title": "Felles grenseøvelse", "activity": "exercise", "cadence": "months", "months": 36},
    )  # fmt: skip
    assert DueItem.objects.filter(rule__rule_set=rule_set).exists()
    form = client.get(f"/plans/regions/{region.pk}/rules/sets/{rule_set.pk}/edit/")
    fingerprint = form.context["form"]["fingerprint"].value()
    response = client.post(
        f"/plans/regions/{region.pk}/rules/sets/{rule_set.pk}/edit/",
        {"name": "Grenseavtalen", "source": "", "description": "", "fingerprint": fingerprint},
    )  # "active" unticked
    assert response.status_code == 302
    rule_set.refresh_from_db()
    assert not rule_set.active and rule_set.country == "both"
    assert not DueItem.objects.filter(rule__rule_set=rule_set).exists()


def services_rules_actor():
    from django.contrib.auth import get_user_model

    from samvirke.core.access import actor_for_user

    return actor_for_user(get_user_model().objects.get(username="demo-coordinator"), verified=True)


def test_rules_page_queries_are_flat(signed_in, region, local_set):
    client = signed_in("demo-rana")
    url = f"/plans/regions/{region.pk}/rules/"
    client.get(url)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for n in range(3):
        Rule.objects.create(
            rule_set=local_set, code=f"a{n}", title=f"A{n}", activity="training", cadence="months", months=12
        )
    first = measure()
    extra = RuleSet.objects.create(code="ekstra", name="Ekstra", country="SE", region=region)
    for n in range(10):
        Rule.objects.create(
            rule_set=extra, code=f"b{n}", title=f"B{n}", activity="revision", cadence="months", months=12,
            document_type=DocumentType.objects.get(code="rsa"),
        )  # fmt: skip
    assert measure() == first
