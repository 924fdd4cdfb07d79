"""The pure reminder rules: which reminder is current on which day."""

import datetime

from samvirke.reminders import domain

D = datetime.date
DUE = D(2027, 3, 31)


def kinds_on(day, offsets=(30, 7, 0), escalate=14):
    return [s.kind for s in domain.current_stages(DUE, day, offsets, escalate)]


def test_offsets_default_to_a_month_and_a_week():
    assert domain.offsets_for([]) == (30, 7)
    assert domain.offsets_for(None) == (30, 7)
    assert domain.offsets_for([7, 30, 0]) == (30, 7)
    assert domain.offsets_for([0]) == ()  # only on the due date
    assert domain.offsets_for([14, "x", -3, True]) == (14,)


def test_each_day_has_its_current_reminder():
    assert kinds_on(DUE - datetime.timedelta(days=31)) == []
    assert kinds_on(DUE - datetime.timedelta(days=30)) == ["before-30"]
    assert kinds_on(DUE - datetime.timedelta(days=8)) == ["before-30"]  # missed days catch up...
    assert kinds_on(DUE - datetime.timedelta(days=7)) == ["before-7"]  # ...until the next one is due
    assert kinds_on(DUE - datetime.timedelta(days=1)) == ["before-7"]
    assert kinds_on(DUE) == ["due"]
    assert kinds_on(DUE + datetime.timedelta(days=6)) == ["due"]
    assert kinds_on(DUE + datetime.timedelta(days=7)) == []  # a stale "due today" helps nobody
    assert kinds_on(DUE + datetime.timedelta(days=13)) == []
    assert kinds_on(DUE + datetime.timedelta(days=14)) == ["escalation"]
    assert kinds_on(DUE + datetime.timedelta(days=400)) == ["escalation"]  # however late: sent once


def test_an_early_escalation_overlaps_the_due_reminder():
    assert kinds_on(DUE + datetime.timedelta(days=1), escalate=0) == ["due", "escalation"]
    assert kinds_on(DUE, escalate=0) == ["due"]  # not overdue on the day itself


def test_rules_without_escalation_never_escalate():
    assert kinds_on(DUE + datetime.timedelta(days=100), escalate=None) == []


def test_the_escalation_day_matches_the_plans_rule():
    """reminders.domain.escalation_day is the first day plans.domain._escalated is true."""
    from samvirke.plans.domain import RuleSpec, _escalated

    for days in (0, 1, 14, 90):
        rule = RuleSpec(id=1, cadence="months", months=12, escalate_after_days=days)
        first = domain.escalation_day(DUE, days)
        assert _escalated(rule, DUE, first)
        assert not _escalated(rule, DUE, first - datetime.timedelta(days=1))


def test_kind_names_round_trip():
    assert domain.days_before(domain.before_kind(30)) == 30
    assert domain.days_before("due") is None
    assert domain.days_before("before-x") is None


def test_longest_lead():
    assert domain.longest_lead([[30, 7, 0], [90], []]) == 90
    assert domain.longest_lead([]) == 30
