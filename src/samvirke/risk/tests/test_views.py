"""Risk pages and services through HTTP and the service layer, on the demo region. Real database."""

import datetime

import pytest
from django.test import Client

from samvirke.core.access import AccessLevel
from samvirke.core.errors import Conflict, NotFound, PermissionDenied
from samvirke.risk import selectors, services
from samvirke.risk.models import AnalysedEvent, ConsequenceType, Measure, RiskAnalysis, ScaleSet


def english(client):
    """Signed-in users' saved language wins; switch it to English so the test can assert English text."""
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def rana_hros(demo):
    return RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")


def test_demo_is_loaded_and_idempotent(demo, rana_hros):
    from samvirke.demo.loader import load_demo

    counts = (RiskAnalysis.objects.count(), AnalysedEvent.objects.count(), Measure.objects.count())
    load_demo()
    assert counts == (RiskAnalysis.objects.count(), AnalysedEvent.objects.count(), Measure.objects.count())
    assert counts[1] >= 12
    assert ScaleSet.objects.filter(slug__in=["dsb-2014-kommune", "fylkesros-nrb"]).count() == 2
    assert AnalysedEvent.objects.filter(analysis=rana_hros, risk_colour="red").exists()
    # Every demo municipality has an analysis with at least 8 events, the cooperation a regional ROS, and
    # some measures are overdue (demo/tests/test_risk_demo.py checks the content in detail).
    from samvirke.organisations.models import Organisation

    for municipality in Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY):
        analysis = RiskAnalysis.objects.get(owner=municipality)
        assert AnalysedEvent.objects.filter(analysis=analysis).count() >= 8, municipality.name
    assert RiskAnalysis.objects.filter(kind=RiskAnalysis.Kind.REGIONAL, owner__kind="group").count() == 1
    today = datetime.date.today()
    assert sum(m.is_overdue(today) for m in Measure.objects.all()) >= 5


def test_pages_render_for_a_member(signed_in, rana_hros):
    client = english(signed_in("demo-rana"))
    body = client.get("/risk/").content.decode()
    assert rana_hros.title in body and "Storumans kommun" in body
    body = client.get(f"/risk/{rana_hros.pk}/").content.decode()
    assert "Mo Industripark" in body  # Rana's own AMBER+STRICT events
    assert "§ 2 c" in body  # missing requirement listed
    assert "Overdue" in body
    body = client.get(f"/risk/{rana_hros.pk}/matrix/").content.decode()
    assert 'role="img"' in body and "<title" in body and "<desc" in body and "<table" in body
    assert client.get(f"/risk/{rana_hros.pk}/matrix/?type=dodsfall").status_code == 200
    event = AnalysedEvent.objects.filter(analysis=rana_hros).first()
    assert client.get(f"/risk/{rana_hros.pk}/events/{event.pk}/").status_code == 200
    assert client.get(f"/risk/{rana_hros.pk}/events/{event.pk}/edit/").status_code == 200
    assert client.get(f"/risk/{rana_hros.pk}/events/new/").status_code == 200
    assert client.get(f"/risk/{rana_hros.pk}/measures/new/").status_code == 200
    assert client.get(f"/risk/{rana_hros.pk}/edit/").status_code == 200
    assert client.get("/risk/new/").status_code == 200


def test_list_filters(signed_in, rana_hros):
    client = signed_in("demo-coordinator")
    body = client.get(f"/risk/?owner={rana_hros.owner_id}").content.decode()
    assert rana_hros.title in body and "Storumans kommun" not in body
    body = client.get("/risk/?kind=rsa").content.decode()
    assert "Storumans kommun" in body and rana_hros.title not in body
    body = client.get("/risk/?status=consultation").content.decode()
    assert "Hemnes" in body and rana_hros.title not in body


def test_strict_events_are_hidden_from_other_municipalities(signed_in, rana_hros):
    strict = AnalysedEvent.objects.filter(analysis=rana_hros, access_level=AccessLevel.AMBER_STRICT).first()
    client = signed_in("demo-hemnes")
    body = client.get(f"/risk/{rana_hros.pk}/").content.decode()
    assert rana_hros.title in body and strict.title not in body
    assert strict.title not in client.get(f"/risk/{rana_hros.pk}/matrix/").content.decode()
    assert client.get(f"/risk/{rana_hros.pk}/events/{strict.pk}/").status_code == 404


def test_event_of_a_hidden_analysis_is_hidden_even_if_the_event_is_green(demo, actor_of):
    """Reads of an event also require its analysis to be visible."""
    hemnes = RiskAnalysis.objects.get(title__startswith="Helhetlig ROS Hemnes")  # AMBER, shared with Rana
    event = AnalysedEvent.objects.filter(analysis=hemnes).first()
    event.access_level = AccessLevel.GREEN
    event.save()
    outsider = actor_of("demo-nesna")
    with pytest.raises(NotFound):
        selectors.get_event_for(outsider, hemnes.pk, event.pk)
    assert not selectors.events_visible_to(outsider).filter(pk=event.pk).exists()
    # ...and an event id with another analysis' id is not found either.
    rana = actor_of("demo-rana")
    assert selectors.get_event_for(rana, hemnes.pk, event.pk) == event
    other = RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")
    with pytest.raises(NotFound):
        selectors.get_event_for(rana, other.pk, event.pk)


