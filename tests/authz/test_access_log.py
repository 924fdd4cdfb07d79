"""Read logging: every read of an AMBER, AMBER+STRICT or RED record writes an AccessLogEntry (who, what,
when, how); reads of CLEAR and GREEN records do not.
"""

import pytest
from django.contrib.contenttypes.models import ContentType

from samvirke.core.access import AccessLevel
from samvirke.core.models import AccessLogEntry
from samvirke.notices.models import Notice

from .conftest import CANARIES

# level -> a demo user who may read Rana's record at that level
READER = {
    "clear": "demo-hemnes",
    "green": "demo-hemnes",
    "amber": "demo-nesna",  # shared with Nesna
    "amber_strict": "demo-rana-reader",  # owner organisation
    "red": "demo-rana",  # named
}
LOGGED = {"amber", "amber_strict", "red"}


def entries_for(notice, **filters):
    return AccessLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Notice), object_id=notice.pk, **filters
    )


@pytest.mark.parametrize("level", list(READER))
def test_web_detail_read_is_logged_for_amber_and_red_only(world, signed_in, level):
    notice, username = world.notices[level], READER[level]
    client = signed_in(username)
    AccessLogEntry.objects.all().delete()
    response = client.get(f"/notices/{notice.pk}/")
    assert response.status_code == 200 and CANARIES[level] in response.content.decode()
    entries = list(entries_for(notice))
    if level in LOGGED:
        assert len(entries) == 1, f"{level} read on the web should write exactly one log entry"
        entry = entries[0]
        assert (entry.user_id, entry.access_level, entry.action, entry.via) == (
            world.users[username].pk,
            level,
            AccessLogEntry.Action.READ,
            "web",
        )
    else:
        assert entries == [], f"{level} read must not be logged"
    # Nothing else is logged for a CLEAR/GREEN page.
    if level not in LOGGED:
        assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("level", list(READER))
def test_api_detail_read_is_logged_for_amber_and_red_only(world, level):
    notice, username = world.notices[level], READER[level]
    client = world.api_client(username)
    AccessLogEntry.objects.all().delete()
    response = client.get(f"/api/v1/notices/{notice.pk}")
    assert response.status_code == 200 and response.json()["id"] == notice.pk
    entries = list(entries_for(notice))
    if level in LOGGED:
        assert [(e.user_id, e.access_level, e.action, e.via) for e in entries] == [
            (world.users[username].pk, level, AccessLogEntry.Action.READ, "api")
        ]
    else:
        assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("how", ["web", "api"])
def test_list_logs_the_amber_and_red_rows_shown(world, signed_in, how):
    username = "demo-rana"  # sees all five of Rana's records
    AccessLogEntry.objects.all().delete()
    if how == "web":
        response = signed_in(username).get("/notices/")
        shown = {n.pk for n in Notice.objects.all() if f'/notices/{n.pk}/"' in response.content.decode()}
    else:
        AccessLogEntry.objects.all().delete()
        response = world.api_client(username).get("/api/v1/notices")
        shown = {item["id"] for item in response.json()["items"]}
    assert response.status_code == 200
    ours = {k: n for k, n in world.notices.items() if k in READER}
    assert {n.pk for n in ours.values()} <= shown
    logged = set(
        AccessLogEntry.objects.filter(
            user=world.users[username], action=AccessLogEntry.Action.LIST, via=how
        ).values_list("object_id", flat=True)
    )
    for key, notice in ours.items():
        assert (notice.pk in logged) == (key in LOGGED), f"{key} in the {how} list"
    # Exactly the AMBER/AMBER+STRICT/RED rows shown, nothing else.
    expected = set(
        Notice.objects.filter(pk__in=shown, access_level__in=list(LOGGED)).values_list("pk", flat=True)
    )
    assert logged == expected


def test_list_of_clear_and_green_only_logs_nothing(world, signed_in):
    AccessLogEntry.objects.all().delete()
    assert world.api_client("other-region").get("/api/v1/notices").status_code == 200
    assert signed_in("authz-other-region").get("/notices/").status_code == 200
    assert not AccessLogEntry.objects.exists()


def test_history_read_is_logged(world, signed_in):
    notice = world.notices["amber_strict"]
    AccessLogEntry.objects.all().delete()
    assert signed_in("demo-rana-reader").get(f"/notices/{notice.pk}/history/").status_code == 200
    assert list(entries_for(notice).values_list("action", flat=True)) == [AccessLogEntry.Action.HISTORY]


def test_overview_logs_the_amber_and_red_titles_it_shows(world, signed_in):
    """The overview lists the latest notices' titles, like the notice list: that is a read to log."""
    client = signed_in("demo-rana")
    AccessLogEntry.objects.all().delete()
    response = client.get("/overview/")
    assert response.status_code == 200
    body = response.content.decode()
    shown_logged = [n for k, n in world.notices.items() if k in LOGGED and CANARIES[k] in body]
    assert shown_logged, "the overview shows no AMBER/RED notice; the test set-up is wrong"
    logged = set(entries_for_any(world.users["demo-rana"]))
    for notice in shown_logged:
        assert notice.pk in logged, f"{notice.access_level} notice on the overview was not logged"


def entries_for_any(user):
    return AccessLogEntry.objects.filter(user=user, action=AccessLogEntry.Action.LIST).values_list(
        "object_id", flat=True
    )


def test_refused_read_logs_nothing(world, signed_in):
    """A 404 for a record you may not read is not a read (and logs nothing under the record's id)."""
    AccessLogEntry.objects.all().delete()
    client = signed_in("demo-hemnes")
    for key in LOGGED:
        assert client.get(f"/notices/{world.notices[key].pk}/").status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_access_log_is_append_only(world):
    from samvirke.core.visibility import log_reads

    log_reads(world.actor("demo-rana"), [world.notices["red"]])
    entry = AccessLogEntry.objects.get()
    entry.action = AccessLogEntry.Action.EXPORT
    with pytest.raises(ValueError):
        entry.save()
    assert AccessLogEntry.objects.get().access_level == AccessLevel.RED


def test_api_update_is_logged_as_an_api_read(demo):
    """A PUT through the API reads the record through the chokepoint; the log says it came via the API."""
    import json

    from django.test import Client

    from samvirke.accounts.models import ApiToken
    from samvirke.core.models import AccessLogEntry
    from samvirke.notices.models import Notice

    notice = Notice.objects.get(title__startswith="Intern varslingsliste")  # Rana, AMBER+STRICT
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="demo-rana")
    _token, raw = ApiToken.issue(user=user, name="test")
    response = Client().put(
        f"/api/v1/notices/{notice.pk}",
        data=json.dumps({"version": notice.version, "title": "Oppdatert via API"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200, response.content
    entry = AccessLogEntry.objects.filter(object_id=notice.pk, user=user).latest("at")
    assert entry.via == "api"
