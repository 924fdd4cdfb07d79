"""The emergency plan as structured content: Norway's *overordnet beredskapsplan* (forskrift om kommunal
beredskapsplikt § 4) and Sweden's *plan för hantering av extraordinära händelser* (LEH 2 kap. 1 §).

One `EmergencyPlan` per organisation, with one record per required part (crisis management, alert list,
resource overview, evacuation plan, population warning and crisis communication) and any number of
`ActionCard`s. Every part is content of its own: its own access level (the alert list and crisis management
default to TLP:AMBER, because they hold people's phone numbers), version, history and last revision date
(`updated_at`). A part or card is readable only if it is visible itself AND its plan is visible
(selectors.get_part_for / get_card_for). The lists inside a part (roles, alert entries, resources) are JSON
on the part (entries.py), so a part is always one version.

A `Binder` is the stored offline copy (beredskapsperm, binder.py): derived data, not content; it is read only
through binder.binder_for after selectors.get_plan_for.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from samvirke.core.access import AccessLevel
from samvirke.core.models import Content
from samvirke.emergencyplan import entries as entry_specs


def _level(default: str):
    """The access level field of Content with another default (the part's usual level)."""
    return models.CharField(_("access level"), max_length=16, choices=AccessLevel.choices, default=default)


class EmergencyPlan(Content):
    """An organisation's emergency plan: the frame the parts and action cards belong to."""

    access_level = _level(AccessLevel.GREEN)
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Purpose and scope of the plan, how it is organised and who keeps it up to date."),
    )
    governing_document = models.ForeignKey(
        "plans.GoverningDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("document in the register"),
        help_text=_("The adopted emergency plan in the document register, with its adoption and revisions."),
    )

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["owner__name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner"], name="emergencyplan_one_per_owner")]
        indexes = [models.Index(fields=["owner", "access_level"], name="eplan_owner_level_idx")]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        document = self.governing_document if self.governing_document_id else None
        if document is not None:
            from samvirke.plans.models import DocumentType

            if self.owner_id and document.owner_id != self.owner_id:
                raise ValidationError({"governing_document": _("Link a document of the same organisation.")})
            if document.document_type.category != DocumentType.Category.EMERGENCY_PLAN:
                raise ValidationError(
                    {"governing_document": _("Link a document of the type emergency plan.")}
                )


class PlanPart(Content):
    """A required part of a plan (one of each per plan)."""

    plan = models.OneToOneField(EmergencyPlan, on_delete=models.CASCADE, related_name="+")
    notes = models.TextField(_("notes"), blank=True)

    #: The part's own text fields, in the order the pages show them.
    TEXT_FIELDS: tuple[str, ...] = ()
    #: The list inside the part (entries.py), if it has one.
    ENTRY_SPEC: entry_specs.EntrySpec | None = None

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name} ({self.plan_id})"

    def clean(self):
        super().clean()
        if self.ENTRY_SPEC is not None:
            entry_specs.validate_entries(self.ENTRY_SPEC, self.entries)
        if self.plan_id and self.owner_id and self.plan.owner_id != self.owner_id:
            raise ValidationError(_("A part belongs to its plan's organisation."))


class CrisisManagement(PlanPart):
    """Plan for crisis management: roles and deputies, authority, who convenes and where."""

    access_level = _level(AccessLevel.AMBER)
    convening = models.TextField(
        _("convening"),
        blank=True,
        help_text=_("Who convenes the crisis management, when, and how the members are alerted."),
    )
    authority = models.TextField(
        _("delegated authority"),
        blank=True,
        help_text=_(
            "What the crisis management may decide without the council, for example spending limits."
        ),
    )
    meeting_place = models.CharField(_("meeting place"), max_length=300, blank=True)
    alternative_meeting_place = models.CharField(
        _("alternative meeting place"),
        max_length=300,
        blank=True,
        help_text=_("Where to meet when the usual place cannot be used (power cut, fire, evacuation)."),
    )
    entries = models.JSONField(_("roles"), default=list, blank=True)

    TEXT_FIELDS = ("convening", "authority", "meeting_place", "alternative_meeting_place", "notes")
    ENTRY_SPEC = entry_specs.ROLES

    class Meta:
        verbose_name = _("crisis management")
        verbose_name_plural = _("crisis management")
        indexes = [models.Index(fields=["owner", "access_level"], name="eplan_crisis_owner_level_idx")]


class AlertList(PlanPart):
    """The alert list (varslingsliste / larmlista): people and actors with a crisis role and how to reach
    them, each with the date it was last verified."""

    access_level = _level(AccessLevel.AMBER)
    entries = models.JSONField(_("entries"), default=list, blank=True)

    TEXT_FIELDS = ("notes",)
    ENTRY_SPEC = entry_specs.ALERT

    class Meta:
        verbose_name = _("alert list")
        verbose_name_plural = _("alert lists")
        indexes = [models.Index(fields=["owner", "access_level"], name="eplan_alert_owner_level_idx")]


class ResourceOverview(PlanPart):
    """Own and others' resources (businesses, volunteers) with location, capacity and owner, and whether
    they can be lent to another municipality."""

    access_level = _level(AccessLevel.GREEN)
    entries = models.JSONField(_("resources"), default=list, blank=True)
    events = models.ManyToManyField(
        "risk.AnalysedEvent", blank=True, related_name="+", verbose_name=_("risk events this part answers")
    )

    TEXT_FIELDS = ("notes",)
    ENTRY_SPEC = entry_specs.RESOURCES

    class Meta:
        verbose_name = _("resource overview")
        verbose_name_plural = _("resource overviews")
        indexes = [models.Index(fields=["owner", "access_level"], name="eplan_resource_owner_level_idx")]


