"""The register, the status survey and the regional status through HTTP, on the demo region."""

import datetime

import pytest
from django.utils import timezone

from samvirke.core.access import AccessLevel
from samvirke.core.errors import Conflict, PermissionDenied
from samvirke.core.models import AccessLogEntry
from samvirke.organisations.models import Organisation
from samvirke.plans import selectors, services
from samvirke.plans.models import DocumentType, DueItem, GoverningDocument, StatusAssessment, StatusSnapshot


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def orgs(demo):
    return {o.municipality_number: o for o in Organisation.objects.filter(kind="municipality")}


def document_post(doc_type, **fields):
    data = {
        "document_type": doc_type.pk,
        "title": "Beredskapsplan Testvik",
        "status": "adopted",
        "adopted_on": "2025-02-03",
        "adopted_by": "kommunestyret",
        "access_level": AccessLevel.GREEN,
        **fields,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_register_lists_documents_and_missing_required_types(signed_in, orgs):
    client = english(signed_in("demo-hemnes"))
    body = client.get(f"/plans/organisations/{orgs['1832'].pk}/documents/").content.decode()
    assert "Beredskapsplan Hemnes kommune" in body and "Overdue" in body
    # Hemnes has no continuity plan and no land-use plan: listed with a link to register them.
    assert "Continuity plan" in body and "Municipal master plan – land-use part" in body
    assert "register it" in body


def test_status_survey_shows_the_matrix(signed_in, orgs):
    client = english(signed_in("demo-coordinator"))
    body = client.get(f"/plans/organisations/{orgs['1835'].pk}/status/").content.decode()
    for text in (
        "Comprehensive risk and vulnerability analysis",
        "Overall emergency plan",
        "Outdated",
        "Missing",
    ):
        assert text in body
    assert "Interkommunal bistand" in body  # the demo assessment
    body = client.get(f"/plans/organisations/{orgs['2462'].pk}/status/").content.decode()
    assert "Risk and vulnerability analysis (RSA)" in body and "Missing" in body


def test_status_states(demo, actor_of, orgs):
    actor = actor_of("demo-coordinator")
    states = {row["type"].code: row["state"] for row in selectors.status_matrix(actor, orgs["1833"])["rows"]}
    assert states == {
        "hros": "current",
        "overordnet-beredskapsplan": "current",
        # Rana's continuity plan is AMBER+STRICT: the coordinator (Lurøy) may not read it, so it is missing
        # for them and the page does not reveal that it exists.
        "kontinuitetsplan": "missing",
        "samfunnsplan": "current",
        "arealplan": "current",
    }
    own = {
        row["type"].code: row["state"]
        for row in selectors.status_matrix(actor_of("demo-rana"), orgs["1833"])["rows"]
    }
    assert own["kontinuitetsplan"] == "current"
    states = {row["type"].code: row["state"] for row in selectors.status_matrix(actor, orgs["1832"])["rows"]}
    assert states["hros"] == "draft" and states["overordnet-beredskapsplan"] == "outdated"
    assert states["arealplan"] == "missing"


def test_regional_status_compares_municipalities(signed_in, orgs):
    client = english(signed_in("demo-coordinator"))
    region = orgs["1833"].region_id
    response = client.get(f"/plans/regions/{region}/status/")
    body = response.content.decode()
    assert response.status_code == 200
    for name in ("Rana kommune", "Træna kommune", "Vilhelmina kommun"):
        assert name in body
    assert "Not required" in body  # Swedish municipalities have no community plan column entry
    assert "overdue since" in body
    assert client.get("/plans/").status_code == 302


def test_member_of_another_region_gets_404(signed_in, orgs):
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samvirke.demo.loader import demo_totp_key
    from samvirke.organisations.models import Membership, Region

    other = Region.objects.create(name="Annen region", slug="annen-region")
    org = Organisation.objects.create(region=other, kind="municipality", name="Annen kommune", country="NO")
    user = get_user_model().objects.create_user(username="plans-outsider", password="demo-samvirke-2026")
    Membership.objects.create(user=user, organisation=org, role="preparedness_advisor")
    TOTPDevice.objects.create(user=user, name="Test", key=demo_totp_key("plans-outsider"), confirmed=True)
    client = signed_in("plans-outsider")
    rana = orgs["1833"]
    public_plan = GoverningDocument.objects.get(owner=rana, document_type__code="overordnet-beredskapsplan")
    green_hros = GoverningDocument.objects.get(owner=rana, document_type__code="hros")
    for url in (
        f"/plans/organisations/{rana.pk}/documents/",
        f"/plans/organisations/{rana.pk}/status/",
        f"/plans/regions/{rana.region_id}/status/",
        f"/plans/documents/{green_hros.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/plans/documents/{public_plan.pk}/").status_code == 200  # TLP:CLEAR


def test_create_edit_and_due_items_follow(signed_in, orgs):
    client = english(signed_in("demo-hemnes"))
    hemnes = orgs["1832"]
    continuity = DocumentType.objects.get(code="kontinuitetsplan")
    before = DueItem.objects.filter(organisation=hemnes).count()
    response = client.post(
        f"/plans/organisations/{hemnes.pk}/documents/new/",
        document_post(continuity, title="Kontinuitetsplan Hemnes", last_revised_on="2026-01-05"),
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    doc = GoverningDocument.objects.get(title="Kontinuitetsplan Hemnes")
    assert doc.owner_id == hemnes.pk and doc.version == 1
    plan = GoverningDocument.objects.get(owner=hemnes, document_type__code="overordnet-beredskapsplan")
    overdue = DueItem.objects.get(
        document=plan, rule__code="plan-revision-yearly", projected=False, done_on=None
    )
    response = client.post(
        f"/plans/documents/{plan.pk}/edit/",
        document_post(
            plan.document_type,
            title=plan.title,
            adopted_on=plan.adopted_on.isoformat(),
            last_revised_on=timezone.localdate().isoformat(),
            version=plan.version,
        ),
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    overdue.refresh_from_db()
    assert overdue.done_on == timezone.localdate(), "the revision must answer the overdue item at once"
    assert DueItem.objects.filter(organisation=hemnes).count() >= before
    body = client.get(f"/plans/documents/{plan.pk}/history/").content.decode()
    assert "Last revised on" in body


def test_bad_input_gets_reasons_and_keeps_the_form(signed_in, orgs):
    client = english(signed_in("demo-hemnes"))
    hemnes = orgs["1832"]
    plan_type = DocumentType.objects.get(code="overordnet-beredskapsplan")
    future = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = client.post(
        f"/plans/organisations/{hemnes.pk}/documents/new/",
        document_post(plan_type, title="Ny plan med feil", adopted_on=None, last_revised_on=future),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "An adopted document needs the date it was adopted." in body
    assert "This date is in the future." in body
    assert 'value="Ny plan med feil"' in body
    assert not GoverningDocument.objects.filter(title="Ny plan med feil").exists()
    rsa = DocumentType.objects.get(code="rsa")
    response = client.post(
        f"/plans/organisations/{hemnes.pk}/documents/new/", document_post(rsa, title="RSA")
    )
    assert response.status_code == 200 and not GoverningDocument.objects.filter(title="RSA").exists()


def test_conflict_keeps_what_was_typed(signed_in, actor_of, orgs):
    client = english(signed_in("demo-hemnes"))
    plan = GoverningDocument.objects.get(owner=orgs["1832"], document_type__code="overordnet-beredskapsplan")
    stale = plan.version
    services.document_update(
        actor=actor_of("demo-hemnes"),
        document_id=plan.pk,
        expected_version=stale,
        data={"notes": "Endret av en kollega"},
    )
    response = client.post(
        f"/plans/documents/{plan.pk}/edit/",
        document_post(plan.document_type, title="Min nye tittel", adopted_on="2019-02-14", version=stale),
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this record while you were editing" in body
    assert "Min nye tittel" in body
    # Every field saving again would replace is listed, not only a fixed few.
    rows = {label: (saved, yours) for label, saved, yours in response.context["form"].conflict_fields}
    assert rows["Title"] == ("Beredskapsplan Hemnes kommune", "Min nye tittel")
    assert rows["Notes"][0] == "Endret av en kollega"
    assert "Endret av en kollega" in body
    plan.refresh_from_db()
    assert plan.title == "Beredskapsplan Hemnes kommune"
    with pytest.raises(Conflict):
        services.document_update(
            actor=actor_of("demo-hemnes"), document_id=plan.pk, expected_version=stale, data={"notes": "x"}
        )


def test_only_the_owners_editors_write(signed_in, actor_of, orgs):
    rana = orgs["1833"]
    plan = GoverningDocument.objects.get(owner=rana, document_type__code="overordnet-beredskapsplan")
    client = signed_in("demo-hemnes")
    assert client.get(f"/plans/documents/{plan.pk}/").status_code == 200  # CLEAR: readable
    assert client.get(f"/plans/documents/{plan.pk}/edit/").status_code == 403
    assert client.post(f"/plans/organisations/{rana.pk}/documents/new/", {}).status_code == 302
    assert client.post(f"/plans/organisations/{rana.pk}/status/snapshots/", {"label": "x"}).status_code == 403
    assert not StatusSnapshot.objects.filter(label="x").exists()
    with pytest.raises(PermissionDenied):
        services.document_create(actor=actor_of("demo-rana-reader"), owner_id=rana.pk, data={"title": "x"})


def test_assessment_conflict_lists_what_saving_again_would_replace(signed_in, actor_of, orgs):
    nesna = orgs["1828"]
    url = f"/plans/organisations/{nesna.pk}/status/assessment/"
    client = english(signed_in("demo-nesna"))
    first = {"assessed_on": "2026-11-01", "assessment": "God plan.", "needs": "Ny ROS.",
             "access_level": AccessLevel.GREEN}  # fmt: skip
    assert client.post(url, first).status_code == 302
    stale = StatusAssessment.objects.get(owner=nesna).version
    services.assessment_save(
        actor=actor_of("demo-nesna"),
        organisation_id=nesna.pk,
        expected_version=stale,
        data={"assessed_on": datetime.date(2026, 11, 2), "assessment": "God plan.", "needs": "Øvelse først."},
    )
    response = client.post(url, {**first, "assessment": "Min vurdering", "version": stale})
    assert response.status_code == 409
    rows = {label: (saved, yours) for label, saved, yours in response.context["form"].conflict_fields}
    assert rows["Assessment"] == ("God plan.", "Min vurdering")
    assert rows["Needs and next steps"] == ("Øvelse først.", "Ny ROS.")
    assert "Assessed on" in rows
    body = response.content.decode()
    assert "Øvelse først." in body and "Min vurdering" in body
    assert StatusAssessment.objects.get(owner=nesna).needs == "Øvelse først."


def test_assessment_and_snapshot(signed_in, orgs):
    client = english(signed_in("demo-nesna"))
    nesna = orgs["1828"]
    response = client.post(
        f"/plans/organisations/{nesna.pk}/status/assessment/",
        {"assessed_on": "2026-11-01", "assessment": "God plan, gammel ROS.", "needs": "Ny ROS.",
         "access_level": AccessLevel.GREEN},
    )  # fmt: skip
    assert response.status_code == 302
    assessment = StatusAssessment.objects.get(owner=nesna)
    assert assessment.assessment == "God plan, gammel ROS."
    response = client.post(
        f"/plans/organisations/{nesna.pk}/status/assessment/",
        {"assessment": "Endret", "access_level": AccessLevel.GREEN, "version": assessment.version},
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.assessment, assessment.version) == ("Endret", 2)
    response = client.post(f"/plans/organisations/{nesna.pk}/status/snapshots/", {"label": "Prosjektstart"})
    snapshot = StatusSnapshot.objects.get(owner=nesna, label="Prosjektstart")
    assert response.status_code == 302 and response["Location"] == f"/plans/snapshots/{snapshot.pk}/"
    assert snapshot.access_level == AccessLevel.GREEN  # every document behind it is CLEAR or GREEN
    assert {e["type"] for e in snapshot.matrix} == {
        "hros", "overordnet-beredskapsplan", "kontinuitetsplan", "samfunnsplan", "arealplan"
    }  # fmt: skip
    body = client.get(f"/plans/snapshots/{snapshot.pk}/").content.decode()
    assert "compared with now" in body and "Outdated" in body


def test_snapshot_of_a_stricter_document_is_strict(demo, actor_of, orgs):
    snapshot = services.snapshot_take(
        actor=actor_of("demo-rana"), organisation_id=orgs["1833"].pk, label="Nå"
    )
    assert snapshot.access_level == AccessLevel.AMBER_STRICT  # the continuity plan behind it is AMBER+STRICT
    assert selectors.get_snapshot_for(actor_of("demo-rana"), snapshot.pk)
    from samvirke.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.get_snapshot_for(actor_of("demo-coordinator"), snapshot.pk)


def test_due_items_of_a_hidden_document_are_hidden(demo, actor_of, orgs):
    rana = orgs["1833"]
    plan = GoverningDocument.objects.get(owner=rana, document_type__code="overordnet-beredskapsplan")
    plan.access_level, plan.exemption_basis = AccessLevel.AMBER_STRICT, "offl. § 24 tredje ledd"
    plan.save()
    own = selectors.due_items_visible_to(actor_of("demo-rana")).filter(document=plan)
    other = selectors.due_items_visible_to(actor_of("demo-hemnes")).filter(document=plan)
    assert own.exists() and not other.exists()
    assert not selectors.due_items_visible_to(actor_of("demo-visitor")).exists()


def test_reads_are_logged(signed_in, orgs):
    rana = orgs["1833"]
    strict = GoverningDocument.objects.get(owner=rana, document_type__code="kontinuitetsplan")
    client = signed_in("demo-rana")
    from django.contrib.contenttypes.models import ContentType

    logged = AccessLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(GoverningDocument), object_id=strict.pk
    )
    before = logged.count()
    assert client.get(f"/plans/documents/{strict.pk}/").status_code == 200
    client.get(f"/plans/organisations/{rana.pk}/documents/")
    client.get(f"/plans/organisations/{rana.pk}/status/")
    assert logged.count() == before + 3
    assert set(logged.values_list("action", flat=True)) == {"read", "list"}


def test_overview_shows_plan_status_and_overdue_items(signed_in, actor_of, orgs):
    from samvirke.plans.selectors import plan_picture

    client = english(signed_in("demo-coordinator"))
    body = client.get("/overview/").content.decode()
    assert "Plan status of the municipalities" in body
    assert f"/plans/organisations/{orgs['1835'].pk}/status/" in body
    assert "overdue revisions and exercises" in body
    picture = plan_picture(actor_of("demo-coordinator"), orgs["1833"].region)
    traena, arjeplog = picture["by_owner"][orgs["1835"].pk], picture["by_owner"][orgs["2506"].pk]
    # Træna: no continuity or community plan; HROS and plan outdated; HROS, revision and exercise overdue.
    assert (traena["missing"], traena["outdated"]) == (2, 2) and traena["overdue"] >= 3
    assert arjeplog == {"missing": 0, "outdated": 0, "overdue": 0}
    in_order = [org for org, counts in picture["by_owner"].items() if not any(counts.values())]
    assert sorted(in_order) == sorted([orgs["2506"].pk, orgs["1834"].pk])  # Arjeplog and Lurøy


def test_editing_keeps_a_link_to_an_analysis_the_editor_cannot_see(signed_in, orgs):
    """A document may link a risk analysis the editor may not read (RED, not named): the form leaves
    the link out instead of offering no matching choice, and saving keeps it."""
    from django.contrib.auth import get_user_model

    from samvirke.risk.models import RiskAnalysis

    rana = orgs["1833"]
    analysis = RiskAnalysis.objects.filter(owner=rana).first()
    RiskAnalysis.objects.filter(pk=analysis.pk).update(
        access_level=AccessLevel.RED, exemption_basis="offl. § 13"
    )
    analysis.named_people.set([get_user_model().objects.get(username="demo-rana-crisis")])
    document = GoverningDocument.objects.filter(owner=rana).first()
    GoverningDocument.objects.filter(pk=document.pk).update(risk_analysis=analysis)
    document.refresh_from_db()
    client = english(signed_in("demo-rana"))
    form = client.get(f"/plans/documents/{document.pk}/edit/").content.decode()
    assert 'name="risk_analysis"' not in form
    response = client.post(
        f"/plans/documents/{document.pk}/edit/",
        document_post(document.document_type, title="Ny tittel", version=document.version),
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "Ny tittel" and document.risk_analysis_id == analysis.pk


def test_the_register_s_emergency_plan_leads_to_the_structured_plan(signed_in, orgs):
    """Found in a walk: from the register's plan document there was no way to the plan's content."""
    nesna = orgs["1828"]
    plan = GoverningDocument.objects.get(owner=nesna, document_type__code="overordnet-beredskapsplan")
    hros = GoverningDocument.objects.filter(owner=nesna, document_type__code="hros").first()
    client = english(signed_in("demo-nesna"))
    link = f'href="/emergency-plans/organisations/{nesna.pk}/"'
    assert link in client.get(f"/plans/documents/{plan.pk}/").content.decode()
    assert link not in client.get(f"/plans/documents/{hros.pk}/").content.decode()
    assert client.get(f"/emergency-plans/organisations/{nesna.pk}/", follow=True).status_code == 200
