"""The demo risk analyses: one per municipality plus a regional ROS, plausible, comparable, correctly
stored and shared, and loaded idempotently and in a few queries. Real database (the demo region)."""

import datetime
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from samvirke.core.access import AccessLevel, Role, actor_for_user
from samvirke.core.errors import NotFound
from samvirke.demo import data, risk_data
from samvirke.demo.loader import load_demo
from samvirke.demo.risk import load_risk_demo
from samvirke.organisations.models import Membership, Organisation, Region
from samvirke.risk import domain, selectors
from samvirke.risk.models import (
    AnalysedEvent,
    ConsequenceAssessment,
    EventType,
    Measure,
    RiskAnalysis,
)

RISK_TABLES = ("risk_riskanalysis", "risk_analysedevent", "risk_measure", "risk_consequenceassessment")


def municipalities():
    return {
        o.municipality_number: o for o in Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
    }


def regional_ros():
    return RiskAnalysis.objects.get(kind=RiskAnalysis.Kind.REGIONAL, owner__name=risk_data.GROUP)


def test_every_demo_municipality_has_an_analysis_with_8_to_14_assessed_events(demo):
    orgs = municipalities()
    for _name, number, country, *_rest in data.MUNICIPALITIES:
        analyses = RiskAnalysis.objects.filter(owner=orgs[number])
        assert analyses.count() == 1, number
        analysis = analyses.get()
        assert analysis.kind == ("rsa" if country == "SE" else "hros"), analysis.title
        assert analysis.scale_set.slug == "dsb-2014-kommune"
        covered = set(analysis.covered_requirements.values_list("country", flat=True))
        assert covered == {country}, f"{analysis.title}: requirements of the wrong country"
        events = list(AnalysedEvent.objects.filter(analysis=analysis).prefetch_related("assessments"))
        assert 8 <= len(events) <= 14, f"{analysis.title}: {len(events)} events"
        for event in events:
            assert event.event_type_id and event.likelihood_id and event.knowledge_strength, event.title
            assert event.scenario and event.causes and event.barriers and event.vulnerability, event.title
            assert event.likelihood_reasoning and event.sources, event.title
            assessments = event.assessments.all()
            assert assessments and all(a.reasoning.strip() for a in assessments), event.title
            assert event.critical_functions.exists(), event.title
        measures = Measure.objects.filter(analysis=analysis)
        assert 2 <= measures.count() <= 5, analysis.title
        assert all(m.events.exists() for m in measures), analysis.title


def test_statuses_mix_adopted_consultation_and_draft(demo):
    analyses = RiskAnalysis.objects.filter(title__in=[a.title for a in risk_data.ANALYSES])
    by_status = defaultdict(list)
    for analysis in analyses:
        by_status[analysis.status].append(analysis)
    assert len(by_status["consultation"]) == 1 and len(by_status["draft"]) == 1
    assert len(by_status["adopted"]) == len(risk_data.ANALYSES) - 2
    for analysis in by_status["adopted"]:
        assert analysis.adopted_on and analysis.adopted_by and analysis.case_number, analysis.title
    for analysis in by_status["draft"] + by_status["consultation"]:
        assert not analysis.adopted_on, analysis.title


def test_stored_risk_results_follow_the_scale(demo):
    """Score, combined consequence and colour were computed from the analysis' scale, as by the services."""
    events = AnalysedEvent.objects.select_related("likelihood", "analysis__scale_set").prefetch_related(
        "assessments__level"
    )
    bands = {}
    for event in events.filter(analysis__title__in=[a.title for a in risk_data.ANALYSES]):
        scale_set = event.analysis.scale_set
        if scale_set.pk not in bands:
            bands[scale_set.pk] = domain.band_map(
                {b.colour: b.cells for b in scale_set.acceptance_bands.all()}
            )
        consequence = max(a.level.position for a in event.assessments.all())
        assert event.likelihood.scale_set_id == scale_set.pk
        assert all(a.consequence_type.scale_set_id == scale_set.pk for a in event.assessments.all())
        assert (event.likelihood_position, event.consequence_position) == (
            event.likelihood.position,
            consequence,
        )
        assert event.risk_score == event.likelihood.position * consequence
        assert event.risk_colour == bands[scale_set.pk][(event.likelihood.position, consequence)]
    assert AnalysedEvent.objects.filter(risk_colour="red").values("analysis").distinct().count() >= 5


def test_event_types_recur_across_municipalities_and_the_assessments_differ(demo):
    positions = defaultdict(lambda: defaultdict(set))  # type -> analysis -> {(likelihood, consequence)}
    events = AnalysedEvent.objects.filter(analysis__kind__in=["hros", "rsa"]).select_related("event_type")
    for event in events:
        positions[event.event_type.name][event.analysis_id].add(
            (event.likelihood_position, event.consequence_position)
        )
    shared = {name: by_analysis for name, by_analysis in positions.items() if len(by_analysis) >= 4}
    assert {"Langvarig strømbrudd", "Pandemi", "Skogbrann", "Dambrudd", "Bortfall av ekom"} <= set(shared)
    disagreeing = [
        name for name, by_analysis in shared.items() if len(set().union(*by_analysis.values())) > 1
    ]
    assert len(disagreeing) >= 5, disagreeing
    # The region adds the types the shared library lacks, and they are used.
    region = Region.objects.get(slug=data.REGION["slug"])
    own = set(EventType.objects.filter(region=region).values_list("name", flat=True))
    assert {name for _c, name, _d in risk_data.REGIONAL_EVENT_TYPES} <= own
    assert {"Radioaktivt nedfall", "Beitekrise i reindrifta", "Bortfall av drivstofforsyning"} <= set(
        positions
    )


