"""Pure planning rules: cadences, rule checks, due-item derivation and document state. No ORM.

A rule says how often an obligation recurs for a *subject* (a document, a missing required document type,
or the organisation itself). Three cadences:

* ``months``: every N months after the last time it was done (plan revised yearly: N = 12);
* ``after_election``: once per mandate period, by a fixed date of the first year after an election
  (the Swedish RSA: 31 October of the year after the general election);
* ``per_mandate``: at least once per mandate period, due the day before the next period starts.

`derive` turns rules, subjects and their completion dates into due items for a date window. It is a pure
function of its inputs, so deriving twice gives the same items, and feeding the items' own completion
dates back in (as the materialising service does) gives the same items again.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _


class Cadence:
    MONTHS = "months"
    AFTER_ELECTION = "after_election"
    PER_MANDATE = "per_mandate"
    ALL = (MONTHS, AFTER_ELECTION, PER_MANDATE)
    ELECTION = (AFTER_ELECTION, PER_MANDATE)


class State:
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"
    OPEN = (UPCOMING, DUE, OVERDUE)


class DocumentState:
    CURRENT = "current"
    OUTDATED = "outdated"
    DRAFT = "draft"
    MISSING = "missing"


#: The longest cadence a rule may have (20 years); anything longer is a typing error, not a duty.
MAX_MONTHS = 240
#: Both countries elect municipal councils for four years.
ELECTION_PERIOD_YEARS = 4
#: The new council's mandate period starts on 15 October of the election year (Sweden: 15 October;
#: Norway: the new kommunestyre is constituted in October). UNVERIFIED for Norway as an exact day.
MANDATE_START = (10, 15)
#: Without reminder offsets, an item counts as "due" this many days before its due date.
DEFAULT_LEAD_DAYS = 30
#: A year that has every month-day except 29 February: a due date must exist every year.
_COMMON_YEAR = 2001


class RuleSpec(NamedTuple):
    id: int
    cadence: str
    months: int | None = None
    due_month: int | None = None
    due_day: int | None = None
    lead_days: int = DEFAULT_LEAD_DAYS
    escalate_after_days: int | None = None
    #: The first due date of a subject that was never done, and the earliest due date of any item.
    effective_from: datetime.date = datetime.date(2000, 1, 1)


class Subject(NamedTuple):
    organisation_id: int
    rule_id: int
    #: "doc:<id>" for a document, "type:<code>" for a missing required document type, "org" otherwise.
    key: str
    country: str
    document_id: int | None = None
    #: The dates the obligation was met (a revision, an adoption, an exercise), in any order.
    completions: tuple[datetime.date, ...] = ()


class DueItemSpec(NamedTuple):
    organisation_id: int
    rule_id: int
    subject: str
    due_date: datetime.date
    state: str
    document_id: int | None = None
    #: For ``months`` cadences: the completion the due date was counted from.
    anchor_date: datetime.date | None = None
    done_on: datetime.date | None = None
    #: A later occurrence shown for planning; the current obligation is the first open item.
    projected: bool = False
    escalated: bool = False

    @property
    def key(self) -> tuple:
        return (self.organisation_id, self.rule_id, self.subject, self.due_date)


# --- dates -----------------------------------------------------------------------------------------------


_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus whole months, keeping the day of month where it exists (31 Jan + 1 month = 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    last = _DAYS_IN_MONTH[month]
    if month == 2 and calendar.isleap(year):
        last = 29
    return datetime.date(year, month, day.day if day.day <= last else last)


def is_yearly_date(month, day) -> bool:
    """True if month-day exists in every year (so not 31 February, 31 April or 29 February)."""
    if not isinstance(month, int) or not isinstance(day, int) or isinstance(month, bool):
        return False
    if not 1 <= month <= 12:
        return False
    return 1 <= day <= calendar.monthrange(_COMMON_YEAR, month)[1]


def cadence_length_days(cadence: str, months: int | None) -> int | None:
    """The shortest time between two occurrences, in days (None when the cadence itself is invalid)."""
    if cadence == Cadence.MONTHS:
        if not isinstance(months, int) or months < 1:
            return None
        return months * 28  # the shortest possible N months
    if cadence in Cadence.ELECTION:
        return ELECTION_PERIOD_YEARS * 365
    return None


def election_years(known: Sequence[int], until: int) -> list[int]:
    """The known election years, continued every four years up to `until` (data may end early)."""
    years = sorted(set(known))
    if not years:
        return []
    while years[-1] + ELECTION_PERIOD_YEARS <= until:
        years.append(years[-1] + ELECTION_PERIOD_YEARS)
    return years


# --- rule checks -----------------------------------------------------------------------------------------


class RuleProblem(NamedTuple):
    field: str
    code: str
    message: object  # a lazy translated string with %(name)s placeholders
    params: dict


def check_rule(
    *,
    cadence: str,
    months: int | None = None,
    due_month: int | None = None,
    due_day: int | None = None,
    reminder_offsets: Iterable = (),
    escalate_after_days: int | None = None,
) -> list[RuleProblem]:
    """Everything impossible about a cadence, each with a reason a person can act on."""
    problems: list[RuleProblem] = []
    if cadence not in Cadence.ALL:
        return [RuleProblem("cadence", "unknown_cadence", _("Choose how often the rule recurs."), {})]
    if cadence == Cadence.MONTHS:
        if months is None:
            problems.append(
                RuleProblem(
                    "months", "months_missing", _("Give the number of months between occurrences."), {}
                )
            )
        elif not isinstance(months, int) or isinstance(months, bool) or months < 1:
            problems.append(
                RuleProblem(
                    "months",
                    "months_too_small",
                    _("A cadence of %(months)s months is impossible: give at least 1 month."),
                    {"months": months},
                )
            )
        elif months > MAX_MONTHS:
            problems.append(
                RuleProblem(
                    "months",
                    "months_too_large",
                    _(
                        "A cadence of %(months)s months is longer than %(max)s months (20 years). Check the "
                        "number; a longer duty is not a recurring obligation."
                    ),
                    {"months": months, "max": MAX_MONTHS},
                )
            )
    if cadence == Cadence.AFTER_ELECTION and (due_month is None or due_day is None):
        problems.append(
            RuleProblem(
                "due_day",
                "due_date_missing",
                _("Give the day and month the obligation is due in the first year after an election."),
                {},
            )
        )
    elif (due_month is not None or due_day is not None) and not is_yearly_date(due_month, due_day):
        problems.append(
            RuleProblem(
                "due_day",
                "due_date_impossible",
                _(
                    "Day %(day)s of month %(month)s does not exist every year (for example 31 February or "
                    "29 February). Choose a date that exists every year."
                ),
                {"day": due_day, "month": due_month},
            )
        )
    length = cadence_length_days(cadence, months)
    offsets = list(reminder_offsets or ())
    for offset in offsets:
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            problems.append(
                RuleProblem(
                    "reminder_offsets",
                    "offset_negative",
                    _(
                        "Reminders are given in days before the due date: “%(offset)s” is not a whole number "
                        "of 0 or more (0 means on the due date)."
                    ),
                    {"offset": offset},
                )
            )
        elif length is not None and offset >= length:
            problems.append(
                RuleProblem(
                    "reminder_offsets",
                    "offset_beyond_cadence",
                    _(
                        "A reminder %(offset)s days before the due date comes before the previous occurrence "
                        "(the cadence is only %(length)s days). Use fewer days."
                    ),
                    {"offset": offset, "length": length},
                )
            )
    if len(set(offsets)) != len(offsets):
        problems.append(
            RuleProblem(
                "reminder_offsets", "offset_repeated", _("Each reminder offset may appear only once."), {}
            )
        )
    if escalate_after_days is not None:
        if not isinstance(escalate_after_days, int) or escalate_after_days < 0:
            problems.append(
                RuleProblem(
                    "escalate_after_days",
                    "escalation_negative",
                    _("Escalation is given in days after the due date: use 0 or more."),
                    {},
                )
            )
        elif length is not None and escalate_after_days >= length:
            problems.append(
                RuleProblem(
                    "escalate_after_days",
                    "escalation_beyond_cadence",
                    _(
                        "Escalating %(days)s days after the due date comes after the next occurrence is due "
                        "(the cadence is only %(length)s days). Use fewer days."
                    ),
                    {"days": escalate_after_days, "length": length},
                )
            )
    return problems


# --- derivation ------------------------------------------------------------------------------------------


def open_state(due: datetime.date, today: datetime.date, lead_days: int) -> str:
    if due < today:
        return State.OVERDUE
    if (due - today).days <= lead_days:
        return State.DUE
    return State.UPCOMING


def in_window(due: datetime.date, done_on, start: datetime.date, end: datetime.date) -> bool:
    """Which items a window holds: everything due in it, plus open items due before it (still owed) and
    done items finished in it. The materialising service syncs exactly this set."""
    if due > end:
        return False
    if due >= start:
        return True
    return done_on is None or done_on >= start


def derive(
    rules: Mapping[int, RuleSpec],
    subjects: Iterable[Subject],
    *,
    elections: Mapping[str, Sequence[int]],
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
) -> Iterator[DueItemSpec]:
    """Due items of every subject under its rule, within the window [start, end] (see `in_window`)."""
    extended = {country: election_years(years, end.year + 1) for country, years in elections.items()}
    periods: dict[tuple[int, str], list] = {}  # the mandate periods of a rule in a country, computed once
    for subject in subjects:
        rule = rules[subject.rule_id]
        if rule.cadence == Cadence.MONTHS:
            yield from _months_items(rule, subject, start, end, today)
            continue
        key = (rule.id, subject.country)
        if key not in periods:
            periods[key] = _periods(rule, extended.get(subject.country, []))
        yield from _election_items(rule, subject, periods[key], start, end, today)


def _escalated(rule: RuleSpec, due: datetime.date, today: datetime.date) -> bool:
    return (
        rule.escalate_after_days is not None
        and due < today
        and (today - due).days >= rule.escalate_after_days
    )


def _months_items(rule, subject, start, end, today) -> Iterator[DueItemSpec]:
    months = rule.months
    completions = sorted(set(subject.completions)) if len(subject.completions) > 1 else subject.completions
    organisation_id, rule_id, key, document_id = (
        subject.organisation_id,
        rule.id,
        subject.key,
        subject.document_id,
    )
    for index in range(len(completions) - 1):
        previous, following = completions[index], completions[index + 1]
        due = add_months(previous, months)
        if in_window(due, following, start, end) and due >= rule.effective_from:
            yield DueItemSpec(
                organisation_id, rule_id, key, due, State.DONE, document_id, previous, following
            )
    if completions:
        anchor = completions[-1]
        base, first_step = anchor, 1
    else:
        # Never done: owed from the day the rule took effect.
        anchor = None
        base, first_step = rule.effective_from, 0
    first_due = add_months(base, months * first_step)
    if first_due < rule.effective_from:
        first_due = rule.effective_from
    if first_due > end:
        return
    yield DueItemSpec(
        organisation_id,
        rule_id,
        key,
        first_due,
        open_state(first_due, today, rule.lead_days),
        document_id,
        anchor,
        None,
        False,
        _escalated(rule, first_due, today),
    )
    # Later occurrences for planning. Those already past are part of the open item, not extra debts.
    lead = rule.lead_days
    step = first_step + 1
    while True:
        due = add_months(base, months * step)
        if due > end:
            break
        if due >= today and due >= start and due > first_due:
            state = State.DUE if (due - today).days <= lead else State.UPCOMING
            yield DueItemSpec(
                organisation_id, rule_id, key, due, state, document_id, anchor, None, True, False
            )
        step += 1


def _periods(rule, years) -> list[tuple]:
    """(due date, period start, period end) of each mandate period from the rule's start on."""
    result = []
    for index, year in enumerate(years):
        following = years[index + 1] if index + 1 < len(years) else year + ELECTION_PERIOD_YEARS
        period_start = datetime.date(year, *MANDATE_START)
        period_end = datetime.date(following, *MANDATE_START)
        if rule.cadence == Cadence.AFTER_ELECTION:
            due = datetime.date(year + 1, rule.due_month, rule.due_day)
        else:
            due = period_end - datetime.timedelta(days=1)
        if due >= rule.effective_from:
            result.append((due, period_start, period_end))
    return result


