"""Follow-up pages keep a constant number of queries as activities, responsibilities, municipalities and
facts grow. Each test grows the data, measures, grows it more and measures again: the counts must be equal,
and both measurements include AMBER and RED rows (so both write the access log)."""

import datetime
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samvirke.core.access import AccessLevel
from samvirke.followup import domain
from samvirke.followup.models import Activity, AnnualEvaluation, FollowUpPlan, Responsibility
from samvirke.organisations.models import Organisation

_numbers = itertools.count(1)
LEVELS = [AccessLevel.GREEN, AccessLevel.AMBER, AccessLevel.AMBER_STRICT, AccessLevel.RED]


def add_activities(plan, n, *, viewer_org, viewer, partner):
    """n activities at GREEN, AMBER (shared with the viewer's organisation), AMBER+STRICT (hidden from the
    viewer) and RED (naming the viewer) in turn, each with a person, an organisation and a role in its RACI,
    some generated from a due key, some overdue."""
    year = plan.year or timezone.localdate().year
    for i in range(n):
        number = next(_numbers)
        level = LEVELS[i % len(LEVELS)]
        activity = Activity(
            plan=plan,
            owner=plan.owner,
            kind=["exercise", "training", "revision", "cooperation"][i % 4],
            title=f"Vekst {number}",
            planned_date=datetime.date(year, 1 + number % 12, 1 + number % 27),
            access_level=level,
            exemption_basis="" if level == AccessLevel.GREEN else "offl. § 24 tredje ledd",
            source_key=domain.due_key(1, f"doc:{number}", datetime.date(year, 2, 1)) if i % 2 else "",
            status="done" if i % 3 == 0 else "planned",
            done_on=datetime.date(year, 1, 1) if i % 3 == 0 else None,
        )
        activity.save()
        if level == AccessLevel.AMBER:
            activity.shared_with.set([viewer_org])
        if level == AccessLevel.RED:
            activity.named_people.set([viewer])
        Responsibility.objects.bulk_create(
            [
                Responsibility(activity=activity, role="R", user=viewer),
                Responsibility(activity=activity, role="C", organisation=partner),
                Responsibility(activity=activity, role="A", name=f"Leder {number}"),
            ]
        )


def count(client, url):
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


@pytest.fixture
def setting(demo):
    orgs = {o.municipality_number or o.name: o for o in Organisation.objects.all()}
    viewer = get_user_model().objects.get(username="demo-rana")
    return orgs, viewer


@pytest.mark.parametrize("page", ["plan", "raci", "organisation", "activity"])
def test_plan_pages_have_flat_query_counts(signed_in, setting, page):
    orgs, viewer = setting
    today = timezone.localdate()
    hemnes_plan = FollowUpPlan.objects.get(owner=orgs["1832"], year=today.year)
    client = signed_in("demo-rana")
    first = Activity.objects.filter(plan=hemnes_plan, access_level=AccessLevel.GREEN).first()
    url = {
        "plan": f"/follow-up/plans/{hemnes_plan.pk}/",
        "raci": f"/follow-up/plans/{hemnes_plan.pk}/responsibility/",
        "organisation": f"/follow-up/organisations/{orgs['1832'].pk}/",
        "activity": f"/follow-up/plans/{hemnes_plan.pk}/activities/{first.pk}/",
    }[page]

    def grow(n):
        add_activities(
            hemnes_plan,
            n,
            viewer_org=orgs["1833"],
            viewer=viewer,
            partner=orgs["Statsforvalteren i Nordland"],
        )
        Responsibility.objects.create(activity=first, role="I", name=f"Orientert {next(_numbers)}")

    grow(4)
    small, body_small = count(client, url)
    grow(12)
    large, body_large = count(client, url)
    if page in ("plan", "raci", "activity"):
        assert len(body_large) > len(body_small), "the page did not grow"
    assert small == large, f"{url}: {small} queries before, {large} after growing"


def add_municipalities(region, n, *, viewer_org, viewer, partner):
    today = timezone.localdate()
    for _ in range(n):
        number = next(_numbers)
        org = Organisation.objects.create(
            region=region,
            kind="municipality",
            name=f"Vekst {number} kommune",
            country="NO",
            municipality_number=f"{8000 + number}",
        )
        for year, level in ((today.year, AccessLevel.GREEN), (today.year - 1, AccessLevel.AMBER)):
            plan = FollowUpPlan.objects.create(
                owner=org,
                year=year,
                title=f"Plan {number} {year}",
                access_level=level,
                exemption_basis="" if level == AccessLevel.GREEN else "offl. § 24 tredje ledd",
            )
            if level == AccessLevel.AMBER:
                plan.shared_with.set([viewer_org])
            add_activities(plan, 4, viewer_org=viewer_org, viewer=viewer, partner=partner)
        evaluation = AnnualEvaluation.objects.create(
            owner=org,
            year=today.year - 1,
            access_level=AccessLevel.RED,
            exemption_basis="offl. § 24 tredje ledd",
            status="submitted",
            submitted_on=today,
        )
        evaluation.named_people.set([viewer])


def test_region_page_has_a_flat_query_count(signed_in, setting):
    orgs, viewer = setting
    client = signed_in("demo-rana")
    region = orgs["1833"].region
    url = f"/follow-up/regions/{region.pk}/"

    def grow(n):
        add_municipalities(
            region, n, viewer_org=orgs["1833"], viewer=viewer, partner=orgs["Statsforvalteren i Nordland"]
        )

    grow(2)
    small, body_small = count(client, url)
    grow(6)
    large, body_large = count(client, url)
    assert body_large.count("<tr") > body_small.count("<tr"), "the page did not grow"
    assert small == large, f"{small} queries with fewer municipalities, {large} with more"


@pytest.mark.parametrize("page", ["report", "form"])
def test_evaluation_pages_have_flat_query_counts(signed_in, setting, page):
    """The report page and the form read the facts of the year (documents, due items, plan, measures)."""
    from samvirke.risk.models import Measure, RiskAnalysis

    orgs, viewer = setting
    today = timezone.localdate()
    rana = orgs["1833"]
    evaluation = AnnualEvaluation.objects.get(owner=rana, year=today.year - 1)
    plan = FollowUpPlan.objects.get(owner=rana, year=today.year - 1)
    analysis = RiskAnalysis.objects.filter(owner=rana).first()
    client = signed_in("demo-rana")
    url = {
        "report": f"/follow-up/evaluations/{evaluation.pk}/",
        "form": f"/follow-up/evaluations/{evaluation.pk}/edit/",
    }[page]

    def grow(n):
        add_activities(plan, n, viewer_org=rana, viewer=viewer, partner=orgs["Statsforvalteren i Nordland"])
        for i in range(n):
            level = LEVELS[i % len(LEVELS)]
            measure = Measure.objects.create(
                owner=rana,
                analysis=analysis,
                title=f"Tiltak {next(_numbers)}",
                access_level=level,
                exemption_basis="" if level == AccessLevel.GREEN else "offl. § 24 tredje ledd",
                deadline=datetime.date(today.year - 1, 6, 1),
                status="planned",
            )
            if level == AccessLevel.RED:
                measure.named_people.set([viewer])

    grow(4)
    small, body_small = count(client, url)
    grow(12)
    large, body_large = count(client, url)
    assert len(body_large) > len(body_small), "the page did not grow"
    assert small == large, f"{url}: {small} queries before, {large} after growing"