def test_cross_municipal_and_cross_border_events_name_the_affected_municipalities(demo):
    for event in AnalysedEvent.objects.prefetch_related("affected_municipalities").select_related("analysis"):
        affected = list(event.affected_municipalities.all())
        assert event.cross_municipal == bool(affected), event.title
        assert event.cross_border == any(o.country != event.analysis.country for o in affected), event.title
    assert AnalysedEvent.objects.filter(cross_border=True, analysis__kind="hros").exists()
    assert AnalysedEvent.objects.filter(cross_border=True, analysis__kind="rsa").exists()


def test_access_levels_are_mostly_green_with_a_few_shared_strict_and_red_records(demo, actor_of):
    events = AnalysedEvent.objects.exclude(analysis__kind="regional")
    levels = defaultdict(int)
    for level in events.values_list("access_level", flat=True):
        levels[level] += 1
    assert levels[AccessLevel.GREEN] > sum(levels.values()) / 2
    assert levels[AccessLevel.AMBER_STRICT] >= 2 and levels[AccessLevel.RED] >= 1
    for event in events.exclude(access_level=AccessLevel.GREEN).prefetch_related(
        "shared_with", "named_people"
    ):
        assert event.exemption_basis in (risk_data.NO_BASIS, risk_data.SE_BASIS), event.title
        if event.access_level == AccessLevel.AMBER:
            assert event.shared_with.exists(), f"{event.title}: AMBER but shared with nobody"
        if event.access_level == AccessLevel.RED:
            assert event.named_people.exists(), event.title
    for event in events.filter(access_level=AccessLevel.GREEN):
        assert not event.exemption_basis, event.title

    # Hattfjelldal shares its Røssvatnet dam event with Hemnes downstream, not with Nesna.
    dam = AnalysedEvent.objects.get(title="Dambrudd i Røssvatnet")
    assert selectors.get_event_for(actor_of("demo-hemnes"), dam.analysis_id, dam.pk) == dam
    with pytest.raises(NotFound):
        selectors.get_event_for(actor_of("demo-nesna"), dam.analysis_id, dam.pk)
    # Hemnes' AMBER draft is shared with Rana, and so are its events.
    hemnes = RiskAnalysis.objects.get(title="Helhetlig ROS Hemnes kommune 2023")
    hemnes_events = AnalysedEvent.objects.filter(analysis=hemnes)
    assert (
        selectors.events_visible_to(actor_of("demo-rana")).filter(analysis=hemnes).count()
        == hemnes_events.count()
    )
    assert not selectors.events_visible_to(actor_of("demo-nesna")).filter(analysis=hemnes).exists()
    # The RED sabotage event: only the named person, not even another Arjeplog reader or the coordinator.
    red = AnalysedEvent.objects.get(access_level=AccessLevel.RED)
    assert selectors.events_visible_to(actor_of("demo-arjeplog")).filter(pk=red.pk).exists()
    assert not selectors.events_visible_to(actor_of("demo-coordinator")).filter(pk=red.pk).exists()


def test_measures_include_overdue_and_done_ones_relative_to_today(demo):
    today = timezone.localdate()
    measures = list(Measure.objects.filter(analysis__title__in=[a.title for a in risk_data.ANALYSES]))
    overdue = {m.analysis_id for m in measures if m.is_overdue(today)}
    done = {m.analysis_id for m in measures if m.status == Measure.Status.DONE}
    assert len(overdue) >= 5 and len(done) >= 5
    assert all(m.deadline for m in measures)
    assert any(m.deadline > today for m in measures)
    # Deadlines move with the day the demo is loaded, so the same measures stay overdue.
    later = today + datetime.timedelta(days=400)
    orgs = {o.municipality_number or o.name: o for o in Organisation.objects.all()}
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo-")}
    load_risk_demo(orgs, users, today=later)
    assert {
        m.analysis_id for m in Measure.objects.filter(pk__in=[m.pk for m in measures]) if m.is_overdue(later)
    } == overdue


