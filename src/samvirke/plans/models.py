"""Plans: the document register, the status survey and the rules that make revisions due.

Document types, rule sets, rules and elections are reference data (not content; see
tests/authz/test_model_coverage.py): the national defaults hold no municipal information, and a region's
own rule set is read by the region's members only (selectors.rule_sets_for).

Governing documents, status assessments and status snapshots are content and go through the chokepoint.
An attachment is part of its document and is read only through a visible document
(selectors.get_attachment_for). Due items are derived data: selectors.due_items_visible_to shows them to
the region's members, and an item about a document only to those who may read the document.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from samvirke.core.models import Content
from samvirke.plans import domain
from samvirke.plans.storage import attachment_path, attachment_storage


class Country(models.TextChoices):
    NORWAY = "NO", _("Norway")
    SWEDEN = "SE", _("Sweden")
    BOTH = "both", _("Norway and Sweden")


class Activity(models.TextChoices):
    REVISION = "revision", _("Revision")
    EXERCISE = "exercise", _("Exercise")
    EVALUATION = "evaluation", _("Evaluation")
    TRAINING = "training", _("Training")


class SurveyState(models.TextChoices):
    """The status survey's verdict on a required document type (domain.document_state)."""

    CURRENT = domain.DocumentState.CURRENT, _("Current")
    OUTDATED = domain.DocumentState.OUTDATED, _("Outdated")
    DRAFT = domain.DocumentState.DRAFT, _("Draft only")
    MISSING = domain.DocumentState.MISSING, _("Missing")


class LocalisedName:
    """`name` in the language of the request: bokmål, Swedish or English (bokmål when one is missing)."""

    @property
    def name(self) -> str:
        language = (get_language() or "nb")[:2]
        value = {"sv": self.name_sv, "en": self.name_en}.get(language, "")
        return value or self.name_nb


class DocumentType(LocalisedName, models.Model):
    """A kind of governing document, e.g. *overordnet beredskapsplan* or *plan för extraordinära händelser*.

    The category is what can be compared across the border (the Norwegian HROS and the Swedish RSA are
    both risk analyses); a municipality's status survey lists the types required in its country.
    """

    class Category(models.TextChoices):
        RISK_ANALYSIS = "risk_analysis", _("Risk and vulnerability analysis")
        EMERGENCY_PLAN = "emergency_plan", _("Emergency plan")
        CONTINUITY_PLAN = "continuity_plan", _("Continuity plan")
        SECTOR_PLAN = "sector_plan", _("Sector plan")
        CRISIS_COMMUNICATION = "crisis_communication", _("Crisis communication plan")
        CYBER_SECURITY = "cyber_security", _("Cyber security plan")
        EVACUATION = "evacuation", _("Evacuation plan")
        COMMUNITY_PLAN = "community_plan", _("Community plan")
        LAND_USE_PLAN = "land_use_plan", _("Land-use plan")
        STEERING_DOCUMENT = "steering_document", _("Steering document for crisis preparedness")
        EXERCISE_PLAN = "exercise_plan", _("Exercise and training plan")
        CRISIS_BOARD_RULES = "crisis_board_rules", _("Rules of the crisis management board")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    country = models.CharField(_("country"), max_length=4, choices=Country.choices)
    name_nb = models.CharField(_("name (Norwegian)"), max_length=200)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    required_no = models.BooleanField(_("required in Norway"), default=False)
    required_se = models.BooleanField(_("required in Sweden"), default=False)
    legal_reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("document type")
        verbose_name_plural = _("document types")

    def __str__(self):
        return self.name

    def applies_to(self, country: str) -> bool:
        return self.country in (country, Country.BOTH)

    def is_required_in(self, country: str) -> bool:
        if not self.applies_to(country):
            return False
        return (
            self.required_no if country == Country.NORWAY else self.required_se if country == "SE" else False
        )

    @property
    def is_risk_analysis(self) -> bool:
        return self.category == self.Category.RISK_ANALYSIS


