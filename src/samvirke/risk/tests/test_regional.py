"""Regional risk pages on the demo region: the matrix counted in SQL agrees with the per-analysis matrices,
filters narrow it, cells list their events, comparisons order event types and municipalities by
disagreement, and the measure list filters overdue measures. Real database, through selectors and HTTP."""

import itertools
import re
from dataclasses import replace

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from samvirke.core.access import AccessLevel, Role, actor_for_user
from samvirke.organisations.models import Membership, Organisation, Region
from samvirke.risk import domain, selectors, services
from samvirke.risk import selectors_regional as regional
from samvirke.risk.models import AnalysedEvent, ConsequenceType, EventType, Measure, RiskAnalysis, ScaleSet

_numbers = itertools.count(7000)


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def region(demo):
    return Region.objects.get(slug="helgeland-grense")


def add_municipality(region, *, name=None, country="NO"):
    """A new municipality of the region with a preparedness advisor; returns (organisation, actor)."""
    number = next(_numbers)
    org = Organisation.objects.create(
        region=region,
        kind=Organisation.Kind.MUNICIPALITY,
        name=name or f"Prøve {number} kommune",
        municipality_number=str(number),
        country=country,
    )
    user = get_user_model().objects.create_user(username=f"regional-{number}", password="x")
    Membership.objects.create(user=user, organisation=org, role=Role.PREPAREDNESS_ADVISOR)
    return org, actor_for_user(user, verified=True)


def add_analysis(actor, org, *, level=AccessLevel.GREEN, kind="hros", title=None):
    return services.analysis_create(
        actor=actor,
        owner_id=org.pk,
        data={
            "title": title or f"ROS {org.name}",
            "kind": kind,
            "scale_set": ScaleSet.objects.get(slug="dsb-2014-kommune"),
            "access_level": level,
            "exemption_basis": "" if level == AccessLevel.CLEAR else "offl. § 24 tredje ledd",
        },
    )


def add_event(actor, analysis, title, likelihood, consequences, *, event_type=None, level=None, **extra):
    """An assessed event: likelihood position 1–5, consequences {type code: level position}."""
    types = {t.code: t for t in ConsequenceType.objects.filter(scale_set=analysis.scale_set)}
    data = {
        "title": title,
        "likelihood": analysis.scale_set.likelihood_classes.get(position=likelihood),
        "likelihood_reasoning": "Erfaring.",
        "event_type": event_type,
        **extra,
    }
    if level:
        data["access_level"] = level
    return services.event_create(
        actor=actor,
        analysis_id=analysis.pk,
        data=data,
        consequences={
            types[code]: (types[code].levels.get(position=position), "Vurdert.")
            for code, position in consequences.items()
        },
    )


def event_type(name):
    return EventType.objects.get(region__isnull=True, name=name)


def listed(actor, region, **filters):
    """Titles of every event the regional matrix lists (all pages) for these filters."""
    context = regional.regional_matrix(actor, regional.RegionalFilters(region_id=region.pk, **filters))
    return {e.title for e in context["listed"]}


def grid_counts(grid):
    return {
        (cell["likelihood"], cell["consequence"]): len(cell["events"])
        for row in grid["rows"]
        for cell in row["cells"]
        if cell["events"]
    }


# --- the matrix ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["demo-rana", "demo-hemnes", "demo-coordinator"])
@pytest.mark.parametrize("type_code", [None, "dodsfall", "okonomi"])
def test_regional_matrix_agrees_with_each_analysis_matrix(actor_of, region, username, type_code):
    """Per owner with one analysis, the SQL-counted regional cells equal the analysis page's matrix, before
    and after measures, combined and per consequence type (two independent implementations)."""
    actor = actor_of(username)
    checked = 0
    for analysis in selectors.analyses_visible_to(actor).filter(owner__region=region):
        reference = selectors.matrix(actor, analysis, type_code=type_code)
        on_scale = type_code is None or reference["chosen"] is not None
        for after in (False, True):
            filters = regional.RegionalFilters(
                region_id=region.pk, owner_id=analysis.owner_id, consequence_type=type_code or "", after=after
            )
            counts = regional.regional_matrix(actor, filters)["counts"]
            if not on_scale:  # the analysis page falls back to combined; the region shows none of it
                assert counts == {}, (analysis, after)
                continue
            assert counts == grid_counts(reference["after" if after else "before"]), (analysis, after)
            checked += sum(counts.values())
    assert checked, "nothing was compared"


