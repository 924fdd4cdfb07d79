"""The pure agreement rules: renewal date, state on a day, impossible periods. No database."""

import datetime

import pytest
from django.utils import translation

from samvirke.agreements import domain

D = datetime.date
TODAY = D(2026, 5, 15)


def test_renewal_date_is_the_end_minus_the_notice_period():
    assert domain.renewal_date(D(2026, 12, 31), 3) == D(2026, 9, 30)
    assert domain.renewal_date(D(2026, 5, 31), 3) == D(2026, 2, 28)  # no 31 February
    assert domain.renewal_date(D(2026, 12, 31), 0) == D(2026, 12, 31)
    assert domain.renewal_date(None, 3) is None


@pytest.mark.parametrize(
    ("status", "valid_to", "notice", "expected"),
    [
        ("draft", D(2026, 6, 1), 3, "draft"),
        ("expired", D(2030, 1, 1), 3, "expired"),  # ended early by the owner
        ("active", None, 12, "active"),  # no end date: never expiring
        ("active", D(2026, 5, 14), 0, "expired"),  # yesterday
        ("active", D(2026, 5, 15), 0, "expiring"),  # ends today
        ("active", D(2026, 8, 13), 0, "expiring"),  # 90 days away
        ("active", D(2026, 8, 14), 0, "active"),  # 91 days away
        ("active", D(2026, 11, 13), 3, "expiring"),  # renewal 13 August: 90 days away
        ("active", D(2026, 11, 14), 3, "active"),  # renewal 14 August: 91 days away
        ("active", D(2026, 6, 30), 6, "expiring"),  # renewal passed, still running
    ],
)
def test_state(status, valid_to, notice, expected):
    renewal = domain.renewal_date(valid_to, notice)
    assert (
        domain.agreement_state(status=status, valid_to=valid_to, renewal_due=renewal, today=TODAY) == expected
    )


def codes(**kwargs):
    values = {"status": "active", "valid_from": D(2025, 1, 1), "valid_to": D(2027, 1, 1), "notice_months": 3}
    values.update(kwargs)
    return [p.code for p in domain.check_period(**values)]


def test_possible_periods_pass():
    assert codes() == []
    assert codes(valid_to=None) == []
    assert codes(status="draft", valid_from=None, valid_to=None) == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"status": "expiring"}, "status_not_stored"),
        ({"valid_from": None}, "valid_from_missing"),
        ({"valid_to": D(2024, 1, 1)}, "ends_before_start"),
        ({"notice_months": -1}, "notice_negative"),
        ({"notice_months": 121}, "notice_too_long"),
        ({"notice_months": 25}, "notice_longer_than_agreement"),
    ],
)
def test_impossible_periods_are_refused(kwargs, code):
    assert code in codes(**kwargs)


def test_reasons_are_translated():
    [problem] = domain.check_period(
        status="active", valid_from=D(2025, 1, 1), valid_to=D(2025, 6, 1), notice_months=12
    )
    with translation.override("en"):
        english = str(problem.message) % problem.params
    with translation.override("nb"):
        bokmal = str(problem.message) % problem.params
    with translation.override("sv"):
        swedish = str(problem.message) % problem.params
    assert "12 months is longer than the agreement" in english
    assert bokmal != english and swedish != english and "12" in bokmal


def test_cross_border():
    assert domain.is_cross_border("NO", ["NO", "SE"])
    assert not domain.is_cross_border("NO", ["NO", "NO", ""])
