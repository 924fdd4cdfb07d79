"""Route-walking meta-test: every URL the project serves goes through the visibility chokepoint.

Every URL pattern in the Django resolver is walked (the django-ninja API routes included; their methods
come from the OpenAPI schema). For each route:

* with an object id kwarg: the ids of AMBER, AMBER+STRICT and RED records owned by another municipality
  (Rana) and not shared with the caller, and of a GREEN record of another region, must give 404 to a
  signed-in member of the region, for GET and POST on pages and for every documented method in the
  API (personal API token), and the record's canary string must not be in the response;
* without ids: GET as that member must not contain any secret canary;
* GREEN records are readable by region members (200 and the title on detail routes), and nothing with
  an id is readable anonymously (pages: 404 or redirect to login; API: 401).

Any URL kwarg this file does not know FAILS the suite: a new route cannot silently skip the check.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from samvirke.accounts.models import ApiToken
from samvirke.agreements.models import Agreement, AgreementAttachment
from samvirke.emergencyplan.models import ActionCard, EmergencyPlan
from samvirke.emergencyplan.parts import PARTS as EMERGENCY_PLAN_PARTS
from samvirke.followup.models import Activity, AnnualEvaluation, FollowUpPlan, Responsibility
from samvirke.notices.models import Notice
from samvirke.organisations.models import Membership
from samvirke.plans.models import DocumentAttachment, GoverningDocument, StatusAssessment, StatusSnapshot
from samvirke.risk.models import AnalysedEvent, Measure, RiskAnalysis

from .conftest import CANARIES, EMERGENCY_ENTRY_KEY, SECRET_KEYS
from .routes import Route, all_routes, minimal_body, openapi_components, openapi_operations

# ---------------------------------------------------------------------------------------------------
# The explicit kwarg map. ADD NEW URL KWARGS HERE.
# ---------------------------------------------------------------------------------------------------

#: URL kwargs that name a content record -> (model, how to get the test record for a world key).
#: The walker substitutes the ids of the model's AMBER, AMBER+STRICT and RED records owned by Rana and
#: not shared with the caller, and a GREEN record of another region. A new content module adds its id
#: kwarg here with a getter for records at those levels (create them in conftest.world).
CONTENT_KWARGS = {
    "notice_id": (Notice, lambda world, key: world.notices[key]),
    # Risk: the analysis, and its event or measure, at the same level (conftest.make_risk_records). The
    # walker passes both ids of the same key, so only the record checks can stop the request; an event
    # visible on its own but in a hidden analysis is covered in risk/tests/test_views.py.
    "analysis_id": (RiskAnalysis, lambda world, key: world.extra["analyses"][key]),
    "event_id": (AnalysedEvent, lambda world, key: world.extra["events"][key]),
    "measure_id": (Measure, lambda world, key: world.extra["measures"][key]),
    # Plans: a governing document and a status snapshot (conftest.make_plan_records).
    "document_id": (GoverningDocument, lambda world, key: world.extra["documents"][key]),
    "snapshot_id": (StatusSnapshot, lambda world, key: world.extra["snapshots"][key]),
    # Agreements: one per level, with an attachment (made by the `world` fixture below, make_agreements).
    "agreement_id": (Agreement, lambda world, key: world.extra["agreements"][key]),
    # Emergency plans: the plan (its parts are reached only by the plan's id, with the part fixed by the
    # URL) and an action card of the same plan, at the same level (conftest.make_emergency_plan_records).
    "plan_id": (EmergencyPlan, lambda world, key: world.extra["emergency_plans"][key]),
    "card_id": (ActionCard, lambda world, key: world.extra["action_cards"][key]),
    # Follow-up: a plan, its activity (same level: the walker passes both ids of the same key, so only the
    # record checks stop the request) and an annual evaluation (followup_records.make_followup_records).
    "followup_plan_id": (FollowUpPlan, lambda world, key: world.extra["followup_plans"][key]),
    "followup_activity_id": (Activity, lambda world, key: world.extra["followup_activities"][key]),
    "annual_evaluation_id": (AnnualEvaluation, lambda world, key: world.extra["annual_evaluations"][key]),
}

#: Keys of `world.notices` (and of any other content model's records) that the outsider must not reach.
HIDDEN_RECORDS = (*SECRET_KEYS, "other_green")

#: A value for an id that does not exist, to compare "missing" with "not yours".
MISSING_ID = 2_000_000_000  # fits every id column and converter


def _history_id(world, record):
    # A version of a content record (simple-history). Only meaningful together with its record's id, so
    # we pass a real version *of the same secret record*: only the record check can stop the request.
    # (A version of a secret record used with a visible record's id is tested in test_restore_...)
    assert record is not None, "history_id without a content id kwarg: add explicit handling"
    return record.history.order_by("history_id").first().history_id


def _canary_analysis(world, record):
    """The canary analysis of the route's record (the analysis itself, or the event's analysis)."""
    assert record is not None, "a risk kwarg without analysis_id: add explicit handling"
    return record if isinstance(record, RiskAnalysis) else record.analysis


def _version_number(world, record):
    # A frozen version of the secret analysis itself (made by the `world` fixture below): it exists, so
    # only the analysis check can stop the request. Its snapshot holds the canary titles.
    return world.extra["versions"][_canary_analysis(world, record).pk].number


def _session_id(world, record):
    # A workshop on the secret analysis scoring its secret event, with a score and an agreement (made by
    # the `world` fixture below): it exists, so only the analysis and event checks can stop the request.
    return world.extra["workshops"][_canary_analysis(world, record).pk].pk


@pytest.fixture(scope="module")
def _world_per_module(_world_per_module, django_db_blocker):
    """The authz world plus, per canary analysis, a frozen version and a workshop (risk.versions,
    risk.workshop), made before any request so the write checks (`snapshot`) cover them."""
    with django_db_blocker.unblock():
        return _add_versions_workshops_agreements(_world_per_module)


def _add_versions_workshops_agreements(world):
    from samvirke.risk import versions
    from samvirke.risk.models import WorkshopAgreement, WorkshopScore, WorkshopSession

    world.extra["versions"], world.extra["workshops"] = {}, {}
    member = world.users["demo-rana"]
    for key, analysis in world.extra["analyses"].items():
        event = world.extra["events"][key]
        world.extra["versions"][analysis.pk], _created = versions.freeze(analysis, user_id=member.pk)
        session = WorkshopSession.objects.create(analysis=analysis, title=analysis.title, facilitator=member)
        session.events.set([event])
        WorkshopScore.objects.create(
            session=session, event=event, participant=member, likelihood_position=2, comment=event.title
        )
        WorkshopAgreement.objects.create(
            session=session, event=event, agreed_by=member, rationale=event.title, event_version=1
        )
        world.extra["workshops"][analysis.pk] = session
    world.extra["agreements"] = make_agreements(world.notices)
    return world


def make_agreements(notices) -> dict:
    """Per notice key, an agreement at the same level, owner, sharing and naming, with the key's canary in
    its title, parties and text and an attachment holding the canary. Its parties are not in the region, so
    only the sharing of the notice counts (the services would also share with party organisations)."""
    import datetime

    from django.core.files.base import ContentFile

    from samvirke.agreements.models import AgreementAttachment

    records = {}
    for key, notice in notices.items():
        canary = CANARIES[key]
        agreement = Agreement(
            owner=notice.owner,
            title=f"Agreement {canary}",
            status="active",
            valid_from=datetime.date(2024, 1, 1),
            valid_to=datetime.date(2099, 1, 1),
            scope=f"{canary}-scope",
            parties=[{"organisation": None, "name": f"Party {canary}", "kind": "business", "country": "SE"}],
            access_level=notice.access_level,
            exemption_basis=notice.exemption_basis,
        )
        agreement._history_user = notice.history.first().history_user
        agreement.save()
        agreement.shared_with.set(notice.shared_with.all())
        agreement.named_people.set(notice.named_people.all())
        content = b"\x89PNG\r\n\x1a\n" + f" {canary}-file ".encode()
        attachment = AgreementAttachment(
            agreement=agreement, original_name=f"{canary}.png", content_type="image/png", size=len(content),
            sha256="0" * 64,
        )  # fmt: skip
        attachment.file.save(f"{canary}.png", ContentFile(content), save=False)
        attachment.save()
        records[key] = agreement
    return records


#: URL kwargs that are not content ids -> (how to get the value for the outsider, what to expect).
#: "404": the object is someone else's and must be indistinguishable from a missing one.
#: "no_leak": not an object read; any non-error status is fine, but no secret may appear.
NON_CONTENT_KWARGS = {
    "history_id": (_history_id, "404"),
    # A frozen version of an analysis, by number, only under its analysis in the URL
    # (/risk/<analysis_id>/versions/<version_number>/diff/): we pass a real version of the secret analysis.
    "version_number": (_version_number, "404"),
    # A risk workshop, only under its analysis (/risk/<analysis_id>/workshops/<session_id>/...): we pass a
    # real workshop of the secret analysis, with a score and an agreement (risk.workshop).
    "session_id": (_session_id, "404"),
    # A region (cooperation). Directory data, readable only by members of that region: we pass the
    # other region's id (see organisations.selectors.get_region_for).
    "region_id": (lambda world, record: world.other_region.pk, "404"),
    # An organisation. Directory data, readable only inside your region: we pass the other region's
    # municipality (see organisations.selectors.organisations_visible_to).
    "organisation_id": (lambda world, record: world.orgs["other"].pk, "404"),
    # A membership (person × organisation × role), only under its organisation in the URL
    # (/organisations/<organisation_id>/members/<membership_id>/...). Directory data, administered by the
    # organisation's administrators and the region's coordinators: we pass the other region's member's
    # membership together with the other region's organisation, so both the region check and the
    # "membership belongs to this organisation" check must answer 404 (see organisations.services).
    "membership_id": (lambda world, record: world.other_membership.pk, "404"),
    # A document's attachment, only under its document in the URL (/plans/documents/<document_id>/
    # attachments/<attachment_id>/). It has no level of its own: we pass the attachment OF the secret
    # document, so only the document check (get_visible, in plans.selectors.get_attachment_for) can stop
    # the request. (An attachment id under another, visible document is tested in plans/tests.)
    "attachment_id": (lambda world, record: record.attachments.order_by("pk").first().pk, "404"),
    # A personal API token: only its owner may revoke it. We pass demo-rana's token.
    "token_id": (lambda world, record: world.other_token.pk, "404"),
    # Password reset link (Django's PasswordResetConfirmView). Not an object read: the uid of the
    # secret records' owner with a wrong token must show the "invalid link" page and leak nothing.
    "uidb64": (
        lambda world, record: urlsafe_base64_encode(force_bytes(world.users["demo-rana"].pk)),
        "no_leak",
    ),
    "token": (lambda world, record: "bad-token-000", "no_leak"),
    # OpenID Connect provider key from settings.OIDC_PROVIDERS (configuration, not data). An unknown key
    # must answer 404/redirect and leak nothing.
    "key": (lambda world, record: "authz-unknown-provider", "no_leak"),
    # The API's catch-all for unknown paths (api.unknown_endpoint, outside the schema). We send a path
    # that embeds a secret record's id: it must be the same 404 envelope, with nothing of the record.
    "unknown": (lambda world, record: f"notices/{world.notices['red'].pk}/history", "404"),
    # A scale set by slug (reference data: /risk/scales/<slug>/..., /api/v1/risk/scale-sets/<slug>). A copy
    # owned by an organisation is readable by its members only (risk.selectors.scale_sets_for): we pass
    # Rana's copy (conftest.make_scale_set_copy, named with a secret canary), which must be a 404.
    "scale_set_slug": (lambda world, record: world.extra["scale_set"].slug, "404"),
    # An event type of the regional library (reference data, not content; /risk/compare/<id>/). We pass
    # the type of the secret canary events (conftest.make_risk_records): the page compares the events of
    # that type the caller may read, so it must answer and show none of the secret ones.
    "event_type_id": (lambda world, record: world.extra["event_type"].pk, "no_leak"),
    # An entry of an emergency plan's list (alert list, roles, resources), only under its plan in the URL
    # (/emergency-plans/<plan_id>/alert-list/entries/<entry_key>/...). Entries have no level of their own:
    # we pass the key of a real entry of the secret plan's lists, so only the plan and part checks can stop
    # the request.
    "entry_key": (lambda world, record: EMERGENCY_ENTRY_KEY, "404"),
}

#: Calendar feeds (reminders): a feed's id, and a feed's secret token in its address.
NON_CONTENT_KWARGS.update(
    {
        # Only the feed's maker, or an editor of a feed's organisation, may revoke it: we pass demo-rana's
        # personal feed (named with a secret canary), which must be a 404 for anyone else.
        "feed_id": (lambda world, record: _rana_feed(world)[0].pk, "404"),
        # The calendar file (/reminders/feeds/<feed_token>.ics) is read without sign-in: the token is the key.
        # We pass the real token of demo-rana's feed after revoking it: a revoked (or wrong) token is a 404
        # and shows nothing.
        "feed_token": (lambda world, record: _rana_feed(world, revoked=True)[1], "404"),
    }
)


def _rana_feed(world, *, revoked=False):
    from django.utils import timezone

    from samvirke.reminders.models import CalendarFeed

    feed, raw = CalendarFeed.issue(user=world.users["demo-rana"], name=f"Feed {CANARIES['token']}")
    if revoked:
        CalendarFeed.objects.filter(pk=feed.pk).update(revoked_at=timezone.now())
    return feed, raw


def _other_region_rule(world):
    """A local rule set of the other region with one rule, named with its canary (plans.services_rules): a
    region's own rules are read and changed only under that region (/plans/regions/<region_id>/rules/...)."""
    from samvirke.plans.models import Rule, RuleSet

    if "other_rule" not in world.extra:
        rule_set = RuleSet.objects.create(
            code="authz-other-local", name=f"Rules {CANARIES['other_region']}", country="NO",
            region=world.other_region,
        )  # fmt: skip
        world.extra["other_rule"] = Rule.objects.create(
            rule_set=rule_set, code="authz-rule", title=f"Rule {CANARIES['other_region']}",
            activity="training", cadence="months", months=12,
        )  # fmt: skip
    return world.extra["other_rule"]