class Election(models.Model):
    """An election that starts a municipal mandate period (Norway: local elections; Sweden: general
    elections, held together with the municipal ones). Years beyond the data continue every four years."""

    country = models.CharField(_("country"), max_length=2, choices=Country.choices[:2])
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1900)])
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["country", "year"]
        constraints = [models.UniqueConstraint(fields=["country", "year"], name="plans_election_year")]
        verbose_name = _("election")

    def __str__(self):
        return f"{self.country} {self.year}"


class RuleSet(models.Model):
    """A set of obligations: national (region empty) such as *forskrift om kommunal beredskapsplikt*, or a
    region's own local rules."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=4, choices=Country.choices)
    region = models.ForeignKey(
        "organisations.Region",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("Empty for national rules; set for a region's own local rules."),
    )
    source = models.CharField(_("legal source"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    #: Who changed a region's own rules, and when (services_rules); the national sets change only by data.
    history = HistoricalRecords()

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")

    def __str__(self):
        return self.name


class Rule(models.Model):
    """One recurring obligation: what (an activity, for a document type or the organisation), how often
    (the cadence), when to remind and when to escalate."""

    class Cadence(models.TextChoices):
        MONTHS = domain.Cadence.MONTHS, _("Every N months")
        AFTER_ELECTION = domain.Cadence.AFTER_ELECTION, _("By a date in the first year after an election")
        PER_MANDATE = domain.Cadence.PER_MANDATE, _("Once per mandate period")

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    activity = models.CharField(_("activity"), max_length=16, choices=Activity.choices)
    document_type = models.ForeignKey(
        DocumentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
        verbose_name=_("document type"),
        help_text=_("Empty for obligations of the organisation as a whole, such as training."),
    )
    cadence = models.CharField(_("cadence"), max_length=16, choices=Cadence.choices)
    months = models.IntegerField(_("months between occurrences"), null=True, blank=True)
    due_month = models.PositiveSmallIntegerField(_("due month"), null=True, blank=True)
    due_day = models.PositiveSmallIntegerField(_("due day"), null=True, blank=True)
    reminder_offsets = models.JSONField(
        _("reminders (days before the due date)"),
        default=list,
        blank=True,
        help_text=_("For example 30, 7, 0: a month before, a week before and on the due date."),
    )
    escalate_after_days = models.IntegerField(
        _("escalate after (days overdue)"),
        null=True,
        blank=True,
        help_text=_("Tell the regional coordinator when the item is this many days overdue."),
    )
    legal_reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    effective_from = models.DateField(
        _("in effect from"),
        default=datetime.date(2011, 10, 7),
        help_text=_("Nothing is due before this date; a subject never done is due from it."),
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["rule_set", "code"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="plans_rule_code")]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors: dict[str, list] = {}
        for problem in domain.check_rule(
            cadence=self.cadence,
            months=self.months,
            due_month=self.due_month,
            due_day=self.due_day,
            reminder_offsets=self.reminder_offsets if isinstance(self.reminder_offsets, list) else [None],
            escalate_after_days=self.escalate_after_days,
        ):
            errors.setdefault(problem.field, []).append(
                ValidationError(problem.message, code=problem.code, params=problem.params)
            )
        if self.activity == Activity.REVISION and not self.document_type_id:
            errors.setdefault("document_type", []).append(
                ValidationError(_("A revision rule needs the document type to revise."), code="revision_type")
            )
        if self.document_type_id and self.rule_set_id:
            rule_country = self.rule_set.country
            type_country = self.document_type.country
            if Country.BOTH not in (rule_country, type_country) and rule_country != type_country:
                errors.setdefault("document_type", []).append(
                    ValidationError(
                        _("This document type is not used in the rule set's country."), code="wrong_country"
                    )
                )
        if errors:
            raise ValidationError(errors)

    def applies_to(self, country: str) -> bool:
        return self.rule_set.country in (country, Country.BOTH) and (
            self.document_type is None or self.document_type.applies_to(country)
        )

    def spec(self) -> domain.RuleSpec:
        offsets = [o for o in self.reminder_offsets or [] if isinstance(o, int)]
        return domain.RuleSpec(
            id=self.pk,
            cadence=self.cadence,
            months=self.months,
            due_month=self.due_month,
            due_day=self.due_day,
            lead_days=max(offsets, default=domain.DEFAULT_LEAD_DAYS),
            escalate_after_days=self.escalate_after_days,
            effective_from=self.effective_from,
        )


class GoverningDocument(Content):
    """A governing document in an organisation's register: a plan, an analysis, a steering document."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ADOPTED = "adopted", _("Adopted")
        OUTDATED = "outdated", _("Outdated")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    document_type = models.ForeignKey(
        DocumentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("document type")
    )
    title = models.CharField(_("title"), max_length=200)
    version_label = models.CharField(
        _("version"), max_length=60, blank=True, help_text=_("For example 2.1 or 2025.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.CharField(
        _("adopted by (body)"), max_length=200, blank=True, help_text=_("For example the municipal council.")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    responsible_name = models.CharField(
        _("responsible (name or role)"),
        max_length=200,
        blank=True,
        help_text=_(
            "When the responsible person does not use Samvirke, or a role such as “kommunedirektør”."
        ),
    )
    last_revised_on = models.DateField(_("last revised on"), null=True, blank=True)
    last_exercised_on = models.DateField(
        _("last exercised on"), null=True, blank=True, help_text=_("For plans that must be exercised.")
    )
    next_revision_due = models.DateField(
        _("next revision decided for"),
        null=True,
        blank=True,
        help_text=_("Only if a date has been decided; the rules give the due date otherwise."),
    )
    risk_analysis = models.ForeignKey(
        "risk.RiskAnalysis",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("risk analysis in Samvirke"),
        help_text=_("For a risk and vulnerability analysis kept in Samvirke's risk module."),
    )
    case_number = models.CharField(_("case number"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("governing document")
        verbose_name_plural = _("governing documents")
        ordering = ["document_type__position", "title", "id"]
        indexes = [
            models.Index(fields=["owner", "document_type"], name="plandoc_owner_type_idx"),
            models.Index(fields=["owner", "access_level"], name="plandoc_owner_level_idx"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.status in (self.Status.ADOPTED, self.Status.OUTDATED) and not self.adopted_on:
            errors["adopted_on"] = _("An adopted document needs the date it was adopted.")
        if self.adopted_on and self.last_revised_on and self.last_revised_on < self.adopted_on:
            errors["last_revised_on"] = _(
                "The last revision cannot be before the adoption. Leave it empty if the document has not "
                "been revised since it was adopted."
            )
        today = timezone.localdate()
        for name in ("adopted_on", "last_revised_on", "last_exercised_on"):
            value = getattr(self, name)
            if value and value > today:
                errors[name] = _("This date is in the future. Give the date it actually happened.")
        if self.risk_analysis_id:
            if self.document_type_id and not self.document_type.is_risk_analysis:
                errors["risk_analysis"] = _(
                    "Only a risk and vulnerability analysis can link to a risk analysis."
                )
            elif self.owner_id and self.risk_analysis.owner_id != self.owner_id:
                errors["risk_analysis"] = _("Link an analysis of the same organisation.")
        if self.document_type_id and self.owner_id and not self.document_type.applies_to(self.owner.country):
            errors["document_type"] = _("This document type is not used in the organisation's country.")
        if errors:
            raise ValidationError(errors)

    @property
    def completed_on(self) -> datetime.date | None:
        """The last time the document was adopted or revised."""
        dates = [d for d in (self.adopted_on, self.last_revised_on) if d]
        return max(dates) if dates else None


class DocumentAttachment(models.Model):
    """A file attached to a document, stored outside the web root (plans/storage.py)."""

    document = models.ForeignKey(GoverningDocument, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=attachment_storage, upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["document", "-uploaded_at", "-id"]
        verbose_name = _("attachment")

    def __str__(self):
        return self.original_name


class DueItem(models.Model):
    """One occurrence of an obligation for one subject, derived from the rules (plans.due). Never edited by
    hand: re-deriving brings it in line with the rules and the register again."""

    class State(models.TextChoices):
        UPCOMING = domain.State.UPCOMING, _("Upcoming")
        DUE = domain.State.DUE, _("Due")
        OVERDUE = domain.State.OVERDUE, _("Overdue")
        DONE = domain.State.DONE, _("Done")

    # No index of their own: the unique constraint starts with the organisation, and rules (and documents)
    # are deleted so rarely that a scan then is cheaper than an index every insert must maintain (130,000
    # rows a run). No foreign-key constraint in the database either: due items are derived data, written
    # only by plans.due, and checking three keys per row at commit took 1.7 of PostgreSQL's 3.4 s for a
    # national derivation (bench/revision.py). Deleting an organisation, rule or document still deletes
    # its items (Django's CASCADE runs in the ORM), and every derivation rewrites the items of its scope.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    rule = models.ForeignKey(
        Rule, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    subject = models.CharField(max_length=64)
    # Read with the organisation (selectors filter on both, so the unique constraint serves), never alone.
    document = models.ForeignKey(
        GoverningDocument,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    anchor_date = models.DateField(null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    projected = models.BooleanField(default=False)
    escalated = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "rule", "subject", "due_date"], name="plans_dueitem_unique"
            )
        ]
        indexes = [
            # The current obligations (one per subject, about a tenth of the rows): what the survey, the
            # overview's overdue counts and the register read. Partial, so inserts of done and projected
            # items do not pay for it; covering, so those reads never touch the table.
            models.Index(
                fields=["organisation", "due_date", "rule", "document"],
                condition=models.Q(done_on__isnull=True, projected=False),
                name="plans_dueitem_open_idx",
            )
        ]
        verbose_name = _("due item")
        verbose_name_plural = _("due items")

    def __str__(self):
        return f"{self.organisation_id} {self.rule_id} {self.subject} {self.due_date}"

    def current_state(self, today: datetime.date) -> str:
        """The state on `today` (the stored one is from the last derivation)."""
        if self.done_on:
            return domain.State.DONE
        return domain.open_state(self.due_date, today, self.rule.spec().lead_days)


class StatusAssessment(Content):
    """The free assessment in a municipality's status survey (one per organisation)."""

    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    assessment = models.TextField(
        _("assessment"), blank=True, help_text=_("Strengths, weaknesses and what the documents lack.")
    )
    needs = models.TextField(_("needs and next steps"), blank=True)

    class Meta:
        verbose_name = _("status assessment")
        verbose_name_plural = _("status assessments")
        constraints = [models.UniqueConstraint(fields=["owner"], name="plans_assessment_one_per_owner")]
        indexes = [models.Index(fields=["owner", "access_level"], name="planassess_owner_level_idx")]

    def __str__(self):
        return f"{self.owner_id} {self.assessed_on}"


class StatusSnapshot(Content):
    """The status matrix of one municipality as it was at a moment ("status at project start")."""

    label = models.CharField(_("label"), max_length=200)
    taken_at = models.DateTimeField(_("taken"), default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: [{"type": code, "state": ..., "adopted_on": iso, "last_revised_on": iso, "due": iso}, ...]
    matrix = models.JSONField(default=list)

    class Meta:
        verbose_name = _("status snapshot")
        verbose_name_plural = _("status snapshots")
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["owner", "access_level"], name="plansnap_owner_level_idx")]

    def __str__(self):
        return self.label
