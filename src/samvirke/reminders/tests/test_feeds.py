"""Calendar feeds: made from a verified session, shown once, read without sign-in by the secret address,
limited to what the maker may see, valid iCalendar (three independent parsers and a calendar client)."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess

import icalendar
import ics
import pytest
import vobject
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import sign_in
from samvirke.agreements.models import Agreement
from samvirke.core.access import AccessLevel
from samvirke.core.models import AccessLogEntry
from samvirke.organisations.models import Membership
from samvirke.plans.models import GoverningDocument
from samvirke.reminders.models import FEED_TOKEN_PREFIX, CalendarFeed

RANA_GREEN = "Helhetlig ROS Rana kommune 2024"
RANA_CLEAR = "Overordnet beredskapsplan for Rana kommune"
RANA_STRICT = "Kontinuitetsplan ved høyt personellfravær"  # TLP:AMBER+STRICT
HEMNES_AMBER = "Tiltakskort for Røssåga-vassdraget"  # TLP:AMBER, shared with Rana


def make_feed(client, name="Min kalender", scope="personal") -> str:
    """Make a feed through the page; return its address as shown (once)."""
    response = client.post("/reminders/feeds/new/", {"name": name, "scope": scope})
    assert response.status_code == 200, response.status_code
    found = re.search(r'value="(https?://[^"]+\.ics)"', response.content.decode())
    assert found, "the address is not shown"
    return found.group(1).replace("http://testserver", "")


def fetch(path) -> str:
    response = Client().get(path)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content.decode()


def events(body: str) -> dict[str, icalendar.Event]:
    """The deadlines (due items) of a feed, by summary."""
    return {
        str(e["SUMMARY"]): e
        for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
        if str(e["UID"]).startswith("due-")
    }


def renewals(body: str) -> dict[str, icalendar.Event]:
    """The agreements' renewal dates of a feed, by summary."""
    return {
        str(e["SUMMARY"]): e
        for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
        if str(e["UID"]).startswith("agreement-renewal-")
    }


@pytest.fixture
def items(plan):
    """Deadlines of Rana (at every level the register has), Hemnes, and Rana's own obligation."""
    plan.item("1833", days=10, document=RANA_GREEN)
    plan.item("1833", days=20, document=RANA_CLEAR)
    plan.item("1833", days=-3, document=RANA_STRICT)  # overdue
    plan.item("1833", days=40, subject="org")
    plan.item("1832", days=5, document=HEMNES_AMBER)
    # Rana's agreements (one TLP:GREEN, one TLP:AMBER in the demo) in force, to renew in 100 days.
    agreements = Agreement.objects.filter(owner=plan.orgs["1833"])
    agreements.update(
        status="active",
        valid_to=plan.today + datetime.timedelta(days=400),
        renewal_due_on=plan.today + datetime.timedelta(days=100),
    )
    plan.agreements = {a.access_level: a.title for a in agreements}
    assert set(plan.agreements) == {AccessLevel.GREEN, AccessLevel.AMBER}
    return plan


def test_a_personal_feed_shows_what_its_maker_may_see(items, signed_in):
    path = make_feed(signed_in("demo-rana"))
    body = fetch(path)
    summaries = " | ".join(events(body))
    assert RANA_GREEN in summaries and RANA_CLEAR in summaries and RANA_STRICT in summaries
    assert next(s for s in events(body) if RANA_STRICT in s).startswith("Forfalt: ")  # bokmål, overdue
    # Hemnes' AMBER plan is shared with Rana, but it is not one of Rana's own organisations' deadlines.
    assert HEMNES_AMBER not in summaries
    assert len(events(body)) == 4
    # Rana's agreements to renew, both levels (she is a member of the owner), with their renewal date.
    renewal = renewals(body)
    assert len(renewal) == 2
    assert all(any(title in summary for summary in renewal) for title in items.agreements.values())
    assert {e.decoded("DTSTART") for e in renewal.values()} == {items.today + datetime.timedelta(days=100)}
    assert all("/agreements/" in str(e["URL"]) for e in renewal.values())
    # The AMBER+STRICT title read through the feed is in the read log.
    strict = GoverningDocument.objects.get(title=RANA_STRICT)
    assert AccessLogEntry.objects.filter(
        object_id=strict.pk, via="feed", user=items.users["demo-rana"]
    ).exists()


def test_a_deadline_still_owed_stays_in_the_feed_however_old(items, signed_in):
    """Found in a walk: an HROS overdue since 2023 was missing, while its next date made the duty look on
    track. Owed deadlines from before the window stay; done and projected ones from then do not."""
    from samvirke.plans.models import DueItem

    owed = items.item("1833", days=-900, subject="org-owed")
    done = items.item("1833", days=-800, subject="org-done")
    DueItem.objects.filter(pk=done.pk).update(done_on=items.today - datetime.timedelta(days=700))
    projected = items.item("1833", days=-700, subject="org-projected")
    DueItem.objects.filter(pk=projected.pk).update(projected=True)
    body = fetch(make_feed(signed_in("demo-rana")))
    dates = {e.decoded("DTSTART") for e in events(body).values()}
    assert owed.due_date in dates
    assert done.due_date not in dates and projected.due_date not in dates
    assert len(events(body)) == 5  # the four of the fixture and the owed one


