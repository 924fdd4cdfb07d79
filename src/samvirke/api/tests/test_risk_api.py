"""The risk API (/api/v1/risk/...): the chokepoint, the access log, validation against the scale, conflicts,
pagination and flat query counts. Real database (demo region), real tokens."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samvirke.api.tests.conftest import ApiClient, assert_envelope
from samvirke.core.access import AccessLevel
from samvirke.core.models import AccessLogEntry
from samvirke.organisations.models import Organisation
from samvirke.risk import selectors, services
from samvirke.risk.models import AnalysedEvent, ConsequenceType, EventType, Measure, RiskAnalysis, ScaleSet

_numbers = itertools.count(1)


class RiskApiClient(ApiClient):
    def patch(self, path, body=None, **extra):
        return self._send("patch", path, body if body is not None else {}, **extra)


@pytest.fixture
def risk_api(token_for):
    def make(username: str, **headers) -> RiskApiClient:
        return RiskApiClient(token_for(username), **headers)

    return make


@pytest.fixture
def rana_hros(demo):
    return RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")  # GREEN, adopted


@pytest.fixture
def hemnes_hros(demo):
    return RiskAnalysis.objects.get(title__startswith="Helhetlig ROS Hemnes")  # AMBER, shared with Rana


def strict_analysis(actor, **extra):
    """A Rana analysis only Rana's members may read (AMBER+STRICT)."""
    return services.analysis_create(
        actor=actor,
        owner_id=Organisation.objects.get(municipality_number="1833").pk,
        data={
            "title": f"Intern ROS {next(_numbers)}",
            "kind": "hros",
            "scale_set": ScaleSet.objects.get(slug="dsb-2014-kommune"),
            "access_level": AccessLevel.AMBER_STRICT,
            **extra,
        },
    )


def new_event(**extra):
    return {
        "title": "Skogbrann ved Mo",
        "likelihood": "D",
        "likelihood_reasoning": "Tørre somre de siste årene.",
        "consequences": [
            {"type": "dodsfall", "level": "3", "reasoning": "Boliger nær skogen."},
            {"type": "okonomi", "level": "4", "reasoning": "Tapt skog og bygninger."},
        ],
        "knowledge_strength": "medium",
        "affected_municipalities": ["1832"],
        "critical_functions": ["Redningstjeneste"],
        **extra,
    }


# --- reads ---------------------------------------------------------------------------------------------


def test_analysis_list_is_paged_filtered_and_shows_only_visible_analyses(risk_api, actor_of, rana_hros):
    hidden = strict_analysis(actor_of("demo-rana"))
    hemnes = risk_api("demo-hemnes")
    body = hemnes.get("/api/v1/risk/analyses").json()
    visible = selectors.analyses_visible_to(actor_of("demo-hemnes"))
    assert body["count"] == visible.count() and hidden.pk not in {a["id"] for a in body["items"]}
    assert {a["id"] for a in body["items"]} == set(visible.values_list("pk", flat=True))
    first = next(a for a in body["items"] if a["id"] == rana_hros.pk)
    assert first["scale_set"] == "dsb-2014-kommune" and first["status"] == "adopted"

    rana = risk_api("demo-rana")
    everything = rana.get("/api/v1/risk/analyses").json()
    assert hidden.pk in {a["id"] for a in everything["items"]}
    page = rana.get("/api/v1/risk/analyses?page_size=2&page=2").json()
    assert page["count"] == everything["count"]
    assert [a["id"] for a in page["items"]] == [a["id"] for a in everything["items"]][2:4]
    assert {a["kind"] for a in rana.get("/api/v1/risk/analyses?kind=rsa").json()["items"]} == {"rsa"}
    statuses = rana.get("/api/v1/risk/analyses?status=consultation").json()["items"]
    assert [a["title"] for a in statuses] == ["Helhetlig ROS Hemnes kommune 2023"]
    owner = rana.get(f"/api/v1/risk/analyses?owner={rana_hros.owner_id}").json()["items"]
    assert {a["owner_id"] for a in owner} == {rana_hros.owner_id}
    for bad in ("kind=gossip", "status=x", "owner=0", "page=0", "page_size=1000"):
        error = assert_envelope(rana.get(f"/api/v1/risk/analyses?{bad}"), 422, "validation_error")
        assert list(error["details"]) == [bad.split("=")[0]]


