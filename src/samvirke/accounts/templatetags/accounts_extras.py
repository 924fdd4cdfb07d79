from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value) -> int:
    """Whole minutes in a timedelta, rounded up (for the lockout page)."""
    if not isinstance(value, timedelta):
        return 0
    return max(1, -(-int(value.total_seconds()) // 60))
