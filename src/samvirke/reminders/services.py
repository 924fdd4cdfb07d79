"""Writes of calendar feeds: issue (from a two-factor-verified session) and revoke."""

from __future__ import annotations

from django.utils import timezone

from samvirke.core.access import Actor
from samvirke.core.errors import NotFound, PermissionDenied
from samvirke.reminders.models import CalendarFeed
from samvirke.reminders.selectors import feeds_manageable_by


def feed_create(*, actor: Actor, user, name: str, organisation=None) -> tuple[CalendarFeed, str]:
    """A new feed and its raw token (shown once). An organisation feed needs a membership there."""
    if not actor.is_verified or actor.user_id != user.pk:
        raise PermissionDenied()
    if organisation is not None and organisation.pk not in actor.organisation_ids:
        raise PermissionDenied()
    return CalendarFeed.issue(user=user, name=name, organisation=organisation)


def feed_revoke(*, actor: Actor, feed_id) -> CalendarFeed:
    """Revoke a feed: its maker, or an editor of the feed's organisation. Anything else is a 404."""
    try:
        feed_id = int(feed_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    feed = feeds_manageable_by(actor).filter(pk=feed_id).first()
    if feed is None:
        raise NotFound()
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return feed
