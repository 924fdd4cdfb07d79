from samvirke.core.forms import CONTENT_FORM_FIELDS, ContentForm
from samvirke.notices.models import Notice


class NoticeForm(ContentForm):
    class Meta:
        model = Notice
        fields = ["title", "category", "body", *CONTENT_FORM_FIELDS]
