"""Reads of notices. Every one starts from the chokepoint."""

from samvirke.core.access import Actor
from samvirke.core.visibility import get_visible
from samvirke.notices.models import Notice


def notices_visible_to(actor: Actor):
    # The owners come in a second query (prefetch) rather than a join: with the join, SQLite may plan
    # the list from the organisations table and sort every visible notice instead of walking the
    # listing index and stopping after one page (bench/overview.py, 100,000 notices).
    return Notice.objects.visible_to(actor).prefetch_related("owner").order_by("-created_at", "-id")


def get_notice_for(actor: Actor, notice_id, *, action="read", via="web") -> Notice:
    return get_visible(
        Notice.objects.select_related("owner", "created_by"), actor, notice_id, action=action, via=via
    )