NON_CONTENT_KWARGS.update(
    {
        # A region's own rule set and rule (plans.services_rules.local_rule_set_for / local_rule_for), only
        # under their region in the URL: we pass the other region's (made above) with the other region's id,
        # so both the region check and the "belongs to this region" check must answer 404.
        "rule_set_id": (lambda world, record: _other_region_rule(world).rule_set_id, "404"),
        "rule_id": (lambda world, record: _other_region_rule(world).pk, "404"),
    }
)


#: Detail routes: GREEN records of the caller's region must be readable here (200, title shown).
DETAIL_ROUTES = {
    "notices:detail",
    "api:notice_detail",
    "risk:analysis_detail",
    "risk:event_detail",
    "api:risk_analysis_detail",
    "api:risk_event_detail",
    "plans:document_detail",
    "plans:snapshot_detail",
    "plans:attachment_download",
    "agreements:detail",
    "agreements:attachment_download",
    "emergencyplan:plan_detail",
    "emergencyplan:card_detail",
    "emergencyplan:alert_list",
    "emergencyplan:crisis_management",
    "followup:plan_detail",
    "followup:activity_detail",
    "followup:evaluation_detail",
    "followup:evaluation_docx",
    "followup:evaluation_pdf",
}

#: API routes served outside the OpenAPI schema. They take no content ids; they are walked with GET
#: and POST like the documented ones.
API_ROUTES_OUTSIDE_SCHEMA = {
    "api:openapi-json",  # the schema itself
    "api:openapi-view",  # the Swagger docs page
    "api:api-root",  # ninja's root (no content)
    "api:unknown_endpoint",  # catch-all 404 in the error envelope; its kwarg is in NON_CONTENT_KWARGS
}

