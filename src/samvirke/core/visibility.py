"""The object getter half of the chokepoint, and access logging.

`get_visible` is the only way views, API endpoints, exports and downloads fetch one content record.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from samvirke.core.access import LOGGED_LEVELS, Actor
from samvirke.core.errors import NotFound
from samvirke.core.models import AccessLogEntry, Content


def get_visible(queryset_or_model, actor: Actor, pk, *, action: str = "read", via: str = "web"):
    """Return the record if `actor` may read it; raise NotFound if it is missing *or* not theirs."""
    qs = (
        queryset_or_model
        if isinstance(queryset_or_model, models.QuerySet)
        else queryset_or_model.objects.all()
    )
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    obj = qs.visible_to(actor).filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    log_reads(actor, [obj], action=action, via=via)
    return obj


def log_reads(actor: Actor, objects: Iterable[Content], *, action: str = "read", via: str = "web") -> None:
    """Write one access-log row per AMBER/AMBER+STRICT/RED record, in a single query."""
    entries = []
    for obj in objects:
        if obj.access_level in LOGGED_LEVELS:
            entries.append(
                AccessLogEntry(
                    user_id=actor.user_id,
                    content_type=ContentType.objects.get_for_model(obj),
                    object_id=obj.pk,
                    access_level=obj.access_level,
                    action=action,
                    via=via,
                )
            )
    if entries:
        AccessLogEntry.objects.bulk_create(entries)
