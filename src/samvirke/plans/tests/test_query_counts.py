"""Plans pages keep a constant number of queries as documents, due items and municipalities grow."""

import datetime
import itertools

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samvirke.core.access import AccessLevel
from samvirke.organisations.models import Organisation
from samvirke.plans.due import refresh_due_items
from samvirke.plans.models import DocumentAttachment, DocumentType, GoverningDocument

_numbers = itertools.count(1)
D = datetime.date


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    settings.SAMVIRKE_ATTACHMENT_ROOT = tmp_path


def add_documents(owner, n, *, shared_with=()):
    """n sector plans (GREEN, AMBER shared with `shared_with`, AMBER+STRICT in turn), each with a file."""
    sector = DocumentType.objects.get(code="sektorplan")
    levels = [AccessLevel.GREEN, AccessLevel.AMBER, AccessLevel.AMBER_STRICT]
    for i in range(n):
        number = next(_numbers)
        level = levels[i % 3]
        doc = GoverningDocument(
            owner=owner,
            document_type=sector,
            title=f"Vekst {number}",
            status="adopted",
            adopted_on=D(2024, 1, 1),
            access_level=level,
            exemption_basis="" if level == AccessLevel.GREEN else "offl. § 24 tredje ledd",
        )
        doc.save()
        if level == AccessLevel.AMBER:
            doc.shared_with.set(shared_with)
        attachment = DocumentAttachment(
            document=doc,
            original_name=f"v{number}.pdf",
            content_type="application/pdf",
            size=5,
            sha256="0" * 64,
        )
        attachment.file.save(f"v{number}.pdf", ContentFile(b"%PDF-"), save=False)
        attachment.save()


def add_municipalities(region, n, *, shared_with=()):
    """n municipalities with every required type present at a different level, and their due items."""
    types = {t.code: t for t in DocumentType.objects.all()}
    created = []
    for _ in range(n):
        number = next(_numbers)
        org = Organisation.objects.create(
            region=region, kind="municipality", name=f"Vekst {number} kommune", country="NO",
            municipality_number=f"{9000 + number}",
        )  # fmt: skip
        for code, level, revised in (
            ("hros", AccessLevel.GREEN, None),
            ("overordnet-beredskapsplan", AccessLevel.AMBER, D(2024, 2, 1)),
            ("kontinuitetsplan", AccessLevel.AMBER_STRICT, None),
            ("samfunnsplan", AccessLevel.CLEAR, None),
        ):
            doc = GoverningDocument.objects.create(
                owner=org, document_type=types[code], title=f"{code} {number}", status="adopted",
                adopted_on=D(2022, 1, 1), last_revised_on=revised, access_level=level,
            )  # fmt: skip
            if level == AccessLevel.AMBER:
                doc.shared_with.set(shared_with)
        created.append(org.pk)
    refresh_due_items(organisation_ids=created)


def count(client, url):
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


def test_regional_status_has_a_flat_query_count(signed_in):
    client = signed_in("demo-coordinator")
    lurøy = Organisation.objects.get(municipality_number="1834")
    region = lurøy.region
    url = f"/plans/regions/{region.pk}/status/"
    add_municipalities(region, 2, shared_with=[lurøy])
    small, body_small = count(client, url)
    add_municipalities(region, 6, shared_with=[lurøy])
    large, body_large = count(client, url)
    assert body_large.count("<tr") > body_small.count("<tr"), "the page did not grow"
    assert small == large, f"{small} queries with 11 municipalities, {large} with 17"


@pytest.mark.parametrize("page", ["register", "status", "detail", "overview"])
def test_plan_pages_have_flat_query_counts(signed_in, page):
    client = signed_in("demo-rana")
    rana = Organisation.objects.get(municipality_number="1833")
    hemnes = Organisation.objects.get(municipality_number="1832")
    plan = GoverningDocument.objects.get(owner=rana, document_type__code="overordnet-beredskapsplan")
    url = {
        "register": f"/plans/organisations/{rana.pk}/documents/",
        "status": f"/plans/organisations/{rana.pk}/status/",
        "detail": f"/plans/documents/{plan.pk}/",
        "overview": "/overview/",
    }[page]

    def grow(n):
        add_documents(rana, n)
        add_documents(hemnes, n, shared_with=[rana])
        for i in range(n):
            attachment = DocumentAttachment(
                document=plan, original_name=f"vedlegg-{i}.pdf", content_type="application/pdf", size=5,
                sha256="0" * 64,
            )  # fmt: skip
            attachment.file.save("v.pdf", ContentFile(b"%PDF-"), save=False)
            attachment.save()
        add_municipalities(rana.region, 1, shared_with=[rana])
        refresh_due_items(organisation_ids=[rana.pk, hemnes.pk])

    grow(2)
    small, body_small = count(client, url)
    grow(6)
    large, body_large = count(client, url)
    if page in ("register", "detail"):
        assert len(body_large) > len(body_small), "the page did not grow"
    assert small == large, f"{url}: {small} queries before, {large} after growing"
