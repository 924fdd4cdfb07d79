"""Follow-up pages through HTTP on the demo region: the plan (year view, filters, overdue), activities
(edit, postpone, done, conflicts), the RACI matrix, the annual evaluation and its report (page, DOCX, PDF),
and who may do what on every route."""

import datetime
import io

import pytest
from django.utils import timezone
from django.utils.html import escape

from samvirke.core.access import AccessLevel
from samvirke.core.models import AccessLogEntry
from samvirke.followup import domain
from samvirke.followup.models import Activity, ActivityStatus, AnnualEvaluation, FollowUpPlan, Responsibility
from samvirke.organisations.models import Organisation


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def orgs(demo):
    return {o.municipality_number or o.name: o for o in Organisation.objects.all()}


def plan_of(number, year):
    return FollowUpPlan.objects.get(owner__municipality_number=number, year=year)


def activity_post(activity, **fields):
    data = {
        "version": activity.version,
        "kind": activity.kind,
        "title": activity.title,
        "description": activity.description,
        "planned_date": activity.planned_date.isoformat(),
        "recurrence_months": activity.recurrence_months,
        "status": activity.status,
        "done_on": activity.done_on.isoformat() if activity.done_on else "",
        "postpone_reason": activity.postpone_reason,
        "notes": activity.notes,
        "access_level": activity.access_level,
        "exemption_basis": activity.exemption_basis,
    }
    data.update(fields)
    return data


# --- the plan page ---------------------------------------------------------------------------------------


def test_plan_page_shows_the_year_with_overdue_and_done(signed_in, today):
    client = english(signed_in("demo-hemnes"))
    plan = plan_of("1832", today.year)
    body = client.get(f"/follow-up/plans/{plan.pk}/").content.decode()
    assert plan.title in body
    assert "Overdue" in body and "Done" in body and "Postponed" in body
    overdue = [a for a in Activity.objects.filter(plan=plan) if a.is_overdue(today)]
    assert overdue, "the demo plan has overdue activities"
    for activity in overdue:
        assert escape(activity.title) in body
    assert "Årlig evaluering av beredskapsarbeidet" in body  # a standard activity, stored in bokmål
    assert "Responsibility matrix (RACI)" in body and "Fill from the rules" in body


def test_plan_filters(signed_in, today):
    client = english(signed_in("demo-hemnes"))
    plan = plan_of("1832", today.year)
    url = f"/follow-up/plans/{plan.pk}/"
    by_kind = client.get(url, {"kind": "training"}).content.decode()
    all_titles = {a.title: a for a in Activity.objects.filter(plan=plan)}
    for title, activity in all_titles.items():
        assert (escape(title) in by_kind) == (activity.kind == "training"), title
    overdue = client.get(url, {"status": "overdue"}).content.decode()
    for title, activity in all_titles.items():
        if activity.is_overdue(today):
            assert escape(title) in overdue
        elif activity.status == ActivityStatus.DONE:
            assert escape(title) not in overdue
    nothing = client.get(url, {"kind": "nonsense", "status": "cancelled"}).content.decode()
    assert "No activities match these filters." in nothing


def test_generate_from_the_page_is_idempotent(signed_in, today):
    client = english(signed_in("demo-hemnes"))
    plan = plan_of("1832", today.year)
    before = Activity.objects.filter(plan=plan).count()
    first = client.post(f"/follow-up/plans/{plan.pk}/generate/", follow=True).content.decode()
    assert Activity.objects.filter(plan=plan).count() == before  # the demo already generated it
    assert "Nothing was changed" in first


def test_raci_matrix(signed_in, today):
    client = english(signed_in("demo-hemnes"))
    plan = plan_of("1832", today.year)
    url = f"/follow-up/plans/{plan.pk}/responsibility/"
    body = client.get(url).content.decode()
    for party in ("Jon Korgen", "kommunedirektøren", "kommunestyret", "Statsforvalteren i Nordland"):
        assert f'<th scope="col">{party}</th>' in body, party
    # The demo leaves some activities without anyone accountable: named in the "Missing" column.
    gaps = [a for a in Activity.objects.filter(plan=plan) if not a.responsibilities.filter(role="A").exists()]
    assert gaps and '<span class="smv-overdue">Accountable</span>' in body
    hidden = client.get(url, {"done": "0"}).content.decode()
    done = Activity.objects.filter(plan=plan, status=ActivityStatus.DONE).first()
    assert escape(done.title) in body and escape(done.title) not in hidden


