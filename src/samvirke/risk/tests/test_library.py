"""The risk library pages: scale sets (read, copy, adapt; locked while adopted results depend on them) and
the regional event-type library. Through HTTP and the services, on the demo region. Real database."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from samvirke.core.access import AccessLevel
from samvirke.core.errors import Conflict, NotFound, PermissionDenied
from samvirke.organisations.models import Organisation, Region
from samvirke.risk import selectors, services, services_library
from samvirke.risk.models import (
    AcceptanceBand,
    AnalysedEvent,
    ConsequenceType,
    EventType,
    LikelihoodClass,
    ScaleSet,
)
from samvirke.risk.selectors_library import get_event_type_for, get_scale_set_for

_numbers = itertools.count(1)


def compare_url(event_type) -> str | None:
    """The compare page of an event type, if the project has one (risk:compare)."""
    try:
        return reverse("risk:compare", args=[event_type.pk])
    except NoReverseMatch:
        return None


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def rana():
    return Organisation.objects.get(municipality_number="1833")


def copy_for_rana(actor_of, name="Rana-skala") -> ScaleSet:
    default = ScaleSet.objects.get(slug="dsb-2014-kommune")
    return services.scale_set_copy(
        actor=actor_of("demo-rana"), scale_set_id=default.pk, owner_id=rana().pk, name=name
    )


def form_data(client, slug) -> dict:
    """The edit form's current values, as a browser would post them back."""
    response = client.get(f"/risk/scales/{slug}/edit/")
    assert response.status_code == 200
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        data[name] = "" if value is None else value
    return data


def analysis_on(actor, scale_set, *, status="draft", title=None, level=AccessLevel.AMBER_STRICT):
    data = {
        "title": title or f"Analyse {next(_numbers)}",
        "kind": "hros",
        "scale_set": scale_set,
        "status": status,
        "access_level": level,
    }
    if status == "adopted":
        data["adopted_on"] = datetime.date(2025, 1, 1)
    return services.analysis_create(actor=actor, owner_id=rana().pk, data=data)


def event_at(actor, analysis, likelihood, consequence):
    ctype = ConsequenceType.objects.filter(scale_set=analysis.scale_set).order_by("position").first()
    return services.event_create(
        actor=actor,
        analysis_id=analysis.pk,
        data={
            "title": f"Hendelse {next(_numbers)}",
            "likelihood": LikelihoodClass.objects.get(scale_set=analysis.scale_set, position=likelihood),
            "likelihood_reasoning": "Erfaring.",
        },
        consequences={ctype: (ctype.levels.get(position=consequence), "Vurdert.")},
    )


# --- scale sets: who sees what -------------------------------------------------------------------------


def test_scale_sets_list_shows_defaults_and_only_own_copies(signed_in, actor_of):
    copy = copy_for_rana(actor_of, name="Rana-skala kvzq")
    member = english(signed_in("demo-rana")).get("/risk/scales/").content.decode()
    assert "DSB 2014 kommune" in member and "FylkesROS/NRB" in member
    assert "Rana-skala kvzq" in member and "Shared default" in member
    outsider = signed_in("demo-hemnes")
    body = outsider.get("/risk/scales/").content.decode()
    assert "DSB 2014 kommune" in body and "Rana-skala kvzq" not in body
    for path in ("", "copy/", "edit/"):
        assert outsider.get(f"/risk/scales/{copy.slug}/{path}").status_code == 404
        assert outsider.post(f"/risk/scales/{copy.slug}/{path}", {"name": "x"}).status_code == 404
    missing = outsider.get("/risk/scales/no-such-scale/")
    assert missing.status_code == 404
    with pytest.raises(NotFound):
        get_scale_set_for(actor_of("demo-hemnes"), copy.slug)
    assert get_scale_set_for(actor_of("demo-rana-reader"), copy.slug) == copy


