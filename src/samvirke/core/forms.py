"""The shared part of every content form: owner, access level, legal basis, sharing, version."""

import copy
import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import formats
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
    """After a Conflict: keep what the user typed, but base the next save on the version now stored.

    `form.conflict_fields` lists every field where the stored version (`instance`, read again) and what the
    user typed differ, as (label, stored, typed) for display: saving again replaces the stored values, so
    the user must see each one it would replace (templates/_conflict.html)."""
    data = request.POST.copy()
    data["version"] = current_version
    # Validation writes the typed values onto the form's instance: the typed form gets a copy, so `instance`
    # keeps the stored values to compare with.
    form = form_class(data, actor=request.actor, instance=copy.copy(instance), **kwargs)
    form.is_valid()
    stored = form_class(actor=request.actor, instance=instance, **kwargs)
    form.conflict_fields = conflict_differences(form, stored)
    return form


def conflict_differences(typed: forms.Form, stored: forms.Form) -> list[tuple[str, str, str]]:
    """(label, stored value, typed value) of every visible field whose values differ. `stored` is the same
    form unbound on the stored record (its initial values), `typed` the bound form after validation."""
    instance = getattr(stored, "instance", None)
    model_fields = {f.name: f for f in instance._meta.get_fields()} if instance is not None else {}
    rows = []
    for name, field in typed.fields.items():
        if name == "version" or field.widget.is_hidden:
            continue
        model_field = model_fields.get(name)
        if model_field is not None and model_field.many_to_many and instance.pk:
            saved = list(getattr(instance, name).all())
        elif model_field is not None and model_field.concrete and not model_field.many_to_many:
            saved = getattr(instance, name)
        else:
            saved = stored[name].initial
        yours = (
            typed.cleaned_data[name] if name in getattr(typed, "cleaned_data", {}) else typed[name].value()
        )
        if _comparable(saved) != _comparable(yours):
            rows.append((str(field.label or name), _shown(field, saved), _shown(field, yours)))
    return rows


def _comparable(value) -> str:

    if value is None or value == "" or value is False:
        return ""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set | models.QuerySet):
        return ",".join(sorted(_comparable(v) for v in value))
    if value is True:
        return "1"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal | float | int):
        try:
            return str(Decimal(str(value)).normalize())
        except InvalidOperation:
            return str(value)
    return str(value).replace("\r\n", "\n").strip()


def _shown(field, value) -> str:

    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set | models.QuerySet):
        return ", ".join(_shown(field, v) for v in value)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if not isinstance(field, forms.ModelChoiceField) and getattr(field, "choices", None):
        for key, label in field.choices:
            if str(key) == str(value):
                return str(label)
    if isinstance(field, forms.ModelChoiceField):
        match = field.queryset.filter(pk=value).first() if str(value).isdigit() else None
        return str(match) if match is not None else str(value)
    return str(value)


def apply_validation_error(form: forms.Form, error) -> None:
    """Attach a model/service ValidationError to the form, per field where the field exists."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
