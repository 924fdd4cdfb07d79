from django import template

from samvirke.core.access import AccessLevel

register = template.Library()


@register.inclusion_tag("_access_tag.html")
def tlp(level):
    """The access level as a labelled tag (colour plus text, never colour alone)."""
    return {"level": level, "label": AccessLevel(level).label}