def test_region_and_organisation_pages(signed_in, orgs, today):
    client = english(signed_in("demo-coordinator"))
    region = orgs["1833"].region
    body = client.get(f"/follow-up/regions/{region.pk}/").content.decode()
    for number in ("1833", "1832", "2421"):
        assert orgs[number].name in body
    assert "Submitted" in body
    assert client.get("/follow-up/").status_code == 302
    body = client.get(f"/follow-up/organisations/{orgs['1828'].pk}/").content.decode()
    assert plan_of("1828", today.year).title in body and f"Annual evaluation {today.year - 1}" in body


def test_overview_and_plans_pages_link_to_the_follow_up(signed_in, orgs):
    client = signed_in("demo-rana")
    link = f"/follow-up/organisations/{orgs['1833'].pk}/"
    assert link in client.get(f"/plans/organisations/{orgs['1833'].pk}/status/").content.decode()
    assert link in client.get(f"/plans/organisations/{orgs['1833'].pk}/documents/").content.decode()
    assert link in client.get("/overview/").content.decode()


# --- activities ------------------------------------------------------------------------------------------


def test_add_an_activity_with_raci(signed_in, today, orgs):
    client = english(signed_in("demo-rana"))
    plan = plan_of("1833", today.year)
    from django.contrib.auth import get_user_model

    advisor = get_user_model().objects.get(username="demo-rana")
    partner = orgs["Røde Kors Hjelpekorps Rana"]
    response = client.post(
        f"/follow-up/plans/{plan.pk}/activities/new/",
        {
            "kind": "cooperation",
            "title": "Møte med Røde Kors",
            "planned_date": f"{today.year}-12-10",
            "recurrence_months": "0",
            "status": "planned",
            "access_level": AccessLevel.GREEN,
            "raci_R": [f"user:{advisor.pk}"],
            "raci_C": [f"org:{partner.pk}"],
            "raci_A_names": "kommunedirektøren",
            "raci_I_names": "kommunestyret; beredskapsrådet",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get(plan=plan, title="Møte med Røde Kors")
    assert activity.edited and not activity.source_key
    assert sorted(
        Responsibility.objects.filter(activity=activity).values_list(
            "role", "user_id", "organisation_id", "name"
        )
    ) == sorted(
        [
            ("R", advisor.pk, None, ""),
            ("C", None, partner.pk, ""),
            ("A", None, None, "kommunedirektøren"),
            ("I", None, None, "kommunestyret"),
            ("I", None, None, "beredskapsrådet"),
        ]
    )
    body = client.get(response["Location"]).content.decode()
    assert "Røde Kors Hjelpekorps Rana" in body and "beredskapsrådet" in body


def test_two_accountable_is_refused_and_the_input_kept(signed_in, today):
    client = english(signed_in("demo-rana"))
    plan = plan_of("1833", today.year)
    response = client.post(
        f"/follow-up/plans/{plan.pk}/activities/new/",
        {
            "kind": "training",
            "title": "Kurs i loggføring",
            "planned_date": f"{today.year}-12-01",
            "recurrence_months": "0",
            "status": "planned",
            "access_level": AccessLevel.GREEN,
            "raci_A_names": "kommunedirektøren; ordføreren",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Only one person or body can be accountable" in body
    assert 'value="Kurs i loggføring"' in body and "kommunedirektøren; ordføreren" in body
    assert not Activity.objects.filter(plan=plan, title="Kurs i loggføring").exists()


def test_a_date_outside_the_plan_year_is_explained(signed_in, today):
    client = english(signed_in("demo-rana"))
    plan = plan_of("1833", today.year)
    response = client.post(
        f"/follow-up/plans/{plan.pk}/activities/new/",
        {
            "kind": "training",
            "title": "Kurs neste år",
            "planned_date": f"{today.year + 1}-02-01",
            "recurrence_months": "0",
            "status": "planned",
            "access_level": AccessLevel.GREEN,
        },
    )
    assert response.status_code == 200
    assert f"The plan is for {today.year}" in response.content.decode()


def test_a_stale_edit_answers_409_and_keeps_what_was_typed(signed_in, today):
    client = english(signed_in("demo-rana"))
    plan = plan_of("1833", today.year)
    activity = Activity.objects.filter(plan=plan, status=ActivityStatus.PLANNED).first()
    url = f"/follow-up/plans/{plan.pk}/activities/{activity.pk}/edit/"
    assert client.post(url, activity_post(activity, notes="Først")).status_code == 302
    response = client.post(url, activity_post(activity, title="Min egen tittel"))  # the old version
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this record while you were editing" in body
    assert 'value="Min egen tittel"' in body
    # Every field where the saved version and the typed one differ is shown: the title and the notes.
    table = body[body.index("Where the saved version and yours differ") :]
    assert "Min egen tittel" in table and "Først" in table
    activity.refresh_from_db()
    assert activity.title != "Min egen tittel" and activity.notes == "Først"
    # Saving again from the form as shown (now based on the stored version) goes through.
    assert client.post(url, activity_post(activity, title="Min egen tittel")).status_code == 302


def test_postpone_and_mark_done(signed_in, today):
    client = english(signed_in("demo-rana"))
    plan = plan_of("1833", today.year)
    activity = Activity.objects.filter(plan=plan, status=ActivityStatus.PLANNED).first()
    base = f"/follow-up/plans/{plan.pk}/activities/{activity.pk}/"
    # Too early a date and no reason: explained, the typed reason kept, nothing saved.
    response = client.post(
        base + "postpone/", {"version": activity.version, "new_date": "2000-01-01", "reason": "Syk"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "choose a date after" in body and "Syk</textarea>" in body
    later = activity.planned_date + datetime.timedelta(days=14)
    response = client.post(
        base + "postpone/", {"version": activity.version, "new_date": later.isoformat(), "reason": "Syk"}
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.status, activity.planned_date, activity.postpone_reason) == ("postponed", later, "Syk")
    # A stale "done" answers 409 and keeps the date typed.
    response = client.post(base + "done/", {"version": activity.version - 1, "done_on": today.isoformat()})
    assert response.status_code == 409 and today.isoformat() in response.content.decode()
    future = today + datetime.timedelta(days=3)
    response = client.post(base + "done/", {"version": activity.version, "done_on": future.isoformat()})
    assert response.status_code == 200 and "This date is in the future" in response.content.decode()
    response = client.post(base + "done/", {"version": activity.version, "done_on": today.isoformat()})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.status, activity.done_on) == ("done", today)
    history = client.get(base + "history/").content.decode()
    assert "Postponed to" in history and "Marked done" in history


def test_norwegian_errors_by_default(signed_in, today):
    client = signed_in("demo-rana")  # bokmål is the default language
    plan = plan_of("1833", today.year)
    activity = Activity.objects.filter(plan=plan, status=ActivityStatus.PLANNED).first()
    url = f"/follow-up/plans/{plan.pk}/activities/{activity.pk}/postpone/"
    body = client.post(
        url, {"version": activity.version, "new_date": "2000-01-01", "reason": ""}
    ).content.decode()
    assert "Si hvorfor aktiviteten utsettes." in body


# --- the annual evaluation -------------------------------------------------------------------------------

ANSWERS = {
    "hros_current": "yes",
    "plan_current": "partly",
    "plan_comment": "Ikke revidert etter ny ROS.",
    "exercises_current": "yes",
    "training_current": "yes",
    "followup_current": "yes",
    "lessons_learned": "Vi lærte at varslingslista må oppdateres oftere.",
    "changes_planned": "Kvartalsvis kontroll av varslingslista.",
    "access_level": AccessLevel.GREEN,
}


def test_evaluation_flow_and_report(signed_in, actor_of, orgs, today):
    client = english(signed_in("demo-hemnes"))
    hemnes = orgs["1832"]
    url = f"/follow-up/organisations/{hemnes.pk}/evaluations/new/?year={today.year}"
    page = client.get(url).content.decode()
    assert f"Facts of {today.year}" in page and "Overall emergency plan" in page
    # Submitting without everything: each missing answer named, what was typed kept, nothing saved.
    partial = {
        "year": today.year,
        "lessons_learned": "Halvferdig tekst",
        "access_level": "green",
        "submit": "1",
    }
    response = client.post(url, partial)
    body = response.content.decode()
    assert response.status_code == 200 and "Answer this before submitting the evaluation." in body
    assert "Halvferdig tekst" in body
    assert not AnnualEvaluation.objects.filter(owner=hemnes, year=today.year).exists()
    # A draft first, then the submission.
    draft_post = {k: v for k, v in partial.items() if k != "submit"}
    assert client.post(url, {**draft_post, "save": "1"}).status_code == 302
    draft = AnnualEvaluation.objects.get(owner=hemnes, year=today.year)
    assert draft.status == "draft"
    response = client.post(
        f"/follow-up/evaluations/{draft.pk}/edit/", {**ANSWERS, "version": draft.version, "submit": "1"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"
    activity = Activity.objects.get(
        plan__owner=hemnes, plan__year=today.year, source_key=domain.ANNUAL_EVALUATION_KEY
    )
    assert activity.status == ActivityStatus.DONE

    report = client.get(f"/follow-up/evaluations/{draft.pk}/").content.decode()
    assert "Vi lærte at varslingslista må oppdateres oftere." in report and "Partly" in report

    from docx import Document

    response = client.get(f"/follow-up/evaluations/{draft.pk}/report.docx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert (
        "Vi lærte at varslingslista må oppdateres oftere." in text and "Ikke revidert etter ny ROS." in text
    )
    # Marked with the strictest level of what it names (Hemnes' AMBER measures are listed by title).
    from samvirke.followup import reports, selectors

    evaluation = selectors.get_evaluation_for(actor_of("demo-hemnes"), draft.pk)
    marking = reports.report_data(actor_of("demo-hemnes"), evaluation).marking_line
    assert document.sections[0].header.paragraphs[0].text == marking and marking.startswith("TLP:")

    from pypdf import PdfReader

    response = client.get(f"/follow-up/evaluations/{draft.pk}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Kvartalsvis kontroll av varslingslista." in pdf and marking.split(" ")[0] in pdf


def test_answers_are_text_in_the_report_never_markup(signed_in, orgs, today):
    """An answer that looks like markup (Typst, HTML, a URL) is printed as it was typed."""
    from pypdf import PdfReader

    evaluation = AnnualEvaluation.objects.get(owner=orgs["1833"], year=today.year - 1)
    evaluation.summary = '#image("/etc/passwd") <img src="http://127.0.0.1:9/x.png"> *fet* = Overskrift'
    evaluation.save()
    response = signed_in("demo-rana").get(f"/follow-up/evaluations/{evaluation.pk}/report.pdf")
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert '#image("/etc/passwd")' in text and "*fet*" in text and "127.0.0.1:9/x.png" in text


def test_a_submitted_evaluation_from_the_demo(signed_in, orgs, today):
    client = english(signed_in("demo-coordinator"))
    for number in ("1833", "1828"):
        evaluation = AnnualEvaluation.objects.get(owner=orgs[number], year=today.year - 1)
        assert evaluation.is_submitted
        body = client.get(f"/follow-up/evaluations/{evaluation.pk}/").content.decode()
        assert evaluation.lessons_learned[:40] in body and "Download (PDF)" in body
        assert "Continue and submit" not in body  # not an editor of Rana or Nesna


# --- who may do what -------------------------------------------------------------------------------------


def write_routes(plan, activity, evaluation, organisation):
    p, a, e = plan.pk, activity.pk, evaluation.pk
    history = plan.history.order_by("history_id").first().history_id
    activity_history = activity.history.order_by("history_id").first().history_id
    evaluation_history = evaluation.history.order_by("history_id").first().history_id
    return [
        ("get", f"/follow-up/organisations/{organisation.pk}/plans/new/"),
        ("post", f"/follow-up/organisations/{organisation.pk}/plans/new/"),
        ("get", f"/follow-up/organisations/{organisation.pk}/evaluations/new/"),
        ("post", f"/follow-up/organisations/{organisation.pk}/evaluations/new/"),
        ("get", f"/follow-up/plans/{p}/edit/"),
        ("post", f"/follow-up/plans/{p}/edit/"),
        ("post", f"/follow-up/plans/{p}/generate/"),
        ("post", f"/follow-up/plans/{p}/history/{history}/restore/"),
        ("get", f"/follow-up/plans/{p}/activities/new/"),
        ("post", f"/follow-up/plans/{p}/activities/new/"),
        ("get", f"/follow-up/plans/{p}/activities/{a}/edit/"),
        ("post", f"/follow-up/plans/{p}/activities/{a}/edit/"),
        ("post", f"/follow-up/plans/{p}/activities/{a}/postpone/"),
        ("post", f"/follow-up/plans/{p}/activities/{a}/done/"),
        ("post", f"/follow-up/plans/{p}/activities/{a}/history/{activity_history}/restore/"),
        ("get", f"/follow-up/evaluations/{e}/edit/"),
        ("post", f"/follow-up/evaluations/{e}/edit/"),
        ("post", f"/follow-up/evaluations/{e}/history/{evaluation_history}/restore/"),
    ]


def snapshot():
    return (
        set(FollowUpPlan.objects.values_list("pk", "version")),
        set(Activity.objects.values_list("pk", "version", "status")),
        set(AnnualEvaluation.objects.values_list("pk", "version", "status")),
        Responsibility.objects.count(),
    )


@pytest.mark.parametrize(
    "username", ["demo-rana-reader", "demo-rana-crisis", "demo-hemnes", "demo-statsforvalter"]
)
def test_non_editors_get_403_on_every_write(signed_in, orgs, today, username):
    """Readers of Rana's GREEN plan who are not Rana's editors: every write route answers 403."""
    rana = orgs["1833"]
    plan = plan_of("1833", today.year)
    activity = Activity.objects.filter(plan=plan).first()
    evaluation = AnnualEvaluation.objects.get(owner=rana, year=today.year - 1)
    client = signed_in(username)
    before = snapshot()
    for method, url in write_routes(plan, activity, evaluation, rana):
        response = getattr(client, method)(
            url, {"version": 1, "done_on": today.isoformat()} if method == "post" else None
        )
        assert response.status_code == 403, f"{method.upper()} {url} as {username}: {response.status_code}"
    assert snapshot() == before
    # ... while reading is fine.
    assert client.get(f"/follow-up/plans/{plan.pk}/").status_code == 200


def test_outsiders_get_404_for_amber_and_red(signed_in, orgs, today):
    """Rana's plan made AMBER (shared with Nesna) and RED (naming demo-rana): Hemnes gets 404 on every route,
    like a missing id; Nesna reads the AMBER one."""
    from django.contrib.auth import get_user_model

    rana = orgs["1833"]
    plan = plan_of("1833", today.year)
    activity = Activity.objects.filter(plan=plan).first()
    evaluation = AnnualEvaluation.objects.get(owner=rana, year=today.year - 1)
    hemnes = signed_in("demo-hemnes")
    nesna = signed_in("demo-nesna")
    reads = [
        f"/follow-up/plans/{plan.pk}/",
        f"/follow-up/plans/{plan.pk}/responsibility/",
        f"/follow-up/plans/{plan.pk}/history/",
        f"/follow-up/plans/{plan.pk}/activities/{activity.pk}/",
        f"/follow-up/plans/{plan.pk}/activities/{activity.pk}/history/",
        f"/follow-up/evaluations/{evaluation.pk}/",
        f"/follow-up/evaluations/{evaluation.pk}/report.docx",
        f"/follow-up/evaluations/{evaluation.pk}/report.pdf",
        f"/follow-up/evaluations/{evaluation.pk}/history/",
    ]
    for level in (AccessLevel.AMBER, AccessLevel.RED):
        for record in (plan, activity, evaluation):
            record.access_level, record.exemption_basis = level, "offl. § 24 tredje ledd"
            record.save()
            record.shared_with.set([orgs["1828"]] if level == AccessLevel.AMBER else [])
            record.named_people.set(get_user_model().objects.filter(username="demo-rana"))
        for url in reads:
            assert hemnes.get(url).status_code == 404, f"{level} {url}"
        for method, url in write_routes(plan, activity, evaluation, rana)[4:]:
            assert getattr(hemnes, method)(url).status_code == 404, f"{level} {method} {url}"
        assert hemnes.get("/follow-up/plans/999999999/").status_code == 404
        expected = 200 if level == AccessLevel.AMBER else 404
        assert nesna.get(reads[0]).status_code == expected
        assert nesna.get(reads[5]).status_code == expected
    # Logged: AMBER and RED reads by the readers who may.
    assert AccessLogEntry.objects.filter(object_id=plan.pk, user__username="demo-nesna").exists()


def test_history_and_restore_of_a_plan(signed_in, today):
    client = english(signed_in("demo-rana"))
    plan = plan_of("1833", today.year)
    first = plan.history.order_by("history_id").first()
    response = client.post(
        f"/follow-up/plans/{plan.pk}/edit/",
        {
            "version": plan.version,
            "year": plan.year,
            "title": "Ny tittel",
            "goals": plan.goals,
            "access_level": "green",
        },
    )
    assert response.status_code == 302
    body = client.get(f"/follow-up/plans/{plan.pk}/history/").content.decode()
    assert "Ny tittel" in body and "Restore this version" in body
    response = client.post(f"/follow-up/plans/{plan.pk}/history/{first.history_id}/restore/")
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == first.title
