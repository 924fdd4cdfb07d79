from django import forms
from django.utils.translation import gettext_lazy as _

from samvirke.core.forms import StyledFormMixin

PERSONAL = "personal"


class FeedForm(StyledFormMixin, forms.Form):
    """A new calendar feed: a name, and whose deadlines (mine, or one of my organisations')."""

    name = forms.CharField(
        label=_("Name of the calendar"),
        max_length=100,
        help_text=_("What the address is for, e.g. “My phone” or “The crisis team's calendar”."),
    )
    scope = forms.ChoiceField(
        label=_("Deadlines of"),
        help_text=_(
            "Your own: the deadlines of your organisations that you may see. An organisation's: only its "
            "public (TLP:CLEAR) and regional (TLP:GREEN) deadlines, so the address can be shared with a "
            "team calendar."
        ),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        self.fields["scope"].choices = [
            (PERSONAL, _("Me (my organisations' deadlines I may see)")),
            *((key, org.name) for key, org in self.organisations.items()),
        ]
        self.fields["scope"].error_messages["invalid_choice"] = _(
            "Choose yourself or one of your organisations."
        )

    def organisation(self):
        """The chosen organisation, or None for a personal feed."""
        return self.organisations.get(self.cleaned_data["scope"])
