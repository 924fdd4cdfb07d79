"""Rules as data: the shipped defaults, the reasons an impossible rule is refused, and the due-item service
(idempotent, bulk, answers open items when a document is revised). Real database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from samvirke.organisations.models import Organisation, Region
from samvirke.plans.defaults import load_defaults
from samvirke.plans.due import refresh_due_items
from samvirke.plans.models import DocumentType, DueItem, Election, GoverningDocument, Rule, RuleSet

D = datetime.date
TODAY = D(2026, 11, 26)


@pytest.fixture
def defaults(db):
    return load_defaults()


@pytest.fixture
def region(db):
    return Region.objects.create(name="Testregion", slug="testregion")


def municipality(region, number, country="NO"):
    return Organisation.objects.create(
        region=region,
        kind="municipality",
        name=f"Kommune {number}",
        municipality_number=number,
        country=country,
    )


def document(owner, code, **fields):
    values = {"title": f"{code} {owner.pk}", "status": "adopted", "access_level": "green", **fields}
    doc = GoverningDocument(owner=owner, document_type=DocumentType.objects.get(code=code), **values)
    doc.full_clean()
    doc.save()
    return doc


def test_defaults_are_valid_and_idempotent(defaults):
    counts = (
        DocumentType.objects.count(),
        RuleSet.objects.count(),
        Rule.objects.count(),
        Election.objects.count(),
    )
    load_defaults()
    assert counts == (
        DocumentType.objects.count(),
        RuleSet.objects.count(),
        Rule.objects.count(),
        Election.objects.count(),
    )
    for rule in Rule.objects.select_related("rule_set", "document_type"):
        rule.full_clean()
    required_no = {t.code for t in DocumentType.objects.all() if t.is_required_in("NO")}
    required_se = {t.code for t in DocumentType.objects.all() if t.is_required_in("SE")}
    assert {
        "hros",
        "overordnet-beredskapsplan",
        "kontinuitetsplan",
        "samfunnsplan",
        "arealplan",
    } == required_no
    assert {"rsa", "plan-extraordinara-handelser", "oversiktsplan"} <= required_se
    yearly = Rule.objects.get(code="plan-revision-yearly")
    assert (yearly.cadence, yearly.months, yearly.activity) == ("months", 12, "revision")
    assert Rule.objects.get(code="plan-exercise-biennial").months == 24
    rsa = Rule.objects.get(code="rsa-after-election")
    assert (rsa.cadence, rsa.due_month, rsa.due_day) == ("after_election", 10, 31)
    assert Rule.objects.get(code="plan-per-mandate").cadence == "per_mandate"


def rule(defaults, **fields):
    values = {
        "rule_set": RuleSet.objects.get(code="no-beredskapsplikt"),
        "code": "test",
        "title": "Test",
        "activity": "revision",
        "document_type": defaults["overordnet-beredskapsplan"],
        "cadence": "months",
        "months": 12,
        **fields,
    }
    return Rule(**values)


def messages_of(error, field):
    return [str(m) for m in error.message_dict[field]]


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"months": 0}, "months", "A cadence of 0 months is impossible: give at least 1 month."),
        ({"months": -3}, "months", "A cadence of -3 months is impossible"),
        ({"months": 300}, "months", "A cadence of 300 months is longer than 240 months"),
        (
            {"cadence": "after_election", "months": None, "due_month": 2, "due_day": 31},
            "due_day",
            "Day 31 of month 2 does not exist every year",
        ),
        ({"reminder_offsets": [400]}, "reminder_offsets", "A reminder 400 days before the due date"),
        ({"reminder_offsets": [-5]}, "reminder_offsets", "is not a whole number of 0 or more"),
        ({"reminder_offsets": "soon"}, "reminder_offsets", "is not a whole number of 0 or more"),
        ({"escalate_after_days": 500}, "escalate_after_days", "Escalating 500 days after the due date"),
        ({"document_type": None}, "document_type", "A revision rule needs the document type to revise."),
    ],
)
def test_impossible_rules_are_refused_with_a_reason(defaults, fields, field, text):
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            rule(defaults, **fields).full_clean()
        assert any(text in m for m in messages_of(caught.value, field)), caught.value.message_dict


def test_rule_for_a_document_type_of_the_other_country_is_refused(defaults):
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            rule(defaults, document_type=defaults["rsa"]).full_clean()
        assert "not used in the rule set's country" in messages_of(caught.value, "document_type")[0]


# --- the due-item service ---


def test_refresh_is_idempotent_and_writes_nothing_the_second_time(defaults, region):
    org = municipality(region, "9101")
    document(org, "overordnet-beredskapsplan", adopted_on=D(2020, 1, 1), last_revised_on=D(2025, 3, 1))
    first = refresh_due_items(organisation_ids=[org.pk], today=TODAY)
    assert first["created"] > 0
    rows = set(DueItem.objects.values_list("rule_id", "subject", "due_date", "state", "done_on"))
    second = refresh_due_items(organisation_ids=[org.pk], today=TODAY)
    assert (second["created"], second["updated"], second["deleted"]) == (0, 0, 0)
    assert rows == set(DueItem.objects.values_list("rule_id", "subject", "due_date", "state", "done_on"))
    # Missing required documents are owed too: HROS, continuity, community and land-use plans.
    subjects = set(DueItem.objects.filter(organisation=org).values_list("subject", flat=True))
    assert "type:hros" in subjects
    overdue = DueItem.objects.get(organisation=org, rule__code="plan-revision-yearly", projected=False)
    assert (overdue.due_date, overdue.state, overdue.escalated) == (D(2026, 3, 1), "overdue", True)


def test_a_revision_marks_the_open_item_done_and_keeps_it(defaults, region):
    org = municipality(region, "9102")
    doc = document(org, "overordnet-beredskapsplan", adopted_on=D(2020, 1, 1), last_revised_on=D(2025, 3, 1))
    refresh_due_items(organisation_ids=[org.pk], today=TODAY)
    open_item = DueItem.objects.get(document=doc, rule__code="plan-revision-yearly", projected=False)
    doc.last_revised_on = D(2026, 11, 20)
    doc.save()
    result = refresh_due_items(organisation_ids=[org.pk], today=TODAY)
    open_item.refresh_from_db()
    assert (open_item.state, open_item.done_on) == ("done", D(2026, 11, 20))
    assert result["updated"] >= 1
    current = DueItem.objects.get(
        document=doc, rule__code="plan-revision-yearly", done_on__isnull=True, projected=False
    )
    assert current.due_date == D(2027, 11, 20)
    assert refresh_due_items(organisation_ids=[org.pk], today=TODAY)["updated"] == 0


def test_withdrawing_the_only_document_makes_the_type_missing(defaults, region):
    org = municipality(region, "9103")
    doc = document(org, "overordnet-beredskapsplan", adopted_on=D(2026, 1, 10))
    refresh_due_items(organisation_ids=[org.pk], today=TODAY)
    assert DueItem.objects.filter(document=doc).exists()
    doc.status = "withdrawn"
    doc.save()
    refresh_due_items(organisation_ids=[org.pk], today=TODAY)
    assert not DueItem.objects.filter(document=doc).exists()
    assert DueItem.objects.filter(organisation=org, subject="type:overordnet-beredskapsplan").exists()


def test_swedish_municipality_gets_the_swedish_rules(defaults, region):
    org = municipality(region, "9104", country="SE")
    refresh_due_items(organisation_ids=[org.pk], today=TODAY)
    codes = set(DueItem.objects.filter(organisation=org).values_list("rule__code", flat=True))
    assert "rsa-after-election" in codes and "plan-revision-yearly" not in codes
    rsa = DueItem.objects.get(organisation=org, rule__code="rsa-after-election", state="overdue")
    assert rsa.due_date == D(2023, 10, 31)


def test_a_regions_local_rules_apply_only_in_that_region(defaults, region):
    other = Region.objects.create(name="Annen", slug="annen")
    here, there = municipality(region, "9105"), municipality(other, "9106")
    local = RuleSet.objects.create(code="local", name="Lokale regler", country="both", region=region)
    Rule.objects.create(
        rule_set=local, code="training", title="Opplæring", activity="training", cadence="months", months=12
    )
    refresh_due_items(organisation_ids=[here.pk, there.pk], today=TODAY)
    assert DueItem.objects.filter(organisation=here, rule__rule_set=local, subject="org").exists()
    assert not DueItem.objects.filter(organisation=there, rule__rule_set=local).exists()


def test_refresh_uses_a_fixed_number_of_queries(defaults, region):
    def measure(n):
        orgs = [municipality(region, f"9{n}{i:02}") for i in range(n)]
        for org in orgs:
            document(
                org, "overordnet-beredskapsplan", adopted_on=D(2020, 1, 1), last_revised_on=D(2025, 5, 1)
            )
            document(org, "hros", adopted_on=D(2021, 1, 1))
        with CaptureQueriesContext(connection) as ctx:
            refresh_due_items(organisation_ids=[o.pk for o in orgs], today=TODAY)
        return len(ctx.captured_queries)

    assert measure(2) == measure(8)


def test_reasons_are_translated(defaults):
    with translation.override("nb"):
        with pytest.raises(ValidationError) as caught:
            rule(defaults, months=0).full_clean()
        assert messages_of(caught.value, "months") == [
            "Et intervall på 0 måneder er umulig: oppgi minst 1 måned."
        ]
    with translation.override("sv"):
        with pytest.raises(ValidationError) as caught:
            rule(defaults, cadence="after_election", months=None, due_month=2, due_day=31).full_clean()
        assert "Dag 31 i månad 2 finns inte varje år" in messages_of(caught.value, "due_day")[0]
