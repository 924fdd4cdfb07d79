"""The regional status report (Word and PDF): every municipality now and at the project start, as the
reader may see it, marked and logged, at a fixed number of queries."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samvirke.core.access import AccessLevel
from samvirke.core.models import AccessLogEntry
from samvirke.organisations.models import Organisation, Region
from samvirke.plans import reports
from samvirke.plans.models import GoverningDocument, StatusSnapshot

from .test_query_counts import add_municipalities


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def docx_text(body: bytes) -> str:
    from docx import Document

    word = Document(io.BytesIO(body))
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in word.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    return "\n".join(parts)


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def orgs(demo):
    return {o.municipality_number: o for o in Organisation.objects.filter(kind="municipality")}


def test_word_report_compares_the_municipalities_now_and_at_the_start(signed_in, demo, orgs):
    client = english(signed_in("demo-coordinator"))
    response = client.get(f"/plans/regions/{demo['region'].pk}/status/report.docx")
    assert response.status_code == 200
    assert response["Content-Type"] == reports.DOCX_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="status-helgeland-grense-')
    text = docx_text(response.content)
    for name in ("Rana kommune", "Hemnes kommune", "Træna kommune", "Storuman kommun", "Arjeplog kommun"):
        assert name in text
    assert "Status now" in text and "Compared with the status at project start" in text
    assert "Status ved prosjektstart" in text  # the demo snapshots of Rana and Hemnes
    assert "Missing → Current" in text or "Outdated → Current" in text
    assert "No snapshot you may read for:" in text and "Træna kommune" in text.split("No snapshot")[1]
    assert "Risk and vulnerability analysis" in text and "overdue since" in text
    assert "Revisions overdue" in text


def test_the_report_lists_overdue_exercises_as_the_overview_counts_them(signed_in, demo, actor_of, orgs):
    """Found in a walk: the overview counted 14 overdue revisions and exercises, the report listed 11
    revisions. Every overdue item the overview counts is in the report, in one of its two lists."""
    from samvirke.plans.selectors import plan_picture

    report = reports.status_report(actor_of("demo-coordinator"), demo["region"])
    revisions = sum(1 for row in report.rows for cell in row["cells"] if cell and cell["overdue"])
    assert report.other_overdue, "the demo has overdue exercises"
    picture = plan_picture(actor_of("demo-coordinator"), demo["region"])
    assert revisions + len(report.other_overdue) == picture["overdue_total"]
    client = english(signed_in("demo-coordinator"))
    text = docx_text(client.get(f"/plans/regions/{demo['region'].pk}/status/report.docx").content)
    assert "Exercises, training and evaluations overdue" in text
    first = report.other_overdue[0]
    assert first["obligation"] in text and first["municipality"] in text


def test_pdf_report(signed_in, demo):
    client = english(signed_in("demo-coordinator"))
    response = client.get(f"/plans/regions/{demo['region'].pk}/status/report.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Status of governing documents" in text and "Hemnes kommune" in text
    assert "Regional status report" in text


def test_each_reader_sees_only_what_they_may_read(demo, actor_of, orgs):
    region = demo["region"]
    coordinator = reports.status_report(actor_of("demo-coordinator"), region)
    rana = reports.status_report(actor_of("demo-rana"), region)

    def continuity(report):
        row = next(r for r in report.rows if r["municipality"].pk == orgs["1833"].pk)
        cell = next(c for c in row["cells"] if c and c["type"].code == "kontinuitetsplan")
        return cell["state"]

    # Rana's continuity plan is AMBER+STRICT: missing for the coordinator, current for Rana's advisor.
    assert continuity(coordinator) == "missing" and continuity(rana) == "current"
    assert rana.marking == AccessLevel.AMBER_STRICT
    assert coordinator.marking != AccessLevel.AMBER_STRICT
    hidden = GoverningDocument.objects.get(owner=orgs["1833"], document_type__code="kontinuitetsplan")
    assert hidden.pk not in {f["pk"] for f in coordinator.document_facts}
    # A snapshot the reader may not read is not the start: the next one they may read is.
    snapshot = StatusSnapshot.objects.get(owner=orgs["1833"])
    older = StatusSnapshot.objects.create(
        owner=orgs["1833"], label="Hemmelig start", taken_at=snapshot.taken_at.replace(year=2020),
        matrix=[{"type": "hros", "state": "missing"}], access_level=AccessLevel.AMBER_STRICT,
    )  # fmt: skip
    rows = {r["municipality"].pk: r for r in reports.status_report(actor_of("demo-coordinator"), region).rows}
    assert rows[orgs["1833"].pk]["snapshot"] == snapshot
    rows = {r["municipality"].pk: r for r in reports.status_report(actor_of("demo-rana"), region).rows}
    assert rows[orgs["1833"].pk]["snapshot"] == older


def test_download_is_logged_and_outsiders_get_404(signed_in, demo, orgs):
    client = signed_in("demo-rana")
    assert client.get(f"/plans/regions/{demo['region'].pk}/status/report.docx").status_code == 200
    hidden = GoverningDocument.objects.get(owner=orgs["1833"], document_type__code="kontinuitetsplan")
    assert AccessLogEntry.objects.filter(object_id=hidden.pk, action="export").exists()
    other = Region.objects.create(name="Annen region", slug="annen-region")
    assert client.get(f"/plans/regions/{other.pk}/status/report.pdf").status_code == 404
    from django.test import Client

    assert Client().get(f"/plans/regions/{demo['region'].pk}/status/report.pdf").status_code == 302


@pytest.mark.parametrize("extension", ["docx", "pdf"])
def test_report_queries_are_flat(signed_in, demo, extension):
    region = demo["region"]
    nesna = Organisation.objects.get(municipality_number="1828")
    client = signed_in("demo-nesna")
    url = f"/plans/regions/{region.pk}/status/report.{extension}"
    add_municipalities(region, 2, shared_with=[nesna])
    client.get(url)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    first = measure()
    add_municipalities(region, 6, shared_with=[nesna])
    for pk in Organisation.objects.filter(region=region, name__startswith="Vekst").values_list(
        "pk", flat=True
    ):
        StatusSnapshot.objects.create(
            owner_id=pk, label="Start", matrix=[{"type": "hros", "state": "missing"}], access_level="green"
        )
    assert measure() == first