def test_visitor_sees_the_defaults_but_cannot_copy(signed_in):
    client = signed_in("demo-visitor")
    body = client.get("/risk/scales/dsb-2014-kommune/").content.decode()
    assert "Svært lav" in body
    assert "/copy/" not in body
    assert client.get("/risk/scales/dsb-2014-kommune/copy/").status_code == 403
    assert (
        client.post("/risk/scales/dsb-2014-kommune/copy/", {"owner": rana().pk, "name": "x"}).status_code
        == 403
    )
    assert not ScaleSet.objects.filter(name="x").exists()


def test_scale_set_page_shows_the_scale_and_only_visible_analyses(signed_in, actor_of):
    hidden = analysis_on(
        actor_of("demo-rana"),
        ScaleSet.objects.get(slug="dsb-2014-kommune"),
        title="Intern analyse kvzq",
    )
    client = english(signed_in("demo-hemnes"))
    body = client.get("/risk/scales/dsb-2014-kommune/").content.decode()
    # likelihood classes, consequence types grouped by societal value, knowledge strength, bands as grid+table
    expected = [
        "Svært lav",
        "Én gang per 100–1000 år",
        "Life and health",
        "Dødsfall",
        "Societal stability",
        "Strong",
        "Weak",
        "Acceptance criteria as a table",
        'role="img"',
        "Akseptabel risiko",
    ]
    for text in expected:
        assert text in body, text
    assert body.index("Life and health") < body.index("Dødsfall") < body.index("Societal stability")
    assert "Helhetlig ROS Rana kommune 2024" in body  # GREEN
    assert "Helhetlig ROS Hemnes kommune 2023" in body  # own
    assert hidden.title not in body  # Rana's AMBER+STRICT analysis
    nrb = client.get("/risk/scales/fylkesros-nrb/").content.decode()
    assert "125–500 MNOK" in nrb and "No analyses you have access to use this scale set." in nrb


# --- copy and edit -------------------------------------------------------------------------------------