def _consequences(analysis, **levels):
    types = {t.code: t for t in ConsequenceType.objects.filter(scale_set=analysis.scale_set)}
    return {
        types[code]: (types[code].levels.get(position=position), reasoning)
        for code, (position, reasoning) in levels.items()
    }


def test_event_services_compute_risk_and_detect_conflicts(actor_of, rana_hros):
    actor = actor_of("demo-rana")
    likelihood = rana_hros.scale_set.likelihood_classes.get(code="E")
    event = services.event_create(
        actor=actor,
        analysis_id=rana_hros.pk,
        data={"title": "Skogbrann ved Mo", "likelihood": likelihood, "likelihood_reasoning": "Tørre somre."},
        consequences=_consequences(rana_hros, dodsfall=(4, "Boliger nær skog.")),
    )
    assert (event.owner_id, event.access_level) == (rana_hros.owner_id, rana_hros.access_level)
    assert (event.risk_score, event.risk_colour) == (20, "red")
    updated = services.event_update(
        actor=actor,
        analysis_id=rana_hros.pk,
        event_id=event.pk,
        expected_version=1,
        data={"title": "Skogbrann ved Mo", "likelihood": likelihood, "likelihood_reasoning": "Tørre somre."},
        consequences=_consequences(rana_hros, dodsfall=(1, "Få berørt.")),
    )
    assert (updated.version, updated.risk_score, updated.risk_colour) == (2, 5, "yellow")
    with pytest.raises(Conflict):
        services.event_update(
            actor=actor, analysis_id=rana_hros.pk, event_id=event.pk, expected_version=1, data={"title": "x"}
        )
    with pytest.raises(PermissionDenied):
        services.event_create(actor=actor_of("demo-hemnes"), analysis_id=rana_hros.pk, data={"title": "x"})


def test_missing_reasoning_and_out_of_scale_scores_are_refused(actor_of, rana_hros):
    from django.core.exceptions import ValidationError

    actor = actor_of("demo-rana")
    nrb = ScaleSet.objects.get(slug="fylkesros-nrb")
    with pytest.raises(ValidationError) as error:
        services.event_create(
            actor=actor,
            analysis_id=rana_hros.pk,
            data={"title": "x", "likelihood": nrb.likelihood_classes.get(code="A")},
        )
    assert "likelihood" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.event_create(
            actor=actor,
            analysis_id=rana_hros.pk,
            data={"title": "x"},
            consequences=_consequences(rana_hros, dodsfall=(2, "  ")),
        )
    assert "reasoning_dodsfall" in error.value.message_dict


def test_event_form_errors_are_shown(signed_in, rana_hros):
    client = english(signed_in("demo-rana"))
    likelihood = rana_hros.scale_set.likelihood_classes.get(code="C")
    url = f"/risk/{rana_hros.pk}/events/new/"
    base = {"title": "Ny hendelse", "access_level": "green"}
    response = client.post(url, {**base, "likelihood": likelihood.pk})
    assert response.status_code == 200
    assert "Give the reasoning for the likelihood." in response.content.decode()
    other = ScaleSet.objects.get(slug="fylkesros-nrb").likelihood_classes.get(code="C")
    response = client.post(url, {**base, "likelihood": other.pk, "likelihood_reasoning": "x"})
    assert "Select a valid choice" in response.content.decode()
    level = ConsequenceType.objects.get(scale_set=rana_hros.scale_set, code="dodsfall").levels.get(position=3)
    response = client.post(
        url,
        {**base, "likelihood": likelihood.pk, "likelihood_reasoning": "Erfaring.",
         "consequence_dodsfall": level.pk, "reasoning_dodsfall": "Mange berørt."},
    )  # fmt: skip
    assert response.status_code == 302
    event = AnalysedEvent.objects.get(title="Ny hendelse")
    assert (event.risk_score, event.risk_colour) == (9, "yellow")


def test_event_edit_conflict_keeps_the_typed_text(signed_in, actor_of, rana_hros):
    event = AnalysedEvent.objects.filter(analysis=rana_hros, access_level=AccessLevel.GREEN).first()
    client = signed_in("demo-rana")
    services.event_update(
        actor=actor_of("demo-rana"),
        analysis_id=rana_hros.pk,
        event_id=event.pk,
        expected_version=event.version,
        data={"title": "Endret av en annen"},
    )
    response = client.post(
        f"/risk/{rana_hros.pk}/events/{event.pk}/edit/",
        {"title": "Min tekst", "access_level": "green", "version": event.version,
         "likelihood": event.likelihood_id, "likelihood_reasoning": "x"},
    )  # fmt: skip
    assert response.status_code == 409
    body = response.content.decode()
    assert "Min tekst" in body and "Endret av en annen" in body


