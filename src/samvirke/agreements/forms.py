from django import forms
from django.utils.translation import gettext_lazy as _

from samvirke.agreements import domain
from samvirke.agreements.models import Agreement, PartyKind
from samvirke.core.forms import CONTENT_FORM_FIELDS, ContentForm, StyledFormMixin
from samvirke.organisations.models import Organisation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: Empty rows for new external parties under the ones already there (no JavaScript needed).
EXTRA_PARTY_ROWS = 3


class AgreementForm(ContentForm):
    party_organisations = forms.ModelMultipleChoiceField(
        label=_("Parties in the region"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Organisations of the region that are party to the agreement. At TLP:AMBER they can read it."
        ),
    )

    class Meta:
        model = Agreement
        fields = [
            "title", "category", "reference", "status", "valid_from", "valid_to", "notice_months", "scope",
            "resources", "contacts", "notes", *CONTENT_FORM_FIELDS,
        ]  # fmt: skip
        widgets = {"valid_from": DATE, "valid_to": DATE}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.choices = [(organisation.pk, organisation.name)]
        owner.initial = organisation.pk
        owner.disabled = True
        self.fields["status"].choices = [
            (value, label) for value, label in Agreement.Status.choices if value in domain.State.STORED
        ]
        parties = Organisation.objects.filter(region_id=organisation.region_id).exclude(pk=organisation.pk)
        self.fields["party_organisations"].queryset = parties.order_by("kind", "name")
        self.fields["party_organisations"].widget.choices = self.fields["party_organisations"].choices
        self.fields["shared_with"].help_text = _(
            "Party organisations in the region always read an agreement at TLP:AMBER. Choose other "
            "organisations to share it with here."
        )
        if self.instance.pk and not self.is_bound:
            party_ids = [p.get("organisation") for p in self.instance.parties if isinstance(p, dict)]
            party_ids = [pk for pk in party_ids if pk]
            self.initial["party_organisations"] = party_ids
            # The sharing the parties bring is implied; show only what was shared besides them.
            self.initial["shared_with"] = [
                o.pk for o in self.instance.shared_with.all() if o.pk not in set(party_ids)
            ]
        self.style_fields()


class ExternalPartyForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of party"), choices=[("", "–"), *PartyKind.choices], required=False
    )
    country = forms.ChoiceField(label=_("Country"), choices=Organisation.Country.choices, required=False)

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("kind"):
            self.add_error("kind", _("Choose what kind of party “%(name)s” is.") % {"name": data["name"]})
        return data


class BaseExternalPartyFormSet(forms.BaseFormSet):
    def parties(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data.get("name")]


ExternalPartyFormSet = forms.formset_factory(
    ExternalPartyForm, formset=BaseExternalPartyFormSet, extra=EXTRA_PARTY_ROWS, max_num=50, validate_max=True
)


def external_party_formset(data=None, *, agreement=None, country="NO"):
    """The external parties of `agreement` (or none) as a formset with empty rows for new ones."""
    initial = []
    if agreement is not None:
        initial = [
            {"name": p.get("name", ""), "kind": p.get("kind", ""), "country": p.get("country", "")}
            for p in agreement.parties
            if isinstance(p, dict) and not p.get("organisation")
        ]
    formset = ExternalPartyFormSet(data, initial=initial, prefix="external")
    for form in formset.forms[len(initial) :]:
        form.fields["country"].initial = country
    return formset
