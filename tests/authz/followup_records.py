"""Follow-up records for the authorization world (conftest.world): per notice key, a follow-up plan with
one activity (and a RACI entry) and an annual evaluation, at the same level, owner, sharing and naming as
the notice, with the key's canary in every title and text, so a leaked plan, activity, matrix, evaluation
or report shows it."""

from __future__ import annotations

from .conftest import CANARIES


def make_followup_records(notices) -> dict:
    import datetime

    from samvirke.followup.models import Activity, AnnualEvaluation, FollowUpPlan, Responsibility

    records = {"followup_plans": {}, "followup_activities": {}, "annual_evaluations": {}}
    for index, (key, notice) in enumerate(notices.items()):
        canary = CANARIES[key]
        year = 2001 + index  # the demo's plans are this year's and last year's: no clash per owner
        common = {
            "owner": notice.owner,
            "access_level": notice.access_level,
            "exemption_basis": notice.exemption_basis,
        }
        plan = FollowUpPlan(year=year, title=f"Follow-up {canary}", goals=f"{canary}-goals", **common)
        activity = Activity(
            plan=plan,
            kind="exercise",
            title=f"Activity {canary}",
            description=f"{canary}-description",
            planned_date=datetime.date(year, 3, 1),
            **common,
        )
        evaluation = AnnualEvaluation(
            year=year, lessons_learned=f"Lessons {canary}", summary=f"{canary}-summary", **common
        )
        for obj in (plan, activity, evaluation):  # the plan first: the activity takes its id when saved
            obj._history_user = notice.history.first().history_user
            obj.save()
            obj.shared_with.set(notice.shared_with.all())
            obj.named_people.set(notice.named_people.all())
        # A second version of each, so the history pages show a change (with the canary) to restore.
        plan.title, activity.title = f"{plan.title} (v2)", f"{activity.title} (v2)"
        evaluation.summary = f"{canary}-summary (v2)"
        for obj in (plan, activity, evaluation):
            obj.version += 1
            obj.save()
        Responsibility.objects.create(activity=activity, role="R", name=f"Role {canary}")
        records["followup_plans"][key] = plan
        records["followup_activities"][key] = activity
        records["annual_evaluations"][key] = evaluation
    return records