#: Members of the demo region who are neither owner, sharee nor named on the secret records.
OUTSIDERS = ("demo-hemnes", "demo-industripark")

ROUTES = all_routes()
ROUTES_WITH_IDS = [r for r in ROUTES if r.kwargs]
ROUTES_WITHOUT_IDS = [r for r in ROUTES if not r.kwargs]
CONTENT_ROUTES = [r for r in ROUTES if set(r.kwargs) & set(CONTENT_KWARGS)]


def _ids(routes):
    return [f"{r.template or '<root>'}[{r.name}]" for r in routes]


def unknown_kwargs(route: Route) -> list[str]:
    return [k for k in route.kwargs if k not in CONTENT_KWARGS and k not in NON_CONTENT_KWARGS]


def fail_unknown(route: Route):
    unknown = unknown_kwargs(route)
    if unknown:
        pytest.fail(
            f"URL route {route} takes kwarg(s) {unknown} that tests/authz/test_route_walk.py does not know. "
            "Add each to CONTENT_KWARGS (if it names a content record: give the model and a getter for its "
            "AMBER/AMBER+STRICT/RED/other-region GREEN test records) or to NON_CONTENT_KWARGS (with a "
            "comment saying why it is safe and what the outsider should get), so the route is checked."
        )


def cases_for(world, route: Route, *, records=HIDDEN_RECORDS):
    """Yield (description, kwarg values, values for a missing id, expectation, canaries not to leak)."""
    fail_unknown(route)
    content = [k for k in route.kwargs if k in CONTENT_KWARGS]
    if content:
        for key in records:
            values, missing = {}, {}
            record = None
            for kwarg in content:
                record = CONTENT_KWARGS[kwarg][1](world, key)
                values[kwarg] = record.pk
                missing[kwarg] = MISSING_ID
            for kwarg in route.kwargs:
                if kwarg not in CONTENT_KWARGS:
                    values[kwarg] = missing[kwarg] = NON_CONTENT_KWARGS[kwarg][0](world, record)
            yield key, values, missing, "404", [CANARIES[key]]
    else:
        values = {k: NON_CONTENT_KWARGS[k][0](world, None) for k in route.kwargs}
        expectations = {NON_CONTENT_KWARGS[k][1] for k in route.kwargs}
        expect = "404" if "404" in expectations else "no_leak"
        missing = {k: (MISSING_ID if NON_CONTENT_KWARGS[k][1] == "404" else v) for k, v in values.items()}
        yield "non-content", values, missing, expect, all_secret_canaries()


