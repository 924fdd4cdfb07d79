"""The shared part of every content form: owner, access level, legal basis, sharing, version."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from samvirke.core.access import AccessLevel, Actor

#: Suggestions offered for the legal basis field (free text is allowed).
EXEMPTION_SUGGESTIONS = [
    "offl. § 24 tredje ledd",
    "offl. § 13 jf. fvl. § 13 første ledd nr. 1",
    "offl. § 14 første ledd",
    "offl. § 21",
    "OSL 18 kap. 13 §",
    "OSL 15 kap. 2 §",
    "OSL 21 kap. 7 §",
]


class StyledFormMixin:
    """Designsystemet classes and ARIA links on every widget, so templates stay simple."""

    def style_fields(self):
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.HiddenInput):
                continue
            css = "ds-input"
            if isinstance(widget, forms.CheckboxInput):
                css = "ds-input"
            widget.attrs.setdefault("class", css)
            described = []
            if field.help_text:
                described.append(f"id_{name}_help")
            if self._errors and self._errors.get(name):
                widget.attrs["aria-invalid"] = "true"
                described.append(f"id_{name}_error")
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def full_clean(self):
        super().full_clean()
        self.style_fields()


class ContentForm(StyledFormMixin, forms.ModelForm):
    """Base ModelForm for content. Subclasses list their own fields in Meta plus CONTENT_FORM_FIELDS."""

    owner = forms.TypedChoiceField(label=_("Owner organisation"), coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        from samvirke.organisations.models import Organisation

        self.actor = actor
        region_orgs = Organisation.objects.filter(region_id__in=actor.region_ids).order_by("name")
        editable = [(o.pk, o.name) for o in region_orgs if o.pk in actor.editable_organisation_ids()]
        if self.instance.pk:
            self.fields["owner"].choices = [(self.instance.owner_id, self.instance.owner.name)]
            self.fields["owner"].disabled = True
            self.fields["owner"].initial = self.instance.owner_id
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["owner"].choices = editable
        self.fields["access_level"].widget = forms.RadioSelect(choices=AccessLevel.choices)
        self.fields["shared_with"].queryset = region_orgs
        self.fields["shared_with"].widget = forms.CheckboxSelectMultiple()
        self.fields["shared_with"].widget.choices = self.fields["shared_with"].choices
        user_model = get_user_model()
        from samvirke.organisations.models import Membership

        first_org = Membership.objects.filter(user=OuterRef("pk"), active=True).order_by("organisation__name")
        self.fields["named_people"].queryset = (
            user_model.objects.filter(
                memberships__organisation__region_id__in=actor.region_ids, is_active=True
            )
            .distinct()
            .annotate(organisation_name=Subquery(first_org.values("organisation__name")[:1]))
            .order_by("first_name", "last_name")
        )
        # "Hege Celsa (Mo Industripark AS)": people are easier to pick with their organisation.
        self.fields["named_people"].label_from_instance = _person_label
        self.fields["named_people"].widget = forms.CheckboxSelectMultiple()
        self.fields["named_people"].widget.choices = self.fields["named_people"].choices
        self.fields["exemption_basis"].widget.attrs["list"] = "exemption-suggestions"
        self.style_fields()

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("version") in (None, ""):
            raise forms.ValidationError(
                _("The form is missing its version number. Reload the page and try again.")
            )
        return data

    def service_data(self) -> dict:
        fields = [f for f in self._meta.fields if f not in ("shared_with", "named_people")]
        return {f: self.cleaned_data[f] for f in fields if f in self.cleaned_data}


def _person_label(user) -> str:
    name = user.get_full_name() or user.username
    organisation = getattr(user, "organisation_name", None)
    return f"{name} ({organisation})" if organisation else name


CONTENT_FORM_FIELDS = ["access_level", "exemption_basis", "shared_with", "named_people"]


def conflict_form(form_class, request, instance, current_version, **kwargs):
    """After a Conflict: keep what the user typed, but base the next save on the version now stored."""
    data = request.POST.copy()
    data["version"] = current_version
    form = form_class(data, actor=request.actor, instance=instance, **kwargs)
    form.is_valid()
    return form


def apply_validation_error(form: forms.Form, error) -> None:
    """Attach a model/service ValidationError to the form, per field where the field exists."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