def test_regional_ros_is_shared_with_every_member_and_hidden_from_outsiders(demo, actor_of):
    analysis = regional_ros()
    assert (analysis.access_level, analysis.scale_set.slug) == (AccessLevel.GREEN, "dsb-2014-kommune")
    group = analysis.owner
    members = set(group.member_organisations.values_list("municipality_number", flat=True))
    assert members == {number for _n, number, *_r in data.MUNICIPALITIES}
    events = AnalysedEvent.objects.filter(analysis=analysis)
    assert 8 <= events.count() <= 10
    assert not events.filter(cross_municipal=False).exists()
    assert events.filter(cross_border=True).count() >= 4

    for username in ("demo-rana", "demo-storuman", "demo-traena", "demo-arjeplog", "demo-coordinator"):
        actor = actor_of(username)
        assert selectors.get_analysis_for(actor, analysis.pk) == analysis, username
        assert selectors.events_visible_to(actor).filter(analysis=analysis).count() == events.count()
    assert actor_of("demo-coordinator").can_edit_for(group.pk)
    assert not actor_of("demo-rana").can_edit_for(group.pk)

    other_region = Region.objects.create(name="Annen region", slug="annen-region-demo-test")
    other_org = Organisation.objects.create(
        region=other_region, kind=Organisation.Kind.MUNICIPALITY, name="Annen kommune", country="NO"
    )
    outsider = get_user_model().objects.create_user(username="outsider-demo-test", password="x")
    Membership.objects.create(user=outsider, organisation=other_org, role=Role.PREPAREDNESS_ADVISOR)
    for actor in (actor_for_user(outsider, verified=True), actor_of("demo-visitor")):
        with pytest.raises(NotFound):
            selectors.get_analysis_for(actor, analysis.pk)
        assert not selectors.events_visible_to(actor).filter(analysis=analysis).exists()


def test_every_demo_risk_record_passes_full_clean(demo):
    """Field lengths, the classification check and the adoption rules hold for everything the loader wrote."""
    for model in (RiskAnalysis, AnalysedEvent, Measure):
        for obj in model.objects.all():
            obj.full_clean()


def test_loading_again_writes_nothing_and_each_record_has_one_version(demo):
    counts = {
        model: model.objects.count()
        for model in (RiskAnalysis, AnalysedEvent, Measure, ConsequenceAssessment, EventType)
    }
    with CaptureQueriesContext(connection) as ctx:
        load_demo()
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE")
        and any(table in q["sql"] for table in RISK_TABLES)
    ]
    assert writes == [], writes[:3]
    assert counts == {model: model.objects.count() for model in counts}
    for model in (RiskAnalysis, AnalysedEvent, Measure):
        assert model.history.count() == model.objects.count()
        assert set(model.objects.values_list("version", flat=True)) == {1}


def test_a_changed_demo_record_is_put_back_as_a_new_version(demo):
    event = AnalysedEvent.objects.get(title="Flom i Ranelva")
    likelihood = event.likelihood
    AnalysedEvent.objects.filter(pk=event.pk).update(scenario="Endret", likelihood=None, risk_colour="")
    event.assessments.all().delete()
    event.critical_functions.clear()
    load_demo()
    event.refresh_from_db()
    assert event.scenario != "Endret" and event.likelihood == likelihood and event.risk_colour
    assert event.version == 2 and event.history.count() == 2
    assert event.assessments.count() == 2 and event.critical_functions.count() == 2


def test_a_fresh_load_takes_a_few_bulk_queries(demo):
    """The demo loads in every test that uses it: new records go in bulk, not one query per record."""
    RiskAnalysis.objects.filter(title__in=[a.title for a in risk_data.ANALYSES]).delete()
    orgs = {o.municipality_number or o.name: o for o in Organisation.objects.all()}
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo-")}
    with CaptureQueriesContext(connection) as ctx:
        result = load_risk_demo(orgs, users)
    assert result == {
        "analyses": len(risk_data.ANALYSES),
        "events": sum(len(e) for e in risk_data.EVENTS.values()),
        "measures": sum(len(m) for m in risk_data.MEASURES.values()),
    }
    risk_queries = [q for q in ctx.captured_queries if any(t in q["sql"] for t in RISK_TABLES)]
    assert len(risk_queries) < 30, len(risk_queries)  # 18 today; one per record would be 250+


#: Who edits each demo analysis (an advisor of the owner; the coordinator for the steering group's).
EDITORS = {
    "rana": "demo-rana", "hemnes": "demo-hemnes", "hattfjelldal": "demo-hattfjelldal", "nesna": "demo-nesna",
    "luroy": "demo-luroy", "traena": "demo-traena", "storuman": "demo-storuman",
    "vilhelmina": "demo-vilhelmina", "arjeplog": "demo-arjeplog", "regional": "demo-coordinator",
}  # fmt: skip


def test_every_demo_analysis_page_and_matrix_renders_for_its_editor(signed_in):
    for spec in risk_data.ANALYSES:
        analysis = RiskAnalysis.objects.get(title=spec.title)
        client = signed_in(EDITORS[spec.key])
        body = client.get(f"/risk/{analysis.pk}/").content.decode()
        for event in AnalysedEvent.objects.filter(analysis=analysis):
            assert escape(event.title) in body, event.title
        assert client.get(f"/risk/{analysis.pk}/matrix/").status_code == 200
        event = AnalysedEvent.objects.filter(analysis=analysis).last()
        assert client.get(f"/risk/{analysis.pk}/events/{event.pk}/").status_code == 200
