"""Follow-up plans (oppfølgingsplaner) and annual evaluations (årlig evaluering), issue 4.

A follow-up plan is an organisation's plan of recurring preparedness work for one year (or a rolling plan):
revisions, exercises, the annual evaluation, training, documentation and reporting, cooperation with
external actors. Plans, their activities and annual evaluations are content and go through the chokepoint.
An activity has its own access level (by default the plan's, or the stricter level of the document a
generated activity is about) and is read only through a visible plan (selectors.activities_visible_to /
get_activity_for), like the events of a risk analysis.

A responsibility (one letter of the RACI matrix for one party) is part of its activity and has no level of
its own: it is read only with an activity the reader may see, and written only by services.activity_update
and activity_create (editors of the owner), inside the activity's versioned save.

Generated activities keep the key of the plans app's due item they come from (`source_key`, see
domain.due_key) and the rule; the due item itself is looked up by that key when a page is shown, so
re-deriving due items (which deletes and recreates rows) never breaks the link.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samvirke.core.models import Content
from samvirke.followup import domain

#: The code of every unique-constraint violation here (services turn it into a message per case).
DUPLICATE = "duplicate"


class ActivityKind(models.TextChoices):
    REVISION = domain.Kind.REVISION, _("Revision")
    EXERCISE = domain.Kind.EXERCISE, _("Exercise")
    ANNUAL_EVALUATION = domain.Kind.ANNUAL_EVALUATION, _("Annual evaluation")
    TRAINING = domain.Kind.TRAINING, _("Training")
    REPORTING = domain.Kind.REPORTING, _("Documentation and reporting")
    COOPERATION = domain.Kind.COOPERATION, _("Cooperation with external actors")
    OTHER = domain.Kind.OTHER, _("Other")


class ActivityStatus(models.TextChoices):
    PLANNED = domain.Status.PLANNED, _("Planned")
    IN_PROGRESS = domain.Status.IN_PROGRESS, _("In progress")
    POSTPONED = domain.Status.POSTPONED, _("Postponed")
    DONE = domain.Status.DONE, _("Done")
    CANCELLED = domain.Status.CANCELLED, _("Cancelled")


class Recurrence(models.IntegerChoices):
    ONCE = 0, _("Once")
    MONTHLY = 1, _("Every month")
    QUARTERLY = 3, _("Every quarter")
    HALF_YEARLY = 6, _("Every six months")
    YEARLY = 12, _("Every year")
    BIENNIAL = 24, _("Every second year")


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible (does the work)")
    ACCOUNTABLE = "A", _("Accountable (answers for it)")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


def _year_validators():
    return [MinValueValidator(2000), MaxValueValidator(2100)]


class FollowUpPlan(Content):
    """An organisation's follow-up plan for one year, or a rolling plan (year empty)."""

    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=_year_validators(),
        help_text=_("Leave empty for a rolling plan that is not tied to one year."),
    )
    title = models.CharField(_("title"), max_length=200)
    goals = models.TextField(
        _("goals and priorities"),
        blank=True,
        help_text=_("The long-term goals, strategies and priorities the activities follow up."),
    )

    class Meta:
        verbose_name = _("follow-up plan")
        verbose_name_plural = _("follow-up plans")
        ordering = ["owner", "-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "year"],
                name="followup_plan_one_per_year",
                violation_error_code=DUPLICATE,
                violation_error_message=_("The organisation already has a follow-up plan for this year."),
            ),
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(year__isnull=True),
                name="followup_plan_one_rolling",
                violation_error_code=DUPLICATE,
                violation_error_message=_("The organisation already has a rolling follow-up plan."),
            ),
        ]
        indexes = [models.Index(fields=["owner", "access_level"], name="fuplan_owner_level_idx")]

    def __str__(self):
        return self.title

    @property
    def is_rolling(self) -> bool:
        return self.year is None


