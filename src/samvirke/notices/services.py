"""Writes of notices: thin wrappers over the shared content services."""

from samvirke.core import services as content
from samvirke.core.access import Actor
from samvirke.notices.models import Notice

FIELDS = ("title", "body", "category", "access_level", "exemption_basis")


def notice_create(*, actor: Actor, owner_id: int, data: dict, shared_with=(), named_people=()) -> Notice:
    return content.content_create(
        Notice,
        actor=actor,
        owner_id=owner_id,
        data={k: data[k] for k in FIELDS if k in data},
        shared_with=shared_with,
        named_people=named_people,
    )


def notice_update(
    *,
    actor: Actor,
    notice_id,
    expected_version: int,
    data: dict,
    shared_with=None,
    named_people=None,
    via="web",
):
    return content.content_update(
        Notice,
        actor=actor,
        pk=notice_id,
        expected_version=expected_version,
        data={k: data[k] for k in FIELDS if k in data},
        shared_with=shared_with,
        named_people=named_people,
        via=via,
    )


def notice_restore(*, actor: Actor, notice_id, history_id: int) -> Notice:
    return content.content_restore(Notice, actor=actor, pk=notice_id, history_id=history_id)