def test_the_feed_is_valid_icalendar(items, signed_in):
    body = fetch(make_feed(signed_in("demo-rana")))
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and str(calendar["PRODID"]).startswith("-//Samvirke//")
    assert not calendar.errors
    for event in calendar.walk("VEVENT"):
        assert not event.errors, event.errors
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "URL"):
            assert prop in event, prop
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is datetime.date and end == start + datetime.timedelta(days=1)  # all-day
        assert event.decoded("DTSTAMP").tzinfo is not None
        assert str(event["URL"]).startswith(("http://testserver/plans/", "http://testserver/agreements/"))
    # The strict parser enforces RFC 5545 cardinality (one DTSTAMP and UID per VEVENT, VERSION, PRODID).
    parsed = vobject.readOne(body, validate=True)
    assert len(parsed.vevent_list) == 6  # four deadlines and two agreements to renew
    # A third, independent parser.
    assert len(ics.Calendar(body).events) == 6
    assert "\r\n" in body  # RFC 5545 line endings
    assert "X-PUBLISHED-TTL:PT6H\r\n" in body and "REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in body


def test_uids_are_stable_between_fetches(items, signed_in):
    path = make_feed(signed_in("demo-rana"))
    first = {str(e["UID"]) for e in icalendar.Calendar.from_ical(fetch(path)).walk("VEVENT")}
    second = {str(e["UID"]) for e in icalendar.Calendar.from_ical(fetch(path)).walk("VEVENT")}
    assert first == second and len(first) == 6


def test_the_feed_imports_into_a_calendar_client(items, signed_in, tmp_path):
    """calcurse (Debian) imports the feed with its own parser and lists the deadlines on their days.
    Skipped without calcurse outside CI; in CI (CI set) a missing calcurse fails."""
    calcurse = shutil.which("calcurse")
    if calcurse is None:
        if os.environ.get("CI"):
            pytest.fail("calcurse is not installed in CI: .ci/run installs it")
        pytest.skip("calcurse is not installed (apt-get install calcurse)")
    body = fetch(make_feed(signed_in("demo-rana")))
    feed = tmp_path / "samvirke.ics"
    feed.write_text(body, encoding="utf-8")
    data = tmp_path / "calcurse"
    data.mkdir()
    run = {"capture_output": True, "text": True, "timeout": 60, "env": {**os.environ, "HOME": str(tmp_path)}}
    imported = subprocess.run([calcurse, "-D", str(data), "-i", str(feed)], **run)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    report = re.search(r"(\d+) apps / (\d+) events? / (\d+) todos / (\d+) skipped", imported.stdout)
    assert report, imported.stdout
    assert report.groups() == ("0", "6", "0", "0"), imported.stdout  # six all-day events, none skipped
    start = (items.today - datetime.timedelta(days=5)).strftime("%m/%d/%Y")
    listing = subprocess.run(
        [calcurse, "-D", str(data), "-Q", "--filter-type", "event", "--from", start, "--days", "60"], **run
    )
    assert listing.returncode == 0, listing.stderr
    # "MM/DD/YY:" then " * title" lines: every deadline on its own day.
    days, day = {}, None
    for line in listing.stdout.splitlines():
        if re.fullmatch(r"\d\d/\d\d/\d\d:", line):
            day = datetime.datetime.strptime(line[:-1], "%m/%d/%y").date()
        elif line.startswith(" * "):
            days.setdefault(day, []).append(line[3:])
    for title, offset in ((RANA_GREEN, 10), (RANA_CLEAR, 20), (RANA_STRICT, -3)):
        on_day = days.get(items.today + datetime.timedelta(days=offset), [])
        assert any(title in summary for summary in on_day), (title, listing.stdout)


def test_an_organisation_feed_shows_clear_and_green_only(items, signed_in):
    path = make_feed(signed_in("demo-rana"), name="Kriseledelsen", scope=str(items.orgs["1833"].pk))
    summaries = " | ".join(events(fetch(path)))
    assert RANA_GREEN in summaries and RANA_CLEAR in summaries
    assert RANA_STRICT not in summaries  # AMBER+STRICT: never in an organisation feed
    assert HEMNES_AMBER not in summaries
    assert len(events(fetch(path))) == 3  # the organisation's own obligation too
    # Agreements likewise: the GREEN one only.
    renewal = " | ".join(renewals(fetch(path)))
    assert items.agreements[AccessLevel.GREEN] in renewal
    assert items.agreements[AccessLevel.AMBER] not in renewal


