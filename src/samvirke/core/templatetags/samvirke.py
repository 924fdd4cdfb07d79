from django import template

from samvirke.core.access import AccessLevel

register = template.Library()


@register.inclusion_tag("_access_tag.html")
def tlp(level):
    """The access level as a labelled tag (colour plus text, never colour alone)."""
    return {"level": level, "label": AccessLevel(level).label}


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` for dicts keyed by ids (templates cannot index with a variable)."""
    return mapping.get(key) if mapping else None
