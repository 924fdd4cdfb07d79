"""Notice pages through HTTP: create, edit, the conflict page, history and restore, bad input."""

from samvirke.notices.models import Notice
from samvirke.organisations.models import Organisation


def _form(notice=None, **overrides):
    data = {
        "owner": Organisation.objects.get(municipality_number="1833").pk,
        "title": "Stengt E6 ved Korgfjelltunnelen",
        "category": "warning",
        "body": "Omkjøring via Fv.",
        "access_level": "green",
        "exemption_basis": "",
    }
    if notice is not None:
        data["version"] = notice.version
    data.update(overrides)
    return data


def test_advisor_creates_and_edits_a_notice(signed_in):
    client = signed_in("demo-rana")
    response = client.post("/notices/new/", _form())
    assert response.status_code == 302
    notice = Notice.objects.get(title="Stengt E6 ved Korgfjelltunnelen")
    response = client.post(f"/notices/{notice.pk}/edit/", _form(notice, title="E6 åpnet igjen"))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.title, notice.version) == ("E6 åpnet igjen", 2)


def test_bad_input_is_explained_and_what_was_typed_is_kept(signed_in):
    client = signed_in("demo-rana")
    response = client.post("/notices/new/", _form(title="", body="Teksten min skal ikke forsvinne"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "error-summary" in page
    assert "Teksten min skal ikke forsvinne" in page


def test_classified_marking_is_refused_in_the_form(signed_in):
    client = signed_in("demo-rana")
    response = client.post("/notices/new/", _form(body="Dette er STRENGT HEMMELIG"))
    assert response.status_code == 200
    assert "STRENGT HEMMELIG" in response.content.decode()
    assert not Notice.objects.filter(title="Stengt E6 ved Korgfjelltunnelen").exists()


def test_second_editor_gets_conflict_page_with_both_versions(signed_in):
    first = signed_in("demo-rana")
    second = signed_in("demo-coordinator")  # regional coordinator at Lurøy: not an editor of Rana's notices
    first.post("/notices/new/", _form())
    notice = Notice.objects.get(title="Stengt E6 ved Korgfjelltunnelen")
    # The coordinator cannot edit Rana's notice at all.
    assert second.get(f"/notices/{notice.pk}/edit/").status_code == 403

    # A second browser tab of the same signed-in session (one-time codes cannot be reused).
    from django.test import Client

    other_tab = Client()
    other_tab.cookies = first.cookies
    stale = _form(notice, title="Min versjon fra fanen", body="Skrevet i andre fane")
    assert first.post(f"/notices/{notice.pk}/edit/", _form(notice, title="Lagret først")).status_code == 302
    response = other_tab.post(f"/notices/{notice.pk}/edit/", stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Lagret først" in page  # the stored version
    assert "Min versjon fra fanen" in page  # what this user typed, kept
    notice.refresh_from_db()
    assert notice.title == "Lagret først"
    # Saving again from the conflict page (now carrying the new version) wins deliberately.
    response = other_tab.post(f"/notices/{notice.pk}/edit/", _form(notice, title="Min versjon fra fanen"))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.title == "Min versjon fra fanen"


def test_history_page_and_restore(signed_in):
    client = signed_in("demo-rana")
    client.post("/notices/new/", _form())
    notice = Notice.objects.get(title="Stengt E6 ved Korgfjelltunnelen")
    client.post(f"/notices/{notice.pk}/edit/", _form(notice, title="Ny tittel"))
    page = client.get(f"/notices/{notice.pk}/history/").content.decode()
    assert "Stengt E6 ved Korgfjelltunnelen" in page and "Ny tittel" in page
    first = notice.history.earliest()
    response = client.post(f"/notices/{notice.pk}/history/{first.history_id}/restore/")
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.title == "Stengt E6 ved Korgfjelltunnelen"


def test_reader_cannot_restore(signed_in):
    advisor = signed_in("demo-rana")
    advisor.post("/notices/new/", _form())
    notice = Notice.objects.get(title="Stengt E6 ved Korgfjelltunnelen")
    reader = signed_in("demo-rana-reader")
    first = notice.history.earliest()
    assert reader.post(f"/notices/{notice.pk}/history/{first.history_id}/restore/").status_code == 403


def test_named_people_are_listed_with_their_organisation(signed_in):
    page = signed_in("demo-rana").get("/notices/new/").content.decode()
    assert "Hege Celsa (Mo Industripark AS)" in page
