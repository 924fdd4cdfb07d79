"""Shared base models: every content record has an owner organisation and an access level.

The sharing rules live in exactly one place, `ContentQuerySet.visible_to`. Object fetches go through
`samvirke.core.visibility.get_visible`, which raises the same `NotFound` for "missing" and "not yours"
and writes the access log for AMBER, AMBER+STRICT and RED reads.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from samvirke.core.access import AccessLevel, Actor
from samvirke.core.classification import MESSAGE as CLASSIFIED_MESSAGE
from samvirke.core.classification import find_marking


class ContentQuerySet(models.QuerySet):
    def visible_to(self, actor: Actor) -> ContentQuerySet:
        """The chokepoint: the records `actor` may read, as one SQL query.

        CLEAR: everyone. GREEN: members of any organisation in the owner's region. AMBER: members of
        the owner organisation and of organisations it is shared with. AMBER+STRICT: members of the
        owner organisation. RED: the named people only. Memberships count only after two-factor
        verification (the Actor of an unverified session has none).
        """
        # Every rule is "level AND column IN (uncorrelated subquery)": one scan of the content table with
        # each subquery evaluated once (SQLite list subqueries, PostgreSQL hashed subplans) and no join,
        # so that counting a large visible set stays cheap (bench/overview.py: 100,000 notices).
        rule = Q(access_level=AccessLevel.CLEAR)
        if actor.user_id is not None and actor.is_verified and actor.roles:
            orgs = list(actor.organisation_ids)
            owner_model = self.model._meta.get_field("owner").related_model
            shared = self.model.shared_with.through
            shared_from = self.model._meta.get_field("shared_with").m2m_column_name()
            rule |= Q(
                access_level=AccessLevel.GREEN,
                owner_id__in=owner_model.objects.filter(region_id__in=list(actor.region_ids)).values("pk"),
            )
            rule |= Q(access_level__in=[AccessLevel.AMBER, AccessLevel.AMBER_STRICT], owner_id__in=orgs)
            rule |= Q(
                access_level=AccessLevel.AMBER,
                pk__in=shared.objects.filter(organisation_id__in=orgs).values(shared_from),
            )
        if actor.user_id is not None and actor.is_verified:
            # RED: the named people, whether or not they hold memberships.
            named = self.model.named_people.through
            named_from = self.model._meta.get_field("named_people").m2m_column_name()
            rule |= Q(
                access_level=AccessLevel.RED,
                pk__in=named.objects.filter(user_id=actor.user_id).values(named_from),
            )
        return self.filter(rule)


class Content(models.Model):
    """Abstract base for every content record in Samvirke."""

    owner = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner organisation"),
    )
    access_level = models.CharField(
        _("access level"),
        max_length=16,
        choices=AccessLevel.choices,
        default=AccessLevel.AMBER_STRICT,
        # Deliberately no index led by the access level: with one, SQLite answers `visible_to` by
        # collecting every matching row before sorting, instead of walking the listing index (see
        # Notice.Meta.indexes). Content models index (owner, access_level) and their listing order.
    )
    exemption_basis = models.CharField(
        _("legal basis for exemption from public access"),
        max_length=200,
        blank=True,
        help_text=_(
            "For example “offl. § 24 tredje ledd” or “OSL 18 kap. 13 §”. Leave empty for public records."
        ),
    )
    shared_with = models.ManyToManyField(
        "organisations.Organisation",
        blank=True,
        related_name="+",
        verbose_name=_("shared with organisations"),
        help_text=_("Only used with TLP:AMBER."),
    )
    named_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("named people"),
        help_text=_("Only used with TLP:RED: the people who may read the record."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ContentQuerySet.as_manager()
    history = HistoricalRecords(inherit=True)

    #: Text fields checked for classification markings; by default every Char/TextField.
    classification_checked_fields: tuple[str, ...] | None = None

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        errors: dict[str, list] = {}
        for field in self._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField) or field.choices:
                continue
            if (
                self.classification_checked_fields is not None
                and field.name not in self.classification_checked_fields
            ):
                continue
            marking = find_marking(getattr(self, field.attname) or "")
            if marking:
                errors.setdefault(field.name, []).append(
                    ValidationError(CLASSIFIED_MESSAGE, code="classified", params={"marking": marking})
                )
        if self.access_level == AccessLevel.CLEAR and self.exemption_basis:
            errors.setdefault("exemption_basis", []).append(
                ValidationError(
                    _(
                        "A public (TLP:CLEAR) record cannot be exempt from public access. Choose another "
                        "access level or remove the legal basis."
                    ),
                    code="clear_with_exemption",
                )
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self) -> bool:
        return self.access_level == AccessLevel.CLEAR


class AccessLogEntry(models.Model):
    """Append-only record of reads of AMBER, AMBER+STRICT and RED records (who read what, when)."""

    class Action(models.TextChoices):
        READ = "read", _("read")
        LIST = "list", _("listed")
        EXPORT = "export", _("exported")
        HISTORY = "history", _("history viewed")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    access_level = models.CharField(max_length=16, choices=AccessLevel.choices)
    action = models.CharField(max_length=16, choices=Action.choices, default=Action.READ)
    via = models.CharField(max_length=8, default="web")  # web / api

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The access log is append-only.")
        super().save(*args, **kwargs)
