from django import template
from django.utils.html import format_html

from samvirke.core.access import AccessLevel

register = template.Library()


@register.simple_tag
def tlp(level):
    """The access level as a labelled tag (colour plus text, never colour alone). A simple tag rather than an
    included template: it is rendered once per row of long tables (bench/risk.py)."""
    return format_html(
        '<span class="ds-tag smv-tlp smv-tlp--{}" data-size="sm">{}</span>', level, AccessLevel(level).label
    )


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` for dicts keyed by ids (templates cannot index with a variable)."""
    return mapping.get(key) if mapping else None
