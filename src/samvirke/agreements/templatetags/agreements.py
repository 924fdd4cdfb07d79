from django import template
from django.utils.html import format_html

from samvirke.agreements.models import Agreement

register = template.Library()

#: The survey's colours (samvirke.css): in force green, expiring yellow, draft grey, expired red.
_CSS = {"active": "current", "expiring": "due", "draft": "draft", "expired": "missing"}


@register.simple_tag
def agreement_state(state):
    """An agreement's state as a tag: colour plus text, never colour alone."""
    return format_html(
        '<span class="smv-state smv-state--{}">{}</span>',
        _CSS.get(state, "draft"),
        Agreement.Status(state).label,
    )


@register.filter
def party_names(agreement):
    """The parties' names, in the order given."""
    parties = agreement.parties if isinstance(agreement.parties, list) else []
    return ", ".join(str(p.get("name", "")) for p in parties if isinstance(p, dict))
