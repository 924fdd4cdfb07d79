"""Forms of the risk workshop pages. Scores are positions on the analysis' scale; the scale rules (and
their messages) live in risk.workshop.check_score, so the forms accept any whole number and the service
says what the scale allows."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samvirke.core.forms import StyledFormMixin
from samvirke.risk.models import KnowledgeStrength


class WorkshopForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    events = forms.MultipleChoiceField(
        label=_("Events to score"), widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = [(e.pk, e.title) for e in events]
        self.fields["events"].initial = [e.pk for e in events]
        self.style_fields()


def _position_field(label, choices, initial):
    return forms.IntegerField(
        label=label,
        required=False,
        initial=initial,
        widget=forms.Select(choices=[("", _("Not scored")), *choices]),
    )


class ScoreFieldsForm(StyledFormMixin, forms.Form):
    """Likelihood, one consequence level per type of the scale, and knowledge strength, as positions."""

    def __init__(self, *args, scale, initial_likelihood=None, initial_consequences=None,
                 initial_knowledge="", **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.scale = scale
        initial_consequences = initial_consequences or {}
        self.fields["likelihood"] = _position_field(
            _("Likelihood"),
            [(c.position, f"{c.code} – {c.label} ({c.interval})") for c in scale["likelihoods"]],
            initial_likelihood,
        )
        self.consequence_names = []
        for ctype in scale["types"]:
            name = f"consequence_{ctype.code}"
            self.fields[name] = _position_field(
                ctype.name,
                [(lvl.position, f"{lvl.code} – {lvl.label}") for lvl in ctype.levels.all()],
                initial_consequences.get(ctype.code),
            )
            self.consequence_names.append((ctype, name))
        self.fields["knowledge_strength"] = forms.ChoiceField(
            label=_("Strength of knowledge"),
            required=False,
            initial=initial_knowledge,
            choices=[("", _("Not scored")), *KnowledgeStrength.choices],
        )

    def consequence_fields(self):
        return [self[name] for _ctype, name in self.consequence_names]

    def positions(self) -> dict:
        return {
            "likelihood": self.cleaned_data.get("likelihood"),
            "consequences": {
                ctype.code: self.cleaned_data.get(name) for ctype, name in self.consequence_names
            },
            "knowledge_strength": self.cleaned_data.get("knowledge_strength") or "",
        }


class ScoreForm(ScoreFieldsForm):
    event = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"] = forms.CharField(
            label=_("Comment (optional)"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Only the facilitator sees comments."),
        )
        self.style_fields()


class AgreeForm(ScoreFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rationale"] = forms.CharField(
            label=_("Rationale"),
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_(
                "Why the workshop agreed on these values. It is written in front of the reasoning for the "
                "likelihood and for each consequence agreed, with the workshop's name and today's date."
            ),
        )
        self.style_fields()
