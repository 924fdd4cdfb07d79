"""Where attachments live: a directory outside the web root, never behind a URL.

Files are only ever sent by `plans.views.attachment_download`, after the document was fetched through
the chokepoint. The directory is `settings.SAMVIRKE_ATTACHMENT_ROOT` (environment variable of the same
name, default `var/attachments`), read on every use so tests can point it at a temporary directory.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class AttachmentStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.SAMVIRKE_ATTACHMENT_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Attachments have no URL; they are served through plans.views.attachment_download.")


_storage = AttachmentStorage()


def attachment_storage() -> AttachmentStorage:
    """The storage of DocumentAttachment.file (a callable, so migrations do not freeze a path)."""
    return _storage


def attachment_path(instance, filename: str) -> str:
    """A random file name under the owner's directory: the uploaded name is kept only in the database."""
    extension = os.path.splitext(filename)[1].lower()[:8]
    return f"{instance.document.owner_id}/{uuid.uuid4().hex}{extension}"