def test_measures_move_events_only_when_visible_and_active(actor_of, region, demo):
    rana_hros = RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")
    rana = actor_of("demo-rana")
    flood = AnalysedEvent.objects.get(analysis=rana_hros, title="Flom i Ranelva")  # D/3, measure (1, 1)
    before = regional.RegionalFilters(
        region_id=region.pk, event_type_id=flood.event_type_id, owner_id=flood.owner_id
    )
    after = replace(before, after=True)
    assert regional.regional_matrix(rana, before)["counts"] == {(4, 3): 1}
    assert regional.regional_matrix(rana, after)["counts"] == {(3, 2): 1}
    # A measure the viewer may not read does not move the event for them; cancelled ones move nothing.
    services.measure_create(
        actor=rana,
        analysis_id=rana_hros.pk,
        data={
            "title": "Hemmelig flomtiltak",
            "likelihood_reduction": 2,
            "access_level": AccessLevel.AMBER_STRICT,
            "exemption_basis": "offl. § 24 tredje ledd",
        },
        events=[flood],
    )
    services.measure_create(
        actor=rana,
        analysis_id=rana_hros.pk,
        data={"title": "Avlyst tiltak", "consequence_reduction": 2, "status": Measure.Status.CANCELLED},
        events=[flood],
    )
    assert regional.regional_matrix(rana, after)["counts"] == {(1, 2): 1}
    assert regional.regional_matrix(actor_of("demo-hemnes"), after)["counts"] == {(3, 2): 1}


def test_only_visible_events_of_the_region(actor_of, region, signed_in):
    hemnes_actor = actor_of("demo-hemnes")
    strict = set(
        AnalysedEvent.objects.filter(
            owner__name="Rana kommune", access_level=AccessLevel.AMBER_STRICT
        ).values_list("title", flat=True)
    )
    assert strict
    shown = listed(hemnes_actor, region)
    assert not shown & strict
    assert "Flom i Ranelva" in shown and "Flom i Røssåga" in shown  # Rana GREEN, Hemnes' own AMBER
    assert strict <= listed(actor_of("demo-rana"), region)
    # Nesna: Hemnes' analysis is AMBER shared with Rana only, so an event made GREEN inside it stays hidden.
    hidden = AnalysedEvent.objects.get(title="Flom i Røssåga")
    hidden.access_level = AccessLevel.GREEN
    hidden.save()
    nesna = actor_of("demo-nesna")
    assert hidden.title not in listed(nesna, region)
    # A public event of another region is not part of this region's picture.
    other = Region.objects.create(name="Annen region", slug="annen-region")
    org, actor = add_municipality(other, name="Fjern kommune")
    public = add_analysis(actor, org, level=AccessLevel.CLEAR)
    add_event(actor, public, "Offentlig flom langt unna", 3, {"okonomi": 3}, level=AccessLevel.CLEAR)
    assert "Offentlig flom langt unna" not in listed(nesna, region)
    assert listed(nesna, region)  # ...while the region's GREEN events are there
    # The page lists the same.
    body = signed_in("demo-hemnes").get("/risk/regional/").content.decode()
    assert "Flom i Ranelva" in body and not any(title in body for title in strict)


def test_filters(actor_of, region):
    actor = actor_of("demo-rana")
    visible = list(
        selectors.events_visible_to(actor)
        .filter(owner__region=region)
        .select_related("event_type", "analysis")
        .prefetch_related("assessments__consequence_type")
    )

    def expect(keep):
        chosen = {e.title for e in visible if keep(e)}
        assert chosen, "the filter's test case is empty"
        return chosen

    rana = Organisation.objects.get(name="Rana kommune")
    flood = event_type("Flom")
    assert listed(actor, region, owner_id=rana.pk) == expect(lambda e: e.owner_id == rana.pk)
    assert listed(actor, region, category="natural") == expect(
        lambda e: e.event_type and e.event_type.category == "natural"
    )
    assert listed(actor, region, event_type_id=flood.pk) == expect(lambda e: e.event_type_id == flood.pk)
    assert listed(actor, region, kind="rsa") == expect(lambda e: e.analysis.kind == "rsa")
    assert listed(actor, region, consequence_type="dodsfall") == expect(
        lambda e: any(a.consequence_type.code == "dodsfall" for a in e.assessments.all())
    )
    assert listed(actor, region, cross_municipal=True) == expect(lambda e: e.cross_municipal)
    assert listed(actor, region, cross_border=True) == expect(lambda e: e.cross_border)
    assert listed(actor, region, cross_border=True, owner_id=rana.pk) == expect(
        lambda e: e.cross_border and e.owner_id == rana.pk
    )
    everything = regional.regional_matrix(actor, regional.RegionalFilters(region_id=region.pk))
    assert sorted(e.pk for e in everything["listed"]) == sorted(e.pk for e in visible)