class EvacuationPlan(PlanPart):
    """Evacuation plan and the evacuee and next-of-kin centre."""

    access_level = _level(AccessLevel.GREEN)
    responsibility = models.TextField(
        _("responsibility"),
        blank=True,
        help_text=_("Who decides on evacuation (in Norway the police) and what the municipality does."),
    )
    areas = models.TextField(_("areas that may need evacuation"), blank=True)
    assembly_points = models.TextField(_("assembly points"), blank=True)
    transport = models.TextField(_("transport"), blank=True)
    reception = models.TextField(
        _("evacuee and next-of-kin centre"),
        blank=True,
        help_text=_("Where evacuees are received, registered and reunited with their next of kin."),
    )
    vulnerable_groups = models.TextField(
        _("residents who need help"),
        blank=True,
        help_text=_("For example residents with home care, and how they are found and moved first."),
    )
    events = models.ManyToManyField(
        "risk.AnalysedEvent", blank=True, related_name="+", verbose_name=_("risk events this part answers")
    )

    TEXT_FIELDS = (
        "responsibility", "areas", "assembly_points", "transport", "reception", "vulnerable_groups", "notes",
    )  # fmt: skip

    class Meta:
        verbose_name = _("evacuation plan")
        verbose_name_plural = _("evacuation plans")
        indexes = [models.Index(fields=["owner", "access_level"], name="eplan_evac_owner_level_idx")]


class CommunicationPlan(PlanPart):
    """Plan for warning the population and for crisis communication with the population and the media."""

    access_level = _level(AccessLevel.GREEN)
    warning_decision = models.TextField(
        _("who decides on warnings"),
        blank=True,
        help_text=_("Nødvarsel on mobile phones is sent by the police; VMA in Sweden by the authorities."),
    )
    warning_channels = models.TextField(
        _("warning channels"), blank=True, help_text=_("For example SMS alerting, sirens, door to door.")
    )
    spokesperson = models.TextField(_("spokesperson and media contact"), blank=True)
    public_channels = models.TextField(
        _("information channels"),
        blank=True,
        help_text=_("Web site, social media, local radio, info points."),
    )
    languages = models.TextField(
        _("languages and groups"),
        blank=True,
        help_text=_("Languages to publish in (Sami, English for visitors) and groups that need other means."),
    )
    events = models.ManyToManyField(
        "risk.AnalysedEvent", blank=True, related_name="+", verbose_name=_("risk events this part answers")
    )

    TEXT_FIELDS = (
        "warning_decision",
        "warning_channels",
        "spokesperson",
        "public_channels",
        "languages",
        "notes",
    )

    class Meta:
        verbose_name = _("population warning and crisis communication")
        verbose_name_plural = _("population warning and crisis communication")
        indexes = [models.Index(fields=["owner", "access_level"], name="eplan_comm_owner_level_idx")]


class ActionCard(Content):
    """An action card (tiltakskort / åtgärdskort): a checklist for one kind of event, linked to the events of
    the organisation's risk analyses and to event types it answers."""

    access_level = _level(AccessLevel.GREEN)
    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    trigger = models.TextField(
        _("when to use it"), blank=True, help_text=_("What situation or warning starts this card.")
    )
    checklist = models.TextField(
        _("checklist"), help_text=_("One step per line, in the order they are done.")
    )
    responsible = models.CharField(
        _("responsible role"), max_length=200, blank=True, help_text=_("A role, such as “Crisis manager”.")
    )
    notes = models.TextField(_("notes"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Cards are listed by this number, then by title.")
    )
    events = models.ManyToManyField(
        "risk.AnalysedEvent", blank=True, related_name="+", verbose_name=_("analysed events it answers")
    )
    event_types = models.ManyToManyField(
        "risk.EventType", blank=True, related_name="+", verbose_name=_("event types it answers")
    )

    class Meta:
        verbose_name = _("action card")
        verbose_name_plural = _("action cards")
        ordering = ["plan", "position", "title", "id"]
        indexes = [
            models.Index(fields=["plan", "position", "title", "id"], name="eplan_card_listing_idx"),
            models.Index(fields=["owner", "access_level"], name="eplan_card_owner_level_idx"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.plan_id and self.owner_id and self.plan.owner_id != self.owner_id:
            raise ValidationError(_("An action card belongs to its plan's organisation."))
        if not self.steps:
            raise ValidationError({"checklist": _("Write at least one step, one per line.")})

    @property
    def steps(self) -> list[str]:
        return [
            line.strip().lstrip("-•*").strip() for line in (self.checklist or "").splitlines() if line.strip()
        ]


class Binder(models.Model):
    """A stored offline copy of a plan (beredskapsperm) as one reader sees it: derived data, regenerated when
    the content it was made from changes (binder.py). `variant` identifies which records and which language
    it holds (readers who may see different parts get different binders); `content_hash` is the SHA-256 of
    the content, printed in the binder."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="+")
    variant = models.CharField(max_length=64)
    content_hash = models.CharField(max_length=64)
    generated_at = models.DateTimeField()
    html = models.TextField(blank=True)
    pdf = models.BinaryField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "variant"], name="emergencyplan_binder_variant")
        ]

    def __str__(self):
        return f"{self.plan_id} {self.variant[:8]} {self.content_hash[:8]}"
