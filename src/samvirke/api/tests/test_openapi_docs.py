"""The OpenAPI document, the browsable docs (offline, strict CSP) and who may see them."""

import re

import pytest
from django.test import Client, override_settings
from openapi_spec_validator import validate

from samvirke.api.tests.conftest import ApiClient, assert_envelope
from samvirke.core.middleware import SecurityHeadersMiddleware


@pytest.fixture
def schema(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_document_is_valid_3_1(schema):
    assert schema["openapi"].startswith("3.1")
    validate(schema)  # raises on any error


def test_openapi_lists_the_bearer_scheme_and_requires_auth_everywhere(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"TokenAuth": []} in operation["security"], (method, path)
            assert "401" in operation["responses"], (method, path)


def test_openapi_documents_enums_and_limits(schema):
    notice_in = schema["components"]["schemas"]["NoticeIn"]["properties"]
    ref = notice_in["category"].get("$ref") or notice_in["category"]["allOf"][0]["$ref"]
    category = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(category["enum"]) == {"information", "meeting", "warning", "lesson"}
    assert notice_in["title"]["maxLength"] == 200
    assert "/api/v1/{unknown}" not in schema["paths"], "the catch-all 404 stays out of the schema"


def test_docs_page_uses_our_static_files_and_no_inline_script(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert response["Content-Security-Policy"] == SecurityHeadersMiddleware.CSP
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/vendor/swagger-ui/swagger-ui.css" in html
    assert "/static/api/swagger-init.js" in html
    assert not re.search(r"https?://", html), "no CDN or other external address"
    assert "style=" not in html and "<style" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    settings_json = re.search(
        r'<script id="swagger-settings" type="application/json">(.*?)</script>', html, re.S
    )
    assert '"url": "/api/v1/openapi.json"' in settings_json.group(1)
    assert '"validatorUrl": null' in settings_json.group(1)


def test_docs_start_script_is_a_real_static_file():
    from django.contrib.staticfiles import finders

    assert finders.find("api/swagger-init.js")


@override_settings(PRODUCTION=True)
def test_in_production_docs_and_schema_need_sign_in(signed_in, token_for):
    anonymous = Client()
    docs = anonymous.get("/api/v1/docs")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")
    assert_envelope(anonymous.get("/api/v1/openapi.json"), 401, "unauthorized")
    assert_envelope(
        ApiClient(HTTP_AUTHORIZATION="Bearer smv_wrong").get("/api/v1/openapi.json"), 401, "unauthorized"
    )

    assert ApiClient(token_for("demo-rana")).get("/api/v1/openapi.json").status_code == 200
    member = signed_in("demo-rana")
    assert member.get("/api/v1/docs").status_code == 200
    assert member.get("/api/v1/openapi.json").status_code == 200


@override_settings(PRODUCTION=False)
def test_outside_production_docs_are_public(db):
    assert Client().get("/api/v1/docs").status_code == 200
    assert Client().get("/api/v1/openapi.json").status_code == 200
