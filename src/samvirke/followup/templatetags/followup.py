from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from samvirke.followup.models import ActivityStatus

register = template.Library()

#: Activity status -> the shared state colours (samvirke.css .smv-state--*): text always says it too.
_COLOURS = {
    ActivityStatus.PLANNED: "upcoming",
    ActivityStatus.IN_PROGRESS: "due",
    ActivityStatus.POSTPONED: "due",
    ActivityStatus.DONE: "done",
    ActivityStatus.CANCELLED: "draft",
}


@register.simple_tag
def activity_state(activity, today=None):
    """The activity's status as a tag, and "Overdue" beside it when it is late (colour plus text)."""
    tag = format_html(
        '<span class="smv-state smv-state--{}">{}</span>',
        _COLOURS.get(activity.status, "upcoming"),
        activity.get_status_display(),
    )
    overdue = getattr(activity, "overdue", None)
    if overdue is None and today is not None:
        overdue = activity.is_overdue(today)
    if overdue:
        tag += format_html(' <span class="smv-overdue">{}</span>', _("Overdue"))
    return tag


@register.simple_tag
def party(responsibility):
    """A RACI party: the person's name, the organisation's name, or the role as typed."""
    if responsibility.user_id:
        user = responsibility.user
        return user.get_full_name() or user.username
    if responsibility.organisation_id:
        return responsibility.organisation.name
    return responsibility.name
