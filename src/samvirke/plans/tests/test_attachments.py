"""Attachments: size, extension and content checks, storage outside the web root, downloads only through the
chokepoint (logged, attachment disposition, nosniff), and nothing saved is lost when an upload is refused."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from samvirke.core.models import AccessLogEntry
from samvirke.organisations.models import Organisation
from samvirke.plans.models import DocumentAttachment, GoverningDocument
from samvirke.plans.uploads import sniff

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def zipped(entries: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
XLSX = zipped({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
ODT = zipped({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"})
ODS = zipped({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<office/>"})


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    settings.SAMVIRKE_ATTACHMENT_ROOT = tmp_path / "attachments"
    return settings.SAMVIRKE_ATTACHMENT_ROOT


@pytest.fixture
def rana_docs(demo):
    rana = Organisation.objects.get(municipality_number="1833")
    return {
        d.document_type.code: d
        for d in GoverningDocument.objects.filter(owner=rana).select_related("document_type")
    }


def upload(client, document, name, content):
    return client.post(
        f"/plans/documents/{document.pk}/attachments/", {"file": SimpleUploadedFile(name, content)}
    )


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"), (DOCX, "docx"), (XLSX, "xlsx"), (ODT, "odt"), (ODS, "ods"),
     (b"<html>", None), (b"PK\x03\x04 not a zip", None), (zipped({"a.txt": "x"}), None), (b"", None)],
)  # fmt: skip
def test_sniffing_recognises_what_the_content_is(content, kind):
    assert sniff(io.BytesIO(content)) == kind


@pytest.mark.parametrize(
    ("name", "content"),
    [("plan.pdf", PDF), ("kart.png", PNG), ("bilde.JPG", JPEG), ("plan.docx", DOCX), ("liste.xlsx", XLSX),
     ("plan.odt", ODT), ("liste.ods", ODS)],
)  # fmt: skip
def test_allowed_files_are_stored_outside_the_web_root_and_downloaded_through_the_chokepoint(
    signed_in, rana_docs, attachment_root, name, content
):
    document = rana_docs["kontinuitetsplan"]  # AMBER+STRICT
    client = signed_in("demo-rana")
    response = upload(client, document, name, content)
    assert response.status_code == 302, response.content.decode()[-1500:]
    attachment = DocumentAttachment.objects.get(document=document, original_name=name)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest() and attachment.size == len(content)
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == content
    assert stored.is_relative_to(Path(attachment_root).resolve())
    assert not stored.is_relative_to(Path(django_settings.STATIC_ROOT).resolve())
    assert name not in stored.name  # a random name on disk; the uploaded name only in the database
    with pytest.raises(ValueError):
        attachment.file.url

    logged = AccessLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(GoverningDocument),
        object_id=document.pk,
        action="export",
    )
    response = client.get(f"/plans/documents/{document.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment;")
    assert name in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == attachment.content_type
    assert logged.count() == 1


def test_outsiders_and_wrong_documents_get_404(signed_in, rana_docs):
    strict = rana_docs["kontinuitetsplan"]
    client = signed_in("demo-rana")
    assert upload(client, strict, "plan.pdf", PDF).status_code == 302
    attachment = DocumentAttachment.objects.get(document=strict)
    url = f"/plans/documents/{strict.pk}/attachments/{attachment.pk}/"
    # Another municipality's advisor, the regional coordinator: not the owner of an AMBER+STRICT document.
    hemnes, coordinator = signed_in("demo-hemnes"), signed_in("demo-coordinator")
    for other in (hemnes, coordinator):
        assert other.get(url).status_code == 404
        assert other.post(f"{url}delete/").status_code == 404
    # A readable (public) document's id with the secret attachment's id: still 404.
    public = rana_docs["overordnet-beredskapsplan"]
    assert hemnes.get(f"/plans/documents/{public.pk}/").status_code == 200
    assert hemnes.get(f"/plans/documents/{public.pk}/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/plans/documents/{public.pk}/attachments/{attachment.pk}/").status_code == 404
    # Anonymous: to the login page; nothing of the file.
    from django.test import Client

    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert DocumentAttachment.objects.filter(pk=attachment.pk).exists()


def test_readers_download_but_only_editors_upload(signed_in, rana_docs):
    public = rana_docs["overordnet-beredskapsplan"]
    assert upload(signed_in("demo-rana"), public, "plan.pdf", PDF).status_code == 302
    attachment = DocumentAttachment.objects.get(document=public)
    hemnes = signed_in("demo-hemnes")
    response = hemnes.get(f"/plans/documents/{public.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert upload(hemnes, public, "mine.pdf", PDF).status_code == 403
    assert upload(signed_in("demo-rana-reader"), public, "mine.pdf", PDF).status_code == 403
    assert not DocumentAttachment.objects.filter(original_name="mine.pdf").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "Files of type “.exe” cannot be attached."),
        ("noext", PDF, "cannot be attached"),
        (
            "plan.pdf",
            b"<html><script>alert(1)</script></html>",
            "is called a PDF file, but its content is not",
        ),
        ("plan.docx", XLSX, "is called a Word (.docx) file, but its content is not"),
        ("bilde.png", JPEG, "is called a PNG file, but its content is not"),
        ("tom.pdf", b"", "is empty"),
    ],
)
def test_refused_uploads_say_why_and_lose_nothing(
    signed_in, rana_docs, attachment_root, name, content, message
):
    document = rana_docs["overordnet-beredskapsplan"]
    version = document.version
    client = english(signed_in("demo-rana"))
    response = upload(client, document, name, content)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert document.title in body  # the document page is shown again, with its attachments
    assert not DocumentAttachment.objects.filter(document=document).exists()
    document.refresh_from_db()
    assert document.version == version
    assert not any(Path(attachment_root).rglob("*.*")), "a refused file was written to disk"


def test_files_over_the_limit_are_refused(signed_in, rana_docs, settings):
    settings.SAMVIRKE_ATTACHMENT_MAX_BYTES = 1024
    document = rana_docs["overordnet-beredskapsplan"]
    client = english(signed_in("demo-rana"))
    response = upload(client, document, "stor.pdf", PDF + b"0" * 2048)
    assert response.status_code == 200
    assert "files can be at most 1.0\xa0KB" in response.content.decode()
    assert not DocumentAttachment.objects.exists()
    assert upload(client, document, "liten.pdf", PDF).status_code == 302


def test_removing_an_attachment_removes_the_file(signed_in, rana_docs, django_capture_on_commit_callbacks):
    document = rana_docs["overordnet-beredskapsplan"]
    client = signed_in("demo-rana")
    upload(client, document, "plan.pdf", PDF)
    attachment = DocumentAttachment.objects.get(document=document)
    path = Path(attachment.file.path)
    assert (
        signed_in("demo-hemnes")
        .post(f"/plans/documents/{document.pk}/attachments/{attachment.pk}/delete/")
        .status_code
        == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/plans/documents/{document.pk}/attachments/{attachment.pk}/delete/")
    assert response.status_code == 302
    assert not DocumentAttachment.objects.filter(pk=attachment.pk).exists()
    assert not path.exists()


def test_attachments_are_never_served_by_a_static_url(demo, rana_docs, signed_in, attachment_root):
    document = rana_docs["overordnet-beredskapsplan"]
    upload(signed_in("demo-rana"), document, "plan.pdf", PDF)
    attachment = DocumentAttachment.objects.get(document=document)
    name = attachment.file.name
    from django.test import Client

    for prefix in ("/static/", "/media/", "/var/attachments/", "/attachments/"):
        assert Client().get(f"{prefix}{name}").status_code == 404
