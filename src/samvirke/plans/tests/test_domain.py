"""Pure planning rules: cadences, rule checks, due-item derivation. No database."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samvirke.plans import domain
from samvirke.plans.domain import Cadence, RuleSpec, State, Subject

D = datetime.date
TODAY = D(2026, 11, 26)
WINDOW = {"start": D(2025, 1, 1), "end": D(2031, 12, 31), "today": TODAY}
SE = {"SE": [2010, 2014, 2018, 2022, 2026], "NO": [2011, 2015, 2019, 2023, 2027]}

YEARLY = RuleSpec(
    1, Cadence.MONTHS, months=12, lead_days=30, escalate_after_days=30, effective_from=D(2011, 10, 7)
)
RSA = RuleSpec(2, Cadence.AFTER_ELECTION, due_month=10, due_day=31, lead_days=120, escalate_after_days=30,
               effective_from=D(2015, 1, 26))  # fmt: skip
MANDATE = RuleSpec(3, Cadence.PER_MANDATE, lead_days=180, effective_from=D(2011, 10, 7))
RULES = {r.id: r for r in (YEARLY, RSA, MANDATE)}


def derive(subjects, **window):
    return list(domain.derive(RULES, subjects, elections=SE, **{**WINDOW, **window}))


def items_of(items, state=None, projected=None):
    return [
        i
        for i in items
        if (state is None or i.state == state) and (projected is None or i.projected == projected)
    ]


# --- dates ---


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(D(2024, 1, 31), 1, D(2024, 2, 29)), (D(2023, 1, 31), 1, D(2023, 2, 28)),
     (D(2024, 11, 15), 2, D(2025, 1, 15)), (D(2024, 3, 1), -3, D(2023, 12, 1)),
     (D(2024, 2, 29), 12, D(2025, 2, 28))],
)  # fmt: skip
def test_add_months(day, months, expected):
    assert domain.add_months(day, months) == expected


def test_election_years_continue_every_four_years():
    assert domain.election_years([2022, 2018], 2035) == [2018, 2022, 2026, 2030, 2034]
    assert domain.election_years([], 2035) == []


# --- rule checks ---


OFFSETS = "reminder_offsets"


def codes(**kwargs):
    return {(p.field, p.code) for p in domain.check_rule(**kwargs)}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"cadence": "months", "months": 0}, ("months", "months_too_small")),
        ({"cadence": "months", "months": -6}, ("months", "months_too_small")),
        ({"cadence": "months", "months": 241}, ("months", "months_too_large")),
        ({"cadence": "months"}, ("months", "months_missing")),
        ({"cadence": "after_election", "due_month": 2, "due_day": 31}, ("due_day", "due_date_impossible")),
        ({"cadence": "after_election", "due_month": 2, "due_day": 29}, ("due_day", "due_date_impossible")),
        ({"cadence": "after_election", "due_month": 13, "due_day": 1}, ("due_day", "due_date_impossible")),
        ({"cadence": "after_election", "due_month": 4, "due_day": 31}, ("due_day", "due_date_impossible")),
        ({"cadence": "after_election"}, ("due_day", "due_date_missing")),
        ({"cadence": "months", "months": 1, "reminder_offsets": [30]}, (OFFSETS, "offset_beyond_cadence")),
        ({"cadence": "months", "months": 12, "reminder_offsets": [-1]}, (OFFSETS, "offset_negative")),
        ({"cadence": "months", "months": 12, "reminder_offsets": ["7"]}, (OFFSETS, "offset_negative")),
        ({"cadence": "months", "months": 12, "reminder_offsets": [7, 7]}, (OFFSETS, "offset_repeated")),
        ({"cadence": "per_mandate", "reminder_offsets": [1500]}, (OFFSETS, "offset_beyond_cadence")),
        ({"cadence": "months", "months": 12, "escalate_after_days": 400},
         ("escalate_after_days", "escalation_beyond_cadence")),
        ({"cadence": "yearly"}, ("cadence", "unknown_cadence")),
    ],
)  # fmt: skip
def test_impossible_cadences_are_rejected(kwargs, expected):
    assert expected in codes(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cadence": "months", "months": 12, "reminder_offsets": [60, 30, 7, 0], "escalate_after_days": 30},
        {"cadence": "months", "months": 240},
        {"cadence": "months", "months": 1, "reminder_offsets": [27, 0]},
        {"cadence": "after_election", "due_month": 10, "due_day": 31, "reminder_offsets": [120, 30, 0]},
        {"cadence": "after_election", "due_month": 2, "due_day": 28},
        {"cadence": "per_mandate", "reminder_offsets": [180]},
    ],
)
def test_possible_cadences_pass(kwargs):
    assert domain.check_rule(**kwargs) == []


# --- months cadence ---


def test_yearly_revision_is_due_a_year_after_the_last_one():
    items = derive([Subject(10, 1, "doc:5", "NO", 5, (D(2026, 3, 1),))])
    current = items_of(items, projected=False)
    assert [(i.due_date, i.state, i.anchor_date) for i in current] == [
        (D(2027, 3, 1), State.UPCOMING, D(2026, 3, 1))
    ]
    # Later occurrences are projected for planning, one a year to the end of the window.
    assert [i.due_date for i in items_of(items, projected=True)] == [D(y, 3, 1) for y in range(2028, 2032)]


def test_overdue_revision_is_one_item_not_one_per_missed_year():
    items = derive([Subject(10, 1, "doc:5", "NO", 5, (D(2022, 6, 15),))])
    open_now = [i for i in items if i.due_date < TODAY]
    assert [(i.due_date, i.state, i.escalated) for i in open_now] == [(D(2023, 6, 15), State.OVERDUE, True)]
    assert all(i.due_date >= TODAY for i in items_of(items, projected=True))


def test_due_within_the_lead_time():
    items = derive([Subject(10, 1, "doc:5", "NO", 5, (D(2025, 12, 10),))])
    assert items_of(items, projected=False)[0].state == State.DUE  # 14 days ahead, lead 30


def test_revision_turns_the_open_item_into_done():
    before = derive([Subject(10, 1, "doc:5", "NO", 5, (D(2025, 3, 1),))])
    owed = items_of(before, projected=False)[0]
    assert (owed.due_date, owed.state) == (D(2026, 3, 1), State.OVERDUE)
    after = derive([Subject(10, 1, "doc:5", "NO", 5, (D(2025, 3, 1), D(2026, 8, 20)))])
    done = [i for i in after if i.state == State.DONE]
    assert [(i.due_date, i.done_on) for i in done] == [(D(2026, 3, 1), D(2026, 8, 20))]
    assert items_of(after, state=State.OVERDUE) == []
    assert items_of(after, projected=False, state=State.UPCOMING)[0].due_date == D(2027, 8, 20)


def test_never_done_is_owed_from_the_rules_start():
    items = derive([Subject(10, 1, "type:plan", "NO")])
    owed = items_of(items, projected=False)
    assert [(i.due_date, i.state) for i in owed] == [(D(2011, 10, 7), State.OVERDUE)]


def test_nothing_is_due_before_the_rule_took_effect():
    items = derive([Subject(10, 1, "doc:5", "NO", 5, (D(2009, 1, 1),))])
    assert items_of(items, projected=False)[0].due_date == D(2011, 10, 7)


# --- elections ---


def test_swedish_rsa_is_due_31_october_the_year_after_the_election():
    items = derive([Subject(20, 2, "type:rsa", "SE")])
    # Never done: the 2022 period's RSA (due 31 October 2023) is overdue; the 2018 one is superseded.
    assert [(i.due_date, i.state, i.projected) for i in items] == [
        (D(2023, 10, 31), State.OVERDUE, False),
        (D(2027, 10, 31), State.UPCOMING, True),
        (D(2031, 10, 31), State.UPCOMING, True),
    ]


def test_rsa_done_late_still_counts_for_its_mandate_period():
    items = derive([Subject(20, 2, "doc:7", "SE", 7, (D(2024, 2, 20),))], start=D(2023, 1, 1))
    assert (D(2023, 10, 31), State.DONE, D(2024, 2, 20)) in [(i.due_date, i.state, i.done_on) for i in items]
    assert items_of(items, state=State.OVERDUE) == []
    assert items_of(items, projected=False, state=State.UPCOMING)[0].due_date == D(2027, 10, 31)


def test_rsa_is_due_in_the_lead_time_before_31_october():
    items = derive([Subject(20, 2, "doc:7", "SE", 7, (D(2023, 10, 26),))], today=D(2027, 8, 1))
    assert items_of(items, projected=False, state=State.DUE)[0].due_date == D(2027, 10, 31)


def test_per_mandate_is_due_before_the_next_period_starts():
    items = derive([Subject(20, 3, "doc:8", "SE", 8, (D(2019, 12, 9),))])
    owed = [i for i in items if i.state == State.OVERDUE]
    # 2022 period: 15 Oct 2022 – 14 Oct 2026; not done, so overdue since 14 October 2026.
    assert [i.due_date for i in owed] == [D(2026, 10, 14)]


def test_a_done_later_period_clears_an_earlier_miss():
    # Norway: HROS adopted in 2024 (the 2023 period) — the missed 2019 period is no longer owed.
    items = derive([Subject(30, 3, "doc:9", "NO", 9, (D(2024, 6, 20),))])
    assert items_of(items, state=State.OVERDUE) == []


def test_elections_beyond_the_data_continue():
    items = derive([Subject(20, 2, "doc:7", "SE", 7, (D(2023, 10, 26),))], end=D(2040, 12, 31))
    assert D(2035, 10, 31) in [i.due_date for i in items]


# --- properties ---

dates = st.dates(min_value=D(2005, 1, 1), max_value=D(2030, 12, 31))
subjects = st.builds(
    Subject,
    organisation_id=st.integers(1, 4),
    rule_id=st.sampled_from([1, 2, 3]),
    key=st.sampled_from(["doc:1", "doc:2", "type:x"]),
    country=st.sampled_from(["NO", "SE"]),
    document_id=st.none(),
    completions=st.lists(dates, max_size=4).map(tuple),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(subjects, max_size=6), dates, st.integers(0, 3000), st.integers(0, 3000))
def test_derivation_has_no_duplicates_and_is_stable(subject_list, today, before, after):
    # One subject per (organisation, rule, key), as the service builds them.
    unique = list({(s.organisation_id, s.rule_id, s.key): s for s in subject_list}.values())
    start, end = today - datetime.timedelta(days=before), today + datetime.timedelta(days=after)
    window = {"start": start, "end": end, "today": today}
    items = derive(unique, **window)
    keys = [i.key for i in items]
    assert len(keys) == len(set(keys)), "two items for the same organisation, rule, subject and due date"
    assert items == derive(unique, **window), "not deterministic"
    for item in items:
        assert item.due_date <= end
        assert domain.in_window(item.due_date, item.done_on, start, end)
        if item.state == State.OVERDUE:
            assert item.due_date < today and item.done_on is None
        if item.state == State.DONE:
            assert item.done_on is not None
        if item.state in (State.DUE, State.UPCOMING):
            assert item.due_date >= today
    # Per subject, at most one overdue item: missed occurrences are one debt.
    overdue = [(i.organisation_id, i.rule_id, i.subject) for i in items if i.state == State.OVERDUE]
    assert len(overdue) == len(set(overdue))


def materialise(rule_id, latest, previous, window):
    """What plans.due does for one document: the register's date plus the dates earlier items recorded."""
    recorded = {d for i in previous for d in (i.anchor_date, i.done_on) if d and d < latest}
    subject = Subject(1, rule_id, "doc:1", "SE" if rule_id == 2 else "NO", 1, (*sorted(recorded), latest))
    return derive([subject], **window)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([1, 2, 3]),
    st.dates(D(2012, 1, 1), D(2030, 12, 31)),
    st.integers(1, 2000),
    st.integers(0, 2500),
)
def test_materialising_again_changes_nothing_and_a_revision_answers_the_open_item(rule_id, first, gap, age):
    second = first + datetime.timedelta(days=gap)
    today = second + datetime.timedelta(days=age)
    window = {
        "start": today - datetime.timedelta(days=800),
        "end": today + datetime.timedelta(days=2000),
        "today": today,
    }
    before = materialise(rule_id, first, [], window)
    after = materialise(rule_id, second, before, window)
    assert materialise(rule_id, second, after, window) == after, "a second run must change nothing"
    if rule_id == 1:  # after the rules took effect, so the open item is in the window
        owed = [i for i in before if not i.projected and i.state != State.DONE]
        assert len(owed) == 1
        answered = [i for i in after if i.state == State.DONE and i.due_date == owed[0].due_date]
        if domain.in_window(owed[0].due_date, second, window["start"], window["end"]):
            assert answered and answered[0].done_on == second, "the revision did not close the open item"


# --- survey state ---


@pytest.mark.parametrize(
    ("status", "overdue", "stale", "expected"),
    [(None, False, False, "missing"), ("withdrawn", False, False, "missing"), ("draft", True, True, "draft"),
     ("adopted", False, False, "current"), ("adopted", True, False, "outdated"),
     ("outdated", False, False, "outdated"), ("adopted", False, True, "outdated")],
)  # fmt: skip
def test_document_state(status, overdue, stale, expected):
    assert domain.document_state(status=status, overdue=overdue, stale=stale) == expected