def all_secret_canaries():
    return [CANARIES[k] for k in (*HIDDEN_RECORDS, "other_region", "other_org", "token")]


def api_methods(route: Route) -> dict[str, dict]:
    ops = openapi_operations().get(route.openapi_path)
    if ops is None:
        assert route.name in API_ROUTES_OUTSIDE_SCHEMA, f"API route {route} is not in the OpenAPI schema"
        return {"get": {}, "post": {}, "put": {}, "delete": {}}
    return ops


def api_request(client: Client, method: str, url: str, operation: dict):
    body = None
    request_body = operation.get("requestBody")
    if request_body:
        schema = request_body["content"]["application/json"]["schema"]
        body = minimal_body(schema, openapi_components())
    call = getattr(client, method.lower())
    if body is None:
        return call(url)
    return call(url, data=body, content_type="application/json")


def response_text(response) -> str:
    """What a person could read in a response: for downloads (PDF, and .docx/.xlsx, which are zip files of
    XML) the text inside the file, so a canary cannot hide in a compressed report or export."""
    import io
    import zipfile

    # Attachment downloads are streamed (plans.views.attachment_download).
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"%PDF"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    return body.decode(errors="replace")


def assert_no_canary(response, canaries, where):
    text = response_text(response)
    for canary in canaries:
        assert canary not in text, f"{where}: secret canary {canary!r} appears in the response"


