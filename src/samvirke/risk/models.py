"""Risk and vulnerability analyses (*ROS / RSA*): scales as data, analyses, analysed events, measures.

Scale sets, event types, critical societal functions, sectors and legal requirement items are shared
reference data (not content; see tests/authz/test_model_coverage.py). Analyses, analysed events and
measures are content: they go through the chokepoint, and an event or measure is only ever read through
an analysis the actor may see (selectors.get_event_for / get_measure_for).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from samvirke.core.models import Content


class KnowledgeStrength(models.TextChoices):
    STRONG = "strong", _("Strong")
    MEDIUM = "medium", _("Medium")
    WEAK = "weak", _("Weak")


class RiskColour(models.TextChoices):
    GREEN = "green", _("Green – acceptable")
    YELLOW = "yellow", _("Yellow – consider measures")
    RED = "red", _("Red – measures necessary")


class ScaleSet(models.Model):
    class Kind(models.TextChoices):
        MUNICIPAL = "municipal", _("Municipality (DSB 2014)")
        REGIONAL = "regional", _("County / national risk picture (NRB)")

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    # Null: a shared default. Set: an organisation's adapted copy (services.scale_set_copy).
    owner = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("scale set")

    def __str__(self):
        return self.name


class LikelihoodClass(models.Model):
    scale_set = models.ForeignKey(ScaleSet, on_delete=models.CASCADE, related_name="likelihood_classes")
    position = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    code = models.CharField(max_length=4)
    label = models.CharField(max_length=100)
    interval = models.CharField(max_length=200, blank=True)
    # Annual probability in per cent; open-ended classes leave one side empty.
    probability_low = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    probability_high = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["scale_set", "position"]
        constraints = [models.UniqueConstraint(fields=["scale_set", "position"], name="risk_likelihood_pos")]

    def __str__(self):
        return f"{self.code} – {self.label}"


class ConsequenceType(models.Model):
    class SocietalValue(models.TextChoices):
        LIFE_HEALTH = "life_health", _("Life and health")
        NATURE_CULTURE = "nature_culture", _("Nature and culture")
        ECONOMY = "economy", _("Economy")
        STABILITY = "stability", _("Societal stability")
        GOVERNANCE = "governance", _("Governance capacity")

    scale_set = models.ForeignKey(ScaleSet, on_delete=models.CASCADE, related_name="consequence_types")
    societal_value = models.CharField(max_length=20, choices=SocietalValue.choices)
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scale_set", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["scale_set", "code"], name="risk_consequence_code")]

    def __str__(self):
        return self.name


class ConsequenceLevel(models.Model):
    consequence_type = models.ForeignKey(ConsequenceType, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    code = models.CharField(max_length=4)
    label = models.CharField(max_length=100)
    lower = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    upper = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["consequence_type", "position"]
        constraints = [
            models.UniqueConstraint(fields=["consequence_type", "position"], name="risk_consequence_pos")
        ]

    def __str__(self):
        return f"{self.code} – {self.label}"


class AcceptanceBand(models.Model):
    """A colour over a set of matrix cells ([[likelihood, consequence], …]); the bands cover all 25 once."""

    scale_set = models.ForeignKey(ScaleSet, on_delete=models.CASCADE, related_name="acceptance_bands")
    colour = models.CharField(max_length=8, choices=RiskColour.choices)
    meaning = models.CharField(max_length=300)
    cells = models.JSONField(default=list)

    class Meta:
        ordering = ["scale_set", "id"]
        constraints = [models.UniqueConstraint(fields=["scale_set", "colour"], name="risk_band_colour")]

    def __str__(self):
        return f"{self.scale_set}: {self.colour}"


class Sector(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Requirement(models.Model):
    """A legal content requirement: forskrift om kommunal beredskapsplikt § 2 a–f or MSBFS 2015:5 items."""

    country = models.CharField(max_length=2)
    code = models.CharField(max_length=20)
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["country", "position"]
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="risk_requirement_code")]

    def __str__(self):
        return f"{self.code} {self.text}"


class CriticalFunction(models.Model):
    """DSB *Samfunnets kritiske funksjoner* (2016): 14 functions in three groups."""

    group = models.CharField(max_length=100)
    name = models.CharField(max_length=200, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.name


class EventType(models.Model):
    """The regional library of unwanted event types that analyses adopt and adapt."""

    class Category(models.TextChoices):
        NATURAL = "natural", _("Natural hazard")
        MAJOR_ACCIDENT = "major_accident", _("Major accident")
        INTENTIONAL = "intentional", _("Intentional act")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure failure")
        HEALTH = "health", _("Health")

    region = models.ForeignKey(
        "organisations.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["category", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="risk_event_type_name")]

    def __str__(self):
        return self.name


class RiskAnalysis(Content):
    class Kind(models.TextChoices):
        HROS = "hros", _("Comprehensive risk and vulnerability analysis (helhetlig ROS)")
        SECTOR = "sector", _("Sector risk and vulnerability analysis")
        REGIONAL = "regional", _("Regional risk and vulnerability analysis")
        RSA = "rsa", _("Swedish risk and vulnerability analysis (RSA)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONSULTATION = "consultation", _("In consultation")
        ADOPTED = "adopted", _("Adopted")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.HROS)
    sector = models.ForeignKey(
        Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("sector")
    )
    scope = models.TextField(_("scope"), blank=True)
    method = models.TextField(_("method"), blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.CharField(_("adopted by (body)"), max_length=200, blank=True)
    case_number = models.CharField(_("case number"), max_length=60, blank=True)
    body = models.TextField(_("summary"), blank=True)
    scale_set = models.ForeignKey(
        ScaleSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("scale set")
    )
    covered_requirements = models.ManyToManyField(
        Requirement, blank=True, related_name="+", verbose_name=_("requirements covered")
    )

    class Meta:
        verbose_name = _("risk analysis")
        verbose_name_plural = _("risk analyses")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="riskanalysis_listing_idx"),
            models.Index(fields=["owner", "access_level"], name="riskanalysis_owner_level_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def country(self) -> str:
        return "SE" if self.kind == self.Kind.RSA else "NO"

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == self.Kind.SECTOR and not self.sector_id:
            errors["sector"] = _("A sector analysis needs a sector.")
        if self.status == self.Status.ADOPTED and not self.adopted_on:
            errors["adopted_on"] = _("An adopted analysis needs the date it was adopted.")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The period cannot end before it starts.")
        if errors:
            raise ValidationError(errors)


class AnalysedEvent(Content):
    """An unwanted event (*uønsket hendelse*) as analysed in one analysis, with the DSB fields."""

    analysis = models.ForeignKey(RiskAnalysis, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    event_type = models.ForeignKey(
        EventType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("event type"),
    )
    scenario = models.TextField(_("scenario"), blank=True)
    comparable_events = models.TextField(_("comparable past events"), blank=True)
    causes = models.TextField(_("causes"), blank=True)
    barriers = models.TextField(_("existing barriers"), blank=True)
    likelihood = models.ForeignKey(
        LikelihoodClass,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("likelihood"),
    )
    likelihood_reasoning = models.TextField(_("reasoning for the likelihood"), blank=True)
    vulnerability = models.TextField(_("vulnerability (maintaining and resuming operations)"), blank=True)
    knowledge_strength = models.CharField(
        _("strength of knowledge"), max_length=8, choices=KnowledgeStrength.choices, blank=True
    )
    sensitivity = models.TextField(_("sensitivity"), blank=True)
    sources = models.TextField(_("sources"), blank=True)
    cross_municipal = models.BooleanField(_("affects several municipalities"), default=False)
    cross_border = models.BooleanField(_("crosses the national border"), default=False)
    affected_municipalities = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="+", verbose_name=_("affected municipalities")
    )
    critical_functions = models.ManyToManyField(
        CriticalFunction, blank=True, related_name="+", verbose_name=_("critical societal functions")
    )
    # The assessed result, computed by services.event_assess from the scale when it is saved, so that a
    # later change of a scale never silently moves an adopted result.
    # (Verbose names: the history page lists these when they change.)
    likelihood_position = models.PositiveSmallIntegerField(
        _("likelihood (class number)"), null=True, blank=True, editable=False
    )
    consequence_position = models.PositiveSmallIntegerField(
        _("consequence (worst level)"), null=True, blank=True, editable=False
    )
    risk_score = models.PositiveSmallIntegerField(_("risk score"), null=True, blank=True, editable=False)
    risk_colour = models.CharField(
        _("risk"), max_length=8, choices=RiskColour.choices, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("analysed event")
        verbose_name_plural = _("analysed events")
        ordering = ["analysis", "id"]
        indexes = [
            models.Index(fields=["analysis", "id"], name="riskevent_listing_idx"),
            models.Index(fields=["owner", "access_level"], name="riskevent_owner_level_idx"),
        ]

    def __str__(self):
        return self.title


class ConsequenceAssessment(models.Model):
    """An event's consequence for one consequence type: a level of the scale, with reasoning."""

    event = models.ForeignKey(AnalysedEvent, on_delete=models.CASCADE, related_name="assessments")
    consequence_type = models.ForeignKey(ConsequenceType, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(ConsequenceLevel, on_delete=models.PROTECT, related_name="+")
    reasoning = models.TextField(blank=True)

    class Meta:
        ordering = ["event", "consequence_type__position", "consequence_type_id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "consequence_type"], name="risk_assessment_once")
        ]

    def __str__(self):
        return f"{self.event_id}: {self.consequence_type_id} = {self.level_id}"


class Measure(Content):
    """A measure (*tiltak*): owner, deadline, status and its expected effect on the events it mitigates."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    analysis = models.ForeignKey(RiskAnalysis, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible = models.CharField(_("responsible person"), max_length=200, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    cost_estimate = models.DecimalField(
        _("cost estimate"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    events = models.ManyToManyField(
        AnalysedEvent, blank=True, related_name="+", verbose_name=_("events it mitigates")
    )
    likelihood_reduction = models.PositiveSmallIntegerField(
        _("likelihood reduction (classes)"), default=0, validators=[MaxValueValidator(4)]
    )
    consequence_reduction = models.PositiveSmallIntegerField(
        _("consequence reduction (levels)"), default=0, validators=[MaxValueValidator(4)]
    )

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["analysis", "deadline", "id"], name="riskmeasure_listing_idx"),
            models.Index(fields=["owner", "access_level"], name="riskmeasure_owner_level_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED

    @property
    def effect_text(self) -> str:
        return measure_effect_text(self.likelihood_reduction, self.consequence_reduction)

    def is_overdue(self, today) -> bool:
        return bool(
            self.deadline
            and self.deadline < today
            and self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)
        )


def measure_effect_text(likelihood: int | None, consequence: int | None) -> str:
    """What a measure is expected to change, in words: only the reductions it makes ("−0" said nothing)."""
    likelihood, consequence = likelihood or 0, consequence or 0
    if likelihood and consequence:
        return gettext("Likelihood −%(l)s, consequence −%(c)s") % {"l": likelihood, "c": consequence}
    if likelihood:
        return gettext("Likelihood −%(l)s") % {"l": likelihood}
    if consequence:
        return gettext("Consequence −%(c)s") % {"c": consequence}
    return gettext("No change to the assessment")


# --- adopted versions (issue 3, item 7) -----------------------------------------------------------------


class AnalysisVersion(models.Model):
    """A frozen copy of an analysis with all its events and measures (risk.versions.freeze).

    Not content: it is read only through an analysis the reader may see (risk.versions), and every
    event or measure in its snapshot is shown only if the reader may see it (versions.diff_for). The
    snapshot copies the stored results and the scale's codes, so later edits of a scale set never move
    an adopted version."""

    analysis = models.ForeignKey(RiskAnalysis, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(_("version number"))
    frozen_at = models.DateTimeField(_("frozen"), default=timezone.now)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The analysis' status when frozen: "adopted" for the versions adoption froze.
    status = models.CharField(_("status"), max_length=16, choices=RiskAnalysis.Status.choices)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.CharField(_("adopted by (body)"), max_length=200, blank=True)
    case_number = models.CharField(_("case number"), max_length=60, blank=True)
    snapshot = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("analysis version")
        ordering = ["analysis", "-number"]
        constraints = [models.UniqueConstraint(fields=["analysis", "number"], name="risk_version_number")]

    def __str__(self):
        return f"{self.analysis_id} v{self.number}"

    @property
    def is_adoption(self) -> bool:
        return self.status == RiskAnalysis.Status.ADOPTED


# --- workshops (issue 3, item 6) ------------------------------------------------------------------------


class WorkshopSession(models.Model):
    """A risk workshop (*ROS-verksted*): participants score events independently, the facilitator
    records the agreed values. Not content: read only through a visible analysis (risk.workshop), and
    only the session's events the reader may see are shown."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for scoring")
        CLOSED = "closed", _("Closed")

    analysis = models.ForeignKey(RiskAnalysis, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    events = models.ManyToManyField(AnalysedEvent, related_name="+", verbose_name=_("events to score"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    # Show everyone's scores to participants who have not scored yet (the facilitator's choice).
    revealed = models.BooleanField(_("scores shown to everyone"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("workshop")
        ordering = ["analysis", "-created_at", "-id"]
        indexes = [models.Index(fields=["analysis", "-created_at"], name="risk_workshop_listing_idx")]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class WorkshopScore(models.Model):
    """One participant's independent score of one event: positions on the analysis' scale."""

    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="scores")
    event = models.ForeignKey(AnalysedEvent, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    likelihood_position = models.PositiveSmallIntegerField(
        _("likelihood"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    #: {consequence type code: level position}
    consequences = models.JSONField(_("consequences"), default=dict, blank=True)
    knowledge_strength = models.CharField(
        _("strength of knowledge"), max_length=8, choices=KnowledgeStrength.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now=True)

    class Meta:
        ordering = ["session", "event", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "event", "participant"], name="risk_workshop_score_once"
            )
        ]

    def __str__(self):
        return f"{self.session_id}/{self.event_id}/{self.participant_id}"


class WorkshopAgreement(models.Model):
    """What the workshop agreed for an event, and why. The event itself is changed through
    risk.services.event_update (history, conflict check, stored risk result)."""

    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="agreements")
    event = models.ForeignKey(AnalysedEvent, on_delete=models.CASCADE, related_name="+")
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_at = models.DateTimeField(_("agreed"), auto_now_add=True)
    likelihood_position = models.PositiveSmallIntegerField(null=True, blank=True)
    consequences = models.JSONField(default=dict, blank=True)
    knowledge_strength = models.CharField(max_length=8, choices=KnowledgeStrength.choices, blank=True)
    rationale = models.TextField(_("rationale"))
    event_version = models.PositiveIntegerField()

    class Meta:
        ordering = ["session", "event", "-agreed_at", "-id"]

    def __str__(self):
        return f"{self.session_id}/{self.event_id}"
