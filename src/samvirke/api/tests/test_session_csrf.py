"""The browser session works against the API (used by the docs page), but unsafe methods need CSRF."""

import re

from samvirke.api.tests.conftest import assert_envelope
from samvirke.notices.models import Notice
from samvirke.organisations.models import Organisation


def enforcing_csrf(client):
    client.handler.enforce_csrf_checks = True
    return client


def csrf_token_from_docs(client) -> str:
    html = client.get("/api/v1/docs").content.decode()
    return re.search(r'data-csrf-token="([^"]+)"', html).group(1)


def test_session_can_read_without_csrf(signed_in):
    client = enforcing_csrf(signed_in("demo-rana"))
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "demo-rana"


def test_session_post_without_csrf_token_is_refused(signed_in):
    client = enforcing_csrf(signed_in("demo-rana"))
    rana = Organisation.objects.get(municipality_number="1833")
    body = {"owner_id": rana.pk, "title": "Via nettleser"}
    response = client.post("/api/v1/notices", body, content_type="application/json")
    assert_envelope(response, 403, "csrf_failed")
    response = client.post(
        "/api/v1/notices", body, content_type="application/json", HTTP_X_CSRFTOKEN="wrong" * 8
    )
    assert_envelope(response, 403, "csrf_failed")
    notice = Notice.objects.get(title__startswith="Intern varslingsliste")
    response = client.put(
        f"/api/v1/notices/{notice.pk}",
        {"version": notice.version, "title": "x"},
        content_type="application/json",
    )
    assert_envelope(response, 403, "csrf_failed")
    assert not Notice.objects.filter(title__in=["Via nettleser", "x"]).exists()


def test_session_post_with_the_pages_csrf_token_works(signed_in):
    client = enforcing_csrf(signed_in("demo-rana"))
    token = csrf_token_from_docs(client)
    rana = Organisation.objects.get(municipality_number="1833")
    response = client.post(
        "/api/v1/notices",
        {"owner_id": rana.pk, "title": "Via nettleser"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.content
    assert Notice.objects.get(pk=response.json()["id"]).created_by.username == "demo-rana"


def test_session_without_two_factor_has_no_memberships_through_the_api(signed_in):
    client = signed_in("demo-rana", verify=False)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["organisation_ids"] == []
    strict = Notice.objects.get(title__startswith="Intern varslingsliste")
    assert_envelope(client.get(f"/api/v1/notices/{strict.pk}"), 404, "not_found")
