"""The pure rules of follow-up plans, without a database."""

import datetime

import pytest

from samvirke.followup import domain
from samvirke.followup.domain import Existing, Status, Wanted

D = datetime.date


def test_due_keys_round_trip():
    key = domain.due_key(7, "doc:12", D(2026, 10, 14))
    assert key == "due:7:doc:12:2026-10-14"
    assert domain.parse_due_key(key) == (7, "doc:12", D(2026, 10, 14))
    assert domain.parse_due_key(domain.due_key(3, "type:hros", D(2011, 10, 7))) == (
        3,
        "type:hros",
        D(2011, 10, 7),
    )
    assert domain.parse_due_key("std:annual-evaluation") is None
    assert domain.parse_due_key("due:x:org:2026-01-01") is None
    assert domain.parse_due_key("due:1:org:not-a-date") is None


def test_plan_window():
    today = D(2026, 5, 10)
    assert domain.plan_window(2026, today) == (D(2026, 1, 1), D(2026, 12, 31))
    assert domain.plan_window(None, today) == (today, today + datetime.timedelta(days=365))


@pytest.mark.parametrize(
    ("due", "done_on", "expected"),
    [
        (D(2026, 3, 1), None, True),  # due in the year
        (D(2026, 12, 31), D(2027, 1, 5), True),
        (D(2027, 1, 1), None, False),  # after the year
        (D(2024, 6, 1), None, True),  # owed from before and still open: carried over
        (D(2024, 6, 1), D(2026, 2, 1), True),  # owed from before, done in the year
        (D(2024, 6, 1), D(2025, 2, 1), False),  # owed from before, done before the year
    ],
)
def test_a_current_year_plan_takes_what_is_due_and_what_is_still_owed(due, done_on, expected):
    start, end = domain.plan_window(2026, D(2026, 5, 10))
    assert domain.takes_due_item(due, done_on, start=start, end=end, today=D(2026, 5, 10)) is expected


def test_a_future_plan_takes_nothing_owed_from_before():
    start, end = domain.plan_window(2027, D(2026, 5, 10))
    assert not domain.takes_due_item(D(2024, 6, 1), None, start=start, end=end, today=D(2026, 5, 10))
    assert domain.takes_due_item(D(2027, 6, 1), None, start=start, end=end, today=D(2026, 5, 10))


def test_overdue_only_while_open():
    today = D(2026, 5, 10)
    assert domain.is_overdue(D(2026, 5, 9), Status.PLANNED, today)
    assert domain.is_overdue(D(2026, 5, 9), Status.POSTPONED, today)
    assert domain.is_overdue(D(2026, 5, 9), Status.IN_PROGRESS, today)
    assert not domain.is_overdue(D(2026, 5, 10), Status.PLANNED, today)
    assert not domain.is_overdue(D(2026, 5, 9), Status.DONE, today)
    assert not domain.is_overdue(D(2026, 5, 9), Status.CANCELLED, today)


def test_next_occurrence_stays_in_the_plan_year():
    assert domain.next_occurrence(D(2026, 3, 31), 3, 2026) == D(2026, 6, 30)
    assert domain.next_occurrence(D(2026, 11, 15), 3, 2026) is None
    assert domain.next_occurrence(D(2026, 11, 15), 3, None) == D(2027, 2, 15)  # rolling
    assert domain.next_occurrence(D(2026, 3, 1), 0, 2026) is None


def test_standard_activities_per_country():
    norwegian = {a.key for a in domain.standard_activities(2026, "NO")}
    swedish = {a.key for a in domain.standard_activities(2026, "SE")}
    assert domain.ANNUAL_EVALUATION_KEY in norwegian and domain.ANNUAL_EVALUATION_KEY in swedish
    assert domain.MUNICIPAL_SURVEY_KEY in norwegian  # DSB's Kommuneundersøkelsen is Norwegian only
    assert domain.MUNICIPAL_SURVEY_KEY not in swedish
    assert all(a.planned_date.year == 2026 for a in domain.standard_activities(2026, "NO"))


def wanted(key="due:1:doc:5:2026-03-01", **fields):
    values = {"kind": "revision", "title": "Plan revidert", "planned_date": D(2026, 3, 1)}
    values.update(fields)
    return Wanted(key=key, **values)