def snapshot(world):
    rows = {n.pk: (n.version, n.access_level, n.title, n.body) for n in Notice.objects.all()}
    for model in (RiskAnalysis, AnalysedEvent, Measure, GoverningDocument):
        rows[model.__name__] = set(model.objects.values_list("pk", "version", "access_level", "title"))
    for model in (StatusSnapshot, StatusAssessment):
        rows[model.__name__] = set(model.objects.values_list("pk", "version", "access_level"))
    rows["FollowUpPlan"] = set(FollowUpPlan.objects.values_list("pk", "version", "access_level", "title"))
    rows["Activity"] = set(Activity.objects.values_list("pk", "version", "access_level", "title", "status"))
    rows["AnnualEvaluation"] = set(
        AnnualEvaluation.objects.values_list("pk", "version", "access_level", "status", "lessons_learned")
    )
    rows["Responsibility"] = set(Responsibility.objects.values_list("pk", "activity_id", "role", "name"))
    for model in (EmergencyPlan, ActionCard):
        rows[model.__name__] = set(model.objects.values_list("pk", "version", "access_level", "title"))
    for spec in EMERGENCY_PLAN_PARTS:
        rows[spec.model.__name__] = {
            (pk, version, level, str(entries))
            for pk, version, level, entries in spec.model.objects.values_list(
                "pk", "version", "access_level", "entries" if spec.entries else "notes"
            )
        }
    rows["DocumentAttachment"] = set(DocumentAttachment.objects.values_list("pk", "document_id", "sha256"))
    rows["Agreement"] = {
        (pk, version, level, title, str(parties))
        for pk, version, level, title, parties in Agreement.objects.values_list(
            "pk", "version", "access_level", "title", "parties"
        )
    }
    rows["AgreementAttachment"] = set(AgreementAttachment.objects.values_list("pk", "agreement_id", "sha256"))
    from samvirke.risk.models import AnalysisVersion, WorkshopAgreement, WorkshopScore, WorkshopSession

    rows["risk-extra"] = (
        set(AnalysisVersion.objects.values_list("pk", "number")),
        set(WorkshopSession.objects.values_list("pk", "status", "revealed")),
        set(WorkshopScore.objects.values_list("pk", "likelihood_position", "comment")),
        WorkshopAgreement.objects.count(),
    )
    from samvirke.risk.models import AcceptanceBand, EventType, LikelihoodClass, ScaleSet

    rows["library"] = (
        set(ScaleSet.objects.values_list("pk", "name", "owner_id")),
        set(LikelihoodClass.objects.values_list("pk", "label", "probability_low", "probability_high")),
        {(pk, str(cells)) for pk, cells in AcceptanceBand.objects.values_list("pk", "cells")},
        set(EventType.objects.values_list("pk", "region_id", "name", "description")),
    )
    token = ApiToken.objects.get(pk=world.other_token.pk)
    memberships = set(
        Membership.objects.values_list("pk", "user_id", "organisation_id", "role", "title", "active")
    )
    return rows, token.revoked_at, memberships