def test_editor_copies_and_adapts_a_scale_set(signed_in):
    client = english(signed_in("demo-rana"))
    response = client.post("/risk/scales/dsb-2014-kommune/copy/", {"owner": rana().pk, "name": "Ranas skala"})
    copy = ScaleSet.objects.get(name="Ranas skala")
    assert response.status_code == 302 and response["Location"] == f"/risk/scales/{copy.slug}/edit/"
    assert copy.owner == rana() and copy.copied_from.slug == "dsb-2014-kommune"
    assert copy.likelihood_classes.count() == 5

    data = form_data(client, copy.slug)
    data.update(
        {
            "likelihood_3_label": "Moderat",
            "likelihood_3_interval": "Én gang per 20–100 år",
            "likelihood_3_probability_low": "1",
            "likelihood_3_probability_high": "5",
            "likelihood_4_probability_low": "5",
            "cell_3_3": "red",
            "cell_3_4": "red",
            "cell_3_5": "red",
            "cell_4_3": "red",
            "cell_5_3": "red",
        }
    )
    level = ConsequenceType.objects.get(scale_set=copy, code="dodsfall").levels.get(position=3)
    data.update(
        {f"level_{level.pk}_lower": "2", f"level_{level.pk}_upper": "10", f"level_{level.pk}_unit": "døde"}
    )
    response = client.post(f"/risk/scales/{copy.slug}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    middle = LikelihoodClass.objects.get(scale_set=copy, position=3)
    assert (middle.label, str(middle.probability_high)) == ("Moderat", "5.000")
    level.refresh_from_db()
    assert (level.lower, level.upper, level.unit) == (2, 10, "døde")
    assert [3, 3] in AcceptanceBand.objects.get(scale_set=copy, colour="red").cells
    # The default it was copied from is untouched.
    default_middle = LikelihoodClass.objects.get(scale_set__slug="dsb-2014-kommune", position=3)
    assert default_middle.label == "Middels"
    body = client.get(f"/risk/scales/{copy.slug}/").content.decode()
    assert "Moderat" in body and "2–10 døde" in body


def test_non_editors_cannot_copy_or_edit(signed_in, actor_of):
    copy = copy_for_rana(actor_of)
    reader = signed_in("demo-rana-reader")  # a member of Rana, not an editor
    assert reader.get(f"/risk/scales/{copy.slug}/").status_code == 200
    assert reader.get(f"/risk/scales/{copy.slug}/edit/").status_code == 403
    assert reader.post(f"/risk/scales/{copy.slug}/edit/", {"name": "Endret"}).status_code == 403
    assert (
        reader.post(f"/risk/scales/{copy.slug}/copy/", {"owner": rana().pk, "name": "y"}).status_code == 403
    )
    copy.refresh_from_db()
    assert copy.name == "Rana-skala" and not ScaleSet.objects.filter(name="y").exists()
    with pytest.raises(PermissionDenied):
        services.scale_set_copy(
            actor=actor_of("demo-hemnes"), scale_set_id=copy.pk, owner_id=rana().pk, name="z"
        )


def test_the_shared_defaults_are_never_edited(signed_in, actor_of):
    client = signed_in("demo-coordinator")
    assert client.get("/risk/scales/dsb-2014-kommune/edit/").status_code == 403
    with pytest.raises(PermissionDenied):
        services_library.scale_set_update(
            actor=actor_of("demo-coordinator"), slug="dsb-2014-kommune", expected_fingerprint="", data={}
        )


def test_copy_needs_an_organisation_where_the_actor_is_editor(signed_in):
    client = english(signed_in("demo-rana"))
    prosjektgruppen = Organisation.objects.get(name="Prosjektgruppen")  # demo-rana is only a reader there
    response = client.post(
        "/risk/scales/dsb-2014-kommune/copy/", {"owner": prosjektgruppen.pk, "name": "Gruppeskala"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ScaleSet.objects.filter(name="Gruppeskala").exists()


def test_bad_values_are_refused_with_messages_and_nothing_is_saved(signed_in, actor_of):
    copy = copy_for_rana(actor_of)
    client = english(signed_in("demo-rana"))
    data = form_data(client, copy.slug)
    data.update(
        {
            "name": "Nytt navn",
            "likelihood_2_probability_low": "0.5",
            "likelihood_2_probability_high": "0.2",
            "likelihood_4_probability_low": "1.5",  # overlaps class C (1–2 %)
            "cell_5_5": "green",  # greener than the cells below and to the left
            "likelihood_1_label": "",
        }
    )
    response = client.post(f"/risk/scales/{copy.slug}/edit/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["likelihood_1_label"] == ["This field is required."]
    response = client.post(f"/risk/scales/{copy.slug}/edit/", {**data, "likelihood_1_label": "Svært lav"})
    body = response.content.decode()
    errors = response.context["form"].errors
    assert errors["likelihood_2_probability_high"] == ["The upper probability cannot be below the lower one."]
    assert "the classes cannot overlap" in errors["likelihood_4_probability_low"][0]
    assert "More risk cannot be more acceptable" in errors["cell_5_5"][0]
    assert 'value="Nytt navn"' in body  # what was typed is kept
    copy.refresh_from_db()
    assert copy.name == "Rana-skala"
    assert LikelihoodClass.objects.get(scale_set=copy, position=2).probability_high == 1


def test_a_scale_set_used_by_an_adopted_analysis_keeps_its_results(signed_in, actor_of):
    actor = actor_of("demo-rana")
    copy = copy_for_rana(actor_of)
    adopted = analysis_on(actor, copy, status="adopted")
    event = event_at(actor, adopted, 3, 3)
    assert event.risk_colour == "yellow"
    client = english(signed_in("demo-rana"))
    page = client.get(f"/risk/scales/{copy.slug}/edit/").content.decode()
    assert "Copy the scale set and change the copy instead." in page
    data = form_data(client, copy.slug)
    data.update({"cell_3_3": "red", "cell_3_4": "red", "cell_4_3": "red", "cell_3_5": "red",
                 "cell_5_3": "red", "likelihood_3_label": "Moderat"})  # fmt: skip
    response = client.post(f"/risk/scales/{copy.slug}/edit/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "would change adopted results" in body and "Copy the scale set and change the copy instead." in body
    )
    assert response.context["form"].errors["cell_3_3"] == ["Locked: an adopted analysis uses this scale set."]
    assert [3, 3] in AcceptanceBand.objects.get(scale_set=copy, colour="yellow").cells
    assert LikelihoodClass.objects.get(scale_set=copy, position=3).label == "Middels"
    event.refresh_from_db()
    assert event.risk_colour == "yellow"
    # Wording may change: the name, the description and what a colour means.
    data = form_data(client, copy.slug)
    data.update({"name": "Ranas vedtatte skala", "meaning_red": "Tiltak straks"})
    assert client.post(f"/risk/scales/{copy.slug}/edit/", data).status_code == 302
    copy.refresh_from_db()
    assert copy.name == "Ranas vedtatte skala"
    assert AcceptanceBand.objects.get(scale_set=copy, colour="red").meaning == "Tiltak straks"


def test_analyses_not_yet_adopted_follow_new_colours(signed_in, actor_of):
    actor = actor_of("demo-rana")
    copy = copy_for_rana(actor_of)
    draft = analysis_on(actor, copy)
    event = event_at(actor, draft, 3, 3)
    client = english(signed_in("demo-rana"))
    assert (
        "1 analysis that is not yet adopted uses this scale set"
        in client.get(f"/risk/scales/{copy.slug}/edit/").content.decode()
    )
    data = form_data(client, copy.slug)
    data.update(
        {"cell_3_3": "red", "cell_3_4": "red", "cell_4_3": "red", "cell_3_5": "red", "cell_5_3": "red"}
    )
    assert client.post(f"/risk/scales/{copy.slug}/edit/", data).status_code == 302
    event.refresh_from_db()
    assert (event.risk_score, event.risk_colour) == (9, "red")
    # The new colour is a change like any other: in the event's history, by the editor, with a reason.
    latest = event.history.order_by("-history_date", "-history_id").first()
    assert latest.risk_colour == "red" and latest.history_user.username == "demo-rana"
    assert latest.history_change_reason == "The scale set's colours were changed"


def test_concurrent_scale_set_saves_are_a_conflict_that_keeps_the_typed_values(signed_in, actor_of):
    copy = copy_for_rana(actor_of)
    client = english(signed_in("demo-rana"))
    stale = form_data(client, copy.slug)
    fresh = dict(stale, likelihood_2_label="Lav (ny)")
    assert client.post(f"/risk/scales/{copy.slug}/edit/", fresh).status_code == 302
    response = client.post(f"/risk/scales/{copy.slug}/edit/", dict(stale, likelihood_2_label="Min lav"))
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this scale set after you opened it." in body
    assert 'value="Min lav"' in body and "Saved: Lav (ny)" in body
    assert LikelihoodClass.objects.get(scale_set=copy, position=2).label == "Lav (ny)"
    # Saving again (now based on the stored scale) goes through.
    again = {**form_data(client, copy.slug), "likelihood_2_label": "Min lav"}
    assert client.post(f"/risk/scales/{copy.slug}/edit/", again).status_code == 302
    with pytest.raises(Conflict):
        services_library.scale_set_update(
            actor=actor_of("demo-rana"), slug=copy.slug, expected_fingerprint="stale", data={}
        )


# --- event types ---------------------------------------------------------------------------------------


@pytest.fixture
def other_region_type(demo):
    region = Region.objects.create(name="Annen region", slug="annen-region")
    return EventType.objects.create(region=region, category="natural", name="Jordskjelv kvzq")


def test_event_types_grouped_with_counts_of_visible_analyses_only(signed_in, actor_of, other_region_type):
    actor = actor_of("demo-rana")
    flood = EventType.objects.get(name="Flom", region__isnull=True)
    hidden = analysis_on(actor, ScaleSet.objects.get(slug="dsb-2014-kommune"))  # AMBER+STRICT
    event = event_at(actor, hidden, 2, 2)
    AnalysedEvent.objects.filter(pk=event.pk).update(event_type=flood)
    visible_to = {
        user: selectors.events_visible_to(actor_of(user))
        .filter(event_type=flood)
        .values("analysis")
        .distinct()
        .count()
        for user in ("demo-rana", "demo-hemnes")
    }
    assert visible_to["demo-rana"] == visible_to["demo-hemnes"] + 1
    for user in ("demo-rana", "demo-hemnes"):
        client = english(signed_in(user))
        response = client.get("/risk/event-types/")
        body = response.content.decode()
        assert body.index("Natural hazard") < body.index("Flom") < body.index("Major accident")
        assert "Jordskjelv kvzq" not in body  # another region's library
        types = {t.name: t for g in response.context["groups"] for t in g["types"]}
        assert types["Flom"].analysis_count == visible_to[user]
        if compare_url(flood):
            assert compare_url(flood) in body


def test_editors_add_and_change_their_regions_event_types(signed_in, actor_of):
    client = english(signed_in("demo-hemnes"))
    region = Region.objects.get(organisations__municipality_number="1832")
    assert client.get("/risk/event-types/new/").status_code == 200
    response = client.post(
        "/risk/event-types/new/",
        {"region": region.pk, "category": "infrastructure", "name": "Bortfall av Korgfjelltunnelen"},
    )
    assert response.status_code == 302
    created = EventType.objects.get(name="Bortfall av Korgfjelltunnelen")
    assert created.region == region
    body = client.get("/risk/event-types/").content.decode()
    assert f"/risk/event-types/{created.pk}/edit/" in body
    national = EventType.objects.get(name="Flom", region__isnull=True)
    assert f"/risk/event-types/{national.pk}/edit/" not in body

    page = client.get(f"/risk/event-types/{created.pk}/edit/")
    data = {
        "category": "infrastructure",
        "name": "Stengt Korgfjelltunnel",
        "description": "Tunnelen stengt i mer enn ett døgn.",
        "fingerprint": page.context["form"]["fingerprint"].value(),
    }
    assert client.post(f"/risk/event-types/{created.pk}/edit/", data).status_code == 302
    created.refresh_from_db()
    assert (created.name, created.description) == (
        "Stengt Korgfjelltunnel",
        "Tunnelen stengt i mer enn ett døgn.",
    )
    # The same form again, now stale: a conflict that keeps what was typed.
    stale = client.post(f"/risk/event-types/{created.pk}/edit/", {**data, "name": "Mitt navn"})
    assert stale.status_code == 409
    assert "Someone else changed this event type" in stale.content.decode()
    assert 'value="Mitt navn"' in stale.content.decode()
    created.refresh_from_db()
    assert created.name == "Stengt Korgfjelltunnel"
    # Another editor of the region (Rana) may change it too; national types are not changed here.
    assert signed_in("demo-rana").get(f"/risk/event-types/{created.pk}/edit/").status_code == 200
    assert client.get(f"/risk/event-types/{national.pk}/edit/").status_code == 403


def test_event_type_validation_messages(signed_in):
    client = english(signed_in("demo-hemnes"))
    region = Region.objects.get(organisations__municipality_number="1832")
    response = client.post(
        "/risk/event-types/new/", {"region": region.pk, "category": "natural", "name": "flom"}
    )
    assert response.status_code == 200
    assert (
        "There is already an event type with this name in the national library or in the region."
        in response.content.decode()
    )
    response = client.post(
        "/risk/event-types/new/",
        {
            "region": region.pk,
            "category": "natural",
            "name": "Ras",
            "description": "Se KONFIDENSIELT vedlegg",
        },
    )
    assert "not approved for security-classified information" in response.content.decode()
    response = client.post("/risk/event-types/new/", {"region": region.pk, "category": "meteor", "name": ""})
    errors = response.context["form"].errors
    assert "name" in errors and "category" in errors
    assert not EventType.objects.filter(name__in=["flom", "Ras", ""]).exists()


def test_non_editors_and_other_regions_cannot_add_or_edit_event_types(signed_in, actor_of, other_region_type):
    demo_region = Region.objects.get(organisations__municipality_number="1833")
    own = services_library.event_type_create(
        actor=actor_of("demo-rana"), region_id=demo_region.pk, data={"category": "natural", "name": "Isgang"}
    )
    reader = signed_in("demo-rana-reader")
    assert reader.get("/risk/event-types/new/").status_code == 403
    assert reader.post("/risk/event-types/new/", {"region": demo_region.pk, "category": "natural",
                                                   "name": "Lesers type"}).status_code == 403  # fmt: skip
    assert reader.get(f"/risk/event-types/{own.pk}/edit/").status_code == 403
    partner = signed_in("demo-industripark")  # partner contact in the region: not an editor
    assert partner.get("/risk/event-types/new/").status_code == 403
    editor = signed_in("demo-storuman")
    # Another region's type is missing, not forbidden, to the pages and the services.
    assert editor.get(f"/risk/event-types/{other_region_type.pk}/edit/").status_code == 404
    assert editor.post(f"/risk/event-types/{other_region_type.pk}/edit/", {"name": "x"}).status_code == 404
    with pytest.raises(NotFound):
        get_event_type_for(actor_of("demo-storuman"), other_region_type.pk)
    with pytest.raises(PermissionDenied):
        services_library.event_type_create(
            actor=actor_of("demo-storuman"),
            region_id=other_region_type.region_id,
            data={"category": "natural", "name": "Inntrenger"},
        )
    assert not EventType.objects.filter(name__in=["Lesers type", "Inntrenger"]).exists()
    other_region_type.refresh_from_db()
    assert other_region_type.name == "Jordskjelv kvzq"


# --- query counts --------------------------------------------------------------------------------------


def grow(actor, n):
    """n more visible analyses and events on the default scale, scale-set copies and regional event types."""
    default = ScaleSet.objects.get(slug="dsb-2014-kommune")
    region = Region.objects.get(organisations__municipality_number="1833")
    for i in range(n):
        number = next(_numbers)
        level = AccessLevel.GREEN if i % 2 else AccessLevel.AMBER
        analysis = analysis_on(actor, default, title=f"Vekst {number}", level=level)
        event_type = services_library.event_type_create(
            actor=actor, region_id=region.pk, data={"category": "health", "name": f"Vekst-type {number}"}
        )
        event = event_at(actor, analysis, 1 + i % 5, 1 + i % 5)
        AnalysedEvent.objects.filter(pk=event.pk).update(event_type=event_type)
        services.scale_set_copy(
            actor=actor, scale_set_id=default.pk, owner_id=rana().pk, name=f"Vekst-skala {number}"
        )


@pytest.mark.parametrize("url", ["/risk/scales/", "/risk/scales/dsb-2014-kommune/", "/risk/event-types/"])
def test_library_pages_have_flat_query_counts(signed_in, actor_of, url):
    actor = actor_of("demo-rana")
    client = signed_in("demo-rana")
    grow(actor, 2)
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as small:
        body_small = client.get(url).content.decode()
    grow(actor, 6)
    with CaptureQueriesContext(connection) as large:
        body_large = client.get(url).content.decode()
    assert body_large.count("Vekst") > body_small.count("Vekst"), "the page did not grow"
    assert len(small.captured_queries) == len(large.captured_queries), url
