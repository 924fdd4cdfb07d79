"""The parts of an emergency plan, in the order forskrift om kommunal beredskapsplikt § 4 lists them.

Views, URLs, forms, the binder and the coverage view are written once for all parts and read what differs
from here: the model, the URL segment, the title, what the part must contain, its default access level, its
list (if any) and whether it can answer risk events.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samvirke.emergencyplan import entries
from samvirke.emergencyplan.models import (
    AlertList,
    CommunicationPlan,
    CrisisManagement,
    EvacuationPlan,
    PlanPart,
    ResourceOverview,
)


@dataclass(frozen=True)
class PartSpec:
    key: str  # URL names and template keys, e.g. "alert_list"
    slug: str  # URL segment, e.g. "alert-list"
    model: type[PlanPart]
    title: Promise
    description: Promise
    answers_events: bool = False

    @property
    def entries(self) -> entries.EntrySpec | None:
        return self.model.ENTRY_SPEC

    @property
    def default_level(self) -> str:
        return self.model._meta.get_field("access_level").default

    def url_name(self, action: str = "") -> str:
        return f"emergencyplan:{self.key}{'_' + action if action else ''}"

    @property
    def urls(self) -> dict[str, str]:
        """URL names for templates ({% url part.urls.edit plan.pk %})."""
        names = {"detail": self.url_name(), **{a: self.url_name(a) for a in ("edit", "history", "restore")}}
        if self.entries is not None:
            names.update({f"entry_{a}": self.url_name(f"entry_{a}") for a in ("new", "edit", "remove")})
            if self.entries.verifiable:
                names["entry_verified"] = self.url_name("entry_verified")
        return names


CRISIS_MANAGEMENT = PartSpec(
    key="crisis_management",
    slug="crisis-management",
    model=CrisisManagement,
    title=_("Crisis management"),
    description=_(
        "Roles and deputies, delegated authority, who convenes the crisis management and where it meets, "
        "with an alternative meeting place."
    ),
)
ALERT_LIST = PartSpec(
    key="alert_list",
    slug="alert-list",
    model=AlertList,
    title=_("Alert list"),
    description=_(
        "People and actors with a role in a crisis, including the state administrator, with phone, e-mail "
        "and a fallback channel. Entries not verified for 12 months are marked stale."
    ),
)
RESOURCES = PartSpec(
    key="resources",
    slug="resources",
    model=ResourceOverview,
    title=_("Resource overview"),
    description=_(
        "Own resources and others' (businesses, volunteers), with location, capacity, owner and agreement, "
        "and whether they can be lent to another municipality."
    ),
    answers_events=True,
)
EVACUATION = PartSpec(
    key="evacuation",
    slug="evacuation",
    model=EvacuationPlan,
    title=_("Evacuation plan"),
    description=_("Evacuation, assembly points, transport and the evacuee and next-of-kin centre."),
    answers_events=True,
)
COMMUNICATION = PartSpec(
    key="communication",
    slug="communication",
    model=CommunicationPlan,
    title=_("Population warning and crisis communication"),
    description=_("How the population is warned, and communication with the population and the media."),
    answers_events=True,
)

PARTS = (CRISIS_MANAGEMENT, ALERT_LIST, RESOURCES, EVACUATION, COMMUNICATION)
BY_KEY = {part.key: part for part in PARTS}
ANSWERING = tuple(p for p in PARTS if p.answers_events)