def test_analysis_detail_has_scale_set_and_requirement_coverage(risk_api, rana_hros):
    body = risk_api("demo-hemnes").get(f"/api/v1/risk/analyses/{rana_hros.pk}").json()
    assert body["scale_set"] == "dsb-2014-kommune" and body["scale_set_name"] == "DSB 2014 kommune"
    assert body["missing_requirements"] == ["§ 2 c"]
    coverage = {r["code"]: r["covered"] for r in body["requirements"]}
    assert coverage["§ 2 a"] is True and coverage["§ 2 c"] is False and len(coverage) == 6


def test_outsiders_get_404_for_everything_under_a_hidden_analysis(risk_api, actor_of):
    actor = actor_of("demo-rana")
    hidden = strict_analysis(actor)
    event = services.event_create(actor=actor, analysis_id=hidden.pk, data={"title": "Intern hendelse"})
    hemnes = risk_api("demo-hemnes")
    missing = hemnes.get(f"/api/v1/risk/analyses/{2_000_000_000}")
    assert_envelope(missing, 404, "not_found")
    base = f"/api/v1/risk/analyses/{hidden.pk}"
    for path in ("", "/events", f"/events/{event.pk}", "/measures", "/matrix"):
        response = hemnes.get(base + path)
        assert response.content == missing.content, path
    assert hemnes.post(f"{base}/events", new_event()).content == missing.content
    assert hemnes.patch(f"{base}/events/{event.pk}", {"version": 1, "title": "x"}).content == missing.content
    event.refresh_from_db()
    assert (
        event.title == "Intern hendelse"
        and not AnalysedEvent.objects.filter(title="Skogbrann ved Mo").exists()
    )
    # An event id under another (visible) analysis' id is not found either.
    rana_hros = RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")
    assert (
        risk_api("demo-rana").get(f"/api/v1/risk/analyses/{rana_hros.pk}/events/{event.pk}").status_code
        == 404
    )


def test_events_have_scale_positions_consequences_flags_and_municipalities(risk_api, rana_hros):
    response = risk_api("demo-hemnes").get(f"/api/v1/risk/analyses/{rana_hros.pk}/events")
    items = response.json()["items"]
    strict = AnalysedEvent.objects.filter(analysis=rana_hros, access_level=AccessLevel.AMBER_STRICT)
    assert strict.exists() and not {e.pk for e in strict} & {e["id"] for e in items}
    road = next(e for e in items if e["title"].startswith("Stengt E6 og E12"))
    assert road["likelihood"] == {"code": "E", "position": 5, "label": "Svært høy"}
    assert {(c["type"], c["level"], c["position"]) for c in road["consequences"]} == {
        ("dagligliv", "3", 3),
        ("okonomi", "2", 2),
    }
    assert road["consequence_position"] == 3 and road["risk_score"] == 15 and road["risk_colour"] == "red"
    assert road["knowledge_strength"] == "strong" and road["cross_municipal"] and road["cross_border"]
    assert sorted(road["affected_municipalities"]) == ["1832", "2421"]
    stored = AnalysedEvent.objects.get(pk=road["id"])
    assert road["event_type"]["name"] == stored.event_type.name == "Snøskred og stengt vei"
    assert road["critical_functions"] and sorted(road["critical_functions"]) == sorted(
        f.name for f in stored.critical_functions.all()
    )
    detail = risk_api("demo-hemnes").get(f"/api/v1/risk/analyses/{rana_hros.pk}/events/{road['id']}")
    assert detail.json() == road


