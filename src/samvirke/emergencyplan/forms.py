"""Forms of the emergency plan: the plan, each part (built from parts.PARTS), action cards and the entries of
a part's list (built from the field specifications in entries.py, so the form and the model check the same
rules)."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from samvirke.core.forms import CONTENT_FORM_FIELDS, ContentForm, StyledFormMixin
from samvirke.emergencyplan import entries
from samvirke.emergencyplan.models import ActionCard, EmergencyPlan
from samvirke.emergencyplan.parts import PartSpec

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
M2M = ("events", "event_types")


def _fix_owner(form, organisation):
    owner = form.fields["owner"]
    owner.choices = [(organisation.pk, organisation.name)]
    owner.initial = organisation.pk
    owner.disabled = True


def _event_label(event) -> str:
    return f"{event.title} ({event.analysis.title})"


class _PlanContentForm(ContentForm):
    def service_data(self) -> dict:
        return {k: v for k, v in super().service_data().items() if k not in M2M}

    def _events_field(self, events):
        field = self.fields["events"]
        field.queryset = events
        field.label_from_instance = _event_label
        field.widget = forms.CheckboxSelectMultiple()
        field.widget.choices = field.choices
        field.help_text = _(
            "Events of the organisation's risk analyses. Links to events you cannot see are kept."
        )


class PlanForm(_PlanContentForm):
    class Meta:
        model = EmergencyPlan
        fields = ["title", "introduction", "governing_document", *CONTENT_FORM_FIELDS]

    def __init__(self, *args, organisation, documents, **kwargs):
        super().__init__(*args, **kwargs)
        _fix_owner(self, organisation)
        linked = self.instance.governing_document_id
        if linked and not documents.filter(pk=linked).exists():
            # Linked to a document this editor may not read: leave the field out (saving keeps the link).
            del self.fields["governing_document"]
        else:
            self.fields["governing_document"].queryset = documents
            self.fields["governing_document"].label_from_instance = lambda d: (
                f"{d.title} ({d.get_status_display()})"
            )
        self.style_fields()


def part_form_class(spec: PartSpec) -> type[ContentForm]:
    """A ContentForm for one kind of part: its text fields, the events it answers, access and sharing."""
    part_fields = [
        *spec.model.TEXT_FIELDS,
        *(["events"] if spec.answers_events else []),
        *CONTENT_FORM_FIELDS,
    ]
    long_text = [
        n for n in spec.model.TEXT_FIELDS if isinstance(spec.model._meta.get_field(n), models.TextField)
    ]

    class PartForm(_PlanContentForm):
        class Meta:
            model = spec.model
            fields = part_fields
            widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in long_text}

        def __init__(self, *args, organisation, events=None, **kwargs):
            super().__init__(*args, **kwargs)
            _fix_owner(self, organisation)
            if "events" in self.fields:
                self._events_field(events)
            self.style_fields()

    PartForm.__name__ = f"{spec.model.__name__}Form"
    return PartForm


class CardForm(_PlanContentForm):
    class Meta:
        model = ActionCard
        fields = [
            "title", "trigger", "checklist", "responsible", "position", "event_types", "events", "notes",
            *CONTENT_FORM_FIELDS,
        ]  # fmt: skip
        widgets = {
            "trigger": forms.Textarea(attrs={"rows": 2}),
            "checklist": forms.Textarea(attrs={"rows": 8}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, organisation, events, event_types, **kwargs):
        super().__init__(*args, **kwargs)
        _fix_owner(self, organisation)
        self._events_field(events)
        types = self.fields["event_types"]
        types.queryset = event_types.order_by("category", "name")
        types.label_from_instance = lambda t: f"{t.name} ({t.get_category_display()})"
        types.widget = forms.CheckboxSelectMultiple()
        types.widget.choices = types.choices
        types.help_text = _(
            "The card also answers every event of these types in the organisation's analyses."
        )
        self.style_fields()


# --- entries ---------------------------------------------------------------------------------------------


class EntryForm(StyledFormMixin, forms.Form):
    """One entry of a part's list. `spec` (entries.EntrySpec) gives the fields; `version` is the part's
    version the editor started from."""

    spec: entries.EntrySpec

    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        """The rules of entries.EntrySpec (the model checks the same), for the fields that passed the form
        field's own check; rules about the entry as a whole only when every field passed."""
        data = super().clean()
        for name, problems in self.spec.errors(self.values()).items():
            if name in self._errors or (name is None and self._errors):
                continue
            for problem in problems:
                self.add_error(name if name in self.fields else None, problem)
        return data

    def values(self) -> dict:
        """The entry as stored: text stripped, dates as ISO strings, booleans."""
        result = {}
        for f in self.spec.fields:
            value = self.cleaned_data.get(f.name)
            if f.kind == entries.DATE:
                value = value.isoformat() if value else None
            elif f.kind == entries.BOOL:
                value = bool(value)
            else:
                value = (value or "").strip()
            result[f.name] = value
        return result


def _form_field(f: entries.Field) -> forms.Field:
    common = {"label": f.label, "required": f.required, "help_text": f.help_text}
    if f.kind == entries.LONG:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **common)
    if f.kind == entries.CHOICE:
        choices = list(f.choices) if f.required else [("", "–"), *f.choices]
        return forms.ChoiceField(choices=choices, **common)
    if f.kind == entries.DATE:
        return forms.DateField(widget=DATE, **common)
    if f.kind == entries.BOOL:
        return forms.BooleanField(**{**common, "required": False})
    if f.kind == entries.EMAIL:
        return forms.EmailField(max_length=f.max_length, **common)
    if f.kind == entries.PHONE:
        return forms.CharField(
            max_length=f.max_length, widget=forms.TextInput(attrs={"type": "tel"}), **common
        )
    return forms.CharField(max_length=f.max_length, **common)


_ENTRY_FORMS: dict[str, type[EntryForm]] = {}


def entry_form_class(spec: entries.EntrySpec) -> type[EntryForm]:
    if spec.key not in _ENTRY_FORMS:
        attrs = {"spec": spec, **{f.name: _form_field(f) for f in spec.fields}}
        _ENTRY_FORMS[spec.key] = type(f"{spec.key.title()}EntryForm", (EntryForm,), attrs)
    return _ENTRY_FORMS[spec.key]


def entry_initial(spec: entries.EntrySpec, entry: dict | None, version: int) -> dict:
    initial = {"version": version}
    for f in spec.fields:
        value = (entry or {}).get(f.name)
        if f.kind == entries.DATE:
            value = entries.parse_date(value)
        initial[f.name] = value
    return initial
