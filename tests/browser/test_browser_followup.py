"""WCAG 2.1 A/AA (axe-core) on the follow-up pages, reached through the real sign-in; marking an activity
done, postponing one (refused, then accepted) and submitting an evaluation also work without JavaScript."""

import pytest
from django.utils import timezone

from samvirke.followup.models import Activity, AnnualEvaluation, FollowUpPlan
from samvirke.organisations.models import Organisation

pytestmark = pytest.mark.browser


def test_followup_pages_are_accessible(web):
    today = timezone.localdate()
    hemnes = Organisation.objects.get(municipality_number="1832")
    plan = FollowUpPlan.objects.get(owner=hemnes, year=today.year)
    activity = Activity.objects.filter(plan=plan, status="planned").first()
    web.sign_in("demo-hemnes")
    for path, label in (
        (f"/follow-up/regions/{hemnes.region_id}/", "regional follow-up"),
        (f"/follow-up/organisations/{hemnes.pk}/", "organisation's follow-up"),
        (f"/follow-up/plans/{plan.pk}/", "plan (year view)"),
        (f"/follow-up/plans/{plan.pk}/?status=overdue", "plan filtered"),
        (f"/follow-up/plans/{plan.pk}/responsibility/", "RACI matrix"),
        (f"/follow-up/plans/{plan.pk}/activities/{activity.pk}/", "activity with done and postpone forms"),
        (f"/follow-up/plans/{plan.pk}/activities/{activity.pk}/edit/", "activity form with the RACI grid"),
        (f"/follow-up/plans/{plan.pk}/edit/", "plan form"),
        (f"/follow-up/organisations/{hemnes.pk}/evaluations/new/?year={today.year}", "evaluation form"),
    ):
        web.goto(path)
        web.axe(label)
    rana = Organisation.objects.get(municipality_number="1833")
    evaluation = AnnualEvaluation.objects.get(owner=rana, year=today.year - 1)
    web.goto(f"/follow-up/evaluations/{evaluation.pk}/")
    web.axe("evaluation report page")
    # A refused postponement: the page again, the reason in the error summary.
    web.goto(f"/follow-up/plans/{plan.pk}/activities/{activity.pk}/")
    web.page.fill("textarea[name=reason]", "")
    web.submit("form[action$='/postpone/'] button[type=submit]")
    assert web.page.locator(".ds-error-summary").count() == 1
    web.axe("refused postponement")
    web.assert_no_console_errors()


def test_done_postpone_and_submit_work_without_javascript(session_factory):
    today = timezone.localdate()
    hemnes = Organisation.objects.get(municipality_number="1832")
    plan = FollowUpPlan.objects.get(owner=hemnes, year=today.year)
    first, second = Activity.objects.filter(plan=plan, status="planned").order_by("pk")[:2]
    web = session_factory(javascript=False)
    web.sign_in("demo-hemnes")
    page = web.page
    web.goto(f"/follow-up/plans/{plan.pk}/")
    page.locator(f"form[action$='/activities/{first.pk}/done/'] button[type=submit]").click()
    page.wait_for_url(f"**/follow-up/plans/{plan.pk}/")
    first.refresh_from_db()
    assert first.status == "done" and first.done_on == today

    web.goto(f"/follow-up/plans/{plan.pk}/activities/{second.pk}/")
    page.fill("input[name=new_date]", "2000-01-01")
    page.fill("textarea[name=reason]", "Øvingsleder er syk")
    web.submit("form[action$='/postpone/'] button[type=submit]")
    assert page.locator(".ds-error-summary").count() == 1  # too early a date, explained in Norwegian
    assert page.locator("textarea[name=reason]").input_value() == "Øvingsleder er syk"  # kept
    later = second.planned_date.replace(year=second.planned_date.year + 1)
    page.fill("input[name=new_date]", later.isoformat())
    page.locator("form[action$='/postpone/'] button[type=submit]").click()
    page.wait_for_url(f"**/activities/{second.pk}/")
    second.refresh_from_db()
    assert second.status == "postponed" and second.planned_date == later

    web.goto(f"/follow-up/organisations/{hemnes.pk}/evaluations/new/?year={today.year}")
    for name in ("hros_current", "plan_current", "exercises_current", "training_current", "followup_current"):
        page.locator(f"input[name={name}][value=yes]").check()
    page.fill("textarea[name=lessons_learned]", "Varslingslista må oppdateres oftere.")
    page.fill("textarea[name=changes_planned]", "Kvartalsvis kontroll.")
    page.locator("button[name=submit]").click()
    page.wait_for_url("**/follow-up/evaluations/**")
    assert AnnualEvaluation.objects.get(owner=hemnes, year=today.year).is_submitted