class Activity(Content):
    """One activity of a follow-up plan: what, when (and how often), its status and who is responsible."""

    plan = models.ForeignKey(FollowUpPlan, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    planned_date = models.DateField(_("planned date"))
    recurrence_months = models.PositiveSmallIntegerField(
        _("recurrence"),
        choices=Recurrence.choices,
        default=Recurrence.ONCE,
        help_text=_("When a recurring activity is marked done, the next one is added to the plan."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    postponed_from = models.DateField(
        _("originally planned for"),
        null=True,
        blank=True,
        help_text=_("The date first planned, kept when the activity is postponed."),
    )
    postpone_reason = models.TextField(_("reason for postponing"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Where a generated activity comes from. Blank for activities added by hand.
    source_key = models.CharField(max_length=120, blank=True, editable=False)
    rule = models.ForeignKey(
        "plans.Rule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("rule"),
    )
    #: A person changed it: re-generating from the rules leaves it alone.
    edited = models.BooleanField(default=False, editable=False)
    #: The occurrence this one follows (recurring activities marked done).
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["planned_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "source_key"],
                condition=~Q(source_key=""),
                name="followup_activity_source_once",
                violation_error_code=DUPLICATE,
                violation_error_message=_("The plan already has this activity from the rules."),
            )
        ]
        indexes = [
            models.Index(fields=["plan", "planned_date", "id"], name="fuact_plan_date_idx"),
            models.Index(fields=["owner", "access_level"], name="fuact_owner_level_idx"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.status == ActivityStatus.DONE and not self.done_on:
            errors["done_on"] = _("Give the date the activity was done.")
        if self.done_on and self.status != ActivityStatus.DONE:
            errors["done_on"] = _(
                "Only a done activity has a date it was done. Clear the date or mark it done."
            )
        if self.done_on and self.done_on > timezone.localdate():
            errors["done_on"] = _("This date is in the future. Give the date the activity was actually done.")
        if self.status == ActivityStatus.POSTPONED and not self.postpone_reason.strip():
            errors["postpone_reason"] = _("Say why the activity is postponed.")
        if self.plan_id and self.plan.year and self.planned_date and self.planned_date.year != self.plan.year:
            # A year plan holds its own year's activities; an owed one from before is carried over, and a
            # postponed one may move past the end of the year.
            carried = self.source_key and self.planned_date.year < self.plan.year
            postponed = self.status == ActivityStatus.POSTPONED and self.planned_date.year > self.plan.year
            if not (carried or postponed):
                errors["planned_date"] = _(
                    "The plan is for %(year)s: choose a date in %(year)s, or add the activity to the plan of "
                    "its own year."
                ) % {"year": self.plan.year}
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today: datetime.date) -> bool:
        return domain.is_overdue(self.planned_date, self.status, today)

    @property
    def is_generated(self) -> bool:
        return bool(self.source_key)


class Responsibility(models.Model):
    """One RACI letter for one party on one activity: a person, an organisation or a role by name."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="responsibilities")
    role = models.CharField(_("role"), max_length=1, choices=RaciRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("role or body"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        ordering = ["activity", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, organisation__isnull=True, name="")
                    | Q(user__isnull=True, organisation__isnull=False, name="")
                    | (Q(user__isnull=True, organisation__isnull=True) & ~Q(name=""))
                ),
                name="followup_responsibility_one_party",
            ),
        ]

    def __str__(self):
        return f"{self.role} {self.party_key}"

    @property
    def party_key(self) -> str:
        return domain.party_key(self.user_id, self.organisation_id, self.name)


class AnnualEvaluation(Content):
    """The annual evaluation of an organisation's preparedness work: structured answers whose result is a
    report (page, DOCX, PDF). Submitting it marks the year's annual-evaluation activity done."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    year = models.PositiveSmallIntegerField(_("year evaluated"), validators=_year_validators())
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    hros_current = models.CharField(
        _("Was the risk and vulnerability analysis current?"),
        max_length=8,
        choices=domain.ANSWER_CHOICES,
        blank=True,
    )
    hros_comment = models.TextField(_("comment on the risk and vulnerability analysis"), blank=True)
    plan_current = models.CharField(
        _("Was the emergency plan current and revised?"),
        max_length=8,
        choices=domain.ANSWER_CHOICES,
        blank=True,
    )
    plan_comment = models.TextField(_("comment on the emergency plan"), blank=True)
    exercises_current = models.CharField(
        _("Were the planned exercises held?"), max_length=8, choices=domain.ANSWER_CHOICES, blank=True
    )
    exercises_comment = models.TextField(_("comment on the exercises"), blank=True)
    training_current = models.CharField(
        _("Did everyone with a role get the training they need?"),
        max_length=8,
        choices=domain.ANSWER_CHOICES,
        blank=True,
    )
    training_comment = models.TextField(_("comment on training"), blank=True)
    followup_current = models.CharField(
        _("Was the follow-up plan followed?"), max_length=8, choices=domain.ANSWER_CHOICES, blank=True
    )
    followup_comment = models.TextField(_("comment on the follow-up plan"), blank=True)
    lessons_learned = models.TextField(
        _("What was learned?"),
        blank=True,
        help_text=_("From exercises, real events and the year's work."),
    )
    changes_planned = models.TextField(
        _("What will be changed?"),
        blank=True,
        help_text=_("In the analysis, the plans, the organisation, training or cooperation."),
    )
    measures_status = models.TextField(
        _("Status of measures"),
        blank=True,
        help_text=_("Your assessment of the risk-reducing measures: what is done, late or no longer needed."),
    )
    cooperation = models.TextField(
        _("Cooperation with external actors"),
        blank=True,
        help_text=_(
            "How cooperation with the emergency services, neighbours, volunteers and businesses worked."
        ),
    )
    summary = models.TextField(_("Conclusion"), blank=True)

    class Meta:
        verbose_name = _("annual evaluation")
        verbose_name_plural = _("annual evaluations")
        ordering = ["owner", "-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "year"],
                name="followup_evaluation_one_per_year",
                violation_error_code=DUPLICATE,
                violation_error_message=_("The organisation already has an annual evaluation of this year."),
            )
        ]
        indexes = [models.Index(fields=["owner", "access_level"], name="fueval_owner_level_idx")]

    def __str__(self):
        return f"{self.owner_id} {self.year}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    def answers(self) -> dict:
        return {name: getattr(self, name) for name in domain.EVALUATION_FIELDS}