def test_revoked_wrong_and_orphaned_addresses_are_404(items, signed_in):
    client = signed_in("demo-rana")
    path = make_feed(client)
    assert Client().get(path).status_code == 200
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    # Wrong tokens: one character off, a bare prefix, another shape entirely.
    assert Client().get(path[:-5] + ("A" if path[-5] != "A" else "B") + ".ics").status_code == 404
    assert Client().get(f"/reminders/feeds/{FEED_TOKEN_PREFIX}.ics").status_code == 404
    assert Client().get("/reminders/feeds/not-a-token.ics").status_code == 404
    # Only the hash is stored.
    feed = CalendarFeed.objects.get()
    assert token not in (feed.token_hash, feed.lookup, feed.name)
    # Revoked through the page: 404 at once.
    response = client.post(f"/reminders/feeds/{feed.pk}/revoke/")
    assert response.status_code == 302
    assert Client().get(path).status_code == 404
    # An organisation feed stops when its maker leaves the organisation.
    org_path = make_feed(client, scope=str(items.orgs["1833"].pk))
    assert Client().get(org_path).status_code == 200
    Membership.objects.filter(user=items.users["demo-rana"], organisation=items.orgs["1833"]).update(
        active=False
    )
    assert Client().get(org_path).status_code == 404


def test_a_personal_feed_follows_the_makers_access_now(items, signed_in):
    path = make_feed(signed_in("demo-rana"))
    assert RANA_STRICT in " | ".join(events(fetch(path)))
    Membership.objects.filter(user=items.users["demo-rana"], organisation=items.orgs["1833"]).update(
        active=False
    )
    body = fetch(path)
    assert RANA_STRICT not in body and RANA_GREEN not in body


def test_only_the_maker_or_the_organisations_editors_may_revoke(items, signed_in):
    reader = signed_in("demo-rana-reader")
    make_feed(reader, name="Lesers kalender", scope=str(items.orgs["1833"].pk))
    feed = CalendarFeed.objects.get(name="Lesers kalender")
    # Another municipality's advisor: the feed is not theirs to see or revoke.
    hemnes = signed_in("demo-hemnes")
    assert hemnes.post(f"/reminders/feeds/{feed.pk}/revoke/").status_code == 404
    assert "Lesers kalender" not in hemnes.get("/reminders/").content.decode()
    feed.refresh_from_db()
    assert feed.revoked_at is None
    # Rana's preparedness advisor (an editor there) sees it and may revoke it.
    rana = signed_in("demo-rana")
    assert "Lesers kalender" in rana.get("/reminders/").content.decode()
    assert rana.post(f"/reminders/feeds/{feed.pk}/revoke/").status_code == 302
    feed.refresh_from_db()
    assert feed.revoked_at is not None


def test_an_organisation_outside_ones_memberships_cannot_be_chosen(items, signed_in):
    client = signed_in("demo-rana")
    response = client.post("/reminders/feeds/new/", {"name": "Hemnes", "scope": str(items.orgs["1832"].pk)})
    assert response.status_code == 200
    assert not CalendarFeed.objects.exists()
    assert 'aria-invalid="true"' in response.content.decode()
    # An empty name is refused with the reason, and the choice is kept.
    response = client.post("/reminders/feeds/new/", {"name": "", "scope": str(items.orgs["1833"].pk)})
    assert not CalendarFeed.objects.exists()
    assert f'value="{items.orgs["1833"].pk}" selected' in response.content.decode()


def test_an_unverified_session_cannot_make_an_address(demo):
    client = sign_in(Client(), "demo-visitor", verify=False)
    response = client.post("/reminders/feeds/new/", {"name": "x", "scope": "personal"})
    assert response.status_code == 302 and "/accounts/mfa/" in response["Location"]
    assert not CalendarFeed.objects.exists()


def test_feed_queries_do_not_grow_with_the_deadlines(plan, signed_in):
    path = make_feed(signed_in("demo-rana"))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            fetch(path)
        return len(ctx)

    plan.item("1833", days=3, document=RANA_GREEN)
    plan.item("1833", days=4, document=RANA_STRICT)
    count()  # the first fetch also notes when the feed was last used
    few = count()
    for days in range(5, 25):
        plan.item("1833", days=days, subject=f"type:test-{days}")
        plan.item("1833", days=days, document=RANA_CLEAR)
    assert count() == few


def test_feed_page_queries_do_not_grow_with_the_feeds(plan, signed_in):
    client = signed_in("demo-rana")
    rana = str(plan.orgs["1833"].pk)
    make_feed(client, name="First")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/reminders/")
        assert response.status_code == 200
        return len(ctx)

    few = count()
    for number in range(15):
        make_feed(client, name=f"Feed {number}", scope="personal" if number % 2 else rana)
    assert count() == few
