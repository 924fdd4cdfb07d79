"""Every error the API gives uses one envelope: {"error": {"code", "message", "details"}}."""

import pytest

from samvirke.api import api as api_module
from samvirke.api.tests.conftest import ApiClient, assert_envelope
from samvirke.core.access import AccessLevel
from samvirke.notices.models import Notice
from samvirke.organisations.models import Organisation, Region


def new_notice(owner_id, **extra):
    return {"owner_id": owner_id, "title": "Øvelse", "body": "Tekst", **extra}


def org(number_or_name):
    return (
        Organisation.objects.get(municipality_number=number_or_name)
        if number_or_name.isdigit()
        else (Organisation.objects.get(name=number_or_name))
    )


def test_401_without_credentials(demo):
    for path in ("/api/v1/me", "/api/v1/notices", "/api/v1/notices/1", "/api/v1/organisations"):
        error = assert_envelope(ApiClient().get(path), 401, "unauthorized")
        assert error["details"] == {}
    assert_envelope(ApiClient().post("/api/v1/notices", new_notice(1)), 401, "unauthorized")


def test_404_is_the_same_for_missing_and_not_visible_records(api_as, rana_notice):
    hemnes = api_as("demo-hemnes")
    missing_id = Notice.objects.order_by("-pk").first().pk + 1000
    not_visible = hemnes.get(f"/api/v1/notices/{rana_notice.pk}")
    missing = hemnes.get(f"/api/v1/notices/{missing_id}")
    assert_envelope(not_visible, 404, "not_found")
    assert_envelope(missing, 404, "not_found")
    assert not_visible.content == missing.content
    # The owner organisation's member does see it.
    assert api_as("demo-rana").get(f"/api/v1/notices/{rana_notice.pk}").status_code == 200
    # Updating is no different: a record you cannot see is not found, not forbidden.
    update = hemnes.put(f"/api/v1/notices/{rana_notice.pk}", {"version": rana_notice.version, "title": "x"})
    assert update.content == missing.content


def test_404_for_organisations_and_unknown_paths(api_as):
    client = api_as("demo-rana")
    assert_envelope(client.get("/api/v1/organisations/999999999"), 404, "not_found")
    assert_envelope(client.get("/api/v1/no-such-endpoint"), 404, "not_found")
    error = assert_envelope(client.get("/api/v1/notices/not-a-number"), 422, "validation_error")
    assert list(error["details"]) == ["notice_id"]


@pytest.mark.parametrize(
    ("headers", "required", "whole_number"),
    [
        ({}, "Feltet er påkrevet.", "Oppgi et heltall."),  # the token owner's language (nb)
        ({"HTTP_ACCEPT_LANGUAGE": "sv"}, "Detta fält måste fyllas i.", "Fyll i ett heltal."),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "This field is required.", "Enter a whole number."),
    ],
)
def test_422_has_per_field_details_in_the_callers_language(api_as, headers, required, whole_number):
    response = api_as("demo-rana", **headers).post(
        "/api/v1/notices", {"owner_id": "abc", "shared_with": ["x"]}
    )
    error = assert_envelope(response, 422, "validation_error")
    assert error["details"]["title"] == [required]
    assert error["details"]["owner_id"] == [whole_number]
    assert error["details"]["shared_with.0"] == [whole_number]


def test_422_language_from_the_language_cookie(api_as):
    client = api_as("demo-rana")
    client.client.cookies["samvirke_language"] = "sv"
    error = assert_envelope(client.post("/api/v1/notices", {"owner_id": 1}), 422, "validation_error")
    assert error["details"]["title"] == ["Detta fält måste fyllas i."]


def test_422_for_input_the_database_could_not_store(api_as):
    client = api_as("demo-rana")
    rana = org("1833").pk
    cases = [
        (new_notice(rana, title="a\x00b"), "title"),
        (new_notice(rana, body="\x00"), "body"),
        (new_notice(rana, title="x" * 201), "title"),
        (new_notice(rana, title=""), "title"),
        (new_notice(rana, category="gossip"), "category"),
        (new_notice(rana, access_level="purple"), "access_level"),
        (new_notice(2**63), "owner_id"),
        (new_notice(0), "owner_id"),
        (new_notice(rana, shared_with=[2**64]), "shared_with.0"),
        (new_notice(rana, exemption_basis="x" * 201), "exemption_basis"),
    ]
    for body, field in cases:
        error = assert_envelope(client.post("/api/v1/notices", body), 422, "validation_error")
        assert field in error["details"], (body, error)
    lone_surrogate = '{"owner_id": ' + str(rana) + ', "title": "a\\ud800b"}'
    error = assert_envelope(client.post("/api/v1/notices", lone_surrogate), 422, "validation_error")
    assert list(error["details"]) == ["title"]
    assert_envelope(client.get(f"/api/v1/notices/{2**64}"), 422, "validation_error")
    assert_envelope(client.get("/api/v1/notices?page=0"), 422, "validation_error")
    assert_envelope(client.get("/api/v1/notices?page=99999999999999999999"), 422, "validation_error")


