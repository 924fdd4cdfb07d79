"""The offline plan binder (beredskapsperm): self-contained HTML and a real PDF, made from what the reader may
read, with generation time and content hash, and made again whenever the content changes."""

import io
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from pypdf import PdfReader

from samvirke.core.access import AccessLevel
from samvirke.core.models import AccessLogEntry
from samvirke.emergencyplan import selectors, services
from samvirke.emergencyplan.models import Binder
from samvirke.emergencyplan.parts import BY_KEY
from samvirke.organisations.models import Organisation

HASH = re.compile(r"\b[0-9a-f]{64}\b")


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def plan(demo, actor_of):
    return selectors.plan_of(actor_of("demo-nesna"), Organisation.objects.get(municipality_number="1828"))


def alert_list(actor_of, plan):
    return selectors.get_part_for(actor_of("demo-nesna"), plan, BY_KEY["alert_list"])


def download(client, plan, kind="html"):
    response = client.get(f"/emergency-plans/{plan.pk}/binder.{kind}")
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment;")
    return response


def test_html_binder_is_self_contained_and_holds_the_plan(plan, signed_in, actor_of):
    client = english(signed_in("demo-nesna"))
    response = download(client, plan)
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    entry = alert_list(actor_of, plan).entries[0]
    card = selectors.cards_of(actor_of("demo-nesna"), plan)[0]
    expected = [plan.title, "Alert list", "Crisis management", "Resource overview", "Action cards"]
    expected += [entry["name"], entry["phone"], card.title, card.steps[0], "Redningsskøyte", "Stale"]
    for text in expected:
        assert text in html, text
    assert "Generated" in html and len(set(HASH.findall(html))) == 1
    assert re.search(r"\(UTC[+-]\d\d:\d\d\)", html), "the generation time says its offset from UTC"
    # Self-contained: inline CSS, no scripts, nothing fetched, links only inside the file or to call/mail.
    assert "<style>" in html
    for pattern in (
        r"https?:",
        r"<script",
        r"<link",
        r"<img",
        r"\bsrc=",
        r"url\(",
        r"@import",
        r"//[a-z0-9]",
    ):
        assert not re.search(pattern, html, re.IGNORECASE), pattern
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("#", "tel:", "mailto:")), href


def test_binder_reflects_an_alert_list_change(plan, signed_in, actor_of):
    client = english(signed_in("demo-nesna"))
    first = download(client, plan).content.decode()
    first_hash = HASH.search(first).group(0)
    part = alert_list(actor_of, plan)
    entry = part.entries[0]
    response = client.post(
        f"/emergency-plans/{plan.pk}/alert-list/entries/{entry['key']}/",
        {
            **{k: v for k, v in entry.items() if v and k != "key"},
            "phone": "+47 0 99 88 77 66",
            "version": part.version,
        },
    )
    assert response.status_code == 302
    second = download(client, plan).content.decode()
    second_hash = HASH.search(second).group(0)
    assert second_hash != first_hash
    assert "+47 0 99 88 77 66" in second and "+47 0 99 88 77 66" not in first
    assert entry["phone"] in first and f">{entry['phone']}<" not in second
    # The PDF follows too.
    text = re.sub(r"\s", "", pdf_text(download(client, plan, "pdf").content))
    assert "+47099887766" in text and second_hash in text


def pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_pdf_binder_is_a_real_pdf(plan, signed_in, actor_of):
    client = english(signed_in("demo-nesna"))
    response = download(client, plan, "pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 3
    text = pdf_text(response.content)
    entry = alert_list(actor_of, plan).entries[0]
    for needle in (plan.title, "Alert list", entry["name"], "Action cards", "Generated", "SHA-256"):
        assert needle in text, needle
    html_hash = HASH.search(download(client, plan).content.decode()).group(0)
    assert html_hash in re.sub(r"\s", "", text)


def test_binder_is_stored_and_only_made_again_when_the_content_changes(plan, signed_in, actor_of):
    client = signed_in("demo-nesna")
    download(client, plan)
    stored = Binder.objects.get(plan=plan)
    made = stored.generated_at
    download(client, plan)
    assert Binder.objects.get(plan=plan).generated_at == made
    part = selectors.get_part_for(actor_of("demo-nesna"), plan, BY_KEY["evacuation"])
    services.part_update(
        actor=actor_of("demo-nesna"), plan_id=plan.pk, part_key="evacuation", expected_version=part.version,
        data={"transport": "Buss og båt"},
    )  # fmt: skip
    assert "Buss og båt" in download(client, plan).content.decode()
    assert Binder.objects.get(plan=plan).generated_at > made


def test_binder_holds_only_what_the_reader_may_read(plan, signed_in, actor_of):
    outsider = english(signed_in("demo-hemnes"))  # a member of the region: reads the GREEN parts only
    html = download(outsider, plan).content.decode()
    alerts = alert_list(actor_of, plan).entries
    assert plan.title in html and "Evacuation plan" in html
    assert "Left out because you may not read them" in html
    assert not any(e["phone"] in html for e in alerts if len(e["phone"]) > 8)
    assert not any(e["name"] in html for e in alerts if "Torghatten" in e["name"])
    # The binders of the two readers are stored separately.
    download(english(signed_in("demo-nesna")), plan)
    assert Binder.objects.filter(plan=plan).count() == 2
    # An AMBER plan is a 404 for the outsider, also as a binder.
    services.plan_update(
        actor=actor_of("demo-nesna"), plan_id=plan.pk, expected_version=plan.version,
        data={"access_level": AccessLevel.AMBER, "exemption_basis": "offl. § 24 tredje ledd"},
    )  # fmt: skip
    assert outsider.get(f"/emergency-plans/{plan.pk}/binder.html").status_code == 404
    assert outsider.get(f"/emergency-plans/{plan.pk}/binder.pdf").status_code == 404


def test_binder_download_is_logged_as_an_export(plan, signed_in, actor_of):
    client = signed_in("demo-nesna")
    part = alert_list(actor_of, plan)
    exports = AccessLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(part), object_id=part.pk, action="export"
    )
    before = exports.count()
    download(client, plan)
    assert exports.count() == before + 1
