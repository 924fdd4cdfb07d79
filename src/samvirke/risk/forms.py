from django import forms
from django.utils.translation import gettext_lazy as _

from samvirke.core.forms import CONTENT_FORM_FIELDS, ContentForm
from samvirke.organisations.models import Organisation
from samvirke.risk.models import (
    AnalysedEvent,
    CriticalFunction,
    EventType,
    Measure,
    Requirement,
    RiskAnalysis,
)


class AnalysisForm(ContentForm):
    class Meta:
        model = RiskAnalysis
        fields = [
            "title", "kind", "sector", "scale_set", "scope", "method", "period_start", "period_end", "status",
            "adopted_on", "adopted_by", "case_number", "body", "covered_requirements", *CONTENT_FORM_FIELDS,
        ]  # fmt: skip
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
            "adopted_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, scale_sets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scale_set"].queryset = scale_sets
        requirements = self.fields["covered_requirements"]
        requirements.queryset = Requirement.objects.order_by("country", "position")
        requirements.widget = forms.CheckboxSelectMultiple()
        requirements.widget.choices = requirements.choices
        requirements.help_text = _(
            "Forskrift om kommunal beredskapsplikt § 2 (Norway) or MSBFS 2015:5 (Sweden)."
        )
        self.style_fields()

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("covered_requirements", None)
        return data


class EventForm(ContentForm):
    """The DSB event form plus one level and one reasoning field per consequence type of the scale."""

    class Meta:
        model = AnalysedEvent
        fields = [
            "title", "event_type", "scenario", "comparable_events", "causes", "barriers", "likelihood",
            "likelihood_reasoning", "vulnerability", "knowledge_strength", "sensitivity", "sources",
            "cross_municipal", "cross_border", "affected_municipalities", "critical_functions",
            *CONTENT_FORM_FIELDS,
        ]  # fmt: skip

    def __init__(self, *args, analysis, scale, **kwargs):
        super().__init__(*args, **kwargs)
        self.analysis = analysis
        self.scale = scale
        owner = self.fields["owner"]
        owner.choices = [(analysis.owner_id, analysis.owner.name)]
        owner.initial = analysis.owner_id
        owner.disabled = True
        if not self.instance.pk:
            self.fields["access_level"].initial = analysis.access_level
        self.fields["event_type"].queryset = EventType.objects.filter(
            region__isnull=True
        ) | EventType.objects.filter(region_id=analysis.owner.region_id)
        self.fields["likelihood"].queryset = analysis.scale_set.likelihood_classes.order_by("position")
        self.fields["likelihood"].label_from_instance = lambda c: f"{c.code} – {c.label} ({c.interval})"
        for name, queryset in (
            ("affected_municipalities", Organisation.objects.filter(
                region_id=analysis.owner.region_id, kind=Organisation.Kind.MUNICIPALITY
            ).order_by("name")),
            ("critical_functions", CriticalFunction.objects.order_by("position")),
        ):  # fmt: skip
            field = self.fields[name]
            field.queryset = queryset
            field.widget = forms.CheckboxSelectMultiple()
            field.widget.choices = field.choices
        current = {}
        if self.instance.pk:
            current = {a.consequence_type_id: a for a in self.instance.assessments.all()}
        self.consequence_fields = []
        for ctype in scale["types"]:
            level_name, reason_name = f"consequence_{ctype.code}", f"reasoning_{ctype.code}"
            assessment = current.get(ctype.pk)
            self.fields[level_name] = forms.ModelChoiceField(
                queryset=ctype.levels.all(),
                required=False,
                label=ctype.name,
                initial=assessment.level_id if assessment else None,
                empty_label=_("Not assessed"),
            )
            self.fields[level_name].label_from_instance = _level_label
            self.fields[reason_name] = forms.CharField(
                required=False,
                label=_("Reasoning: %(type)s") % {"type": ctype.name},
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=assessment.reasoning if assessment else "",
            )
            self.consequence_fields.append((ctype, level_name, reason_name))
        self.style_fields()

    def main_fields(self):
        skip = {n for _c, a, b in self.consequence_fields for n in (a, b)}
        return [f for f in self.visible_fields() if f.name not in skip]

    def consequence_rows(self):
        return [(ctype, self[a], self[b]) for ctype, a, b in self.consequence_fields]

    def consequences(self) -> dict:
        return {
            ctype: (self.cleaned_data.get(a), self.cleaned_data.get(b, ""))
            for ctype, a, b in self.consequence_fields
        }

    def service_data(self) -> dict:
        data = super().service_data()
        for name in ("affected_municipalities", "critical_functions"):
            data.pop(name, None)
        for _ctype, a, b in self.consequence_fields:
            data.pop(a, None)
            data.pop(b, None)
        return data


def _level_label(level) -> str:
    label = f"{level.code} – {level.label}"
    if level.lower is not None or level.upper is not None:
        low = "" if level.lower is None else f"{level.lower.normalize():f}"
        high = "" if level.upper is None else f"{level.upper.normalize():f}"
        label += f" ({low}–{high} {level.unit})".replace(" )", ")")
    return label


class MeasureForm(ContentForm):
    class Meta:
        model = Measure
        fields = [
            "title", "description", "responsible", "deadline", "cost_estimate", "status", "events",
            "likelihood_reduction", "consequence_reduction", *CONTENT_FORM_FIELDS,
        ]  # fmt: skip
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, analysis, events, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.choices = [(analysis.owner_id, analysis.owner.name)]
        owner.initial = analysis.owner_id
        owner.disabled = True
        if not self.instance.pk:
            self.fields["access_level"].initial = analysis.access_level
        field = self.fields["events"]
        field.queryset = events
        field.widget = forms.CheckboxSelectMultiple()
        field.widget.choices = field.choices
        self.style_fields()

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("events", None)
        return data
