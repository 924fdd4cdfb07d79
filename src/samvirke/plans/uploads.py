"""Checks for attached files: size, extension, and what the content really is (its magic bytes).

A file is accepted only when its extension is on the allow-list AND its content is that kind of file: a
PDF starts with ``%PDF-``, PNG and JPEG with their signatures, and the office formats are ZIP archives
with the parts that make them Word, Excel or OpenDocument files. Nothing is unpacked: only the archive's
directory and, for OpenDocument, its few-byte ``mimetype`` entry are read.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


class FileKind(NamedTuple):
    code: str
    content_type: str
    label: str


KINDS = {
    "pdf": FileKind("pdf", "application/pdf", "PDF"),
    "docx": FileKind(
        "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (.docx)"
    ),
    "xlsx": FileKind(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (.xlsx)"
    ),
    "odt": FileKind("odt", "application/vnd.oasis.opendocument.text", "OpenDocument (.odt)"),
    "ods": FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument (.ods)"),
    "png": FileKind("png", "image/png", "PNG"),
    "jpeg": FileKind("jpeg", "image/jpeg", "JPEG"),
}
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "odt": "odt", "ods": "ods", "png": "png",
              "jpg": "jpeg", "jpeg": "jpeg"}  # fmt: skip
ALLOWED_TEXT = "PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods), PNG, JPEG"


def sniff(file) -> str | None:
    """The kind of file the content is (a key of KINDS), or None. Leaves the file at its start."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return "pdf"
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "png"
        if head.startswith(b"\xff\xd8\xff"):
            return "jpeg"
        if head.startswith(b"PK\x03\x04"):
            return _sniff_zip(file)
        return None
    finally:
        file.seek(0)


def _sniff_zip(file) -> str | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 100:
                    return None
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return {KINDS["odt"].content_type: "odt", KINDS["ods"].content_type: "ods"}.get(mimetype)
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return "docx"
                if any(n.startswith("xl/") for n in names):
                    return "xlsx"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, NotImplementedError, EOFError):
        return None
    return None


def check_upload(upload) -> FileKind:
    """The kind of an uploaded file, or a ValidationError (field "file") that says what to do."""
    name = os.path.basename(upload.name or "")
    limit = settings.SAMVIRKE_ATTACHMENT_MAX_BYTES
    if upload.size == 0:
        raise ValidationError(
            {
                "file": ValidationError(
                    _("The file “%(name)s” is empty. Choose the file again."),
                    code="empty",
                    params={"name": name},
                )
            }
        )
    if upload.size > limit:
        raise ValidationError(
            {
                "file": ValidationError(
                    _(
                        "The file “%(name)s” is %(size)s; files can be at most %(limit)s. Make it smaller "
                        "(for example save the PDF with lower image quality) or split it into several files."
                    ),
                    code="too_large",
                    params={
                        "name": name,
                        "size": filesizeformat(upload.size),
                        "limit": filesizeformat(limit),
                    },
                )
            }
        )
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    expected = EXTENSIONS.get(extension)
    if expected is None:
        raise ValidationError(
            {
                "file": ValidationError(
                    _("Files of type “%(extension)s” cannot be attached. Allowed: %(allowed)s."),
                    code="type_not_allowed",
                    params={"extension": f".{extension}" if extension else name, "allowed": ALLOWED_TEXT},
                )
            }
        )
    actual = sniff(upload.file if hasattr(upload, "file") else upload)
    if actual != expected:
        raise ValidationError(
            {
                "file": ValidationError(
                    _(
                        "The file “%(name)s” is called a %(kind)s file, but its content is not. Save it "
                        "again in that format, or give it the extension of what it really is."
                    ),
                    code="content_mismatch",
                    params={"name": name, "kind": KINDS[expected].label},
                )
            }
        )
    return KINDS[expected]


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
