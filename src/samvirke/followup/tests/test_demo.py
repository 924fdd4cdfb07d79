"""The demo follow-up plans: every municipality has this year's plan with done, overdue and postponed
activities and a responsibility matrix; Rana, Nesna and Storuman have a submitted evaluation of last year;
Swedish municipalities read Swedish; loading again creates nothing, and a fresh load is a few bulk inserts."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samvirke.demo.followup import load_followup_demo
from samvirke.followup import domain
from samvirke.followup.models import Activity, AnnualEvaluation, FollowUpPlan, Responsibility
from samvirke.organisations.models import Organisation


def demo_orgs_users():
    orgs = {o.municipality_number or o.name: o for o in Organisation.objects.all()}
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo-")}
    return orgs, users


def test_every_municipality_has_this_years_plan(demo):
    today = timezone.localdate()
    municipalities = Organisation.objects.filter(kind="municipality", region=demo["region"])
    assert municipalities.count() == 9
    for org in municipalities:
        plan = FollowUpPlan.objects.get(owner=org, year=today.year)
        activities = list(Activity.objects.filter(plan=plan))
        statuses = {a.status for a in activities}
        assert "done" in statuses and "postponed" in statuses, org.name
        assert any(a.is_overdue(today) for a in activities), f"{org.name}: nothing overdue"
        assert {a.kind for a in activities} >= {"training", "cooperation", "evaluation", "reporting"}
        keys = [a.source_key for a in activities if a.source_key]
        assert len(keys) == len(set(keys))
        assert domain.ANNUAL_EVALUATION_KEY in keys
        raci = Responsibility.objects.filter(activity__plan=plan)
        assert set(raci.values_list("role", flat=True)) == {"R", "A", "C", "I"}, org.name
        postponed = next(a for a in activities if a.status == "postponed")
        assert postponed.postpone_reason and postponed.postponed_from < postponed.planned_date
        if org.country == "SE":
            assert plan.title.startswith("Uppföljningsplan för")
            evaluation = next(a for a in activities if a.source_key == domain.ANNUAL_EVALUATION_KEY)
            assert evaluation.title == "Årlig utvärdering av beredskapsarbetet"
        else:
            assert plan.title.startswith("Oppfølgingsplan for")


def test_submitted_evaluations_of_last_year(demo):
    today = timezone.localdate()
    for number in ("1833", "1828", "2421"):
        evaluation = AnnualEvaluation.objects.get(owner__municipality_number=number, year=today.year - 1)
        assert evaluation.is_submitted and evaluation.submitted_by is not None
        assert not domain.missing_for_submit(evaluation.answers())
        assert not domain.comment_required(evaluation.answers())
        activity = Activity.objects.get(
            plan__owner__municipality_number=number,
            plan__year=today.year - 1,
            source_key=domain.ANNUAL_EVALUATION_KEY,
        )
        assert activity.status == "done" and activity.done_on == evaluation.submitted_on


def test_loading_again_creates_nothing(demo):
    orgs, users = demo_orgs_users()
    before = (FollowUpPlan.objects.count(), Activity.objects.count(), Responsibility.objects.count())
    with CaptureQueriesContext(connection) as ctx:
        assert load_followup_demo(orgs, users) == {"plans": 0, "activities": 0, "evaluations": 0}
    assert (FollowUpPlan.objects.count(), Activity.objects.count(), Responsibility.objects.count()) == before
    assert len(ctx.captured_queries) <= 5


def test_a_fresh_load_is_a_few_bulk_inserts(demo):
    orgs, users = demo_orgs_users()
    counts = (FollowUpPlan.objects.count(), Activity.objects.count(), AnnualEvaluation.objects.count())
    Responsibility.objects.all().delete()
    Activity.objects.all().delete()
    FollowUpPlan.objects.all().delete()
    AnnualEvaluation.objects.all().delete()
    with CaptureQueriesContext(connection) as ctx:
        result = load_followup_demo(orgs, users)
    assert (result["plans"], result["activities"], result["evaluations"]) == counts
    # A query per municipality (its actor and its due items), the rest in bulk whatever the number of rows.
    assert len(ctx.captured_queries) <= 60, len(ctx.captured_queries)
