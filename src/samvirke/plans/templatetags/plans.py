from django import template
from django.utils.html import format_html

from samvirke.plans.models import DueItem, SurveyState

register = template.Library()


def _tag(state, label):
    # A simple tag, not an included template: the regional status renders hundreds of these.
    return format_html('<span class="smv-state smv-state--{}">{}</span>', state, label)


@register.simple_tag
def survey_state(state):
    """A survey state as a tag: colour plus text, never colour alone."""
    return _tag(state, SurveyState(state).label)


@register.simple_tag
def due_state(item, today):
    """A due item's state today (the stored one may be from yesterday's derivation)."""
    state = item.current_state(today)
    return _tag(state, DueItem.State(state).label)


@register.simple_tag
def subject_label(item, documents=None):
    """What a due item is about: its document's title (if given), or its rule's document type."""
    if item.document_id and documents and item.document_id in documents:
        return documents[item.document_id].title
    if item.rule.document_type_id:
        return item.rule.document_type.name
    return ""


@register.simple_tag
def rule_cadence(rule):
    """How often a rule recurs, in words: "every 12 months", "by 31.10 the year after an election"."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    if rule.cadence == "months" and rule.months:
        return ngettext("every %(n)s month", "every %(n)s months", rule.months) % {"n": rule.months}
    if rule.cadence == "after_election" and rule.due_month and rule.due_day:
        import datetime

        from django.utils import formats

        when = formats.date_format(datetime.date(2001, rule.due_month, rule.due_day), "MONTH_DAY_FORMAT")
        return _("by %(date)s the year after an election") % {"date": when}
    return str(rule.get_cadence_display())