def test_measures_show_only_visible_events_and_overdue(risk_api, actor_of, rana_hros):
    actor = actor_of("demo-rana")
    strict = AnalysedEvent.objects.filter(analysis=rana_hros, access_level=AccessLevel.AMBER_STRICT).first()
    green = AnalysedEvent.objects.filter(analysis=rana_hros, access_level=AccessLevel.GREEN).first()
    measure = services.measure_create(
        actor=actor,
        analysis_id=rana_hros.pk,
        data={
            "title": "Felles tiltak kvzq",
            "deadline": datetime.date(2020, 1, 1),
            "likelihood_reduction": 1,
            "access_level": AccessLevel.GREEN,
        },
        events=[strict, green],
    )
    url = f"/api/v1/risk/analyses/{rana_hros.pk}/measures"
    seen = {m["id"]: m for m in risk_api("demo-hemnes").get(url).json()["items"]}
    assert seen[measure.pk]["overdue"] is True and seen[measure.pk]["likelihood_reduction"] == 1
    # The AMBER+STRICT event it also mitigates is not revealed to another municipality.
    assert seen[measure.pk]["event_ids"] == [green.pk]
    hidden = set(
        Measure.objects.filter(analysis=rana_hros, access_level=AccessLevel.AMBER_STRICT).values_list(
            "pk", flat=True
        )
    )
    assert not hidden & set(seen)
    mine = {m["id"]: m for m in risk_api("demo-rana").get(url).json()["items"]}
    assert sorted(mine[measure.pk]["event_ids"]) == sorted([strict.pk, green.pk])
    assert hidden <= set(mine)


def test_matrix_counts_before_and_after_measures(risk_api, actor_of, rana_hros):
    client = risk_api("demo-rana")
    body = client.get(f"/api/v1/risk/analyses/{rana_hros.pk}/matrix").json()
    expected = selectors.matrix(actor_of("demo-rana"), rana_hros)
    assert body["scale_set"] == "dsb-2014-kommune" and body["consequence_type"] is None
    assert len(body["cells"]) == 25 and body["event_count"] == expected["event_count"]
    assert (
        sum(c["before"] for c in body["cells"])
        == sum(c["after"] for c in body["cells"])
        == body["event_count"]
    )
    flood = AnalysedEvent.objects.get(analysis=rana_hros, title__startswith="Flom i Ranelva")
    before = next(c for c in body["cells"] if flood.pk in c["before_event_ids"])
    after = next(c for c in body["cells"] if flood.pk in c["after_event_ids"])
    # Its measure lowers likelihood and consequence by one step each.
    assert (after["likelihood"], after["consequence"]) == (
        before["likelihood"] - 1,
        before["consequence"] - 1,
    )
    assert before["colour"] in {"green", "yellow", "red"} and before["likelihood_code"]
    assert {e["id"] for e in body["events"]} == {
        e.pk for e in AnalysedEvent.objects.filter(analysis=rana_hros)
    }
    one_type = client.get(f"/api/v1/risk/analyses/{rana_hros.pk}/matrix?consequence_type=dodsfall").json()
    assert one_type["consequence_type"] == "dodsfall" and one_type["event_count"] < body["event_count"]
    error = assert_envelope(
        client.get(f"/api/v1/risk/analyses/{rana_hros.pk}/matrix?consequence_type=nope"),
        422,
        "validation_error",
    )
    assert list(error["details"]) == ["consequence_type"]
    hemnes = risk_api("demo-hemnes").get(f"/api/v1/risk/analyses/{rana_hros.pk}/matrix").json()
    assert hemnes["event_count"] < body["event_count"]  # Rana's AMBER+STRICT events are not placed


def test_amber_and_stricter_reads_are_logged_via_the_api(risk_api, actor_of, hemnes_hros):
    client = risk_api("demo-rana")
    AccessLogEntry.objects.all().delete()
    assert client.get(f"/api/v1/risk/analyses/{hemnes_hros.pk}").status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.object_id, entry.via, entry.action, entry.access_level) == (
        hemnes_hros.pk,
        "api",
        "read",
        "amber",
    )
    AccessLogEntry.objects.all().delete()
    events = client.get(f"/api/v1/risk/analyses/{hemnes_hros.pk}/events?page_size=1").json()
    logged = list(AccessLogEntry.objects.values_list("object_id", "via", "action"))
    amber_events = [e["id"] for e in events["items"] if e["access_level"] != "green"]
    assert (hemnes_hros.pk, "api", "read") in logged
    assert {(pk, "api", "list") for pk in amber_events} <= set(logged)
    assert len(logged) == 1 + len(amber_events)  # only the page returned
    AccessLogEntry.objects.all().delete()
    client.get(f"/api/v1/risk/analyses/{hemnes_hros.pk}/matrix")
    assert AccessLogEntry.objects.filter(via="api", action="list").exists()


