"""Forms of the risk library pages: copying and adapting a scale set, and regional event types.

The scale-set form has one field per value the page can change, named as in services_library (so a
service error lands on the field that caused it), and groups them into rows for the tables on the page.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from samvirke.core.classification import validate_unclassified
from samvirke.core.forms import StyledFormMixin
from samvirke.risk import domain
from samvirke.risk.models import EventType, RiskColour
from samvirke.risk.services_library import cell_field, level_field, likelihood_field, meaning_field


class ScaleSetCopyForm(StyledFormMixin, forms.Form):
    owner = forms.TypedChoiceField(label=_("Copy to organisation"), coerce=int)
    name = forms.CharField(label=_("Name of the copy"), max_length=200, validators=[validate_unclassified])

    def __init__(self, *args, scale_set, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(o.pk, o.name) for o in organisations]
        if len(organisations) == 1:
            self.fields["name"].initial = f"{scale_set.name} – {organisations[0].name}"
        else:
            self.fields["name"].initial = scale_set.name
        self.style_fields()


#: Short names in the 25 cell menus (the bands' meanings are edited above the grid).
CELL_COLOURS = [
    (RiskColour.GREEN, _("Green")),
    (RiskColour.YELLOW, _("Yellow")),
    (RiskColour.RED, _("Red")),
]


def _decimal(label, digits, places, **kwargs):
    return forms.DecimalField(label=label, max_digits=digits, decimal_places=places, required=False, **kwargs)


class ScaleSetForm(StyledFormMixin, forms.Form):
    """Everything an organisation may adapt in its copy of a scale set."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, scale: dict, fingerprint: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale = scale
        scale_set = scale["scale_set"]
        self.fields["name"].initial = scale_set.name
        self.fields["description"].initial = scale_set.description
        self.fields["fingerprint"].initial = fingerprint
        self.likelihood_names = {}
        for lc in scale["likelihoods"]:
            code = lc.code
            specs = {
                "label": forms.CharField(label=_("Class %(code)s: label") % {"code": code}, max_length=100),
                "interval": forms.CharField(
                    label=_("Class %(code)s: interval") % {"code": code}, max_length=200, required=False
                ),
                "probability_low": _decimal(
                    _("Class %(code)s: lowest annual probability (%%)") % {"code": code},
                    6,
                    3,
                    min_value=0,
                    max_value=100,
                ),
                "probability_high": _decimal(
                    _("Class %(code)s: highest annual probability (%%)") % {"code": code},
                    6,
                    3,
                    min_value=0,
                    max_value=100,
                ),
            }
            self.likelihood_names[lc.position] = self._add(
                specs, lambda f, p=lc.position: likelihood_field(p, f), lc
            )
        self.level_names = {}
        for ctype in scale["types"]:
            for level in ctype.levels.all():
                context = {"type": ctype.name, "code": level.code}
                specs = {
                    "label": forms.CharField(
                        label=_("%(type)s, level %(code)s: label") % context, max_length=100
                    ),
                    "lower": _decimal(_("%(type)s, level %(code)s: from") % context, 14, 2),
                    "upper": _decimal(_("%(type)s, level %(code)s: to") % context, 14, 2),
                    "unit": forms.CharField(
                        label=_("%(type)s, level %(code)s: unit") % context, max_length=40, required=False
                    ),
                }
                self.level_names[level.pk] = self._add(
                    specs, lambda f, pk=level.pk: level_field(pk, f), level
                )
        self.meaning_names = {}
        for band in scale["bands"]:
            name = meaning_field(band.colour)
            self.fields[name] = forms.CharField(
                label=_("Meaning of %(colour)s") % {"colour": band.get_colour_display()},
                max_length=300,
                initial=band.meaning,
            )
            self.meaning_names[band.colour] = name
        self.cell_names = {}
        for (likelihood, consequence), colour in sorted(scale["cells"].items()):
            name = cell_field(likelihood, consequence)
            code = scale["likelihoods"][likelihood - 1].code
            self.fields[name] = forms.ChoiceField(
                label=_("Likelihood %(likelihood)s, consequence %(consequence)s")
                % {"likelihood": code, "consequence": consequence},
                choices=CELL_COLOURS,
                initial=colour,
            )
            self.cell_names[(likelihood, consequence)] = name
        self.style_fields()

    def _add(self, specs: dict, name_of, obj) -> dict:
        names = {}
        for field, form_field in specs.items():
            name = name_of(field)
            form_field.initial = getattr(obj, field)
            self.fields[name] = form_field
            names[field] = name
        return names

    # --- rows for the template ---

    def likelihood_rows(self):
        return [
            {"class": lc, "fields": [self[n] for n in self.likelihood_names[lc.position].values()]}
            for lc in self.scale["likelihoods"]
        ]

    def level_groups(self):
        from samvirke.risk.selectors_library import societal_groups

        return [
            {
                "label": label,
                "types": [
                    {
                        "type": ctype,
                        "rows": [
                            {"level": level, "fields": [self[n] for n in self.level_names[level.pk].values()]}
                            for level in ctype.levels.all()
                        ],
                    }
                    for ctype in types
                ],
            }
            for label, types in societal_groups(self.scale["types"])
        ]

    def meaning_fields(self):
        return [self[name] for name in self.meaning_names.values()]

    def cell_rows(self):
        rows = []
        for likelihood in range(domain.SCALE_SIZE, 0, -1):
            cells = []
            for consequence in range(1, domain.SCALE_SIZE + 1):
                field = self[self.cell_names[(likelihood, consequence)]]
                cells.append({"field": field, "colour": field.value() or "", "consequence": consequence})
            rows.append({"class": self.scale["likelihoods"][likelihood - 1], "cells": cells})
        return rows

    def mark_saved(self) -> None:
        """After a conflict: where the typed value differs from the saved one, show the saved value."""
        for name, field in self.fields.items():
            if name == "fingerprint":
                continue
            bound = self[name]
            saved = field.initial
            typed = self.cleaned_data.get(name, bound.value())
            if (typed if typed != "" else None) != (saved if saved != "" else None):
                if isinstance(field, forms.ChoiceField):
                    saved = dict(field.choices).get(saved, saved)
                bound.saved = "–" if saved in (None, "") else str(saved)

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "likelihoods": {
                position: {field: data[name] for field, name in names.items()}
                for position, names in self.likelihood_names.items()
            },
            "levels": {
                pk: {field: data[name] for field, name in names.items()}
                for pk, names in self.level_names.items()
            },
            "meanings": {colour: data[name] for colour, name in self.meaning_names.items()},
            "cells": {key: data[name] for key, name in self.cell_names.items()},
        }


class EventTypeForm(StyledFormMixin, forms.Form):
    region = forms.TypedChoiceField(label=_("Region"), coerce=int)
    category = forms.ChoiceField(label=_("Category"), choices=EventType.Category.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, regions=None, event_type=None, fingerprint="", **kwargs):
        super().__init__(*args, **kwargs)
        if event_type is None:
            self.fields["region"].choices = [(r.pk, r.name) for r in regions]
            if len(regions) == 1:
                self.fields["region"].initial = regions[0].pk
        else:
            # The region of an existing type does not change.
            del self.fields["region"]
            self.fields["category"].initial = event_type.category
            self.fields["name"].initial = event_type.name
            self.fields["description"].initial = event_type.description
            self.fields["fingerprint"].initial = fingerprint
        self.style_fields()