# ---------------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------------


def test_walker_finds_the_routes_we_know():
    """Guard the walker itself: it must see pages and API, with and without ids."""
    names = {r.name for r in ROUTES}
    assert {
        "notices:detail",
        "notices:edit",
        "notices:restore",
        "web:region_overview",
        "api:notice_detail",
        "api:organisation_detail",
        "accounts:token_revoke",
        "organisations:detail",
        "organisations:membership_change",
    } <= names
    assert names >= DETAIL_ROUTES
    assert any(r.is_api for r in ROUTES) and any(not r.is_api for r in ROUTES)


def test_every_route_kwarg_is_known():
    problems = {str(r): unknown_kwargs(r) for r in ROUTES if unknown_kwargs(r)}
    assert not problems, (
        f"Routes with URL kwargs the authorization walker does not know: {problems}. Add them to "
        "CONTENT_KWARGS or NON_CONTENT_KWARGS in tests/authz/test_route_walk.py."
    )


def test_openapi_schema_and_resolver_agree():
    """Every documented API path is walked, and every API route is documented (or explicitly listed)."""
    api_routes = [r for r in ROUTES if r.is_api]
    by_path = {r.openapi_path: r for r in api_routes}
    schema_paths = set(openapi_operations())
    assert schema_paths <= set(by_path), f"documented but not in the resolver: {schema_paths - set(by_path)}"
    undocumented = {r.name for r in api_routes if r.openapi_path not in schema_paths}
    assert undocumented <= API_ROUTES_OUTSIDE_SCHEMA, (
        f"API routes outside the OpenAPI schema: {undocumented - API_ROUTES_OUTSIDE_SCHEMA}. Document them, "
        "or list them in API_ROUTES_OUTSIDE_SCHEMA with a comment if they serve no content."
    )
    for route in api_routes:
        if route.name in API_ROUTES_OUTSIDE_SCHEMA:
            content = set(route.kwargs) & set(CONTENT_KWARGS)
            assert not content, f"{route} takes content ids, so it must be in the OpenAPI schema"


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=_ids(ROUTES_WITH_IDS))
def test_route_hides_secret_records(world, signed_in, route, outsider):
    web = signed_in(outsider)  # session with password + one-time code; enforce_csrf_checks is off
    token_client = world.api_client(outsider)
    before = snapshot(world)
    checked = 0
    for key, values, missing, expect, canaries in cases_for(world, route):
        url, missing_url = route.url(**values), route.url(**missing)
        if route.is_api:
            clients = {"token": token_client, "session": web}
            for method, operation in api_methods(route).items():
                for how, client in clients.items():
                    if how == "session" and method != "get":
                        continue  # session writes need the CSRF token; the token client covers writes
                    response = api_request(client, method, url, operation)
                    where = f"{method.upper()} {url} ({key}, {how}, as {outsider})"
                    assert_no_canary(response, canaries, where)
                    if expect == "404":
                        assert response.status_code == 404, (
                            f"{where}: expected 404, got {response.status_code}"
                        )
                        assert response.json()["error"]["code"] == "not_found", where
                    else:
                        assert response.status_code < 500, where
                    checked += 1
        else:
            for method in ("get", "post"):
                response = getattr(web, method)(url)
                where = f"{method.upper()} {url} ({key}, as {outsider})"
                assert_no_canary(response, canaries, where)
                if expect == "404":
                    if response.status_code == 405:
                        # The view refuses this method whatever the id: fine, if a missing id gets the same.
                        assert getattr(web, method)(missing_url).status_code == 405, where
                    else:
                        assert response.status_code == 404, (
                            f"{where}: expected 404, got {response.status_code}"
                        )
                else:
                    # 403: a page for editors only (editing a national event type): refused, nothing shown.
                    assert response.status_code in (200, 302, 403, 404, 405), (
                        f"{where}: got {response.status_code}"
                    )
                checked += 1
    assert checked, f"{route}: nothing was checked"
    assert snapshot(world) == before, (
        f"{route}: a request by an outsider changed a secret record, token or membership"
    )


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("route", ROUTES_WITHOUT_IDS, ids=_ids(ROUTES_WITHOUT_IDS))
def test_route_without_ids_leaks_nothing(world, signed_in, route, outsider):
    client = world.api_client(outsider) if route.is_api else signed_in(outsider)
    response = client.get(route.url())
    assert response.status_code < 500, f"GET {route.url()} as {outsider}: {response.status_code}"
    assert_no_canary(response, all_secret_canaries(), f"GET {route.url()} as {outsider}")
    if route.is_api:
        # The browser session may read the API too.
        session_response = signed_in(outsider).get(route.url())
        assert_no_canary(
            session_response, all_secret_canaries(), f"GET {route.url()} (session) as {outsider}"
        )