# --- writes --------------------------------------------------------------------------------------------


def test_editor_creates_an_event_with_the_forms_rules(risk_api, rana_hros):
    response = risk_api("demo-rana").post(f"/api/v1/risk/analyses/{rana_hros.pk}/events", new_event())
    assert response.status_code == 201, response.content
    body = response.json()
    event = AnalysedEvent.objects.get(pk=body["id"])
    assert (event.owner_id, event.access_level, event.version) == (rana_hros.owner_id, "green", 1)
    assert (body["risk_score"], body["risk_colour"], body["consequence_position"]) == (16, "red", 4)
    assert body["affected_municipalities"] == ["1832"] and body["critical_functions"] == ["Redningstjeneste"]
    assert event.assessments.count() == 2


def test_writes_log_their_reads_via_the_api(risk_api, actor_of):
    hidden = strict_analysis(actor_of("demo-rana"))
    client = risk_api("demo-rana")
    AccessLogEntry.objects.all().delete()
    created = client.post(f"/api/v1/risk/analyses/{hidden.pk}/events", new_event())
    assert created.status_code == 201 and created.json()["access_level"] == "amber_strict"
    client.patch(
        f"/api/v1/risk/analyses/{hidden.pk}/events/{created.json()['id']}", {"version": 1, "title": "Ny"}
    )
    vias = set(AccessLogEntry.objects.values_list("via", flat=True))
    assert vias == {"api"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"likelihood": "Z"}, "likelihood", "This likelihood class is not on the analysis' scale."),
        ({"likelihood_reasoning": ""}, "likelihood_reasoning", "Give the reasoning for the likelihood."),
        (
            {"consequences": [{"type": "dodsfall", "level": "6", "reasoning": "x"}]},
            "consequences.0.level",
            "This consequence level is not on the analysis' scale.",
        ),
        (
            {"consequences": [{"type": "alvorlig-skadde", "level": "3", "reasoning": "x"}]},  # an NRB type
            "consequences.0.type",
            "This consequence type is not on the analysis' scale.",
        ),
        (
            {"consequences": [{"type": "okonomi", "level": "2", "reasoning": " "}]},
            "consequences.0.reasoning",
            "Give the reasoning for the consequence “Økonomiske tap og materielle skader”.",
        ),
        (
            {"consequences": [{"type": "okonomi", "level": "2"}, {"type": "okonomi", "level": "3"}]},
            "consequences.1.type",
            "List each consequence type only once.",
        ),
        (
            {"affected_municipalities": ["9999"]},
            "affected_municipalities",
            "Select a valid choice. 9999 is not one of the available choices.",
        ),
        ({"knowledge_strength": "certain"}, "knowledge_strength", None),
        ({"title": ""}, "title", "This field is required."),
        ({"scenario": "x" * 20_001}, "scenario", "Use at most 20000 characters."),
        ({"scenario": "Se KONFIDENSIELT vedlegg"}, "scenario", None),
    ],
)
def test_out_of_scale_and_invalid_input_is_422_with_field_details(
    risk_api, rana_hros, change, field, message
):
    client = risk_api("demo-rana", HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(f"/api/v1/risk/analyses/{rana_hros.pk}/events", new_event(**change))
    error = assert_envelope(response, 422, "validation_error")
    assert field in error["details"], error
    if message:
        assert error["details"][field] == [message]
    assert not AnalysedEvent.objects.filter(title="Skogbrann ved Mo").exists()


def test_event_type_must_be_in_the_analysis_region_library(risk_api, rana_hros):
    from samvirke.organisations.models import Region

    elsewhere = Region.objects.create(name="Annen region", slug="annen")
    foreign = EventType.objects.create(region=elsewhere, category="natural", name="Jordskjelv")
    client = risk_api("demo-rana", HTTP_ACCEPT_LANGUAGE="en")
    error = assert_envelope(
        client.post(f"/api/v1/risk/analyses/{rana_hros.pk}/events", new_event(event_type_id=foreign.pk)),
        422,
        "validation_error",
    )
    assert list(error["details"]) == ["event_type_id"]
    national = EventType.objects.get(name="Skogbrann", region__isnull=True)
    created = client.post(
        f"/api/v1/risk/analyses/{rana_hros.pk}/events", new_event(event_type_id=national.pk)
    )
    assert created.status_code == 201 and created.json()["event_type"]["id"] == national.pk


def test_only_editors_of_the_owner_create_and_change(risk_api, rana_hros, hemnes_hros):
    event = AnalysedEvent.objects.filter(analysis=rana_hros, access_level="green").first()
    for username in ("demo-rana-reader", "demo-hemnes"):
        client = risk_api(username)
        assert_envelope(
            client.post(f"/api/v1/risk/analyses/{rana_hros.pk}/events", new_event()), 403, "permission_denied"
        )
        assert_envelope(
            client.patch(
                f"/api/v1/risk/analyses/{rana_hros.pk}/events/{event.pk}", {"version": 1, "title": "x"}
            ),
            403,
            "permission_denied",
        )
    # Rana may read Hemnes' shared analysis, but not write to it.
    assert_envelope(
        risk_api("demo-rana").post(f"/api/v1/risk/analyses/{hemnes_hros.pk}/events", new_event()),
        403,
        "permission_denied",
    )
    assert not AnalysedEvent.objects.filter(title__in=["Skogbrann ved Mo", "x"]).exists()


def test_patch_changes_only_what_is_sent_and_a_stale_version_is_409(risk_api, rana_hros):
    client = risk_api("demo-rana", HTTP_ACCEPT_LANGUAGE="en")
    created = client.post(f"/api/v1/risk/analyses/{rana_hros.pk}/events", new_event()).json()
    path = f"/api/v1/risk/analyses/{rana_hros.pk}/events/{created['id']}"
    error = assert_envelope(client.patch(path, {"title": "Uten versjon"}), 422, "validation_error")
    assert list(error["details"]) == ["version"]

    first = client.patch(
        path,
        {
            "version": 1,
            "likelihood": "B",
            "consequences": [{"type": "okonomi", "level": None}],
            "affected_municipalities": [],
        },
    )
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["version"] == 2 and body["title"] == "Skogbrann ved Mo"  # unchanged
    assert [c["type"] for c in body["consequences"]] == ["dodsfall"]  # the other type was removed
    assert (body["likelihood"]["code"], body["risk_score"], body["risk_colour"]) == ("B", 6, "yellow")
    assert body["affected_municipalities"] == [] and body["critical_functions"] == ["Redningstjeneste"]

    stale = client.patch(path, {"version": 1, "title": "Min tittel"})
    error = assert_envelope(stale, 409, "conflict")
    assert error["details"]["current_version"] == 2
    assert error["details"]["current"]["id"] == created["id"]
    assert error["details"]["current"]["likelihood"]["code"] == "B"
    assert AnalysedEvent.objects.get(pk=created["id"]).title == "Skogbrann ved Mo"

    error = assert_envelope(client.patch(path, {"version": 2, "likelihood": "Q"}), 422, "validation_error")
    assert error["details"] == {"likelihood": ["This likelihood class is not on the analysis' scale."]}
    cleared = client.patch(path, {"version": 2, "likelihood": None, "event_type_id": None}).json()
    assert cleared["likelihood"] is None and cleared["risk_score"] is None and cleared["version"] == 3


def test_session_writes_need_csrf(signed_in, rana_hros):
    client = signed_in("demo-rana")
    client.handler.enforce_csrf_checks = True
    response = client.post(
        f"/api/v1/risk/analyses/{rana_hros.pk}/events", new_event(), content_type="application/json"
    )
    assert_envelope(response, 403, "csrf_failed")
    assert client.get(f"/api/v1/risk/analyses/{rana_hros.pk}/events").status_code == 200


# --- scale sets ----------------------------------------------------------------------------------------


def test_scale_sets_are_the_defaults_and_own_copies(risk_api, actor_of):
    default = ScaleSet.objects.get(slug="dsb-2014-kommune")
    copy = services.scale_set_copy(
        actor=actor_of("demo-rana"),
        scale_set_id=default.pk,
        owner_id=Organisation.objects.get(municipality_number="1833").pk,
        name="Ranas skala",
    )
    rana = risk_api("demo-rana").get("/api/v1/risk/scale-sets").json()
    assert [s["slug"] for s in rana["items"]] == ["dsb-2014-kommune", "fylkesros-nrb", copy.slug]
    assert rana["items"][2]["copied_from"] == "dsb-2014-kommune" and rana["items"][2]["owner_id"]
    hemnes = risk_api("demo-hemnes")
    assert copy.slug not in {s["slug"] for s in hemnes.get("/api/v1/risk/scale-sets").json()["items"]}
    missing = hemnes.get("/api/v1/risk/scale-sets/no-such-set")
    assert_envelope(missing, 404, "not_found")
    assert hemnes.get(f"/api/v1/risk/scale-sets/{copy.slug}").content == missing.content
    assert_envelope(hemnes.get("/api/v1/risk/scale-sets/%20bad%20"), 422, "validation_error")

    detail = hemnes.get("/api/v1/risk/scale-sets/fylkesros-nrb").json()
    assert [c["code"] for c in detail["likelihood_classes"]] == ["A", "B", "C", "D", "E"]
    economy = next(t for t in detail["consequence_types"] if t["code"] == "direkte-tap")
    assert economy["societal_value"] == "economy"
    assert (economy["levels"][2]["lower"], economy["levels"][2]["upper"], economy["levels"][2]["unit"]) == (
        125,
        500,
        "MNOK",
    )
    cells = sorted(tuple(cell) for band in detail["acceptance_bands"] for cell in band["cells"])
    assert len(cells) == len(set(cells)) == 25
    assert detail["knowledge_strengths"] == ["strong", "medium", "weak"]


# --- query counts --------------------------------------------------------------------------------------


def grow(actor, analysis, n):
    """n more events in `analysis` (GREEN and AMBER, assessed, typed, with municipalities) with a measure
    each, and n more analyses."""
    types = list(ConsequenceType.objects.filter(scale_set=analysis.scale_set).prefetch_related("levels")[:2])
    likelihood = analysis.scale_set.likelihood_classes.get(position=2)
    event_type = EventType.objects.filter(region__isnull=True).first()
    hemnes = Organisation.objects.get(municipality_number="1832")
    for i in range(n):
        level = AccessLevel.GREEN if i % 2 else AccessLevel.AMBER
        event = services.event_create(
            actor=actor,
            analysis_id=analysis.pk,
            data={"title": f"Vekst {next(_numbers)}", "likelihood": likelihood, "likelihood_reasoning": "x",
                  "access_level": level, "event_type": event_type},
            consequences={t: (t.levels.all()[i % 5], "grunn") for t in types},
            affected_municipalities=[hemnes],
        )  # fmt: skip
        services.measure_create(
            actor=actor, analysis_id=analysis.pk, data={"title": f"Tiltak {event.pk}"}, events=[event]
        )
        strict_analysis(actor, access_level=level)


@pytest.mark.parametrize("endpoint", ["analyses", "events", "measures"])
def test_list_endpoints_have_flat_query_counts(risk_api, actor_of, rana_hros, endpoint):
    actor = actor_of("demo-rana")
    client = risk_api("demo-rana")
    url = {
        "analyses": "/api/v1/risk/analyses",
        "events": f"/api/v1/risk/analyses/{rana_hros.pk}/events",
        "measures": f"/api/v1/risk/analyses/{rana_hros.pk}/measures",
    }[endpoint]
    grow(actor, rana_hros, 3)
    client.get(url)  # warm-up (token last used, content types)
    with CaptureQueriesContext(connection) as small:
        shown_small = len(client.get(url).json()["items"])
    grow(actor, rana_hros, 9)
    with CaptureQueriesContext(connection) as large:
        shown_large = len(client.get(url).json()["items"])
    assert shown_large >= shown_small + 9, "the list did not grow"
    assert len(small.captured_queries) == len(large.captured_queries), "\n".join(
        q["sql"] for q in large.captured_queries
    )
