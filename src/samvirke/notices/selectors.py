"""Reads of notices. Every one starts from the chokepoint."""

from samvirke.core.access import Actor
from samvirke.core.visibility import get_visible
from samvirke.notices.models import Notice


def notices_visible_to(actor: Actor):
    return Notice.objects.visible_to(actor).select_related("owner").order_by("-created_at", "-id")


def get_notice_for(actor: Actor, notice_id, *, action="read", via="web") -> Notice:
    return get_visible(Notice.objects.select_related("owner", "created_by"), actor, notice_id, action=action, via=via)
