"""The agreements pages through HTTP on the demo region: lists and filters, create and edit with parties,
bad input and conflicts keep what was typed, history and restore, attachments, and who gets 403 or 404."""

import pytest

from samvirke.agreements import services
from samvirke.agreements.models import Agreement, AgreementAttachment
from samvirke.core.models import AccessLogEntry
from samvirke.organisations.models import Organisation

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def orgs(demo):
    return {o.municipality_number or o.name: o for o in Organisation.objects.all()}


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    settings.SAMVIRKE_ATTACHMENT_ROOT = tmp_path


def agreement_post(**fields):
    data = {
        "title": "Avtale om reservekraft",
        "category": "resources",
        "status": "active",
        "valid_from": "2025-01-01",
        "valid_to": "2027-12-31",
        "notice_months": "6",
        "scope": "Aggregat ved langvarig strømbrudd.",
        "resources": "Tre mobile aggregat.",
        "contacts": "Driftssentralen",
        "access_level": "amber",
        "external-TOTAL_FORMS": "3",
        "external-INITIAL_FORMS": "0",
        "external-0-name": "Helgeland Kraft Nett AS",
        "external-0-kind": "infrastructure",
        "external-0-country": "NO",
        "external-1-name": "",
        "external-1-kind": "",
        "external-1-country": "NO",
        "external-2-name": "",
        "external-2-kind": "",
        "external-2-country": "NO",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def titles(response):
    return {a.title for a in response.context["agreements"]}


def test_region_list_and_filters(signed_in, orgs):
    client = english(signed_in("demo-coordinator"))
    region = orgs["1833"].region
    response = client.get(f"/agreements/regions/{region.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Avtale om interkommunalt beredskapssamarbeid på Helgeland" in body
    assert "Expired" in body and "Expiring" in body and "In force" in body
    # The coordinator's Lurøy is no party to Rana's AMBER agreement with the industrial park.
    assert "Samarbeidsavtale om beredskap i Mo Industripark" not in body
    cross = titles(client.get(f"/agreements/regions/{region.pk}/?cross_border=1"))
    assert "Samverkansavtal om räddningsinsatser längs E12 Blå vägen (Storuman–Rana)" in cross
    assert "Avtale om interkommunalt beredskapssamarbeid på Helgeland" not in cross
    volunteers = titles(client.get(f"/agreements/regions/{region.pk}/?party_kind=volunteer"))
    assert volunteers == {
        "Avtale om bistand fra frivillige organisasjoner",
        "Avtale om sjøredningsberedskap i Lurøy 2021–2024",
    }
    expiring = titles(client.get(f"/agreements/regions/{region.pk}/?expiring=1"))
    assert "Avtale om bruk av lokaler som evakueringssenter" in expiring
    assert "Avtale om sjøredningsberedskap i Lurøy 2021–2024" not in expiring
    expired = titles(client.get(f"/agreements/regions/{region.pk}/?state=expired"))
    assert expired == {"Avtale om sjøredningsberedskap i Lurøy 2021–2024"}
    # Unknown filter values are ignored, not an error.
    assert client.get(f"/agreements/regions/{region.pk}/?party_kind=nonsense&state=x").status_code == 200


def test_organisation_list_has_own_and_party_agreements(signed_in, orgs):
    client = signed_in("demo-rana")
    listed = titles(client.get(f"/agreements/organisations/{orgs['1833'].pk}/"))
    assert "Samarbeidsavtale om beredskap i Mo Industripark" in listed  # owned
    assert "Avtale om varsling og beredskap i Røssåga-vassdraget" in listed  # party (Hemnes owns it)
    assert "Samverkansavtal om räddningsinsatser längs E12 Blå vägen (Storuman–Rana)" in listed
    assert "Beredskapsavtale for Trænafestivalen" not in listed


def test_create_with_parties_and_read_by_the_party(signed_in, orgs):
    client = signed_in("demo-hemnes")
    hemnes, rana = orgs["1832"], orgs["1833"]
    response = client.post(
        f"/agreements/organisations/{hemnes.pk}/new/",
        agreement_post(party_organisations=[rana.pk], exemption_basis="offl. § 24 tredje ledd"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement = Agreement.objects.get(title="Avtale om reservekraft")
    assert response["Location"] == f"/agreements/{agreement.pk}/"
    assert [p["name"] for p in agreement.parties] == ["Rana kommune", "Helgeland Kraft Nett AS"]
    assert agreement.created_by.username == "demo-hemnes"
    body = signed_in("demo-rana").get(f"/agreements/{agreement.pk}/").content.decode()
    assert "Helgeland Kraft Nett AS" in body
    assert signed_in("demo-nesna").get(f"/agreements/{agreement.pk}/").status_code == 404


def test_bad_input_gets_translated_reasons_and_keeps_the_form(signed_in, orgs):
    client = signed_in("demo-hemnes")  # bokmål, the default
    hemnes = orgs["1832"]
    response = client.post(
        f"/agreements/organisations/{hemnes.pk}/new/",
        agreement_post(
            title="Avtale med feil",
            valid_to="2024-01-01",
            **{"external-1-name": "Uten type", "external-1-kind": ""},
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "The agreement ends before it starts." not in body  # translated, not English
    assert 'value="Avtale med feil"' in body and 'value="Helgeland Kraft Nett AS"' in body
    assert 'value="Uten type"' in body
    assert not Agreement.objects.filter(title="Avtale med feil").exists()
    english(client)
    response = client.post(
        f"/agreements/organisations/{hemnes.pk}/new/", agreement_post(valid_to="2024-01-01")
    )
    body = response.content.decode()
    assert "The agreement ends before it starts. Check the two dates." in body
    response = client.post(
        f"/agreements/organisations/{hemnes.pk}/new/",
        agreement_post(**{"external-1-name": "Uten type", "external-1-kind": ""}),
    )
    assert "Choose what kind of party “Uten type” is." in response.content.decode()
    response = client.post(f"/agreements/organisations/{hemnes.pk}/new/", agreement_post(notice_months="40"))
    assert "The notice period of 40 months is longer than the agreement itself" in response.content.decode()


def test_conflict_keeps_what_was_typed(signed_in, actor_of, orgs):
    client = english(signed_in("demo-hemnes"))
    agreement = Agreement.objects.get(title="Avtale om varsling og beredskap i Røssåga-vassdraget")
    stale = agreement.version
    services.agreement_update(
        actor=actor_of("demo-hemnes"),
        agreement_id=agreement.pk,
        expected_version=stale,
        data={"notes": "Endret av en kollega"},
        organisations=[orgs["1833"]],
        external=[{"name": "Statkraft Energi AS", "kind": "infrastructure", "country": "NO"}],
    )
    response = client.post(
        f"/agreements/{agreement.pk}/edit/",
        agreement_post(title="Min nye tittel", version=str(stale), exemption_basis="offl. § 24 tredje ledd"),
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this record while you were editing" in body
    assert 'value="Min nye tittel"' in body and 'value="Helgeland Kraft Nett AS"' in body
    # Every field saving again would replace is listed, the parties outside the form too.
    rows = {label: (saved, yours) for label, saved, yours in response.context["conflict_fields"]}
    assert rows["Title"] == ("Avtale om varsling og beredskap i Røssåga-vassdraget", "Min nye tittel")
    assert rows["Notes"][0] == "Endret av en kollega"
    assert "Statkraft Energi AS" in rows["Other parties"][0]
    assert "Endret av en kollega" in body
    agreement.refresh_from_db()
    assert agreement.title == "Avtale om varsling og beredskap i Røssåga-vassdraget"
    assert agreement.notes == "Endret av en kollega"


def test_edit_history_and_restore(signed_in, orgs):
    client = english(signed_in("demo-hemnes"))
    agreement = Agreement.objects.get(title="Avtale om varsling og beredskap i Røssåga-vassdraget")
    form = client.get(f"/agreements/{agreement.pk}/edit/")
    assert form.status_code == 200
    assert 'value="Statkraft Energi AS"' in form.content.decode()
    response = client.post(
        f"/agreements/{agreement.pk}/edit/",
        agreement_post(
            title=agreement.title,
            valid_from="2021-06-01",
            valid_to="2030-06-30",
            version=str(agreement.version),
            exemption_basis="offl. § 24 tredje ledd",
            party_organisations=[orgs["1833"].pk],
            **{"external-0-name": "Statkraft Energi AS"},
        ),
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.state() == "active" and agreement.version == 2
    history = client.get(f"/agreements/{agreement.pk}/history/")
    body = history.content.decode()
    assert history.status_code == 200 and "Valid to" in body and "Jon Korgen" in body
    assert "|infrastructure" not in body  # derived columns stay out of the history
    first = agreement.history.order_by("history_id").first().history_id
    response = client.post(f"/agreements/{agreement.pk}/history/{first}/restore/")
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.state() == "expiring" and agreement.version == 3
    assert AccessLogEntry.objects.filter(object_id=agreement.pk, action="history").exists()


def test_who_gets_403_and_404(signed_in, orgs):
    park = Agreement.objects.get(title="Samarbeidsavtale om beredskap i Mo Industripark")
    rana = orgs["1833"]
    # A party reads the agreement but does not edit it.
    partner = signed_in("demo-industripark")
    assert partner.get(f"/agreements/{park.pk}/").status_code == 200
    assert partner.get(f"/agreements/{park.pk}/edit/").status_code == 403
    assert partner.post(f"/agreements/{park.pk}/edit/", agreement_post()).status_code == 403
    first = park.history.order_by("history_id").first().history_id
    assert partner.post(f"/agreements/{park.pk}/history/{first}/restore/").status_code == 403
    assert partner.post(f"/agreements/{park.pk}/attachments/", {}).status_code == 403
    # An outsider gets the same 404 as for a missing agreement.
    outsider = signed_in("demo-hemnes")
    for url in (f"/agreements/{park.pk}/", f"/agreements/{park.pk}/edit/", f"/agreements/{park.pk}/history/"):
        assert outsider.get(url).status_code == 404
    assert outsider.get("/agreements/2000000000/").status_code == 404
    # Registering for someone else's organisation, or as a reader: 403.
    assert outsider.get(f"/agreements/organisations/{rana.pk}/new/").status_code == 403
    assert outsider.post(f"/agreements/organisations/{rana.pk}/new/", agreement_post()).status_code == 403
    assert signed_in("demo-rana-reader").get(f"/agreements/organisations/{rana.pk}/new/").status_code == 403
    assert not Agreement.objects.filter(title="Avtale om reservekraft").exists()
    # Not signed in: to the login page.
    from django.test import Client

    assert Client().get(f"/agreements/{park.pk}/")["Location"].startswith("/accounts/login/")


def test_attachments_through_the_agreement(signed_in, orgs):
    park = Agreement.objects.get(title="Samarbeidsavtale om beredskap i Mo Industripark")
    client = english(signed_in("demo-rana"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/agreements/{park.pk}/attachments/",
        {"file": SimpleUploadedFile("avtale.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    attachment = AgreementAttachment.objects.get(agreement=park)
    download = signed_in("demo-industripark").get(f"/agreements/{park.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert (
        signed_in("demo-hemnes").get(f"/agreements/{park.pk}/attachments/{attachment.pk}/").status_code == 404
    )
    # A file that is not what its name says is refused with the reason; nothing is stored.
    response = client.post(
        f"/agreements/{park.pk}/attachments/",
        {"file": SimpleUploadedFile("fake.pdf", b"hello", "application/pdf")},
    )
    assert response.status_code == 200
    assert "is called a PDF file, but its content is not" in response.content.decode()
    assert AgreementAttachment.objects.filter(agreement=park).count() == 1
    assert client.post(f"/agreements/{park.pk}/attachments/{attachment.pk}/delete/").status_code == 302
    assert not AgreementAttachment.objects.filter(agreement=park).exists()


def test_list_reads_are_logged(signed_in, orgs):
    client = signed_in("demo-rana")
    client.get(f"/agreements/organisations/{orgs['1833'].pk}/")
    park = Agreement.objects.get(title="Samarbeidsavtale om beredskap i Mo Industripark")
    assert AccessLogEntry.objects.filter(object_id=park.pk, action="list").exists()