def existing(pk, key="due:1:doc:5:2026-03-01", *, edited=False, status=Status.PLANNED, **fields):
    values = {"title": "Plan revidert", "planned_date": D(2026, 3, 1), "done_on": None}
    values.update(fields)
    return Existing(pk, key, edited, status, values["title"], values["planned_date"], values["done_on"])


def test_sync_creates_what_is_missing_once():
    sync = domain.sync_plan([], [wanted(), wanted(), wanted("std:annual-evaluation", kind="evaluation")])
    assert [w.key for w in sync.create] == ["due:1:doc:5:2026-03-01", "std:annual-evaluation"]
    assert sync.update == [] and sync.obsolete == []


def test_sync_is_idempotent():
    first = domain.sync_plan([], [wanted()])
    assert len(first.create) == 1
    assert domain.sync_plan([existing(1)], [wanted()]) == ([], [], [])


def test_an_unchanged_activity_follows_its_due_item():
    sync = domain.sync_plan([existing(1)], [wanted(done_on=D(2026, 2, 20), title="Plan revidert (ny)")])
    assert sync.update == [
        (1, {"title": "Plan revidert (ny)", "status": Status.DONE, "done_on": D(2026, 2, 20)})
    ]


def test_an_edited_activity_is_left_alone():
    mine = existing(1, edited=True, status=Status.POSTPONED, planned_date=D(2026, 6, 1), title="Mitt navn")
    assert domain.sync_plan([mine], [wanted(done_on=D(2026, 2, 20))]) == ([], [], [])
    # ... also when the rules no longer give its due item.
    assert domain.sync_plan([mine], []) == ([], [], [])


def test_an_unchanged_activity_the_rules_no_longer_give_is_cancelled_not_deleted():
    sync = domain.sync_plan([existing(1), existing(2, "std:council-report")], [])
    assert sync.obsolete == [1]  # standard activities are never obsolete
    done = existing(3, "due:1:doc:5:2025-03-01", status=Status.DONE, done_on=D(2025, 3, 1))
    assert domain.sync_plan([done], []).obsolete == []  # nothing to cancel once done


def test_a_cancelled_activity_wanted_again_is_planned_again():
    sync = domain.sync_plan([existing(1, status=Status.CANCELLED)], [wanted()])
    assert sync.update == [(1, {"status": Status.PLANNED})]


def test_raci_rules():
    assert domain.raci_gaps(["R", "C"]) == ["A"]
    assert domain.raci_gaps([]) == ["R", "A"]
    assert domain.raci_gaps(["A", "R", "I"]) == []
    assert "A" in domain.raci_problems({"A": ["user:1", "name:kommunedirektøren"]})
    assert domain.raci_problems({"A": ["user:1"], "R": ["user:1", "user:2"]}) == {}
    assert domain.party_key(None, None, "  Kommune-\ndirektøren ") == domain.party_key(
        None, None, "kommune- direktøren"
    )
    assert domain.party_key(5, None) == "user:5" and domain.party_key(None, 7) == "org:7"


def test_names_are_split_trimmed_and_not_repeated():
    assert domain.split_names(" kommunedirektøren ; Beredskapsrådet\nkommunedirektøren;; ") == [
        "kommunedirektøren",
        "Beredskapsrådet",
    ]
    assert domain.split_names("") == []
    assert domain.split_names(None) == []


def test_what_an_evaluation_needs_before_it_is_submitted():
    answers = {question: "yes" for question, _comment in domain.QUESTIONS}
    assert set(domain.missing_for_submit(answers)) == {"lessons_learned", "changes_planned"}
    answers.update(lessons_learned="Mye", changes_planned="  ")
    assert domain.missing_for_submit(answers) == ["changes_planned"]
    answers["changes_planned"] = "Nye tiltakskort"
    assert domain.missing_for_submit(answers) == []
    answers["training_current"] = "partly"
    assert domain.comment_required(answers) == ["training_comment"]
    answers["training_comment"] = "Nye i kriseledelsen mangler opplæring."
    assert domain.comment_required(answers) == []
