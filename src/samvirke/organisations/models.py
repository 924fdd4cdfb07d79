"""Regions (cooperations), their organisations and people's memberships with roles.

Organisations are directory data, not content: every member of a region may see the region's
organisations, and anonymous users see none (see `selectors.organisations_visible_to`).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from samvirke.core.access import Role


class Region(models.Model):
    """A cooperation of municipalities (*interkommunalt samarbeid*), e.g. the nine around Rana."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    host = models.ForeignKey(
        "Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("host municipality"),
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        PARTNER = "partner", _("Partner organisation")
        GROUP = "group", _("Group")

    class PartnerType(models.TextChoices):
        NONE = "", _("—")
        EMERGENCY_SERVICE = "emergency_service", _("Emergency service")
        STATE_ADMINISTRATOR = "state_administrator", _("Statsforvalteren / Länsstyrelsen")
        BUSINESS = "business", _("Business")
        VOLUNTEER = "volunteer", _("Volunteer organisation")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure owner")
        OTHER = "other", _("Other")

    class Country(models.TextChoices):
        NORWAY = "NO", _("Norway")
        SWEDEN = "SE", _("Sweden")
        FINLAND = "FI", _("Finland")
        DENMARK = "DK", _("Denmark")
        ICELAND = "IS", _("Iceland")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("region")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    partner_type = models.CharField(_("partner type"), max_length=32, choices=PartnerType.choices, blank=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    municipality_number = models.CharField(
        _("municipality number"),
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^\d{4}$", _("Enter the four-digit kommunenummer or kommunkod."))],
        help_text=_("Norwegian kommunenummer or Swedish kommunkod, four digits."),
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.NORWAY)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="nb")
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    administrative_centre = models.CharField(_("administrative centre"), max_length=100, blank=True)
    member_organisations = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="groups",
        verbose_name=_("member organisations"),
        help_text=_("For groups: the organisations represented."),
    )

    history = HistoricalRecords(excluded_fields=[])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "municipality_number"],
                condition=~models.Q(municipality_number=""),
                name="unique_municipality_number_per_country",
            )
        ]
        indexes = [models.Index(fields=["region", "kind", "name"])]

    def __str__(self):
        return self.name

    @property
    def is_municipality(self):
        return self.kind == self.Kind.MUNICIPALITY


class Membership(models.Model):
    """A person's role in an organisation. One row per (person, organisation, role)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership_role")
        ]
        indexes = [models.Index(fields=["organisation", "role", "active"])]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"
