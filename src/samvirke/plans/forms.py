from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from samvirke.core.forms import CONTENT_FORM_FIELDS, ContentForm, StyledFormMixin
from samvirke.plans.models import DocumentType, GoverningDocument, StatusAssessment
from samvirke.plans.uploads import ALLOWED_TEXT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _fix_owner(form, organisation):
    owner = form.fields["owner"]
    owner.choices = [(organisation.pk, organisation.name)]
    owner.initial = organisation.pk
    owner.disabled = True


class DocumentForm(ContentForm):
    class Meta:
        model = GoverningDocument
        fields = [
            "document_type", "title", "version_label", "status", "adopted_on", "adopted_by", "case_number",
            "last_revised_on", "last_exercised_on", "next_revision_due", "responsible", "responsible_name",
            "risk_analysis", "notes", *CONTENT_FORM_FIELDS,
        ]  # fmt: skip
        widgets = {
            "adopted_on": DATE,
            "last_revised_on": DATE,
            "last_exercised_on": DATE,
            "next_revision_due": DATE,
        }

    def __init__(self, *args, organisation, analyses, **kwargs):
        super().__init__(*args, **kwargs)
        _fix_owner(self, organisation)
        types = [t.pk for t in DocumentType.objects.all() if t.applies_to(organisation.country)]
        self.fields["document_type"].queryset = DocumentType.objects.filter(pk__in=types).order_by("position")
        self.fields["document_type"].label_from_instance = lambda t: t.name
        self.fields["responsible"].queryset = (
            get_user_model()
            .objects.filter(memberships__organisation=organisation, memberships__active=True, is_active=True)
            .distinct()
            .order_by("first_name", "last_name")
        )
        self.fields["responsible"].label_from_instance = lambda u: u.get_full_name() or u.username
        linkable = analyses.filter(owner=organisation)
        linked = self.instance.risk_analysis_id
        if linked and not linkable.filter(pk=linked).exists():
            # Linked to an analysis this editor may not read: leave the link out of the form (saving keeps
            # it) rather than offer no matching choice, which would clear it.
            del self.fields["risk_analysis"]
        else:
            self.fields["risk_analysis"].queryset = linkable
        self.style_fields()


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("File"), allow_empty_file=True)  # an empty file: the service's message

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.SAMVIRKE_ATTACHMENT_MAX_BYTES)
        self.fields["file"].help_text = _("Allowed: %(allowed)s. At most %(limit)s.") % {
            "allowed": ALLOWED_TEXT,
            "limit": limit,
        }
        self.style_fields()


class AssessmentForm(ContentForm):
    class Meta:
        model = StatusAssessment
        fields = ["assessed_on", "assessment", "needs", *CONTENT_FORM_FIELDS]
        widgets = {"assessed_on": DATE}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        _fix_owner(self, organisation)


class SnapshotForm(StyledFormMixin, forms.Form):
    label = forms.CharField(
        label=_("Label"),
        max_length=200,
        help_text=_("For example “Status at project start”."),
    )
