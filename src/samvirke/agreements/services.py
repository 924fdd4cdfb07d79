"""Writes of cooperation agreements. Content writes go through core.services (editors of the owner,
versions and conflicts, history, the classification check).

Parties: organisations of the owner's region (by id) and external parties (name, kind, country) become
the agreement's `parties` list; on every save the derived `party_organisations` are rebuilt from it and the
party organisations are added to `shared_with`, so a party in the region sees the agreement at TLP:AMBER
(at AMBER+STRICT and RED only the owner, or the named people, do: that is what those levels mean).
"""

from __future__ import annotations

import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samvirke.agreements import selectors
from samvirke.agreements.models import Agreement, AgreementAttachment, PartyKind, kind_of_organisation
from samvirke.core.access import Actor
from samvirke.core.errors import NotFound
from samvirke.core.services import content_create, content_restore, content_update, ensure_can_edit
from samvirke.organisations.models import Organisation
from samvirke.plans.uploads import check_upload, sha256_of

#: The fields of an agreement a form may set (the parties come separately).
FIELDS = (
    "title", "category", "reference", "status", "valid_from", "valid_to", "notice_months", "scope",
    "resources", "contacts", "notes", "access_level", "exemption_basis",
)  # fmt: skip
MAX_PARTY_NAME = 200


def build_parties(*, owner: Organisation, organisations=(), external=()) -> list[dict]:
    """The `parties` list from organisations of the owner's region and external parties
    ({"name", "kind", "country"}). ValidationError (field "party_organisations" or "parties") with what to
    fix when an organisation is outside the region or an external party is incomplete."""
    errors: dict[str, list] = {}
    parties, seen = [], set()
    for organisation in organisations:
        if organisation.region_id != owner.region_id:
            errors.setdefault("party_organisations", []).append(
                _("%(name)s is not in the owner's region. Add it as an external party instead.")
                % {"name": organisation.name}
            )
            continue
        if organisation.pk == owner.pk or organisation.pk in seen:
            continue
        seen.add(organisation.pk)
        parties.append(
            {
                "organisation": organisation.pk,
                "name": organisation.name,
                "kind": kind_of_organisation(organisation),
                "country": organisation.country,
            }
        )
    names = set()
    for party in external:
        name = " ".join(str(party.get("name") or "").split())
        kind, country = party.get("kind") or "", party.get("country") or ""
        if not name:
            continue
        if len(name) > MAX_PARTY_NAME:
            errors.setdefault("parties", []).append(
                _("The party name “%(name)s…” is too long: use at most %(max)s characters.")
                % {"name": name[:40], "max": MAX_PARTY_NAME}
            )
            continue
        if kind not in PartyKind.values or country not in Organisation.Country.values:
            errors.setdefault("parties", []).append(
                _("Give the kind of party and the country of “%(name)s”.") % {"name": name}
            )
            continue
        if name.casefold() in names:
            continue
        names.add(name.casefold())
        parties.append({"organisation": None, "name": name, "kind": kind, "country": country})
    if errors:
        raise ValidationError(errors)
    return parties


def _party_organisation_ids(agreement: Agreement) -> list[int]:
    wanted = [
        p.get("organisation") for p in agreement.parties if isinstance(p, dict) and p.get("organisation")
    ]
    if not wanted:
        return []
    # Only organisations that still exist in the owner's region (a restored version may name one gone).
    return list(
        Organisation.objects.filter(pk__in=wanted, region_id=agreement.owner.region_id).values_list(
            "pk", flat=True
        )
    )


def _sync_parties(agreement: Agreement) -> None:
    """Rebuild `party_organisations` from `parties` and make sure every party organisation is in
    `shared_with` (nothing else is taken away from the sharing)."""
    party_ids = set(_party_organisation_ids(agreement))
    agreement.party_organisations.set(party_ids)
    shared = set(agreement.shared_with.values_list("pk", flat=True))
    if not shared >= party_ids:
        agreement.shared_with.set(shared | party_ids)


def agreement_create(
    *,
    actor: Actor,
    owner_id: int,
    data: dict,
    organisations=(),
    external=(),
    shared_with=(),
    named_people=(),
) -> Agreement:
    """Create an agreement for `owner_id` (editors of that organisation)."""
    owner = Organisation.objects.filter(pk=owner_id).select_related("region").first()
    if owner is None or owner.region_id not in actor.region_ids:
        raise NotFound()
    parties = build_parties(owner=owner, organisations=organisations, external=external)
    party_orgs = [p["organisation"] for p in parties if p["organisation"]]
    shared = {*shared_with, *Organisation.objects.filter(pk__in=party_orgs)}
    with transaction.atomic():
        agreement = content_create(
            Agreement,
            actor=actor,
            owner_id=owner_id,
            data={**{k: data[k] for k in FIELDS if k in data}, "parties": parties},
            shared_with=list(shared),
            named_people=named_people,
        )
        agreement.party_organisations.set(party_orgs)
    return agreement


def agreement_update(
    *,
    actor: Actor,
    agreement_id,
    expected_version: int,
    data: dict,
    organisations=(),
    external=(),
    shared_with=None,
    named_people=None,
) -> Agreement:
    """Change an agreement and its parties; Conflict if someone saved it since `expected_version`.
    `shared_with`: the organisations to share with besides the parties (None: keep the current)."""
    owner = (
        Organisation.objects.filter(
            pk__in=selectors.agreements_visible_to(actor).filter(pk=_int(agreement_id)).values("owner_id")
        )
        .select_related("region")
        .first()
    )
    if owner is None:
        raise NotFound()
    parties = build_parties(owner=owner, organisations=organisations, external=external)
    party_orgs = list(
        Organisation.objects.filter(pk__in=[p["organisation"] for p in parties if p["organisation"]])
    )
    with transaction.atomic():
        agreement = content_update(
            Agreement,
            actor=actor,
            pk=agreement_id,
            expected_version=expected_version,
            data={**{k: data[k] for k in FIELDS if k in data}, "parties": parties},
            shared_with=[*shared_with, *party_orgs] if shared_with is not None else None,
            named_people=named_people,
        )
        _sync_parties(agreement)
    return agreement


def agreement_restore(*, actor: Actor, agreement_id, history_id: int) -> Agreement:
    """Write an earlier version back (a new version); its parties come back with it."""
    with transaction.atomic():
        agreement = content_restore(Agreement, actor=actor, pk=agreement_id, history_id=history_id)
        _sync_parties(agreement)
    return agreement


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


# --- attachments -----------------------------------------------------------------------------------------


def attachment_add(*, actor: Actor, agreement_id, upload) -> AgreementAttachment:
    """Attach a file to an agreement the actor may read and edit. Size, extension and content are checked
    (plans.uploads) before anything is written (ValidationError on field "file"); the agreement is not
    touched."""
    agreement = selectors.get_agreement_for(actor, agreement_id)
    ensure_can_edit(actor, agreement)
    kind = check_upload(upload)
    attachment = AgreementAttachment(
        agreement=agreement,
        original_name=os.path.basename(upload.name)[:255],
        content_type=kind.content_type,
        size=upload.size,
        sha256=sha256_of(upload),
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


def attachment_delete(*, actor: Actor, agreement_id, attachment_id) -> None:
    """Remove an attachment (editors of the owner). The file goes once the row is gone for good."""
    agreement, attachment = selectors.get_attachment_for(actor, agreement_id, attachment_id, action="read")
    ensure_can_edit(actor, agreement)
    name, storage = attachment.file.name, attachment.file.storage
    with transaction.atomic():
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))
