"""The emergency plan through HTTP on the demo region: who may read and edit what, lists, conflicts,
validation, history and restore."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from samvirke.core.access import AccessLevel, Role, actor_for_user
from samvirke.core.errors import PermissionDenied
from samvirke.core.models import AccessLogEntry
from samvirke.emergencyplan import selectors, services
from samvirke.emergencyplan.models import ActionCard, EmergencyPlan
from samvirke.emergencyplan.parts import BY_KEY, PARTS
from samvirke.organisations.models import Membership, Organisation
from samvirke.plans.domain import add_months
from samvirke.risk.models import AnalysedEvent


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def nesna(demo):
    return Organisation.objects.get(municipality_number="1828")


@pytest.fixture
def plan(nesna, actor_of):
    actor = actor_of("demo-nesna")
    return selectors.plan_of(actor, nesna) or services.plan_create(actor=actor, organisation_id=nesna.pk)


def fresh_alert_list(actor_of, plan):
    return selectors.get_part_for(actor_of("demo-nesna"), plan, PARTS[1])


def key_of(actor_of, plan, name):
    return next(e["key"] for e in fresh_alert_list(actor_of, plan).entries if e["name"] == name)


def row_of(body, key):
    """The table row of one entry on a list page."""
    start = body.index(f'id="entry-{key}"')
    return body[start : body.index("</tr>", start)]


def entry_post(version, **fields):
    data = {"version": version, "name": "Vakthavende Nesna legevakt", "phone": "+47 750 00 000"}
    data.update(fields)
    return data


# --- creating the plan -----------------------------------------------------------------------------------


def test_plan_is_created_with_every_part_at_its_usual_level(demo, actor_of):
    hemnes = Organisation.objects.get(municipality_number="1832")
    actor = actor_of("demo-hemnes")
    existing = selectors.plan_of(actor, hemnes)
    if existing is not None:  # the demo already has one: start from a clean organisation
        hemnes = Organisation.objects.create(
            region=hemnes.region,
            kind="municipality",
            name="Testvik kommune",
            country="NO",
            municipality_number="9990",
        )
        Membership.objects.create(
            user=_user("demo-hemnes"), organisation=hemnes, role=Role.PREPAREDNESS_ADVISOR
        )
        actor = actor_of("demo-hemnes")
    plan = services.plan_create(actor=actor, organisation_id=hemnes.pk)
    assert plan.access_level == AccessLevel.GREEN and "beredskapsplan" in plan.title.lower()
    parts = selectors.parts_of(actor, plan)
    assert all(parts[spec.key] is not None for spec in PARTS)
    assert parts["alert_list"].access_level == AccessLevel.AMBER
    assert parts["crisis_management"].access_level == AccessLevel.AMBER
    assert parts["alert_list"].exemption_basis == "offl. § 24 tredje ledd"
    assert parts["evacuation"].access_level == AccessLevel.GREEN
    # One plan per organisation.
    with translation.override("en"), pytest.raises(ValidationError, match="already has an emergency plan"):
        services.plan_create(actor=actor, organisation_id=hemnes.pk)


def _user(username):
    return get_user_model().objects.get(username=username)


def test_only_editors_create_a_plan(demo, signed_in, actor_of):
    rana = Organisation.objects.get(municipality_number="1833")
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=actor_of("demo-rana-reader"), organisation_id=rana.pk)
    reader = english(signed_in("demo-rana-reader"))
    before = EmergencyPlan.objects.visible_to(actor_of("demo-rana")).filter(owner=rana).count()
    assert reader.post(f"/emergency-plans/organisations/{rana.pk}/create/").status_code in (403, 302)
    assert EmergencyPlan.objects.visible_to(actor_of("demo-rana")).filter(owner=rana).count() == before


def test_organisation_page_offers_creation_to_editors_only(demo, signed_in):
    testvik = Organisation.objects.create(
        region=Organisation.objects.get(municipality_number="1828").region,
        kind="municipality",
        name="Testvik kommune",
        country="NO",
        municipality_number="9991",
    )
    Membership.objects.create(user=_user("demo-nesna"), organisation=testvik, role=Role.PREPAREDNESS_ADVISOR)
    editor = english(signed_in("demo-nesna"))
    body = editor.get(f"/emergency-plans/organisations/{testvik.pk}/").content.decode()
    assert "Create the emergency plan" in body
    other = english(signed_in("demo-hemnes"))
    body = other.get(f"/emergency-plans/organisations/{testvik.pk}/").content.decode()
    assert "Create the emergency plan" not in body and "no emergency plan" in body
    response = editor.post(f"/emergency-plans/organisations/{testvik.pk}/create/")
    assert response.status_code == 302
    plan = EmergencyPlan.objects.visible_to(actor_for_user(_user("demo-nesna"), verified=True)).get(
        owner=testvik
    )
    assert response["Location"] == f"/emergency-plans/{plan.pk}/"
    # The organisation page now leads to the plan.
    assert (
        editor.get(f"/emergency-plans/organisations/{testvik.pk}/")["Location"]
        == f"/emergency-plans/{plan.pk}/"
    )


# --- reading ---------------------------------------------------------------------------------------------


def test_outsider_sees_the_green_plan_but_not_its_amber_alert_list(plan, signed_in, actor_of):
    services.entry_save(
        actor=actor_of("demo-nesna"),
        plan_id=plan.pk,
        part_key="alert_list",
        key=None,
        expected_version=fresh_alert_list(actor_of, plan).version,
        values={"name": "Ordfører Testesen", "phone": "+47 911 22 333"},
    )
    outsider = english(signed_in("demo-hemnes"))
    body = outsider.get(f"/emergency-plans/{plan.pk}/").content.decode()
    assert plan.title in body and "Not shared with you" in body
    assert "911 22 333" not in body
    assert outsider.get(f"/emergency-plans/{plan.pk}/alert-list/").status_code == 404
    assert outsider.get(f"/emergency-plans/{plan.pk}/alert-list/history/").status_code == 404
    assert outsider.get(f"/emergency-plans/{plan.pk}/crisis-management/").status_code == 404
    assert outsider.get(f"/emergency-plans/{plan.pk}/evacuation/").status_code == 200
    # The owner's members read it, and the read of the AMBER list is logged.
    member = signed_in("demo-nesna")
    before = AccessLogEntry.objects.filter(object_id=fresh_alert_list(actor_of, plan).pk).count()
    body = member.get(f"/emergency-plans/{plan.pk}/alert-list/").content.decode()
    assert "911 22 333" in body
    assert AccessLogEntry.objects.filter(object_id=fresh_alert_list(actor_of, plan).pk).count() > before


def test_amber_plan_is_404_for_outsiders_everywhere(plan, signed_in, actor_of):
    services.plan_update(
        actor=actor_of("demo-nesna"),
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"access_level": AccessLevel.AMBER, "exemption_basis": "offl. § 24 tredje ledd"},
    )
    outsider = signed_in("demo-hemnes")
    card = ActionCard.objects.visible_to(actor_of("demo-nesna")).filter(plan=plan).first()
    paths = [
        f"/emergency-plans/{plan.pk}/",
        f"/emergency-plans/{plan.pk}/evacuation/",
        f"/emergency-plans/{plan.pk}/history/",
    ]
    if card:
        paths.append(f"/emergency-plans/{plan.pk}/action-cards/{card.pk}/")
    for path in paths:
        assert outsider.get(path).status_code == 404, path
    # The region list shows the municipality without the plan.
    body = english(outsider).get(f"/emergency-plans/regions/{plan.owner.region_id}/").content.decode()
    assert plan.title not in body


def test_non_editors_get_403_on_every_edit_page(plan, signed_in, actor_of):
    reader = signed_in("demo-coordinator")  # a member of the region, not of Nesna: reads GREEN parts
    for path in (
        f"/emergency-plans/{plan.pk}/edit/",
        f"/emergency-plans/{plan.pk}/evacuation/edit/",
        f"/emergency-plans/{plan.pk}/resources/edit/",
        f"/emergency-plans/{plan.pk}/resources/entries/new/",
        f"/emergency-plans/{plan.pk}/action-cards/new/",
    ):
        assert reader.get(path).status_code == 403, path
        assert reader.post(path, {"version": 1}).status_code == 403, path


# --- the alert list --------------------------------------------------------------------------------------


def test_alert_list_entries_are_added_edited_verified_and_removed(plan, signed_in, actor_of):
    client = english(signed_in("demo-nesna"))
    part = fresh_alert_list(actor_of, plan)
    count = len(part.entries)
    response = client.post(
        f"/emergency-plans/{plan.pk}/alert-list/entries/new/",
        entry_post(
            part.version,
            fallback="satellite",
            fallback_detail="+870 776 000 000",
            email="legevakt@nesna.kommune.no",
        ),
    )
    assert response.status_code == 302
    part = fresh_alert_list(actor_of, plan)
    assert len(part.entries) == count + 1
    entry = part.entries[-1]
    assert entry["name"] == "Vakthavende Nesna legevakt" and entry["verified_on"] is None
    body = client.get(f"/emergency-plans/{plan.pk}/alert-list/").content.decode()
    assert (
        "Vakthavende Nesna legevakt" in body and "Stale: never verified" in body and "Satellite phone" in body
    )

    # Change the phone number.
    url = f"/emergency-plans/{plan.pk}/alert-list/entries/{entry['key']}/"
    assert "+47 750 00 000" in client.get(url).content.decode()
    assert client.post(url, entry_post(part.version, phone="+47 750 11 111")).status_code == 302
    part = fresh_alert_list(actor_of, plan)
    assert services.find_entry(part, entry["key"])["phone"] == "+47 750 11 111"

    # Mark verified today: no longer stale.
    response = client.post(f"{url}verified/", {"version": part.version})
    assert response.status_code == 302
    part = fresh_alert_list(actor_of, plan)
    assert services.find_entry(part, entry["key"])["verified_on"] == timezone.localdate().isoformat()

    # Remove it.
    assert client.post(f"{url}remove/", {"version": part.version}).status_code == 302
    part = fresh_alert_list(actor_of, plan)
    assert services.find_entry(part, entry["key"]) is None and len(part.entries) == count


def test_stale_entries_are_flagged(plan, signed_in, actor_of):
    actor = actor_of("demo-nesna")
    today = timezone.localdate()
    for name, verified in (
        ("Gammel Oppføring", add_months(today, -13)),
        ("Fersk Oppføring", add_months(today, -2)),
    ):
        services.entry_save(
            actor=actor,
            plan_id=plan.pk,
            part_key="alert_list",
            key=None,
            expected_version=fresh_alert_list(actor_of, plan).version,
            values={"name": name, "phone": "+47 900 00 001", "verified_on": verified.isoformat()},
        )
    client = english(signed_in("demo-nesna"))
    body = client.get(f"/emergency-plans/{plan.pk}/alert-list/").content.decode()
    rows = {
        name: row_of(body, key_of(actor_of, plan, name)) for name in ("Gammel Oppføring", "Fersk Oppføring")
    }
    assert "Stale: not verified for over 12 months" in rows["Gammel Oppføring"]
    assert "Stale" not in rows["Fersk Oppføring"]
    stale = sum(1 for e in fresh_alert_list(actor_of, plan).entries if services.entries.is_stale(e, today))
    overview = client.get(f"/emergency-plans/{plan.pk}/").content.decode()
    assert f"{stale} stale" in overview


def test_bad_entry_input_gets_clear_errors_and_keeps_what_was_typed(plan, signed_in, actor_of):
    client = english(signed_in("demo-nesna"))
    part = fresh_alert_list(actor_of, plan)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        f"/emergency-plans/{plan.pk}/alert-list/entries/new/",
        {
            "version": part.version,
            "name": "Brannsjef Hansen",
            "phone": "ring meg",
            "email": "ikke-epost",
            "verified_on": future,
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please correct the following" in body
    assert "Give a phone number with digits" in body
    assert "Enter a valid email address." in body
    assert 'value="Brannsjef Hansen"' in body and 'value="ring meg"' in body
    # No way to reach them at all.
    response = client.post(
        f"/emergency-plans/{plan.pk}/alert-list/entries/new/",
        {"version": part.version, "name": "Uten kontakt"},
    )
    assert "Give at least one way to reach them" in response.content.decode()
    # A classification marking is refused too.
    response = client.post(
        f"/emergency-plans/{plan.pk}/alert-list/entries/new/",
        entry_post(part.version, notes="Se vedlegg merket HEMMELIG"),
    )
    assert "not approved for security-classified information" in response.content.decode()
    assert fresh_alert_list(actor_of, plan).version == part.version  # nothing was saved


def test_norwegian_error_messages(plan, signed_in, actor_of):
    client = signed_in("demo-nesna")  # bokmål by default
    part = fresh_alert_list(actor_of, plan)
    response = client.post(
        f"/emergency-plans/{plan.pk}/alert-list/entries/new/", {"version": part.version, "name": "X"}
    )
    body = response.content.decode()
    assert "Give at least one way" not in body and "Oppgi minst én måte" in body


def test_concurrent_entry_edit_is_detected_and_keeps_what_was_typed(plan, signed_in, actor_of):
    actor = actor_of("demo-nesna")
    part, key = services.entry_save(
        actor=actor,
        plan_id=plan.pk,
        part_key="alert_list",
        key=None,
        expected_version=fresh_alert_list(actor_of, plan).version,
        values={"name": "Kommunelege Berg", "phone": "+47 900 00 002"},
    )
    opened = part.version
    # Someone else changes the same entry.
    services.entry_save(
        actor=actor,
        plan_id=plan.pk,
        part_key="alert_list",
        key=key,
        expected_version=opened,
        values={"name": "Kommunelege Berg", "phone": "+47 900 00 003"},
    )
    client = english(signed_in("demo-nesna"))
    url = f"/emergency-plans/{plan.pk}/alert-list/entries/{key}/"
    response = client.post(url, {"version": opened, "name": "Kommunelege Berg", "phone": "+47 900 00 004"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed the list" in body
    assert "+47 900 00 003" in body and 'value="+47 900 00 004"' in body
    assert services.find_entry(fresh_alert_list(actor_of, plan), key)["phone"] == "+47 900 00 003"
    # Saving again (now based on the stored version) replaces it.
    current = fresh_alert_list(actor_of, plan).version
    assert f'name="version" value="{current}"' in body
    assert (
        client.post(
            url, {"version": current, "name": "Kommunelege Berg", "phone": "+47 900 00 004"}
        ).status_code
        == 302
    )
    assert services.find_entry(fresh_alert_list(actor_of, plan), key)["phone"] == "+47 900 00 004"


def test_marking_verified_after_someone_else_changed_the_list_is_refused(plan, signed_in, actor_of):
    actor = actor_of("demo-nesna")
    part, key = services.entry_save(
        actor=actor,
        plan_id=plan.pk,
        part_key="alert_list",
        key=None,
        expected_version=fresh_alert_list(actor_of, plan).version,
        values={"name": "Teknisk vakt", "phone": "+47 900 00 005"},
    )
    services.entry_save(
        actor=actor, plan_id=plan.pk, part_key="alert_list", key=key, expected_version=part.version,
        values={"name": "Teknisk vakt", "phone": "+47 900 00 006"},
    )  # fmt: skip
    client = english(signed_in("demo-nesna"))
    response = client.post(
        f"/emergency-plans/{plan.pk}/alert-list/entries/{key}/verified/",
        {"version": part.version},
        follow=True,
    )
    assert "Someone else changed the list" in response.content.decode()
    assert services.find_entry(fresh_alert_list(actor_of, plan), key)["verified_on"] is None


def test_alert_list_history_describes_entries_and_restore_brings_a_removed_entry_back(
    plan, signed_in, actor_of
):
    actor = actor_of("demo-nesna")
    part, key = services.entry_save(
        actor=actor,
        plan_id=plan.pk,
        part_key="alert_list",
        key=None,
        expected_version=fresh_alert_list(actor_of, plan).version,
        values={"name": "Havnefogd Lund", "phone": "+47 900 00 007"},
    )
    services.entry_remove(
        actor=actor, plan_id=plan.pk, part_key="alert_list", key=key, expected_version=part.version
    )
    client = english(signed_in("demo-nesna"))
    body = client.get(f"/emergency-plans/{plan.pk}/alert-list/history/").content.decode()
    assert "Added: Havnefogd Lund" in body and "Removed: Havnefogd Lund" in body
    assert "[{" not in body  # no JSON dumps
    record = part.history.filter(version=part.version).first()
    response = client.post(f"/emergency-plans/{plan.pk}/alert-list/history/{record.history_id}/restore/")
    assert response.status_code == 302
    assert services.find_entry(fresh_alert_list(actor_of, plan), key)["name"] == "Havnefogd Lund"
    # Someone else's restore: only the owner's editors.
    other = signed_in("demo-coordinator")
    assert other.post(
        f"/emergency-plans/{plan.pk}/evacuation/history/{record.history_id}/restore/"
    ).status_code in (302, 403, 404)


# --- parts -----------------------------------------------------------------------------------------------


def test_part_edit_saves_and_detects_conflicts(plan, signed_in, actor_of):
    client = english(signed_in("demo-nesna"))
    evacuation = selectors.get_part_for(actor_of("demo-nesna"), plan, PARTS[3])
    url = f"/emergency-plans/{plan.pk}/evacuation/edit/"
    data = {
        "version": evacuation.version,
        "responsibility": "Politiet beslutter evakuering.",
        "areas": "Tomma og Hugla",
        "access_level": AccessLevel.GREEN,
    }
    assert client.post(url, data).status_code == 302
    evacuation = selectors.get_part_for(actor_of("demo-nesna"), plan, PARTS[3])
    assert evacuation.areas == "Tomma og Hugla"
    response = client.post(url, {**data, "version": evacuation.version - 1, "areas": "Handnesøya"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this record" in body and "Handnesøya" in body and "Tomma og Hugla" in body
    # Bad input: a classification marking, kept in the form with the reason.
    response = client.post(url, {**data, "version": evacuation.version, "areas": "BEGRENSET liste"})
    assert response.status_code == 200 and "BEGRENSET liste" in response.content.decode()
    assert "not approved for security-classified information" in response.content.decode()


def test_crisis_management_roles_and_meeting_places(plan, signed_in, actor_of):
    client = english(signed_in("demo-nesna"))
    crisis = selectors.get_part_for(actor_of("demo-nesna"), plan, PARTS[0])
    response = client.post(
        f"/emergency-plans/{plan.pk}/crisis-management/edit/",
        {
            "version": crisis.version,
            "meeting_place": "Rådhuset, møterom Tomma",
            "alternative_meeting_place": "Nesna brannstasjon",
            "access_level": AccessLevel.AMBER,
            "exemption_basis": "offl. § 24 tredje ledd",
        },
    )
    assert response.status_code == 302
    crisis = selectors.get_part_for(actor_of("demo-nesna"), plan, PARTS[0])
    response = client.post(
        f"/emergency-plans/{plan.pk}/crisis-management/entries/new/",
        {"version": crisis.version, "role": "Kriseleder", "holder": "Ordfører", "deputy": "Varaordfører"},
    )
    assert response.status_code == 302
    body = client.get(f"/emergency-plans/{plan.pk}/crisis-management/").content.decode()
    assert "Nesna brannstasjon" in body and "Varaordfører" in body
    # A role needs a holder.
    crisis = selectors.get_part_for(actor_of("demo-nesna"), plan, PARTS[0])
    response = client.post(
        f"/emergency-plans/{plan.pk}/crisis-management/entries/new/",
        {"version": crisis.version, "role": "Loggfører"},
    )
    assert response.status_code == 200 and "Held by" in response.content.decode()


def test_resources_need_an_owner_name_unless_the_municipality_owns_them(plan, signed_in, actor_of):
    client = english(signed_in("demo-nesna"))
    resources = selectors.get_part_for(actor_of("demo-nesna"), plan, PARTS[2])
    url = f"/emergency-plans/{plan.pk}/resources/entries/new/"
    data = {
        "version": resources.version,
        "name": "Aggregat 60 kVA",
        "category": "generator",
        "owner_kind": "business",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "Name the business" in response.content.decode()
    assert client.post(url, {**data, "owner_name": "Nesna Elektro AS", "lendable": "on"}).status_code == 302
    resources = selectors.get_part_for(actor_of("demo-nesna"), plan, PARTS[2])
    entry = next(e for e in resources.entries if e["name"] == "Aggregat 60 kVA")
    assert entry["lendable"] is True and entry["owner_name"] == "Nesna Elektro AS"


def test_plan_links_the_emergency_plan_document_of_its_own_organisation(plan, signed_in, actor_of):
    from samvirke.plans.models import GoverningDocument

    actor = actor_of("demo-nesna")
    register = GoverningDocument.objects.visible_to(actor).filter(owner=plan.owner)
    plan_document = register.get(document_type__category="emergency_plan")
    other = register.exclude(document_type__category="emergency_plan").first()
    client = english(signed_in("demo-nesna"))
    url = f"/emergency-plans/{plan.pk}/edit/"
    plan = selectors.get_plan_for(actor, plan.pk)
    data = {"version": plan.version, "title": plan.title, "access_level": plan.access_level}
    response = client.post(url, {**data, "governing_document": other.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert client.post(url, {**data, "governing_document": plan_document.pk}).status_code == 302
    body = client.get(f"/emergency-plans/{plan.pk}/").content.decode()
    assert plan_document.title in body
    with translation.override("en"), pytest.raises(ValidationError, match="type emergency plan"):
        services.plan_update(
            actor=actor,
            plan_id=plan.pk,
            expected_version=plan.version + 1,
            data={"governing_document": other},
        )


def test_register_links_to_the_emergency_plan(plan, signed_in):
    client = english(signed_in("demo-nesna"))
    body = client.get(f"/plans/organisations/{plan.owner_id}/documents/").content.decode()
    assert f"/emergency-plans/organisations/{plan.owner_id}/" in body


# --- action cards ----------------------------------------------------------------------------------------


def test_action_card_links_events_and_event_types(plan, signed_in, actor_of):
    actor = actor_of("demo-nesna")
    events = list(selectors.organisation_events(actor, plan.owner)[:2])
    client = english(signed_in("demo-nesna"))
    response = client.post(
        f"/emergency-plans/{plan.pk}/action-cards/new/",
        {
            "title": "Tiltakskort: ras over Fv17",
            "checklist": "Varsle kriseledelsen\n- Kontakt Statens vegvesen\n\n",
            "events": [e.pk for e in events],
            "event_types": [events[0].event_type_id],
            "position": 5,
            "access_level": AccessLevel.GREEN,
        },
    )
    assert response.status_code == 302
    card = ActionCard.objects.visible_to(actor).get(plan=plan, title="Tiltakskort: ras over Fv17")
    assert card.steps == ["Varsle kriseledelsen", "Kontakt Statens vegvesen"]
    assert set(card.events.values_list("pk", flat=True)) == {e.pk for e in events}
    body = client.get(f"/emergency-plans/{plan.pk}/action-cards/{card.pk}/").content.decode()
    assert events[0].title in body and "Kontakt Statens vegvesen" in body
    # An empty checklist is refused with the reason; events of another organisation cannot be chosen.
    rana_event = AnalysedEvent.objects.visible_to(actor).exclude(owner=plan.owner).first()
    response = client.post(
        f"/emergency-plans/{plan.pk}/action-cards/{card.pk}/edit/",
        {
            "version": card.version,
            "title": card.title,
            "checklist": "  ",
            "events": [rana_event.pk],
            "access_level": "green",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required" in body or "Write at least one step" in body
    assert "Select a valid choice" in body


def test_links_to_events_an_editor_cannot_read_are_kept(plan, actor_of):
    owner_editor = actor_of("demo-nesna")
    event = selectors.organisation_events(owner_editor, plan.owner).first()
    card = services.card_create(
        actor=owner_editor,
        plan_id=plan.pk,
        data={
            "title": "Kort med skjult hendelse",
            "checklist": "Gjør noe",
            "access_level": AccessLevel.GREEN,
        },
        events=[event],
    )
    # The event becomes RED for its author only; a second editor of Nesna cannot read it.
    AnalysedEvent.objects.visible_to(owner_editor).filter(pk=event.pk).update(access_level=AccessLevel.RED)
    event.named_people.set([_user("demo-nesna")])
    second = get_user_model().objects.create_user(username="nesna-editor-2", password="x")
    Membership.objects.create(user=second, organisation=plan.owner, role=Role.PREPAREDNESS_ADVISOR)
    second_actor = actor_for_user(second, verified=True)
    assert not selectors.organisation_events(second_actor, plan.owner).filter(pk=event.pk).exists()
    services.card_update(
        actor=second_actor, plan_id=plan.pk, card_id=card.pk, expected_version=card.version,
        data={"title": "Nytt navn"}, events=[],
    )  # fmt: skip
    assert list(card.events.values_list("pk", flat=True)) == [event.pk]
    assert selectors.linked_events(second_actor, card) == []  # and it is not shown to them


def test_card_and_plan_history_and_restore(plan, signed_in, actor_of):
    actor = actor_of("demo-nesna")
    card, other_card = selectors.cards_of(actor, plan)[:2]
    original = card.title
    services.card_update(
        actor=actor, plan_id=plan.pk, card_id=card.pk, expected_version=card.version,
        data={"title": "Nytt navn på kortet"},
    )  # fmt: skip
    client = english(signed_in("demo-nesna"))
    base = f"/emergency-plans/{plan.pk}/action-cards/{card.pk}/history/"
    body = client.get(base).content.decode()
    assert "Nytt navn på kortet" in body and original in body and "Restore this version" in body
    first = card.history.order_by("history_id").first().history_id
    # Only the owner's editors restore; a reader of the region gets 403 and nothing changes.
    reader = signed_in("demo-coordinator")
    assert "Restore this version" not in english(reader).get(base).content.decode()
    assert reader.post(f"{base}{first}/restore/").status_code == 403
    assert selectors.get_card_for(actor, plan, card.pk).title == "Nytt navn på kortet"
    # A version of another card is not this card's: 404.
    foreign = other_card.history.order_by("history_id").first().history_id
    assert client.post(f"{base}{foreign}/restore/").status_code == 404
    assert client.post(f"{base}{first}/restore/").status_code == 302
    assert selectors.get_card_for(actor, plan, card.pk).title == original
    # The plan itself.
    services.plan_update(
        actor=actor, plan_id=plan.pk, expected_version=plan.version, data={"title": "Ny tittel"}
    )
    plan_first = plan.history.order_by("history_id").first().history_id
    assert "Ny tittel" in client.get(f"/emergency-plans/{plan.pk}/history/").content.decode()
    assert client.post(f"/emergency-plans/{plan.pk}/history/{plan_first}/restore/").status_code == 302
    assert selectors.get_plan_for(actor, plan.pk).title == plan.title


def test_restoring_a_part_says_so_and_brings_the_old_text_back(plan, signed_in, actor_of):
    actor = actor_of("demo-nesna")
    part = selectors.get_part_for(actor, plan, BY_KEY["communication"])
    first = part.history.order_by("history_id").first().history_id
    services.part_update(
        actor=actor, plan_id=plan.pk, part_key="communication", expected_version=part.version,
        data={"spokesperson": "Varaordføreren"},
    )  # fmt: skip
    client = english(signed_in("demo-nesna"))
    response = client.post(f"/emergency-plans/{plan.pk}/communication/history/{first}/restore/", follow=True)
    assert "The earlier version was restored" in response.content.decode()
    assert selectors.get_part_for(actor, plan, BY_KEY["communication"]).spokesperson == part.spokesperson


def test_region_page_lists_every_municipality(plan, signed_in):
    client = english(signed_in("demo-coordinator"))
    body = client.get(f"/emergency-plans/regions/{plan.owner.region_id}/").content.decode()
    for name in ("Nesna kommune", "Storuman kommun", "Træna kommune"):
        assert name in body
    assert plan.title in body and "can be lent" in body
    # The coordinator's municipality (Lurøy) is the host: Nesna's AMBER alert list is shared with it.
    assert "stale" in body
    assert client.get("/emergency-plans/").status_code == 302


def test_an_editor_removes_an_action_card_and_the_binder_follows(plan, signed_in, actor_of):
    actor = actor_of("demo-nesna")
    card = selectors.cards_of(actor, plan)[0]
    base = f"/emergency-plans/{plan.pk}/action-cards/{card.pk}/delete/"
    # A reader of the region may read the card but not remove it: 403 on both methods, nothing removed.
    reader = signed_in("demo-coordinator")
    assert reader.get(base).status_code == 403
    assert reader.post(base, {"version": card.version}).status_code == 403
    assert ActionCard.objects.filter(pk=card.pk).exists()
    client = english(signed_in("demo-nesna"))
    assert card.title in client.get(f"/emergency-plans/{plan.pk}/binder.html").content.decode()
    page = client.get(base)
    assert page.status_code == 200 and "Remove the action card" in page.content.decode()
    # Changed meanwhile: refused with a message, the card stays.
    services.card_update(
        actor=actor, plan_id=plan.pk, card_id=card.pk, expected_version=card.version, data={"notes": "Ny"}
    )
    response = client.post(base, {"version": card.version}, follow=True)
    assert "Someone else changed the action card" in response.content.decode()
    assert ActionCard.objects.filter(pk=card.pk).exists()
    # With the version seen: removed, said so, gone from the plan and the binder; the history keeps it.
    response = client.post(base, {"version": card.version + 1}, follow=True)
    assert f"The action card “{card.title}” was removed." in response.content.decode()
    assert not ActionCard.objects.filter(pk=card.pk).exists()
    assert card.title not in client.get(f"/emergency-plans/{plan.pk}/binder.html").content.decode()
    assert client.get(f"/emergency-plans/{plan.pk}/action-cards/{card.pk}/").status_code == 404
    last = ActionCard.history.filter(id=card.pk).order_by("-history_id").first()
    assert last.history_type == "-" and last.history_user.username == "demo-nesna"
