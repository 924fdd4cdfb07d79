"""Pure rules of cooperation agreements: the renewal date, the state on a day, and what makes a period
impossible. No ORM.

An agreement runs from `valid_from` to `valid_to` (open-ended when `valid_to` is empty). Renewing it (or
giving notice) must happen `notice_months` before it ends: the *renewal date* is `valid_to` minus the
notice period. The state a reader sees is derived from the stored status and the dates:

* ``draft``: being negotiated (stored);
* ``expired``: ended early by the owner (stored), or past `valid_to`;
* ``expiring``: in force, and the renewal date is at most `EXPIRING_WITHIN_DAYS` days away (or has
  passed while the agreement still runs) — an agreement ending within 90 days is always expiring;
* ``active``: in force otherwise.

`selectors.state_q` expresses the same rules as SQL; a test keeps the two equal.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from samvirke.plans.domain import add_months

#: How far ahead a renewal makes an agreement "expiring" (and the list filter of that name).
EXPIRING_WITHIN_DAYS = 90
#: The longest notice period that is not a typing error (ten years).
MAX_NOTICE_MONTHS = 120


class State:
    DRAFT = "draft"
    ACTIVE = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    ALL = (DRAFT, ACTIVE, EXPIRING, EXPIRED)
    #: What an editor may store; "expiring" only ever follows from the dates.
    STORED = (DRAFT, ACTIVE, EXPIRED)


def renewal_date(valid_to: datetime.date | None, notice_months: int | None) -> datetime.date | None:
    """The last day to renew or give notice: `valid_to` minus the notice period (None if open-ended)."""
    if valid_to is None:
        return None
    return add_months(valid_to, -(notice_months or 0))


def agreement_state(
    *, status: str, valid_to: datetime.date | None, renewal_due: datetime.date | None, today: datetime.date
) -> str:
    """The state on `today` (see the module docstring)."""
    if status in (State.DRAFT, State.EXPIRED):
        return status
    if valid_to is None:
        return State.ACTIVE
    if valid_to < today:
        return State.EXPIRED
    due = renewal_due or valid_to
    if (due - today).days <= EXPIRING_WITHIN_DAYS:
        return State.EXPIRING
    return State.ACTIVE


class PeriodProblem(NamedTuple):
    field: str
    code: str
    message: object
    params: dict


def check_period(
    *, status: str, valid_from: datetime.date | None, valid_to: datetime.date | None, notice_months
) -> list[PeriodProblem]:
    """Everything impossible about the dates and the notice period, each with what to do about it."""
    problems = []
    if status not in State.STORED:
        problems.append(
            PeriodProblem(
                "status",
                "status_not_stored",
                _(
                    "Choose draft, in force or ended. Whether an agreement is expiring follows from its "
                    "dates."
                ),
                {},
            )
        )
    if status == State.ACTIVE and valid_from is None:
        problems.append(
            PeriodProblem(
                "valid_from",
                "valid_from_missing",
                _(
                    "An agreement in force needs the date it took effect. Give it, or save the agreement as "
                    "a draft."
                ),
                {},
            )
        )
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(
            PeriodProblem(
                "valid_to",
                "ends_before_start",
                _("The agreement ends before it starts. Check the two dates."),
                {},
            )
        )
        return problems
    if notice_months is None:
        return problems
    if not isinstance(notice_months, int) or isinstance(notice_months, bool) or notice_months < 0:
        problems.append(
            PeriodProblem(
                "notice_months",
                "notice_negative",
                _("The notice period is given in whole months: use 0 or more."),
                {},
            )
        )
    elif notice_months > MAX_NOTICE_MONTHS:
        problems.append(
            PeriodProblem(
                "notice_months",
                "notice_too_long",
                _(
                    "A notice period of %(months)s months is longer than %(max)s months (ten years). Check "
                    "the number."
                ),
                {"months": notice_months, "max": MAX_NOTICE_MONTHS},
            )
        )
    elif valid_from and valid_to and renewal_date(valid_to, notice_months) < valid_from:
        problems.append(
            PeriodProblem(
                "notice_months",
                "notice_longer_than_agreement",
                _(
                    "The notice period of %(months)s months is longer than the agreement itself, so it "
                    "would have to be renewed before it starts. Shorten the notice period or check the dates."
                ),
                {"months": notice_months},
            )
        )
    return problems


def is_cross_border(owner_country: str, party_countries) -> bool:
    """True when a party is in another country than the owner (e.g. NO–SE)."""
    return any(country and country != owner_country for country in party_countries)
