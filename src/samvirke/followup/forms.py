from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samvirke.core.forms import CONTENT_FORM_FIELDS, ContentForm, StyledFormMixin
from samvirke.followup import domain
from samvirke.followup.models import Activity, ActivityStatus, AnnualEvaluation, FollowUpPlan, RaciRole

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _fix_owner(form, organisation):
    owner = form.fields["owner"]
    owner.choices = [(organisation.pk, organisation.name)]
    owner.initial = organisation.pk
    owner.disabled = True


class PlanForm(ContentForm):
    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("A plan for one calendar year, or a rolling plan that always looks a year ahead."),
    )
    generate = forms.BooleanField(
        label=_("Fill the plan with the activities the rules make due, and the standard activities"),
        required=False,
        initial=True,
    )

    class Meta:
        model = FollowUpPlan
        fields = ["year", "title", "goals", *CONTENT_FORM_FIELDS]
        widgets = {"goals": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        _fix_owner(self, organisation)
        this_year = timezone.localdate().year
        years = list(range(this_year - 2, this_year + 3))
        if self.instance.year and self.instance.year not in years:
            years.insert(0, self.instance.year)
        self.fields["year"].choices = [("", _("Rolling plan")), *((y, str(y)) for y in years)]
        if self.instance.pk:
            del self.fields["generate"]
        self.style_fields()

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("generate", None)
        return data


def _party_value(responsibility) -> str | None:
    if responsibility.user_id:
        return f"user:{responsibility.user_id}"
    if responsibility.organisation_id:
        return f"org:{responsibility.organisation_id}"
    return None


class ActivityForm(ContentForm):
    """An activity with its responsibility matrix: per letter, people and organisations to tick
    (`raci_R` ...) and other roles or bodies by name (`raci_R_names` ...)."""

    class Meta:
        model = Activity
        fields = [
            "kind", "title", "description", "planned_date", "recurrence_months", "status", "done_on",
            "postpone_reason", "notes", *CONTENT_FORM_FIELDS,
        ]  # fmt: skip
        widgets = {
            "planned_date": DATE,
            "done_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "postpone_reason": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, plan, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        _fix_owner(self, plan.owner)
        self.plan = plan
        self.people = candidates["people"]
        self.organisations = candidates["organisations"]
        choices = [(f"user:{u.pk}", u.get_full_name() or u.username) for u in self.people] + [
            (f"org:{o.pk}", o.name) for o in self.organisations
        ]
        current = {letter: [] for letter in domain.RACI_LETTERS}
        names = {letter: [] for letter in domain.RACI_LETTERS}
        if self.instance.pk:
            for responsibility in self.instance.responsibilities.all():
                value = _party_value(responsibility)
                if value:
                    current[responsibility.role].append(value)
                else:
                    names[responsibility.role].append(responsibility.name)
        for letter, label in RaciRole.choices:
            self.fields[f"raci_{letter}"] = forms.MultipleChoiceField(
                label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
            )
            self.fields[f"raci_{letter}_names"] = forms.CharField(
                label=_("%(role)s: other roles or bodies") % {"role": label},
                required=False,
                max_length=600,
                help_text=_(
                    "Separate several with semicolons, for example “kommunedirektøren; beredskapsrådet”."
                ),
            )
            if self.instance.pk:
                self.fields[f"raci_{letter}"].initial = current[letter]
                self.fields[f"raci_{letter}_names"].initial = "; ".join(names[letter])
        if not self.instance.pk:
            self.fields["access_level"].initial = plan.access_level
            self.fields["exemption_basis"].initial = plan.exemption_basis
            self.fields["status"].initial = ActivityStatus.PLANNED
        self.style_fields()

    def raci(self) -> dict:
        """{letter: [("user", id) | ("org", id) | ("name", text)]} from the cleaned data."""
        result = {}
        for letter in domain.RACI_LETTERS:
            parties = []
            for value in self.cleaned_data.get(f"raci_{letter}") or []:
                kind, _sep, pk = value.partition(":")
                parties.append((kind, int(pk)))
            parties += [
                ("name", n) for n in domain.split_names(self.cleaned_data.get(f"raci_{letter}_names"))
            ]
            result[letter] = parties
        return result

    def raci_grid(self) -> list[dict]:
        """Rows of the RACI table in the form: one per person or organisation, a checkbox per letter."""
        checked = {}
        for letter in domain.RACI_LETTERS:
            bound = self[f"raci_{letter}"]
            values = bound.value() or []
            checked[letter] = {str(v) for v in values}
        rows = []
        for index, (value, label) in enumerate(self.fields["raci_R"].choices):
            rows.append(
                {
                    "value": value,
                    "label": label,
                    "kind": "person" if value.startswith("user:") else "organisation",
                    "letters": [
                        {
                            "letter": letter,
                            "name": f"raci_{letter}",
                            # Django's own id for the choice, so the error summary's link lands here.
                            "id": f"id_raci_{letter}_{index}",
                            "checked": value in checked[letter],
                        }
                        for letter in domain.RACI_LETTERS
                    ],
                }
            )
        return rows

    def raci_fields(self) -> list:
        return [self[f"raci_{letter}"] for letter in domain.RACI_LETTERS]


class PostponeForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    new_date = forms.DateField(
        label=_("New date"),
        widget=DATE,
        error_messages={
            "required": _("Give the new date."),
            "invalid": _("Give the new date as a date, for example 2026-05-31."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why it is postponed, for example “the exercise leader is on leave”."),
        error_messages={"required": _("Say why the activity is postponed.")},
    )

    def __init__(self, *args, prefix_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"id_{prefix_id}_%s"


class DoneForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    done_on = forms.DateField(
        label=_("Done on"),
        widget=DATE,
        error_messages={
            "required": _("Give the date it was done."),
            "invalid": _("Give the date as a date, for example 2026-05-31."),
        },
    )

    def __init__(self, *args, prefix_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"id_{prefix_id}_%s"
        self.fields["done_on"].initial = timezone.localdate()

    def clean_done_on(self):
        day = self.cleaned_data["done_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future. Give the date it was actually done."))
        return day


class EvaluationForm(ContentForm):
    class Meta:
        model = AnnualEvaluation
        fields = [*domain.EVALUATION_FIELDS, *CONTENT_FORM_FIELDS]
        widgets = {
            **{question: forms.RadioSelect for question, _comment in domain.QUESTIONS},
            **{comment: forms.Textarea(attrs={"rows": 2}) for _question, comment in domain.QUESTIONS},
            **{name: forms.Textarea(attrs={"rows": 4}) for name in domain.TEXTS},
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        _fix_owner(self, organisation)
        for question, _comment in domain.QUESTIONS:
            field = self.fields[question]
            field.choices = domain.ANSWER_CHOICES
            field.widget.choices = domain.ANSWER_CHOICES
        self.style_fields()

    def question_pairs(self) -> list[tuple]:
        return [(self[question], self[comment]) for question, comment in domain.QUESTIONS]

    def text_fields(self) -> list:
        return [self[name] for name in domain.TEXTS]