def test_filters_and_cells_through_get_parameters(signed_in, region):
    client = english(signed_in("demo-coordinator"))
    body = client.get("/risk/regional/?kind=rsa").content.decode()
    assert "Stängd E12 och E45 vid oväder" in body and "Flom i Ranelva" not in body
    body = client.get("/risk/regional/?cross_border=1&consequence_type=dagligliv").content.decode()
    assert "Stengt E6 og E12 ved uvær og snøskred vinterstid" in body and "Flom i Ranelva" not in body
    # A cell: likelihood E (5), consequence 3 holds the two winter-road closures (Rana and Storuman).
    body = client.get("/risk/regional/?likelihood=5&consequence=3").content.decode()
    events = re.search(r'id="events".*', body, re.S).group(0)
    assert "Stengt E6 og E12" in events and "Stängd E12 och E45" in events
    assert "Flom i Ranelva" not in events
    assert "Events with likelihood E and consequence 3" in events
    # The cell's link in the table alternative keeps the other filters.
    body = client.get("/risk/regional/?kind=hros").content.decode()
    assert re.search(r'href="\?region=\d+&amp;kind=hros&amp;likelihood=5&amp;consequence=3#events"', body)
    # Nonsense is ignored, not an error.
    for query in ("owner=x", "likelihood=9&consequence=1", "kind=nope", "event_type=-1", "page=abc"):
        assert client.get(f"/risk/regional/?{query}").status_code == 200, query


def test_after_measures_toggle_on_the_page(signed_in):
    client = english(signed_in("demo-rana"))
    before = client.get("/risk/regional/?likelihood=4&consequence=3").content.decode()
    after = client.get("/risk/regional/?measures=after&likelihood=4&consequence=3").content.decode()
    assert "Flom i Ranelva" in before.split('id="events"')[1]
    assert "Flom i Ranelva" not in after.split('id="events"')[1]  # moved to C/2 by its measure
    assert "Likelihood and consequence are after measures" in after


def test_event_list_is_paged(actor_of, region, signed_in):
    org, actor = add_municipality(region)
    analysis = add_analysis(actor, org)
    for i in range(regional.EVENTS_PER_PAGE + 5):
        add_event(actor, analysis, f"Mengde {i:03d}", 2, {"okonomi": 2})
    client = signed_in("demo-coordinator")
    first = client.get(f"/risk/regional/?owner={org.pk}").content.decode()
    second = client.get(f"/risk/regional/?owner={org.pk}&page=2").content.decode()
    assert first.count("Mengde ") == regional.EVENTS_PER_PAGE
    assert second.count("Mengde ") == 5
    assert f"?region={region.pk}&amp;owner={org.pk}&amp;page=2" in first


# --- comparing -------------------------------------------------------------------------------------------


@pytest.fixture
def forest_fire(region):
    """A heath fire type in four new municipalities, likelihood B, B, B, E (E is the outlier) and
    consequence 2, 2, 3, 2; the first municipality also has an older analysis with A/5, which must not
    count."""
    # A type of the region's own library (the demo uses the shared ones), so only these events have it.
    fire = EventType.objects.create(region=region, category="natural", name="Lyngbrann på kysten")
    orgs = []
    for i, (likelihood, consequence) in enumerate([(2, 2), (2, 2), (2, 3), (5, 2)]):
        org, actor = add_municipality(region, name=f"Brannvik {i} kommune")
        if i == 0:
            old = add_analysis(actor, org, title="Gammel ROS")
            add_event(actor, old, "Gammel skogbrann", 1, {"dodsfall": 5}, event_type=fire)
        analysis = add_analysis(actor, org)
        add_event(actor, analysis, f"Skogbrann {i}", likelihood, {"dodsfall": consequence}, event_type=fire)
        orgs.append(org)
    return fire, orgs


def test_compare_rows_spread_and_outliers(actor_of, forest_fire):
    fire, _orgs = forest_fire
    context = regional.compare_event_type(actor_of("demo-coordinator"), fire)
    rows = context["rows"]
    assert rows[0]["event"].title == "Skogbrann 3"  # furthest from the median first
    assert {r["event"].title for r in rows} == {f"Skogbrann {i}" for i in range(4)}  # newest analysis only
    assert context["dimensions"]["likelihood"]["spread"] == 3
    assert context["dimensions"]["likelihood"]["median"] == 2
    assert context["dimensions"]["consequence"]["spread"] == 1
    assert [r["likelihood_outlier"] for r in rows] == [True, False, False, False]
    assert not any(r["consequence_outlier"] for r in rows)
    assert [c["spread"] for c in context["per_type"]] == [1]


