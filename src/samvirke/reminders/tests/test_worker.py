"""The real background worker (django-tasks-db's `db_worker`) runs the queued reminder pass.

Transactional (no demo): the worker closes and reopens database connections between tasks as in
production, which a test wrapped in a transaction cannot allow on PostgreSQL's connection pool.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from samvirke.organisations.models import Membership, Organisation, Region
from samvirke.plans.models import DueItem, Rule, RuleSet
from samvirke.reminders.models import Reminder


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_queued_pass(smtp_server):
    from django_tasks_db.models import DBTaskResult

    from samvirke.reminders.tasks import reminder_pass

    region = Region.objects.create(name="Worker region", slug="worker-region")
    town = Organisation.objects.create(region=region, kind="municipality", name="Worker kommune")
    advisor = get_user_model().objects.create_user(
        "worker-advisor", email="worker-advisor@example.invalid", language="nb"
    )
    Membership.objects.create(user=advisor, organisation=town, role="preparedness_advisor")
    rule_set = RuleSet.objects.create(code="worker", name="Worker rules", country="both")
    rule = Rule.objects.create(
        rule_set=rule_set, code="train", title="Train the crisis team", activity="training",
        cadence="months", months=12, reminder_offsets=[7, 0],
    )  # fmt: skip
    DueItem.objects.create(
        organisation=town, rule=rule, subject="org", state="due",
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )  # fmt: skip

    queued = [reminder_pass.enqueue(derive=False), reminder_pass.enqueue(derive=False)]  # queued twice
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)

    rows = {str(r.id): r for r in DBTaskResult.objects.all()}
    assert [rows[str(q.id)].status for q in queued] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert sorted(rows[str(q.id)].return_value["sent"] for q in queued) == [0, 1]
    assert [m["to"] for m in smtp_server.messages] == [["worker-advisor@example.invalid"]]
    assert "Train the crisis team" in smtp_server.messages[0]["message"]["Subject"]
    assert Reminder.objects.get().state == Reminder.State.SENT
