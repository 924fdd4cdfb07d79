"""Fixtures of the reminder tests: the demo region with its due items replaced by a few known ones."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from samvirke.organisations.models import Organisation
from samvirke.plans.models import DueItem, GoverningDocument, Rule, RuleSet


@pytest.fixture
def plan(demo):
    """A rule reminding 30 and 7 days before and on the day, escalating 14 days overdue, and a maker of
    due items (the demo's own items are removed so only the test's ones are there)."""
    DueItem.objects.all().delete()
    rule_set = RuleSet.objects.create(code="test-reminders", name="Test rules", country="both")
    rule = Rule.objects.create(
        rule_set=rule_set,
        code="revise",
        title="Revise the plan",
        activity="revision",
        cadence="months",
        months=12,
        reminder_offsets=[30, 7, 0],
        escalate_after_days=14,
        legal_reference="forskrift § 6",
    )
    today = timezone.localdate()
    users = {u.username: u for u in get_user_model().objects.all()}
    orgs = {o.municipality_number: o for o in Organisation.objects.exclude(municipality_number="")}

    def item(number, *, days, document=None, subject=None, rule=rule):
        """An open due item of municipality `number`, due `days` from today (negative: overdue)."""
        if document is not None:
            document = GoverningDocument.objects.get(title=document)
        return DueItem.objects.create(
            organisation=orgs[number],
            rule=rule,
            subject=subject or (f"doc:{document.pk}" if document else "org"),
            document=document,
            due_date=today + datetime.timedelta(days=days),
            state="due",
        )

    return SimpleNamespace(rule=rule, today=today, users=users, orgs=orgs, item=item)


def recipients(inbox) -> dict[str, list]:
    """{address: [messages]} of what the SMTP server received."""
    found: dict[str, list] = {}
    for entry in inbox.messages:
        for address in entry["to"]:
            found.setdefault(address, []).append(entry["message"])
    return found


def address(username: str) -> str:
    return f"{username}@demo.samvirke.invalid"


def text(message) -> str:
    return message["Subject"] + "\n" + message.get_body(("plain",)).get_content()