def test_compare_page(signed_in, forest_fire):
    fire, _orgs = forest_fire
    client = english(signed_in("demo-coordinator"))
    body = client.get(f"/risk/compare/{fire.pk}/").content.decode()
    assert body.count('class="smv-outlier"') == 1 and "Outlier" in body
    assert body.index("Skogbrann 3") < body.index("Skogbrann 0")
    assert "Gammel skogbrann" not in body


def test_compare_index_orders_by_disagreement(actor_of, forest_fire, signed_in):
    fire, _orgs = forest_fire
    actor = actor_of("demo-rana")
    index = regional.disagreement_index(actor)
    assert index[0]["event_type_id"] == fire.pk  # spread 3 + 1
    # Worked out independently from the compare page's rows for every listed type.
    totals = []
    for row in index:
        context = regional.compare_event_type(actor, EventType.objects.get(pk=row["event_type_id"]))
        spreads = (
            context["dimensions"]["likelihood"]["spread"],
            context["dimensions"]["consequence"]["spread"],
        )
        assert (row["likelihood_spread"], row["consequence_spread"]) == spreads, row["name"]
        assert row["organisations"] == len(context["rows"])
        totals.append(None if spreads == (None, None) else (spreads[0] or 0) + (spreads[1] or 0))
    assessed = [t for t in totals if t is not None]
    assert assessed == sorted(assessed, reverse=True)
    assert totals[: len(assessed)] == assessed  # types with nothing to compare come last
    body = signed_in("demo-rana").get("/risk/compare/").content.decode()
    assert body.index(f"/risk/compare/{fire.pk}/") < body.index(f"/risk/compare/{event_type('Flom').pk}/")


def test_event_page_links_to_the_comparison(signed_in):
    event = AnalysedEvent.objects.get(title="Flom i Ranelva")
    body = signed_in("demo-rana").get(f"/risk/{event.analysis_id}/events/{event.pk}/").content.decode()
    assert f'href="/risk/compare/{event.event_type_id}/"' in body


def test_disagreement_rules():
    assert domain.spread([2, None, 5]) == 3 and domain.spread([4]) is None and domain.spread([]) is None
    assert domain.median([1, 2, 4, None]) == 2 and domain.median([1, 2, 4, 5]) == 3
    assert domain.outliers([2, 2, 2, 5]) == [False, False, False, True]
    assert domain.outliers([1, 5]) == [False, False]  # two assessments: no majority to stray from
    assert domain.outliers([1, 2, 3]) == [False, False, False]


# --- measures and the overview ----------------------------------------------------------------------------


def test_measure_list_filters(signed_in, actor_of, region):
    client = english(signed_in("demo-rana"))
    today = timezone.localdate()
    visible = list(
        selectors.measures_visible_to(actor_of("demo-rana"))
        .filter(owner__region=region)
        .order_by("deadline", "pk")
    )
    overdue = [m.title for m in visible if m.is_overdue(today)][: regional.MEASURES_PER_PAGE]
    assert overdue
    body = client.get("/risk/measures/?overdue=1").content.decode()
    assert all(title in body for title in overdue)
    assert "Felles øvelse om stengte grenseveier med Storuman" not in body  # done
    assert body.count('class="smv-overdue"') == len(overdue)
    assert not [m.title for m in visible if not m.is_overdue(today) and m.title in body]
    hemnes = Organisation.objects.get(name="Hemnes kommune")
    body = client.get(f"/risk/measures/?owner={hemnes.pk}").content.decode()
    assert "Varslingsplan for dambrudd" in body and "Flomvoll" not in body
    body = client.get("/risk/measures/?status=done").content.decode()
    assert "Felles øvelse om stengte grenseveier" in body and "Flomvoll" not in body
    body = signed_in("demo-nesna").get("/risk/measures/").content.decode()
    assert "Varslingsplan for dambrudd" not in body  # Hemnes' AMBER, shared with Rana only


def test_overview_flags_overdue_measures_per_municipality(signed_in, actor_of, region):
    client = english(signed_in("demo-rana"))
    body = client.get("/overview/").content.decode()
    today = timezone.localdate()
    expected = {}
    for measure in selectors.measures_visible_to(actor_of("demo-rana")).filter(owner__region=region):
        expected[measure.owner_id] = expected.get(measure.owner_id, 0) + measure.is_overdue(today)
    assert sum(expected.values()) >= 2
    for org in Organisation.objects.filter(region=region, kind=Organisation.Kind.MUNICIPALITY):
        link = f"/risk/measures/?region={region.pk}&amp;owner={org.pk}&amp;overdue=1"
        count = expected.get(org.pk, 0)
        if not count:
            assert link not in body
            continue
        label = "overdue measure" if count == 1 else "overdue measures"
        assert f">{count} {label}<" in body.split(link, 1)[1][:200], org.name
    assert f">{sum(expected.values())} overdue measures<" in body  # the card's total
