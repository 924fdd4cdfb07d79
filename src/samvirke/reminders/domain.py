"""Pure reminder rules: which reminders an open due item calls for on a given day. No ORM.

An open due item goes through three kinds of reminder:

* ``before-N`` N days before the due date, for each of the rule's reminder offsets above 0 (a rule without
  offsets uses `DEFAULT_OFFSETS`: a month and a week before). They go to the people responsible.
* ``due`` on the due date (always, whatever the offsets). To the people responsible.
* ``escalation`` when the item is overdue by the rule's `escalate_after_days` (rules without it never
  escalate; 0 means the day after the due date, as `plans.domain._escalated`). To the region's regional
  coordinators.

A reminder that was not sent on its day (the worker was down) still goes out later, but only while it is
the current one: a "30 days before" reminder is not sent once the "7 days before" one is due, and the
due-date reminder is sent at most `DUE_CATCH_UP_DAYS` days late (a stale "due today" helps nobody). An
escalation stays current for as long as the item is open: it is sent once, however late.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import NamedTuple

#: Days before the due date when a rule gives no reminder offsets.
DEFAULT_OFFSETS = (30, 7)
#: How many days late a missed due-date reminder may still be sent.
DUE_CATCH_UP_DAYS = 7
#: A claim ("sending") older than this is taken to be from a worker that died before it could send.
CLAIM_TIMEOUT = datetime.timedelta(minutes=15)
#: At most this many reminders in one e-mail (a digest per recipient and pass).
MAX_PER_MAIL = 50

DUE = "due"
ESCALATION = "escalation"
BEFORE_PREFIX = "before-"

#: Who gets a kind: the people responsible for the item, or the region's coordinators.
RESPONSIBLE = "responsible"
COORDINATORS = "coordinators"


class Stage(NamedTuple):
    kind: str
    #: The first day the reminder may be sent.
    starts: datetime.date
    #: The first day it may no longer be sent (None: as long as the item is open).
    ends: datetime.date | None
    audience: str


def before_kind(days: int) -> str:
    return f"{BEFORE_PREFIX}{days}"


def days_before(kind: str) -> int | None:
    """N for a ``before-N`` kind, else None."""
    if kind.startswith(BEFORE_PREFIX):
        try:
            return int(kind[len(BEFORE_PREFIX) :])
        except ValueError:
            return None
    return None


def offsets_for(reminder_offsets: Iterable | None) -> tuple[int, ...]:
    """The rule's days-before reminders (largest first); the defaults when the rule gives none."""
    given = list(reminder_offsets or ())
    if not given:
        return DEFAULT_OFFSETS
    days = {o for o in given if isinstance(o, int) and not isinstance(o, bool) and o > 0}
    return tuple(sorted(days, reverse=True))


def escalation_day(due: datetime.date, escalate_after_days: int | None) -> datetime.date | None:
    """The first day the item counts as escalated (plans.domain._escalated: overdue, and at least the
    rule's number of days past the due date), or None if the rule never escalates."""
    if escalate_after_days is None or escalate_after_days < 0:
        return None
    return due + datetime.timedelta(days=max(escalate_after_days, 1))


def stages(
    due: datetime.date, reminder_offsets: Iterable | None, escalate_after_days: int | None
) -> list[Stage]:
    """Every reminder of one due item, in order, with the days each may be sent."""
    result = []
    series = [*offsets_for(reminder_offsets), 0]
    for index, days in enumerate(series):
        starts = due - datetime.timedelta(days=days)
        if days == 0:
            ends = due + datetime.timedelta(days=DUE_CATCH_UP_DAYS)
            result.append(Stage(DUE, starts, ends, RESPONSIBLE))
        else:
            ends = due - datetime.timedelta(days=series[index + 1])
            result.append(Stage(before_kind(days), starts, ends, RESPONSIBLE))
    escalates = escalation_day(due, escalate_after_days)
    if escalates is not None:
        result.append(Stage(ESCALATION, escalates, None, COORDINATORS))
    return result


def current_stages(
    due: datetime.date,
    today: datetime.date,
    reminder_offsets: Iterable | None,
    escalate_after_days: int | None,
) -> list[Stage]:
    """The reminders an open item calls for on `today`: at most one of the before/due series, and the
    escalation once it has started."""
    return [
        stage
        for stage in stages(due, reminder_offsets, escalate_after_days)
        if stage.starts <= today and (stage.ends is None or today < stage.ends)
    ]


def longest_lead(offset_lists: Iterable[Iterable | None]) -> int:
    """The most days before a due date any rule reminds (to bound which items a pass reads)."""
    return max((max(offsets_for(o), default=0) for o in offset_lists), default=max(DEFAULT_OFFSETS))
