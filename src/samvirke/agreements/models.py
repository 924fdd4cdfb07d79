"""Cooperation agreements (samarbeidsavtaler / samverkansavtal) with emergency services, businesses,
volunteers and other municipalities, also across the border.

An agreement is content (owner organisation, access level, history) and goes through the chokepoint.
Its parties are kept in one JSON list (`parties`), so that the history shows every change of parties and
a restore brings them back; `party_organisations`, `party_kinds`, `cross_border` and `renewal_due_on` are
derived from it and the dates by the services (`services._sync_parties`, `Agreement.save`) for filters in
SQL. A party organisation in the region sees the agreement at TLP:AMBER: the services add the parties to
`shared_with` on every save.

An attachment is part of its agreement and is read only through a visible agreement
(selectors.get_attachment_for), stored like the plans' attachments (plans/storage.py, plans/uploads.py).
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samvirke.agreements import domain
from samvirke.core.classification import MESSAGE as CLASSIFIED_MESSAGE
from samvirke.core.classification import find_marking
from samvirke.core.models import Content
from samvirke.organisations.models import Organisation
from samvirke.plans.storage import attachment_storage


class PartyKind(models.TextChoices):
    """What kind of party: the partner types of the directory, plus municipalities."""

    MUNICIPALITY = "municipality", _("Municipality")
    EMERGENCY_SERVICE = "emergency_service", _("Emergency service")
    STATE_ADMINISTRATOR = "state_administrator", _("Statsforvalteren / Länsstyrelsen")
    BUSINESS = "business", _("Business")
    VOLUNTEER = "volunteer", _("Volunteer organisation")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure owner")
    OTHER = "other", _("Other")


def kind_of_organisation(organisation: Organisation) -> str:
    """The party kind of a directory organisation."""
    if organisation.kind == Organisation.Kind.MUNICIPALITY:
        return PartyKind.MUNICIPALITY.value
    if organisation.partner_type in PartyKind.values:
        return str(organisation.partner_type)
    return PartyKind.OTHER.value


class Agreement(Content):
    """A cooperation agreement between the owner and one or more parties."""

    class Status(models.TextChoices):
        DRAFT = domain.State.DRAFT, _("Draft")
        ACTIVE = domain.State.ACTIVE, _("In force")
        EXPIRING = domain.State.EXPIRING, _("Expiring")
        EXPIRED = domain.State.EXPIRED, _("Expired")

    class Category(models.TextChoices):
        MUTUAL_AID = "mutual_aid", _("Mutual assistance")
        RESOURCES = "resources", _("Resources and supplies")
        TRANSPORT = "transport", _("Transport and logistics")
        VOLUNTEERS = "volunteers", _("Volunteer support")
        COOPERATION = "cooperation", _("Cooperation in general")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(
        _("kind of agreement"), max_length=16, choices=Category.choices, default=Category.COOPERATION
    )
    reference = models.CharField(
        _("case number or reference"), max_length=100, blank=True, help_text=_("For example 2024/1234.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Leave empty for an agreement without an end date.")
    )
    notice_months = models.PositiveSmallIntegerField(
        _("renewal notice period (months)"),
        default=3,
        help_text=_("How many months before the end the agreement must be renewed or notice given."),
    )
    scope = models.TextField(_("scope"), blank=True, help_text=_("What the parties agree to do, and when."))
    resources = models.TextField(
        _("resources covered"),
        blank=True,
        help_text=_("Equipment, people, vehicles, premises or supplies the agreement makes available."),
    )
    contacts = models.TextField(
        _("contacts"), blank=True, help_text=_("Who to call under the agreement: name, role, telephone.")
    )
    notes = models.TextField(_("notes"), blank=True)
    #: [{"organisation": id or None, "name": str, "kind": PartyKind, "country": "NO"/"SE"/...}, ...]
    parties = models.JSONField(_("parties"), default=list, blank=True)

    # Derived (services and save()): for filters in SQL, never edited.
    party_organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="+", verbose_name=_("party organisations")
    )
    party_kinds = models.CharField(max_length=200, blank=True, editable=False)
    cross_border = models.BooleanField(_("across the border"), default=False, editable=False)
    renewal_due_on = models.DateField(_("renewal due"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        indexes = [
            models.Index(fields=["owner", "access_level"], name="agreement_owner_level_idx"),
            models.Index(fields=["renewal_due_on", "id"], name="agreement_renewal_idx"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors: dict[str, list] = {}
        for problem in domain.check_period(
            status=self.status,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            notice_months=self.notice_months,
        ):
            errors.setdefault(problem.field, []).append(
                ValidationError(problem.message, code=problem.code, params=problem.params)
            )
        for party in self.parties if isinstance(self.parties, list) else []:
            marking = find_marking(str(party.get("name", "")) if isinstance(party, dict) else "")
            if marking:
                errors.setdefault("parties", []).append(
                    ValidationError(CLASSIFIED_MESSAGE, code="classified", params={"marking": marking})
                )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.refresh_derived()
        super().save(*args, **kwargs)

    def refresh_derived(self, owner_country: str | None = None) -> None:
        """The columns derived from the parties and dates (also called by the demo's bulk insert)."""
        parties = [p for p in self.parties if isinstance(p, dict)] if isinstance(self.parties, list) else []
        self.renewal_due_on = domain.renewal_date(self.valid_to, self.notice_months)
        kinds = sorted({str(p.get("kind")) for p in parties if p.get("kind")})
        self.party_kinds = "".join(f"|{k}" for k in kinds) + ("|" if kinds else "")
        if owner_country is None:
            owner_country = self.owner.country if self.owner_id else ""
        self.cross_border = domain.is_cross_border(owner_country, [p.get("country") for p in parties])

    def state(self, today=None) -> str:
        """The state on `today` (draft, active, expiring, expired): see agreements.domain."""
        return domain.agreement_state(
            status=self.status,
            valid_to=self.valid_to,
            renewal_due=self.renewal_due_on,
            today=today or timezone.localdate(),
        )

    def get_state_display(self, today=None) -> str:
        return str(self.Status(self.state(today)).label)


def agreement_attachment_path(instance, filename: str) -> str:
    """A random file name under the owner's directory; the uploaded name is kept only in the database."""
    extension = os.path.splitext(filename)[1].lower()[:8]
    return f"agreements/{instance.agreement.owner_id}/{uuid.uuid4().hex}{extension}"


class AgreementAttachment(models.Model):
    """A file attached to an agreement (the signed agreement, an annex), stored outside the web root."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=attachment_storage, upload_to=agreement_attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["agreement", "-uploaded_at", "-id"]
        verbose_name = _("attachment")

    def __str__(self):
        return self.original_name
