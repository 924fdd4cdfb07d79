"""Reads of cooperation agreements. Every one starts from the chokepoint (`Agreement.objects.visible_to`).

* Lists: per region (agreements owned by its organisations) and per organisation (owned by it, or it is a
  party), with filters as SQL (kind of party, state, expiring, cross-border); a fixed number of queries.
* One agreement: `get_agreement_for` (get_visible: 404 for missing and not visible, reads logged).
* An attachment only through a visible agreement (`get_attachment_for`).
* Renewals for reminders and calendars: `renewal_due_items` and `upcoming_renewals` (documented below);
  they return only agreements the actor may read. The caller logs what it shows (core.visibility.log_reads).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from django.core.paginator import Paginator
from django.db.models import F, Q
from django.utils import timezone

from samvirke.agreements import domain
from samvirke.agreements.models import Agreement, AgreementAttachment, PartyKind
from samvirke.core.access import Actor
from samvirke.core.errors import NotFound
from samvirke.core.visibility import get_visible
from samvirke.organisations.models import Organisation

AGREEMENTS_PER_PAGE = 50


def agreements_visible_to(actor: Actor):
    return Agreement.objects.visible_to(actor)


def get_agreement_for(actor: Actor, agreement_id, *, action="read", via="web") -> Agreement:
    return get_visible(
        Agreement.objects.select_related("owner", "created_by"), actor, agreement_id, action=action, via=via
    )


def get_attachment_for(actor: Actor, agreement_id, attachment_id, *, action="export"):
    """(agreement, attachment): the agreement through the chokepoint (logged), then its own attachment."""
    agreement = get_agreement_for(actor, agreement_id, action=action)
    try:
        attachment_pk = int(attachment_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    attachment = AgreementAttachment.objects.filter(agreement=agreement, pk=attachment_pk).first()
    if attachment is None:
        raise NotFound()
    return agreement, attachment


# --- states as SQL ---------------------------------------------------------------------------------------


def state_q(state: str, today: datetime.date) -> Q:
    """The agreements in `state` on `today`, as a filter: the same rules as domain.agreement_state."""
    soon = today + datetime.timedelta(days=domain.EXPIRING_WITHIN_DAYS)
    active = Q(status=domain.State.ACTIVE)
    if state == domain.State.DRAFT:
        return Q(status=domain.State.DRAFT)
    if state == domain.State.EXPIRED:
        return Q(status=domain.State.EXPIRED) | (active & Q(valid_to__lt=today))
    if state == domain.State.EXPIRING:
        return active & Q(valid_to__gte=today, renewal_due_on__lte=soon)
    if state == domain.State.ACTIVE:
        return active & (Q(valid_to__isnull=True) | Q(valid_to__gte=today, renewal_due_on__gt=soon))
    raise ValueError(state)


# --- lists -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    party_kind: str = ""
    state: str = ""
    expiring: bool = False
    cross_border: bool = False

    @classmethod
    def from_query(cls, query) -> Filters:
        """From GET parameters; unknown values are ignored (the list is shown unfiltered by them)."""
        kind = query.get("party_kind", "")
        state = query.get("state", "")
        return cls(
            party_kind=kind if kind in PartyKind.values else "",
            state=state if state in domain.State.ALL else "",
            expiring=query.get("expiring") == "1",
            cross_border=query.get("cross_border") == "1",
        )

    def apply(self, queryset, today):
        if self.party_kind:
            queryset = queryset.filter(party_kinds__contains=f"|{self.party_kind}|")
        if self.state:
            queryset = queryset.filter(state_q(self.state, today))
        if self.expiring:
            queryset = queryset.filter(state_q(domain.State.EXPIRING, today))
        if self.cross_border:
            queryset = queryset.filter(cross_border=True)
        return queryset

    def query_string(self) -> str:
        """The filters as GET parameters ending in "&" (kept on the pagination links)."""
        from django.utils.http import urlencode

        params = {
            "party_kind": self.party_kind,
            "state": self.state,
            "expiring": "1" if self.expiring else "",
            "cross_border": "1" if self.cross_border else "",
        }
        text = urlencode({k: v for k, v in params.items() if v})
        return f"{text}&" if text else ""

    @property
    def active(self) -> bool:
        return bool(self.party_kind or self.state or self.expiring or self.cross_border)


def _ordered(queryset):
    # The soonest renewal first; agreements without an end date last.
    return queryset.order_by(F("renewal_due_on").asc(nulls_last=True), "title", "id")


def _listing(queryset, filters: Filters | None, page, today) -> dict:
    filters = filters or Filters()
    queryset = filters.apply(queryset, today)
    # The owners in a second query (prefetch) rather than a join (see notices.selectors).
    paginator = Paginator(_ordered(queryset).prefetch_related("owner"), AGREEMENTS_PER_PAGE)
    agreement_page = paginator.get_page(page)
    rows = list(agreement_page.object_list)
    for agreement in rows:
        agreement.current_state = agreement.state(today)
    return {"page": agreement_page, "agreements": rows, "filters": filters, "today": today}


def region_agreements(actor: Actor, region, *, filters: Filters | None = None, page=None, today=None) -> dict:
    """The agreements of the region's organisations the actor may read, filtered and paged.
    Three queries (count, page, owners), whatever the number of agreements."""
    today = today or timezone.localdate()
    queryset = agreements_visible_to(actor).filter(
        owner_id__in=Organisation.objects.filter(region=region).values("pk")
    )
    return _listing(queryset, filters, page, today)


def organisation_agreements(
    actor: Actor, organisation: Organisation, *, filters: Filters | None = None, page=None, today=None
) -> dict:
    """The agreements an organisation owns or is a party to, that the actor may read. Three queries."""
    today = today or timezone.localdate()
    through = Agreement.party_organisations.through
    queryset = agreements_visible_to(actor).filter(
        Q(owner=organisation)
        | Q(pk__in=through.objects.filter(organisation_id=organisation.pk).values("agreement_id"))
    )
    return _listing(queryset, filters, page, today)


def party_rows(agreement: Agreement) -> list[dict]:
    """The parties for display: name, kind label, country, and the organisation id when in the region."""
    kinds = dict(PartyKind.choices)
    countries = dict(Organisation.Country.choices)
    rows = []
    for party in agreement.parties if isinstance(agreement.parties, list) else []:
        if not isinstance(party, dict):
            continue
        rows.append(
            {
                "organisation_id": party.get("organisation"),
                "name": party.get("name", ""),
                "kind": kinds.get(party.get("kind"), party.get("kind", "")),
                "country": countries.get(party.get("country"), party.get("country", "")),
            }
        )
    return rows


# --- renewals (for the reminder worker and the calendar feeds) -------------------------------------------


class RenewalItem(NamedTuple):
    agreement: Agreement
    #: The last day to renew or give notice (valid_to minus the notice period).
    renewal_due: datetime.date
    #: The agreement's end.
    valid_to: datetime.date
    #: domain.State on the day asked about: "active" or "expiring".
    state: str


def _renewals(actor: Actor, until: datetime.date, today: datetime.date):
    return (
        agreements_visible_to(actor)
        .filter(
            status=domain.State.ACTIVE,
            valid_to__gte=today,
            renewal_due_on__isnull=False,
            renewal_due_on__lte=until,
        )
        .select_related("owner")
        .order_by("renewal_due_on", "id")
    )


def renewal_due_items(actor: Actor, *, today=None, within_days: int = domain.EXPIRING_WITHIN_DAYS):
    """Agreements in force the actor may read whose renewal date is within `within_days` days from
    `today` (or has passed while the agreement still runs), soonest first, as RenewalItem. One query."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=within_days)
    return [
        RenewalItem(a, a.renewal_due_on, a.valid_to, a.state(today)) for a in _renewals(actor, until, today)
    ]


def upcoming_renewals(
    actor: Actor, until: datetime.date, *, today=None
) -> list[tuple[Agreement, datetime.date]]:
    """(agreement, renewal date) for reminders and calendar feeds.

    Every agreement the actor may read (the chokepoint) that is in force on `today` (default: today) and
    has not ended, whose renewal date (`valid_to` minus the notice period) is on or before `until` — so an
    overdue renewal keeps coming back until the agreement ends or is renewed (a new `valid_to`). Drafts,
    ended agreements and agreements without an end date never appear. Soonest first; one query whatever
    the number of agreements; `agreement.owner` is loaded. Nothing is logged: log what you show
    (core.visibility.log_reads(actor, agreements, action="list")).
    """
    today = today or timezone.localdate()
    return [(a, a.renewal_due_on) for a in _renewals(actor, until, today)]
