"""The reminder pass against a real SMTP server (aiosmtpd on loopback): who gets what, exactly once."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.test import override_settings

from conftest import free_port
from samvirke.core.models import AccessLogEntry
from samvirke.organisations.models import Membership
from samvirke.plans.models import GoverningDocument
from samvirke.reminders import domain, sending
from samvirke.reminders.models import Reminder

from .conftest import address, recipients, text

COORDINATOR = address("demo-coordinator")


def test_before_due_and_escalation_reach_the_right_people(plan, smtp_server):
    # Rana's GREEN HROS names demo-rana as responsible: a month before, she is reminded.
    plan.item("1833", days=30, document="Helhetlig ROS Rana kommune 2024")
    # Hemnes' own obligation (no document): on the day, Hemnes' editors (its preparedness advisor).
    plan.item("1832", days=0)
    # Hattfjelldal's GREEN plan is 20 days overdue (escalation after 14): the region's coordinator.
    plan.item("1826", days=-20, document="Overordnet beredskapsplan Hattfjelldal")
    # Lurøy's own obligation due in a week: all of Lurøy's editors (advisor, administrator, coordinator).
    plan.item("1834", days=7)

    result = sending.send_reminders(today=plan.today)

    got = recipients(smtp_server)
    assert set(got) == {
        address("demo-rana"),
        address("demo-hemnes"),
        COORDINATOR,
        address("demo-luroy"),
        address("demo-admin"),
    }
    assert result.sent == 6 and result.failed == 0
    rana = text(got[address("demo-rana")][0])
    assert "Helhetlig ROS Rana kommune 2024" in rana and "Revise the plan" in rana
    assert "30" in got[address("demo-rana")][0]["Subject"]
    hemnes = text(got[address("demo-hemnes")][0])
    assert "Hemnes" in hemnes and "Hattfjelldal" not in hemnes
    # The coordinator gets one digest: the escalation and Lurøy's coming deadline, the overdue one first.
    assert len(got[COORDINATOR]) == 1
    digest = text(got[COORDINATOR][0])
    assert digest.index("Overordnet beredskapsplan Hattfjelldal") < digest.index("Lurøy kommune:")
    assert "/plans/documents/" in digest  # a link to the document
    # Only the coordinator hears of the escalation.
    assert "Overordnet beredskapsplan Hattfjelldal" not in text(got[address("demo-luroy")][0])
    message = got[COORDINATOR][0]
    assert message["Auto-Submitted"] == "auto-generated"
    assert set(Reminder.objects.values_list("state", flat=True)) == {Reminder.State.SENT}
    assert set(Reminder.objects.values_list("kind", flat=True)) == {
        "before-30",
        "due",
        "before-7",
        "escalation",
    }


def test_a_second_pass_sends_nothing(plan, smtp_server):
    plan.item("1833", days=7, document="Helhetlig ROS Rana kommune 2024")
    plan.item("1826", days=-15, document="Overordnet beredskapsplan Hattfjelldal")
    first = sending.send_reminders(today=plan.today)
    assert first.sent == 2 and len(smtp_server.messages) == 2

    second = sending.send_reminders(today=plan.today)
    assert second.sent == 0 and second.messages == 0 and second.already == 2
    assert len(smtp_server.messages) == 2
    assert Reminder.objects.count() == 2

    # The next day, the escalation is still current but already sent; nothing new either.
    third = sending.send_reminders(today=plan.today + datetime.timedelta(days=1))
    assert third.sent == 0 and len(smtp_server.messages) == 2


def test_the_next_reminder_is_sent_when_its_day_comes(plan, smtp_server):
    plan.item("1833", days=30, document="Helhetlig ROS Rana kommune 2024")
    for offset in range(0, 31):  # a pass every day for a month
        sending.send_reminders(today=plan.today + datetime.timedelta(days=offset))
    subjects = [m["message"]["Subject"] for m in smtp_server.messages]
    assert len(subjects) == 3, subjects  # 30 days before, 7 days before, on the day
    assert sorted(Reminder.objects.values_list("kind", flat=True)) == ["before-30", "before-7", "due"]


def test_a_crash_after_the_claim_sends_exactly_once_after_a_restart(plan, smtp_server):
    item = plan.item("1833", days=0, document="Helhetlig ROS Rana kommune 2024")
    rana = plan.users["demo-rana"]
    now = datetime.datetime.now(datetime.UTC)
    # A worker claims the reminder and dies before sending: the claim is committed, nothing was sent.
    claimed = sending._claim(rana, [sending.Wanted(item, domain.DUE)], now)
    assert list(claimed) == [(item.pk, domain.DUE)]
    assert Reminder.objects.get().state == Reminder.State.SENDING

    # A restart at once: the claim may belong to a worker still sending, so it is left alone.
    restarted = sending.send_reminders(today=plan.today, now=now + datetime.timedelta(minutes=1))
    assert restarted.sent == 0 and smtp_server.messages == []

    # After the timeout the claim is taken over and the reminder sent, once.
    later = now + domain.CLAIM_TIMEOUT + datetime.timedelta(minutes=1)
    assert sending.send_reminders(today=plan.today, now=later).sent == 1
    assert sending.send_reminders(today=plan.today, now=later + datetime.timedelta(minutes=30)).sent == 0
    assert [m["to"] for m in smtp_server.messages] == [[address("demo-rana")]]
    reminder = Reminder.objects.get()
    assert reminder.state == Reminder.State.SENT and reminder.attempts == 2


def test_a_refused_mail_is_retried_once_the_server_answers(plan, smtp_server):
    plan.item("1832", days=0)
    with override_settings(EMAIL_PORT=free_port()):  # nothing listens there
        down = sending.send_reminders(today=plan.today)
    assert down.failed == 1 and down.sent == 0
    failed = Reminder.objects.get()
    assert failed.state == Reminder.State.FAILED and failed.last_error
    assert smtp_server.messages == []

    up = sending.send_reminders(today=plan.today)
    assert up.sent == 1
    assert [m["to"] for m in smtp_server.messages] == [[address("demo-hemnes")]]
    assert Reminder.objects.get().state == Reminder.State.SENT
    assert sending.send_reminders(today=plan.today).sent == 0


def test_a_recipient_who_may_not_read_the_document_is_not_sent_its_title(plan, smtp_server):
    title = "Tiltakskort for Røssåga-vassdraget"  # Hemnes, TLP:AMBER shared with Rana only
    plan.item("1832", days=-20, document=title)  # escalates to the coordinator (Lurøy)
    plan.item("1832", days=0, subject="org")  # and Hemnes' own obligation, due today

    result = sending.send_reminders(today=plan.today)

    assert result.not_visible == 1
    got = recipients(smtp_server)
    assert set(got) == {address("demo-hemnes")}
    for message in smtp_server.messages:
        assert title not in text(message["message"]) or message["to"] == [address("demo-hemnes")]
    assert not Reminder.objects.filter(recipient=plan.users["demo-coordinator"]).exists()

    # Once the document is shared with Lurøy, the coordinator may read it, and the next pass tells them.
    document = GoverningDocument.objects.get(title=title)
    document.shared_with.add(plan.orgs["1834"])
    assert sending.send_reminders(today=plan.today).sent == 1
    assert title in text(recipients(smtp_server)[COORDINATOR][0])
    # The AMBER title sent by e-mail is in the read log, as the coordinator's read.
    assert AccessLogEntry.objects.filter(
        user=plan.users["demo-coordinator"], object_id=document.pk, via="email"
    ).exists()


def test_the_responsible_person_must_still_be_a_member(plan, smtp_server):
    plan.item("1833", days=0, document="Helhetlig ROS Rana kommune 2024")
    Membership.objects.filter(user=plan.users["demo-rana"], organisation=plan.orgs["1833"]).update(
        active=False
    )
    sending.send_reminders(today=plan.today)
    # Rana has no other editor: nobody is told, and certainly not the former member.
    assert smtp_server.messages == []
    Membership.objects.create(
        user=plan.users["demo-rana-reader"], organisation=plan.orgs["1833"], role="administrator"
    )
    sending.send_reminders(today=plan.today)
    assert [m["to"] for m in smtp_server.messages] == [[address("demo-rana-reader")]]


def test_mails_are_in_the_recipients_language(plan, smtp_server):
    plan.item("2421", days=0)  # Storuman: demo-storuman writes Swedish
    plan.item("1832", days=0)  # Hemnes: demo-hemnes, bokmål
    sending.send_reminders(today=plan.today)
    got = recipients(smtp_server)
    swedish, norwegian = got[address("demo-storuman")][0], got[address("demo-hemnes")][0]
    assert swedish["Content-Language"] == "sv" and norwegian["Content-Language"] == "nb"
    assert "Förfaller i dag" in swedish["Subject"]
    assert "Forfaller i dag" in norwegian["Subject"]
    assert "Hej" in text(swedish) and "Hei" in text(norwegian)


@pytest.mark.parametrize("command", ["run_reminders"])
def test_the_command_derives_then_sends_once(demo, smtp_server, command, capsys):
    """With the demo's real registers: the first pass sends, the second sends nothing."""
    call_command(command)
    first = len(smtp_server.messages)
    assert first > 0
    call_command(command)
    assert len(smtp_server.messages) == first
    assert "0 sent" in capsys.readouterr().out.splitlines()[-1]
    assert not Reminder.objects.exclude(state=Reminder.State.SENT).exists()