@pytest.mark.parametrize("route", ROUTES_WITHOUT_IDS, ids=_ids(ROUTES_WITHOUT_IDS))
def test_route_without_ids_anonymous_sees_no_secrets(world, route):
    response = Client().get(route.url())
    assert response.status_code < 500
    canaries = [*all_secret_canaries(), CANARIES["green"]]
    assert_no_canary(response, canaries, f"anonymous GET {route.url()}")


@pytest.mark.parametrize("route", CONTENT_ROUTES, ids=_ids(CONTENT_ROUTES))
def test_green_is_readable_by_region_members(world, signed_in, route):
    """GREEN of the caller's own region: never 404; where the page renders, the title is on it."""
    outsider = "demo-hemnes"
    client = world.api_client(outsider) if route.is_api else signed_in(outsider)
    for key, values, _missing, _expect, _canaries in cases_for(world, route, records=("green",)):
        url = route.url(**values)
        response = client.get(url)
        assert response.status_code != 404, f"GET {url}: GREEN record hidden from a region member"
        # 403: a page for the owner's editors only (edit); 405: POST-only (restore).
        assert response.status_code in (200, 403, 405), f"GET {url}: {response.status_code}"
        if response.status_code == 200:
            assert CANARIES["green"] in response_text(response), f"GET {url}: title missing"
        if route.name in DETAIL_ROUTES:
            assert response.status_code == 200, f"GET {url}: detail of a GREEN record must be readable"


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=_ids(ROUTES_WITH_IDS))
def test_anonymous_gets_nothing_by_id(world, route):
    """Anonymous: pages give 404 or send to login; the API answers 401. GREEN included."""
    client = Client()
    for key, values, missing, expect, canaries in cases_for(world, route, records=(*HIDDEN_RECORDS, "green")):
        url = route.url(**values)
        canaries = [*canaries, CANARIES["green"]]
        if route.is_api:
            for method, operation in api_methods(route).items():
                response = api_request(client, method, url, operation)
                where = f"anonymous {method.upper()} {url}"
                assert_no_canary(response, canaries, where)
                if key == "non-content":
                    # e.g. the catch-all (auth=None) answers 404 before asking who you are: also fine.
                    assert response.status_code in (401, 404), f"{where}: got {response.status_code}"
                else:
                    assert response.status_code == 401, f"{where}: expected 401, got {response.status_code}"
        else:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                where = f"anonymous {method.upper()} {url} ({key})"
                assert_no_canary(response, canaries, where)
                if expect == "no_leak":
                    assert response.status_code in (200, 302, 404, 405), where
                elif response.status_code == 302:
                    assert response["Location"].startswith("/accounts/login/"), (
                        f"{where}: {response['Location']}"
                    )
                elif response.status_code == 405:
                    assert getattr(client, method)(route.url(**missing)).status_code == 405, where
                else:
                    assert response.status_code == 404, (
                        f"{where}: expected 404/login, got {response.status_code}"
                    )