def test_400_for_a_body_that_is_not_json(api_as):
    client = api_as("demo-rana")
    assert_envelope(client.post("/api/v1/notices", "{not json"), 400, "bad_request")
    response = client.client.post(
        "/api/v1/notices", "owner_id=1", content_type="application/x-www-form-urlencoded", **client.headers
    )
    assert_envelope(response, 400, "bad_request")


def test_classified_marking_is_refused_with_the_refusal_message(api_as):
    client = api_as("demo-rana", HTTP_ACCEPT_LANGUAGE="en")
    body = new_notice(org("1833").pk, body="Vedlegg: KONFIDENSIELT sambandsreglement")
    error = assert_envelope(client.post("/api/v1/notices", body), 422, "validation_error")
    [message] = error["details"]["body"]
    assert "“KONFIDENSIELT”" in message
    assert "not approved for security-classified information" in message
    assert not Notice.objects.filter(body__contains="KONFIDENSIELT").exists()


def test_403_for_a_reader_trying_to_create(api_as):
    client = api_as("demo-rana-reader")
    error = assert_envelope(
        client.post("/api/v1/notices", new_notice(org("1833").pk)), 403, "permission_denied"
    )
    assert error["details"] == {}
    assert not Notice.objects.filter(title="Øvelse").exists()


def test_403_for_an_owner_where_the_editor_has_no_editor_role(api_as):
    # demo-rana edits for Rana, but is only a reader in Prosjektgruppen, and nothing in Hemnes.
    client = api_as("demo-rana")
    for owner in (org("Prosjektgruppen").pk, org("1832").pk, 10**12):
        assert_envelope(client.post("/api/v1/notices", new_notice(owner)), 403, "permission_denied")
    assert not Notice.objects.filter(title="Øvelse").exists()


def test_unknown_or_foreign_sharing_ids_are_422_not_silently_dropped(api_as, demo):
    client = api_as("demo-rana")
    rana = org("1833").pk
    other_region = Region.objects.create(name="Elsewhere", slug="elsewhere")
    foreign = Organisation.objects.create(region=other_region, name="Fjern kommune", kind="municipality")
    unknown = Organisation.objects.order_by("-pk").first().pk + 1000
    for ids in ([unknown], [foreign.pk], [org("1832").pk, unknown]):
        body = new_notice(rana, access_level=AccessLevel.AMBER, shared_with=ids)
        error = assert_envelope(client.post("/api/v1/notices", body), 422, "validation_error")
        assert list(error["details"]) == ["shared_with"]
    from django.contrib.auth import get_user_model

    visitor = get_user_model().objects.get(username="demo-visitor")  # no membership in the region
    for ids in ([visitor.pk], [10**9]):
        body = new_notice(rana, access_level=AccessLevel.RED, named_people=ids)
        error = assert_envelope(client.post("/api/v1/notices", body), 422, "validation_error")
        assert list(error["details"]) == ["named_people"]
    assert not Notice.objects.filter(title="Øvelse").exists()

    created = client.post(
        "/api/v1/notices", new_notice(rana, access_level=AccessLevel.AMBER, shared_with=[org("1832").pk] * 2)
    )
    assert created.status_code == 201, created.content
    notice = Notice.objects.get(pk=created.json()["id"])
    assert list(notice.shared_with.values_list("pk", flat=True)) == [org("1832").pk]


def test_409_conflict_on_a_stale_version_includes_the_stored_version(api_as, rana_notice):
    client = api_as("demo-rana")
    path = f"/api/v1/notices/{rana_notice.pk}"
    first = client.put(path, {"version": rana_notice.version, "title": "Ny tittel"})
    assert first.status_code == 200, first.content
    assert first.json()["version"] == rana_notice.version + 1

    stale = client.put(path, {"version": rana_notice.version, "title": "Min tittel"})
    error = assert_envelope(stale, 409, "conflict")
    assert error["details"]["current_version"] == rana_notice.version + 1
    current = error["details"]["current"]
    assert current["id"] == rana_notice.pk
    assert current["title"] == "Ny tittel"
    assert current["version"] == rana_notice.version + 1
    rana_notice.refresh_from_db()
    assert rana_notice.title == "Ny tittel"


def test_update_by_a_reader_of_the_owner_is_403(api_as, rana_notice):
    error = assert_envelope(
        api_as("demo-rana-reader").put(f"/api/v1/notices/{rana_notice.pk}", {"version": rana_notice.version}),
        403,
        "permission_denied",
    )
    assert error["message"]


def test_unexpected_errors_are_500_in_the_envelope_without_internals(api_as, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api_module.notice_selectors, "notices_visible_to", broken)
    response = api_as("demo-rana").get("/api/v1/notices")
    error = assert_envelope(response, 500, "server_error")
    assert "secret" not in response.content.decode()
    assert error["details"] == {}


def test_error_locations_name_the_field(api_as):
    client = api_as("demo-rana")
    assert list(
        assert_envelope(client.get("/api/v1/notices?page=0"), 422, "validation_error")["details"]
    ) == ["page"]
    assert list(
        assert_envelope(client.get("/api/v1/notices?page_size=abc"), 422, "validation_error")["details"]
    ) == ["page_size"]
    error = assert_envelope(
        client.post("/api/v1/notices", {"owner_id": 1, "title": "t", "body": 5}), 422, "validation_error"
    )
    assert list(error["details"]) == ["body"]
