"""Follow-up services on the demo region: generating from the rules (idempotent, never clobbering what
people changed), postponing, marking done, recurrence, the RACI rules, conflicts and the annual evaluation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from samvirke.core.access import AccessLevel
from samvirke.core.errors import Conflict, PermissionDenied
from samvirke.followup import domain, selectors, services
from samvirke.followup.models import Activity, ActivityStatus, AnnualEvaluation, FollowUpPlan, Responsibility
from samvirke.organisations.models import Organisation
from samvirke.plans import services as plan_services
from samvirke.plans.models import GoverningDocument

D = datetime.date


@pytest.fixture
def orgs(demo):
    return {o.municipality_number or o.name: o for o in Organisation.objects.all()}


@pytest.fixture
def today():
    return timezone.localdate()


def plan_of(number, year):
    return FollowUpPlan.objects.get(owner__municipality_number=number, year=year)


def activities(plan):
    return list(Activity.objects.filter(plan=plan).order_by("pk"))


def new_plan(actor, owner, year, **kwargs):
    return services.plan_create(
        actor=actor,
        owner_id=owner.pk,
        data={"year": year, "title": f"Plan {year}", "access_level": AccessLevel.GREEN},
        **kwargs,
    )


def test_generating_is_idempotent_and_never_clobbers_edits(actor_of, orgs, today):
    actor = actor_of("demo-hemnes")
    plan = new_plan(actor, orgs["1832"], today.year + 1)
    made = activities(plan)
    keys = [a.source_key for a in made]
    assert len(keys) == len(set(keys)), "an activity was generated twice"
    assert {domain.ANNUAL_EVALUATION_KEY, domain.COUNCIL_REPORT_KEY, domain.MUNICIPAL_SURVEY_KEY} <= set(keys)
    from_rules = [a for a in made if a.source_key.startswith("due:")]
    assert from_rules, "next year's revisions and exercises should come from the rules"
    assert all(a.planned_date.year == today.year + 1 for a in made)

    assert services.plan_generate(actor=actor, plan_id=plan.pk) == {
        "created": 0,
        "updated": 0,
        "cancelled": 0,
    }

    # A person renames one and postpones another: filling again leaves both as they are.
    renamed, postponed = from_rules[0], made[-1]
    services.activity_update(
        actor=actor,
        plan_id=plan.pk,
        activity_id=renamed.pk,
        expected_version=renamed.version,
        data={
            "kind": renamed.kind,
            "title": "Revisjon med ny ROS",
            "planned_date": renamed.planned_date,
            "recurrence_months": 0,
            "status": ActivityStatus.IN_PROGRESS,
            "access_level": AccessLevel.GREEN,
        },
    )
    services.activity_postpone(
        actor=actor,
        plan_id=plan.pk,
        activity_id=postponed.pk,
        expected_version=postponed.version,
        new_date=postponed.planned_date + datetime.timedelta(days=10),
        reason="Kommunedirektøren er bortreist.",
    )
    assert services.plan_generate(actor=actor, plan_id=plan.pk) == {
        "created": 0,
        "updated": 0,
        "cancelled": 0,
    }
    renamed.refresh_from_db()
    postponed.refresh_from_db()
    assert (renamed.title, renamed.status, renamed.edited) == ("Revisjon med ny ROS", "in_progress", True)
    assert postponed.status == ActivityStatus.POSTPONED and postponed.postponed_from is not None
    assert len(activities(plan)) == len(made)


def test_an_unchanged_activity_follows_its_due_item_when_the_document_is_revised(actor_of, orgs, today):
    actor = actor_of("demo-hemnes")
    plan = plan_of("1832", today.year)
    activity = Activity.objects.get(
        plan=plan, rule__code="plan-revision-yearly", status=ActivityStatus.PLANNED, edited=False
    )
    document = GoverningDocument.objects.get(
        owner=orgs["1832"], document_type__code="overordnet-beredskapsplan"
    )
    plan_services.document_update(
        actor=actor,
        document_id=document.pk,
        expected_version=document.version,
        data={"last_revised_on": today},
    )
    result = services.plan_generate(actor=actor, plan_id=plan.pk)
    activity.refresh_from_db()
    assert (activity.status, activity.done_on) == (ActivityStatus.DONE, today)
    assert result["updated"] >= 1
    assert services.plan_generate(actor=actor, plan_id=plan.pk)["updated"] == 0


def test_a_generated_activity_is_as_strict_as_its_document(actor_of, orgs, today):
    hemnes = orgs["1832"]
    GoverningDocument.objects.filter(owner=hemnes, document_type__code="overordnet-beredskapsplan").update(
        access_level=AccessLevel.AMBER_STRICT, exemption_basis="offl. § 24 tredje ledd"
    )
    plan = new_plan(actor_of("demo-hemnes"), hemnes, today.year + 1)
    strict = [a for a in activities(plan) if a.rule and a.rule.code == "plan-revision-yearly"]
    assert strict and all(a.access_level == AccessLevel.AMBER_STRICT for a in strict)
    # A reader in the region sees the plan but not the activity about the document they may not read.
    neighbour = actor_of("demo-rana")
    assert selectors.plans_visible_to(neighbour).filter(pk=plan.pk).exists()
    visible = set(selectors.activities_visible_to(neighbour).filter(plan=plan).values_list("pk", flat=True))
    assert visible and not visible & {a.pk for a in strict}


def test_one_plan_per_year(actor_of, orgs, today):
    with pytest.raises(ValidationError) as caught:
        new_plan(actor_of("demo-hemnes"), orgs["1832"], today.year, generate=False)
    assert "year" in caught.value.message_dict
    rolling = new_plan(actor_of("demo-hemnes"), orgs["1832"], None)
    assert rolling.is_rolling
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        new_plan(actor_of("demo-hemnes"), orgs["1832"], None)
    assert "already has a rolling follow-up plan" in caught.value.message_dict["year"][0]


def test_only_editors_write(actor_of, orgs, today):
    reader = actor_of("demo-rana-reader")
    with pytest.raises(PermissionDenied):
        new_plan(reader, orgs["1833"], today.year + 1)
    plan = plan_of("1833", today.year)
    with pytest.raises(PermissionDenied):
        services.plan_generate(actor=reader, plan_id=plan.pk)
    activity = activities(plan)[0]
    with pytest.raises(PermissionDenied):
        services.activity_mark_done(
            actor=actor_of("demo-hemnes"),
            plan_id=plan.pk,
            activity_id=activity.pk,
            expected_version=activity.version,
            done_on=today,
        )


def test_postponing_needs_a_later_date_and_a_reason(actor_of, today):
    actor = actor_of("demo-rana")
    plan = plan_of("1833", today.year)
    activity = next(a for a in activities(plan) if a.status == ActivityStatus.PLANNED)
    with pytest.raises(ValidationError) as caught:
        services.activity_postpone(
            actor=actor,
            plan_id=plan.pk,
            activity_id=activity.pk,
            expected_version=activity.version,
            new_date=activity.planned_date,
            reason=" ",
        )
    assert set(caught.value.message_dict) == {"new_date", "reason"}
    later = activity.planned_date + datetime.timedelta(days=30)
    moved = services.activity_postpone(
        actor=actor,
        plan_id=plan.pk,
        activity_id=activity.pk,
        expected_version=activity.version,
        new_date=later,
        reason="Øvingsleder er syk.",
    )
    assert (moved.planned_date, moved.postponed_from, moved.status) == (
        later,
        activity.planned_date,
        "postponed",
    )
    again = services.activity_postpone(
        actor=actor,
        plan_id=plan.pk,
        activity_id=activity.pk,
        expected_version=moved.version,
        new_date=later + datetime.timedelta(days=5),
        reason="Fortsatt syk.",
    )
    assert again.postponed_from == activity.planned_date, "the first planned date is kept"


def test_marking_a_recurring_activity_done_plans_the_next_once(actor_of, orgs, today):
    actor = actor_of("demo-nesna")
    plan = new_plan(actor, orgs["1828"], today.year + 1, generate=False)
    activity = services.activity_create(
        actor=actor,
        plan_id=plan.pk,
        data={
            "kind": "cooperation",
            "title": "Møte i beredskapsrådet",
            "planned_date": D(today.year + 1, 2, 1),
            "recurrence_months": 3,
            "status": ActivityStatus.PLANNED,
        },
        raci={"R": [("user", actor.user_id)], "A": [("name", "kommunedirektøren")]},
    )
    assert activity.access_level == plan.access_level and activity.edited
    done, following = services.activity_mark_done(
        actor=actor,
        plan_id=plan.pk,
        activity_id=activity.pk,
        expected_version=activity.version,
        done_on=today,
    )
    assert done.status == ActivityStatus.DONE and following.planned_date == D(today.year + 1, 5, 1)
    assert following.previous_id == activity.pk and following.recurrence_months == 3
    assert {(r.role, r.user_id, r.name) for r in Responsibility.objects.filter(activity=following)} == {
        ("R", actor.user_id, ""),
        ("A", None, "kommunedirektøren"),
    }
    # Marking it done again does not plan a second next one.
    _again, none = services.activity_mark_done(
        actor=actor, plan_id=plan.pk, activity_id=activity.pk, expected_version=done.version, done_on=today
    )
    assert none is None
    assert Activity.objects.filter(plan=plan, previous=activity).count() == 1


def test_a_stale_save_is_a_conflict_and_changes_nothing(actor_of, today):
    actor = actor_of("demo-rana")
    plan = plan_of("1833", today.year)
    activity = next(a for a in activities(plan) if a.status == ActivityStatus.PLANNED)
    raci_before = set(Responsibility.objects.filter(activity=activity).values_list("role", "user_id", "name"))
    services.activity_postpone(
        actor=actor,
        plan_id=plan.pk,
        activity_id=activity.pk,
        expected_version=activity.version,
        new_date=activity.planned_date + datetime.timedelta(days=3),
        reason="Ny dato.",
    )
    with pytest.raises(Conflict):
        services.activity_update(
            actor=actor,
            plan_id=plan.pk,
            activity_id=activity.pk,
            expected_version=activity.version,
            data={
                "kind": activity.kind,
                "title": "Gammel versjon",
                "planned_date": activity.planned_date,
                "recurrence_months": 0,
                "status": "planned",
                "access_level": activity.access_level,
            },
            raci={"R": [], "A": [("name", "ordføreren")]},
        )
    activity.refresh_from_db()
    assert activity.title != "Gammel versjon"
    assert (
        set(Responsibility.objects.filter(activity=activity).values_list("role", "user_id", "name"))
        == raci_before
    )


def test_raci_is_checked(actor_of, orgs, today, world_user):
    actor = actor_of("demo-rana")
    plan = plan_of("1833", today.year)
    data = {
        "kind": "training",
        "title": "Opplæring",
        "planned_date": D(today.year, 12, 1),
        "status": "planned",
    }

    def create(raci):
        return services.activity_create(actor=actor, plan_id=plan.pk, data=data, raci=raci)

    with pytest.raises(ValidationError) as caught:
        create({"A": [("name", "kommunedirektøren"), ("user", actor.user_id)]})
    assert "raci_A" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        create({"R": [("user", world_user.pk)]})  # not a member of the region
    assert "raci_R" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        create({"I": [("name", "Sjef HEMMELIG avdeling")]})
    assert "raci_I_names" in caught.value.message_dict
    partner = orgs["Statsforvalteren i Nordland"]
    activity = create(
        {
            "R": [("user", actor.user_id), ("user", actor.user_id)],
            "C": [("org", partner.pk)],
            "A": [("name", "kommunedirektøren")],
            "I": [("name", "kommunestyret")],
        }
    )
    assert sorted(Responsibility.objects.filter(activity=activity).values_list("role", flat=True)) == [
        "A",
        "C",
        "I",
        "R",
    ]


@pytest.fixture
def world_user(demo):
    """A verified user of another region."""
    from django.contrib.auth import get_user_model

    from samvirke.organisations.models import Membership, Region

    region = Region.objects.create(name="Annen region", slug="fu-other")
    org = Organisation.objects.create(region=region, kind="municipality", name="Annen kommune", country="NO")
    user = get_user_model().objects.create_user(username="fu-other", password="x" * 20)
    Membership.objects.create(user=user, organisation=org, role="preparedness_advisor")
    return user


ANSWERS = {
    "hros_current": "yes",
    "plan_current": "yes",
    "exercises_current": "yes",
    "training_current": "no",
    "training_comment": "Nye i kriseledelsen mangler opplæring.",
    "followup_current": "yes",
    "lessons_learned": "Varsling tar for lang tid.",
    "changes_planned": "Ny varslingsliste.",
    "access_level": AccessLevel.GREEN,
}


def test_submitting_an_evaluation_marks_the_years_activity_done(actor_of, orgs, today):
    actor = actor_of("demo-hemnes")
    hemnes = orgs["1832"]
    activity = Activity.objects.get(plan=plan_of("1832", today.year), source_key=domain.ANNUAL_EVALUATION_KEY)
    assert activity.status != ActivityStatus.DONE

    with pytest.raises(ValidationError) as caught:
        services.evaluation_save(
            actor=actor,
            organisation_id=hemnes.pk,
            year=today.year,
            data={**ANSWERS, "training_comment": "", "changes_planned": ""},
            submit=True,
        )
    assert set(caught.value.message_dict) == {"training_comment", "changes_planned"}
    assert not AnnualEvaluation.objects.filter(owner=hemnes, year=today.year).exists(), "nothing is saved"

    draft = services.evaluation_save(
        actor=actor, organisation_id=hemnes.pk, year=today.year, data={"lessons_learned": "Utkast"}
    )
    assert draft.status == AnnualEvaluation.Status.DRAFT
    activity.refresh_from_db()
    assert activity.status != ActivityStatus.DONE

    submitted = services.evaluation_save(
        actor=actor,
        organisation_id=hemnes.pk,
        year=today.year,
        data=ANSWERS,
        expected_version=draft.version,
        submit=True,
    )
    assert (submitted.pk, submitted.status, submitted.submitted_on) == (draft.pk, "submitted", today)
    activity.refresh_from_db()
    assert (activity.status, activity.done_on, activity.edited) == (ActivityStatus.DONE, today, True)
    assert activity.history.first().history_change_reason  # the reason says why it became done

    with pytest.raises(Conflict):
        services.evaluation_save(
            actor=actor,
            organisation_id=hemnes.pk,
            year=today.year,
            data=ANSWERS,
            expected_version=draft.version,
        )


def test_an_evaluation_of_a_future_year_is_refused(actor_of, orgs, today):
    with pytest.raises(ValidationError) as caught:
        services.evaluation_save(
            actor=actor_of("demo-hemnes"), organisation_id=orgs["1832"].pk, year=today.year + 1, data=ANSWERS
        )
    assert "year" in caught.value.message_dict


def test_evaluation_facts_are_what_the_reader_may_see(actor_of, orgs, today):
    rana = orgs["1833"]
    own = selectors.evaluation_facts(actor_of("demo-rana"), rana, today.year - 1)
    other = selectors.evaluation_facts(actor_of("demo-hemnes"), rana, today.year - 1)
    assert own["plan"] is not None and other["plan"] is not None  # GREEN plan
    # Rana's continuity plan is AMBER+STRICT: not a key document here, but its measures are counted only
    # for those who may read them.
    own_ids = {m.pk for m in own["measures"]}
    other_ids = {m.pk for m in other["measures"]}
    assert other_ids <= own_ids
    from samvirke.risk.models import Measure

    hidden = Measure.objects.filter(owner=rana).exclude(access_level__in=["clear", "green"])
    assert not other_ids & set(hidden.values_list("pk", flat=True))