def test_clear_detail_is_public(world):
    clear = world.notices["clear"]
    response = Client().get(f"/notices/{clear.pk}/")
    assert response.status_code == 200
    assert CANARIES["clear"] in response.content.decode()
    # The API always needs a token or session, even for public records.
    assert Client().get(f"/api/v1/notices/{clear.pk}").status_code == 401


def test_restore_with_a_secret_records_version_is_404(world, signed_in):
    """history_id is scoped to its record: an editor cannot restore another record's version into theirs."""
    from samvirke.core.access import AccessLevel

    from .conftest import make_notice

    hemnes = world.orgs["1832"]
    own = make_notice(hemnes, "qzown-hemnes", AccessLevel.AMBER_STRICT)
    secret = world.notices["amber_strict"]
    secret_version = secret.history.order_by("history_id").first().history_id
    client = signed_in("demo-hemnes")
    response = client.post(f"/notices/{own.pk}/history/{secret_version}/restore/")
    assert response.status_code == 404
    own.refresh_from_db()
    assert CANARIES["amber_strict"] not in own.title + own.body
    assert own.version == 1


def test_revoked_and_unknown_tokens_are_refused(world):
    token, raw = ApiToken.issue(user=world.users["demo-rana"], name="revoked")
    from django.utils import timezone

    token.revoked_at = timezone.now()
    token.save()
    url = f"/api/v1/notices/{world.notices['amber'].pk}"
    assert Client(headers={"authorization": f"Bearer {raw}"}).get(url).status_code == 401
    assert Client(headers={"authorization": "Bearer smv_not-a-token"}).get(url).status_code == 401
    assert world.api_client("demo-rana").get(url).status_code == 200


def test_home_lists_public_notices_only(world, signed_in):
    """The front page's "Public information" is CLEAR only, even for a verified user named on a RED notice."""
    client = signed_in("authz-named-visitor")  # verified, no memberships, named on the RED record
    assert client.get(f"/notices/{world.notices['red'].pk}/").status_code == 200  # may read it...
    body = client.get("/").content.decode()
    assert CANARIES["clear"] in body
    assert CANARIES["red"] not in body  # ...but it is not public information
