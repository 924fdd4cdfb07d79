"""Reads of calendar feeds: a person sees and manages their own feeds, and the feeds of organisations
where they are an editor (so a leaked organisation address can be revoked when its maker is away)."""

from __future__ import annotations

from django.db.models import Q

from samvirke.core.access import Actor
from samvirke.organisations.models import Organisation
from samvirke.reminders.models import CalendarFeed


def feeds_manageable_by(actor: Actor):
    if actor.user_id is None or not actor.is_verified:
        return CalendarFeed.objects.none()
    return CalendarFeed.objects.filter(
        Q(user_id=actor.user_id) | Q(organisation_id__in=list(actor.editable_organisation_ids()))
    ).select_related("user", "organisation")


def feed_organisations(actor: Actor):
    """The organisations the actor may make a feed of: where they are a member."""
    return Organisation.objects.filter(pk__in=list(actor.organisation_ids)).order_by("name")