def _election_items(rule, subject, periods, start, end, today) -> Iterator[DueItemSpec]:
    completions = sorted(set(subject.completions)) if len(subject.completions) > 1 else subject.completions
    common = (subject.organisation_id, rule.id, subject.key)
    done = [
        next((c for c in completions if period_start <= c < period_end), None)
        for _d, period_start, period_end in periods
    ]
    # Only the latest period already due can be owed: an earlier missed one is superseded by its successor,
    # and nothing is owed once a later period has been done.
    last_past = max((i for i, (due, _s, _e) in enumerate(periods) if due < today), default=None)
    owed = None
    if last_past is not None and all(d is None for d in done[last_past:]):
        owed = last_past
    current_seen = False
    for index, (due, _period_start, _period_end) in enumerate(periods):
        done_on = done[index]
        if not in_window(due, done_on, start, end):
            continue
        if done_on is not None:
            yield DueItemSpec(*common, due, State.DONE, subject.document_id, None, done_on)
            continue
        if due < today and index != owed:
            continue
        projected = current_seen
        current_seen = True
        yield DueItemSpec(
            *common,
            due,
            open_state(due, today, rule.lead_days),
            subject.document_id,
            None,
            None,
            projected,
            _escalated(rule, due, today) and not projected,
        )


# --- document state (status survey) ----------------------------------------------------------------------


def document_state(*, status: str | None, overdue: bool, stale: bool = False) -> str:
    """The survey's verdict on one required document type for one municipality.

    `status`: the best status among the type's documents (adopted, then outdated, then draft; None when there
    is none); `overdue`: a revision the rules make due for the type is past its due date; `stale`: a
    document in force has a decided next revision date that has passed.
    """
    if status is None or status == "withdrawn":
        return DocumentState.MISSING
    if status == "draft":
        return DocumentState.DRAFT
    if status == "outdated" or overdue or stale:
        return DocumentState.OUTDATED
    return DocumentState.CURRENT
