"""Forms of a region's own rules. The model (Rule.clean with plans.domain.check_rule) gives the reasons an
impossible rule is refused; these forms only read what was typed."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from samvirke.core.forms import StyledFormMixin
from samvirke.plans.domain import Cadence
from samvirke.plans.models import DocumentType, Rule, RuleSet

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def parse_offsets(text: str) -> list:
    """ "60, 30, 7, 0" -> [60, 30, 7, 0]. What is not a whole number is kept as typed, so the rule check
    names it in its message."""
    values = []
    for token in re.split(r"[,;\s]+", text or ""):
        if not token:
            continue
        values.append(int(token) if re.fullmatch(r"-?\d{1,6}", token) else token)
    return values


class RuleForm(StyledFormMixin, forms.ModelForm):
    reminder_offsets = forms.CharField(
        label=_("Reminders (days before the due date)"),
        required=False,
        help_text=_(
            "Separate with commas, for example 30, 7, 0: a month before, a week before and on the day."
        ),
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Rule
        fields = [
            "title", "activity", "document_type", "cadence", "months", "due_month", "due_day",
            "reminder_offsets", "escalate_after_days", "legal_reference", "effective_from",
        ]  # fmt: skip
        widgets = {"effective_from": DATE, "cadence": forms.RadioSelect}
        help_texts = {
            "months": _("Only for “every N months”: for example 12 for a yearly revision."),
            "due_month": _("Only for “by a date in the first year after an election”: 1–12."),
            "due_day": _("Only for “by a date in the first year after an election”: the day of the month."),
        }

    def __init__(self, *args, rule_set: RuleSet, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.rule_set = rule_set
        types = [
            t.pk
            for t in DocumentType.objects.all()
            if rule_set.country == "both" or t.applies_to(rule_set.country)
        ]
        self.fields["document_type"].queryset = DocumentType.objects.filter(pk__in=types).order_by("position")
        self.fields["document_type"].label_from_instance = lambda t: t.name
        self.fields["cadence"].choices = Rule.Cadence.choices
        if self.instance.pk and not self.is_bound:
            self.initial["reminder_offsets"] = ", ".join(str(o) for o in self.instance.reminder_offsets or [])
        self.style_fields()

    def clean_reminder_offsets(self):
        return parse_offsets(self.cleaned_data.get("reminder_offsets", ""))

    def clean(self):
        data = super().clean()
        # Values that do not belong to the chosen cadence are dropped rather than checked.
        if data.get("cadence") != Cadence.MONTHS:
            data["months"] = None
        if data.get("cadence") != Cadence.AFTER_ELECTION:
            data["due_month"] = data["due_day"] = None
        return data

    def service_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in self._meta.fields if f in self.cleaned_data}


class RuleSetForm(StyledFormMixin, forms.ModelForm):
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = RuleSet
        fields = ["name", "country", "source", "description", "active"]
        help_texts = {
            "country": _("The rules apply to the region's municipalities in this country."),
            "active": _("A rule set that is not in use makes nothing due."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The rules are checked against the country: it is fixed once the set exists.
            self.fields["country"].disabled = True
        else:
            del self.fields["active"]
        self.style_fields()
