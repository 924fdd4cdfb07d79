from django import forms
from django.utils.translation import gettext_lazy as _

from samvirke.core.forms import StyledFormMixin


class MembershipAddForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_(
            "If nobody has an account with this address, one is created and the person gets an e-mail with "
            "a link to choose a password."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"))
    title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    first_name = forms.CharField(
        label=_("First name"), max_length=150, required=False, help_text=_("Only used for a new account.")
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, required=False, help_text=_("Only used for a new account.")
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles


class MembershipChangeForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    title = forms.CharField(label=_("Job title"), max_length=200, required=False)

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