def test_analysis_create_update_and_conflict(signed_in, actor_of, demo):
    client = english(signed_in("demo-nesna"))
    scale_set = ScaleSet.objects.get(slug="dsb-2014-kommune")
    response = client.post(
        "/risk/new/",
        {"owner": next(iter(actor_of("demo-nesna").editable_organisation_ids())), "title": "ROS Nesna",
         "kind": "hros", "status": "adopted", "scale_set": scale_set.pk, "access_level": "green"},
    )  # fmt: skip
    assert response.status_code == 200 and "needs the date it was adopted" in response.content.decode()
    response = client.post(
        "/risk/new/",
        {"owner": next(iter(actor_of("demo-nesna").editable_organisation_ids())), "title": "ROS Nesna",
         "kind": "hros", "status": "draft", "scale_set": scale_set.pk, "access_level": "green"},
    )  # fmt: skip
    assert response.status_code == 302
    analysis = RiskAnalysis.objects.get(title="ROS Nesna")
    services.analysis_update(
        actor=actor_of("demo-nesna"),
        analysis_id=analysis.pk,
        expected_version=1,
        data={"title": "ROS Nesna 2"},
    )
    response = client.post(
        f"/risk/{analysis.pk}/edit/",
        {"title": "Min versjon", "kind": "hros", "status": "draft", "scale_set": scale_set.pk,
         "access_level": "green", "version": 1},
    )  # fmt: skip
    assert response.status_code == 409


def test_measures_and_residual_risk(actor_of, rana_hros):
    actor = actor_of("demo-rana")
    event = AnalysedEvent.objects.get(
        analysis=rana_hros, title="Stengt E6 og E12 ved uvær og snøskred vinterstid"
    )
    measure = services.measure_create(
        actor=actor,
        analysis_id=rana_hros.pk,
        data={"title": "Beredskapslager", "deadline": datetime.date(2020, 1, 1), "likelihood_reduction": 2},
        events=[event],
    )
    assert measure.is_overdue(datetime.date.today())
    result = selectors.matrix(actor, rana_hros)
    after = {e.pk: (row["likelihood"].position, cell["consequence"])
             for row in result["after"]["rows"] for cell in row["cells"] for e in cell["events"]}  # fmt: skip
    assert after[event.pk][0] == event.likelihood_position - 2
    other = AnalysedEvent.objects.exclude(analysis=rana_hros).first()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.measure_update(
            actor=actor,
            analysis_id=rana_hros.pk,
            measure_id=measure.pk,
            expected_version=1,
            data={},
            events=[other],
        )


def test_scale_set_copy(actor_of, demo):
    actor = actor_of("demo-rana")
    source = ScaleSet.objects.get(slug="dsb-2014-kommune")
    owner = next(iter(actor.editable_organisation_ids()))
    copy = services.scale_set_copy(actor=actor, scale_set_id=source.pk, owner_id=owner, name="Ranas skala")
    assert copy.owner_id == owner and copy.copied_from == source
    assert copy.likelihood_classes.count() == 5 and copy.acceptance_bands.count() == 3
    assert (
        ConsequenceType.objects.filter(scale_set=copy).count()
        == ConsequenceType.objects.filter(scale_set=source).count()
    )
    assert copy in selectors.scale_sets_for(actor)
    assert copy not in selectors.scale_sets_for(actor_of("demo-hemnes"))


def test_anonymous_is_sent_to_login(demo):
    assert Client().get("/risk/").status_code == 302


def test_overview_shows_the_risk_picture(signed_in, demo):
    body = english(signed_in("demo-rana")).get("/overview/").content.decode()
    assert "Risk analyses" in body
    assert 'href="/risk/"' in body


def test_event_conflict_lists_every_field_the_other_person_changed(signed_in, actor_of, rana_hros):
    """Saving again replaces the stored values, so the conflict page must show each field that differs —
    also one the user did not touch (here: the existing barriers), not only the title."""
    event = AnalysedEvent.objects.filter(analysis=rana_hros, access_level=AccessLevel.GREEN).first()
    services.event_update(
        actor=actor_of("demo-rana"),
        analysis_id=rana_hros.pk,
        event_id=event.pk,
        expected_version=event.version,
        data={"barriers": "Ny flomvoll langs elva (lagt inn av en annen)."},
    )
    client = english(signed_in("demo-rana"))
    response = client.post(
        f"/risk/{rana_hros.pk}/events/{event.pk}/edit/",
        {"title": event.title, "scenario": event.scenario, "barriers": event.barriers,
         "access_level": "green", "version": event.version, "likelihood": event.likelihood_id,
         "likelihood_reasoning": event.likelihood_reasoning or "x"},
    )  # fmt: skip
    assert response.status_code == 409
    rows = {label: (saved, yours) for label, saved, yours in response.context["form"].conflict_fields}
    assert rows["Existing barriers"] == ("Ny flomvoll langs elva (lagt inn av en annen).", event.barriers)
    assert "Title" not in rows and "Scenario" not in rows  # the same on both sides
    body = response.content.decode()
    assert "Where the saved version and yours differ" in body
    assert "Ny flomvoll langs elva (lagt inn av en annen)." in body
