"""Access levels (TLP 2.0) and the Actor: who is asking.

The Actor is built once per request (see `ActorMiddleware`) and passed explicitly to selectors and
services. It holds only ids; the sharing rules themselves live in `ContentQuerySet.visible_to`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLevel(models.TextChoices):
    """TLP 2.0 labels. The value is the stable code; the label is what users read."""

    CLEAR = "clear", _("TLP:CLEAR – public")
    GREEN = "green", _("TLP:GREEN – the region")
    AMBER = "amber", _("TLP:AMBER – owner and organisations shared with")
    AMBER_STRICT = "amber_strict", _("TLP:AMBER+STRICT – owner organisation only")
    RED = "red", _("TLP:RED – named people only")


#: Levels whose every read is written to the access log.
LOGGED_LEVELS = frozenset({AccessLevel.AMBER, AccessLevel.AMBER_STRICT, AccessLevel.RED})


class Role(models.TextChoices):
    REGIONAL_COORDINATOR = "regional_coordinator", _("Regional coordinator")
    PREPAREDNESS_ADVISOR = "preparedness_advisor", _("Preparedness advisor")
    CRISIS_STAFF = "crisis_staff", _("Crisis staff")
    READER = "reader", _("Reader")
    PARTNER_CONTACT = "partner_contact", _("Partner contact")
    ADMINISTRATOR = "administrator", _("Administrator")


#: Roles that may create and change their organisation's content.
EDITOR_ROLES = frozenset({Role.PREPAREDNESS_ADVISOR, Role.REGIONAL_COORDINATOR, Role.ADMINISTRATOR})


@dataclass(frozen=True)
class Actor:
    """Who is asking. Anonymous and not-yet-verified users get an actor with no memberships."""

    user_id: int | None = None
    #: organisation id -> set of roles held there
    roles: dict[int, frozenset[str]] = field(default_factory=dict)
    region_ids: frozenset[int] = frozenset()
    is_verified: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(self.roles)

    def editable_organisation_ids(self) -> frozenset[int]:
        return frozenset(org for org, roles in self.roles.items() if roles & EDITOR_ROLES)

    def has_role(self, role: str, organisation_id: int | None = None) -> bool:
        if organisation_id is not None:
            return role in self.roles.get(organisation_id, ())
        return any(role in roles for roles in self.roles.values())

    def can_edit_for(self, organisation_id: int) -> bool:
        return bool(self.roles.get(organisation_id, frozenset()) & EDITOR_ROLES)


ANONYMOUS = Actor()


def actor_for_user(user, *, verified: bool) -> Actor:
    """Build the actor for a signed-in user. Memberships count only after two-factor verification."""
    from samvirke.organisations.models import Membership

    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    if not verified:
        return Actor(user_id=user.pk, is_verified=False)
    roles: dict[int, set[str]] = {}
    regions: set[int] = set()
    for org_id, region_id, role in Membership.objects.filter(user=user, active=True).values_list(
        "organisation_id", "organisation__region_id", "role"
    ):
        roles.setdefault(org_id, set()).add(role)
        regions.add(region_id)
    return Actor(
        user_id=user.pk,
        roles={k: frozenset(v) for k, v in roles.items()},
        region_ids=frozenset(regions),
        is_verified=True,
    )
