"""WCAG 2.1 A/AA (axe-core) on the plans pages, reached through the real sign-in; the register and the survey
also without JavaScript (upload form, snapshot form and the regional table work as plain HTML)."""

import pytest

from samvirke.organisations.models import Organisation
from samvirke.plans.models import GoverningDocument, StatusSnapshot

pytestmark = pytest.mark.browser


def test_plans_pages_are_accessible(web):
    hemnes = Organisation.objects.get(municipality_number="1832")
    plan = GoverningDocument.objects.get(owner=hemnes, document_type__code="overordnet-beredskapsplan")
    web.sign_in("demo-hemnes")
    for path, label in (
        (f"/plans/regions/{hemnes.region_id}/status/", "regional status"),
        (f"/plans/organisations/{hemnes.pk}/status/", "status survey"),
        (f"/plans/organisations/{hemnes.pk}/documents/", "document register"),
        (f"/plans/documents/{plan.pk}/", "document with upload form"),
        (f"/plans/documents/{plan.pk}/edit/", "document form"),
        (f"/plans/organisations/{hemnes.pk}/status/assessment/", "assessment form"),
    ):
        web.goto(path)
        web.axe(label)
    snapshot = StatusSnapshot.objects.get(owner=hemnes)
    web.goto(f"/plans/snapshots/{snapshot.pk}/")
    web.axe("snapshot compared with now")
    # A refused upload: the page again, with the reason in the error summary (axe with JavaScript on; the
    # no-JavaScript test below cannot run axe).
    web.goto(f"/plans/documents/{plan.pk}/")
    exe = {"name": "plan.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}
    web.page.set_input_files("input[name=file]", files=[exe])
    web.page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    assert ".exe" in web.page.locator(".ds-error-summary").inner_text()
    web.axe("refused upload")
    web.assert_no_console_errors()


def test_upload_refusal_and_snapshot_work_without_javascript(session_factory, tmp_path, settings):
    settings.SAMVIRKE_ATTACHMENT_ROOT = tmp_path
    hemnes = Organisation.objects.get(municipality_number="1832")
    plan = GoverningDocument.objects.get(owner=hemnes, document_type__code="overordnet-beredskapsplan")
    web = session_factory(javascript=False)
    web.sign_in("demo-hemnes")
    page = web.page
    web.goto(f"/plans/documents/{plan.pk}/")
    bad = tmp_path / "plan.pdf"
    bad.write_bytes(b"<html>not a pdf</html>")
    page.set_input_files("input[name=file]", str(bad))
    web.submit("form[enctype='multipart/form-data'] button[type=submit]")
    assert page.locator(".ds-error-summary").count() == 1  # the reason, in Norwegian, above the form
    assert "plan.pdf" in page.locator(".ds-error-summary").inner_text()
    web.goto(f"/plans/organisations/{hemnes.pk}/status/")
    page.fill("input[name=label]", "Status før øvelsen")
    page.locator("form[action$='/snapshots/'] button[type=submit]").click()
    page.wait_for_url("**/plans/snapshots/**")
    assert "Status før øvelsen" in page.locator("h1").inner_text()
