"""Writes of the document register and the status survey. Content writes go through core.services (editors
of the owner, versions, history, the classification check); every document change re-derives the owner's
due items in the same transaction, so the register, the survey and the overview agree at once.
"""

from __future__ import annotations

import os

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samvirke.core.access import AccessLevel, Actor
from samvirke.core.errors import PermissionDenied
from samvirke.core.services import content_create, content_restore, content_update, ensure_can_edit
from samvirke.organisations.selectors import get_organisation_for
from samvirke.plans import selectors
from samvirke.plans.due import refresh_due_items
from samvirke.plans.models import DocumentAttachment, GoverningDocument, StatusAssessment, StatusSnapshot
from samvirke.plans.uploads import check_upload, sha256_of


def document_create(
    *, actor: Actor, owner_id: int, data: dict, shared_with=(), named_people=()
) -> GoverningDocument:
    """Register a document for `owner_id` (editors of that organisation) and re-derive its due items."""
    with transaction.atomic():
        document = content_create(
            GoverningDocument,
            actor=actor,
            owner_id=owner_id,
            data=data,
            shared_with=shared_with,
            named_people=named_people,
        )
        refresh_due_items(organisation_ids=[owner_id])
    return document


def document_update(
    *, actor: Actor, document_id, expected_version: int, data: dict, shared_with=None, named_people=None
) -> GoverningDocument:
    """Change a document; Conflict if someone saved it since `expected_version`."""
    with transaction.atomic():
        document = content_update(
            GoverningDocument,
            actor=actor,
            pk=document_id,
            expected_version=expected_version,
            data=data,
            shared_with=shared_with,
            named_people=named_people,
        )
        refresh_due_items(organisation_ids=[document.owner_id])
    return document


def document_restore(*, actor: Actor, document_id, history_id: int) -> GoverningDocument:
    with transaction.atomic():
        document = content_restore(GoverningDocument, actor=actor, pk=document_id, history_id=history_id)
        refresh_due_items(organisation_ids=[document.owner_id])
    return document


def attachment_add(*, actor: Actor, document_id, upload) -> DocumentAttachment:
    """Attach a file to a document the actor may read and edit. The size, extension and content are
    checked before anything is written (ValidationError on field "file"); the document is not touched."""
    document = selectors.get_document_for(actor, document_id)
    ensure_can_edit(actor, document)
    kind = check_upload(upload)
    digest = sha256_of(upload)
    attachment = DocumentAttachment(
        document=document,
        original_name=os.path.basename(upload.name)[:255],
        content_type=kind.content_type,
        size=upload.size,
        sha256=digest,
        uploaded_by_id=actor.user_id,
    )
    attachment.file.save(upload.name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def attachment_delete(*, actor: Actor, document_id, attachment_id) -> None:
    """Remove an attachment (editors of the owner). The file goes once the row is gone for good."""
    document, attachment = selectors.get_attachment_for(actor, document_id, attachment_id, action="read")
    ensure_can_edit(actor, document)
    name, storage = attachment.file.name, attachment.file.storage
    with transaction.atomic():
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))


def assessment_save(
    *, actor: Actor, organisation_id, data: dict, expected_version=None, shared_with=(), named_people=()
) -> StatusAssessment:
    """Create the organisation's status assessment, or update it (Conflict on a stale version)."""
    organisation = get_organisation_for(actor, organisation_id)
    current = StatusAssessment.objects.visible_to(actor).filter(owner=organisation).first()
    if current is None:
        if not actor.can_edit_for(organisation.pk):
            raise PermissionDenied(_("Only the organisation's editors can write its status assessment."))
        try:
            with transaction.atomic():
                return content_create(
                    StatusAssessment,
                    actor=actor,
                    owner_id=organisation.pk,
                    data=data,
                    shared_with=shared_with,
                    named_people=named_people,
                )
        except IntegrityError:
            # One assessment per organisation, and it exists but is not readable by this editor (TLP:RED).
            raise PermissionDenied(
                _("The organisation already has a status assessment that you may not read. Ask its author.")
            ) from None
    return content_update(
        StatusAssessment,
        actor=actor,
        pk=current.pk,
        expected_version=expected_version if expected_version is not None else current.version,
        data=data,
        shared_with=shared_with,
        named_people=named_people,
    )


def snapshot_take(*, actor: Actor, organisation_id, label: str) -> StatusSnapshot:
    """Store the survey matrix as the actor sees it now. The snapshot is GREEN (the region) when every
    document behind it is CLEAR or GREEN, and AMBER+STRICT (the owner only) otherwise, so it never shows
    more than the documents it summarises."""
    organisation = get_organisation_for(actor, organisation_id)
    if not actor.can_edit_for(organisation.pk):
        raise PermissionDenied(_("Only the organisation's editors can take a status snapshot."))
    matrix = selectors.status_matrix(actor, organisation)
    open_levels = {AccessLevel.CLEAR, AccessLevel.GREEN}
    levels = {row["document"]["access_level"] for row in matrix["rows"] if row["document"]}
    level = AccessLevel.GREEN if levels <= open_levels else AccessLevel.AMBER_STRICT
    snapshot = content_create(
        StatusSnapshot,
        actor=actor,
        owner_id=organisation.pk,
        data={
            "label": label,
            "taken_at": timezone.now(),
            "taken_by_id": actor.user_id,
            "matrix": selectors.snapshot_matrix(matrix["rows"]),
            "access_level": level,
        },
    )
    return snapshot
