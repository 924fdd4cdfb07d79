"""Risk pages keep a constant number of queries as analyses, events and measures grow."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samvirke.core.access import AccessLevel
from samvirke.risk import services
from samvirke.risk.models import ConsequenceType, RiskAnalysis

_numbers = itertools.count(1)


def grow(actor, analysis, n):
    """n more events (GREEN and AMBER+STRICT, assessed on two types), a measure each, and an analysis."""
    types = list(ConsequenceType.objects.filter(scale_set=analysis.scale_set).prefetch_related("levels")[:2])
    likelihood = analysis.scale_set.likelihood_classes.get(position=3)
    for i in range(n):
        number = next(_numbers)
        level = AccessLevel.GREEN if i % 2 else AccessLevel.AMBER_STRICT
        event = services.event_create(
            actor=actor,
            analysis_id=analysis.pk,
            data={"title": f"Vekst {number}", "likelihood": likelihood, "likelihood_reasoning": "x",
                  "access_level": level},
            consequences={t: (t.levels.all()[i % 5], "grunn") for t in types},
        )  # fmt: skip
        services.measure_create(
            actor=actor,
            analysis_id=analysis.pk,
            data={
                "title": f"Tiltak {number}",
                "deadline": datetime.date(2020, 1, 1),
                "likelihood_reduction": 1,
            },
            events=[event],
        )
        services.analysis_create(
            actor=actor,
            owner_id=analysis.owner_id,
            data={"title": f"Analyse {number}", "kind": "hros", "scale_set": analysis.scale_set,
                  "access_level": level},
        )  # fmt: skip


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("page", ["list", "detail", "matrix", "matrix_type", "overview"])
def test_risk_pages_have_flat_query_counts(signed_in, actor_of, page):
    actor = actor_of("demo-rana")
    analysis = RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")
    url = {
        "list": "/risk/",
        "detail": f"/risk/{analysis.pk}/",
        "matrix": f"/risk/{analysis.pk}/matrix/",
        "matrix_type": f"/risk/{analysis.pk}/matrix/?type=dodsfall",
        "overview": "/overview/",
    }[page]
    client = signed_in("demo-rana")
    grow(actor, analysis, 2)
    client.get(url)  # warm-up
    small, body_small = count(client, url)
    grow(actor, analysis, 6)
    large, body_large = count(client, url)
    if page != "overview":
        assert body_large.count("Vekst") + body_large.count("Analyse ") > body_small.count(
            "Vekst"
        ) + body_small.count("Analyse "), "the page did not grow"
    assert small == large, f"{url}: {small} queries before, {large} after growing"


# --- the regional pages and the overview's overdue flags, over several municipalities -------------------

_region_numbers = itertools.count(8000)
_REGION_LEVELS = [AccessLevel.GREEN, AccessLevel.AMBER, AccessLevel.AMBER_STRICT]


def grow_region(viewer_org, municipalities: int, events_each: int):
    """New municipalities in the viewer's region, each with an analysis, events of several types at GREEN,
    AMBER shared with the viewer's organisation and AMBER+STRICT (hidden), and an overdue measure each."""
    from django.contrib.auth import get_user_model

    from samvirke.core.access import Role, actor_for_user
    from samvirke.organisations.models import Membership, Organisation
    from samvirke.risk.models import EventType, ScaleSet

    scale_set = ScaleSet.objects.get(slug="dsb-2014-kommune")
    types = list(ConsequenceType.objects.filter(scale_set=scale_set).prefetch_related("levels")[:3])
    shared_types = list(EventType.objects.filter(region__isnull=True).order_by("pk")[:3])
    likelihoods = list(scale_set.likelihood_classes.order_by("position"))
    made = 0
    for _ in range(municipalities):
        number = next(_region_numbers)
        org = Organisation.objects.create(
            region=viewer_org.region,
            kind=Organisation.Kind.MUNICIPALITY,
            name=f"Vekstregion {number} kommune",
            municipality_number=str(number),
        )
        user = get_user_model().objects.create_user(username=f"vekstregion-{number}", password="x")
        Membership.objects.create(user=user, organisation=org, role=Role.PREPAREDNESS_ADVISOR)
        actor = actor_for_user(user, verified=True)
        # A type of the region's own library as well, so that the compare index grows too.
        own_type = EventType.objects.create(
            region=viewer_org.region, category="natural", name=f"Vekstregion type {number}"
        )
        event_types = [*shared_types, own_type]
        analysis = services.analysis_create(
            actor=actor,
            owner_id=org.pk,
            data={"title": f"Vekstregion ROS {number}", "kind": "hros", "scale_set": scale_set,
                  "access_level": AccessLevel.AMBER, "exemption_basis": "offl. § 24 tredje ledd"},
            shared_with=[viewer_org],
        )  # fmt: skip
        for i in range(events_each):
            level = _REGION_LEVELS[made % 3]  # every call starts with a visible GREEN and AMBER event
            made += 1
            event = services.event_create(
                actor=actor,
                analysis_id=analysis.pk,
                data={"title": f"Vekstregion hendelse {number}-{i}", "likelihood": likelihoods[i % 5],
                      "likelihood_reasoning": "x", "event_type": event_types[i % 4], "access_level": level,
                      "exemption_basis": "offl. § 24 tredje ledd", "cross_municipal": True},
                consequences={t: (t.levels.all()[(i + k) % 5], "grunn") for k, t in enumerate(types)},
                shared_with=[viewer_org] if level == AccessLevel.AMBER else [],
            )  # fmt: skip
        services.measure_create(
            actor=actor,
            analysis_id=analysis.pk,
            data={"title": f"Vekstregion tiltak {number}", "deadline": datetime.date(2020, 1, 1),
                  "likelihood_reduction": 1, "access_level": AccessLevel.GREEN},
            events=[event],
        )  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        "/risk/regional/",
        "/risk/regional/?measures=after",
        "/risk/regional/?measures=after&consequence_type=dodsfall&cross_municipal=1",
        "/risk/regional/?likelihood=3&consequence=3",
        "/risk/compare/",
        "/risk/compare/{event_type}/",
        "/risk/measures/",
        "/risk/measures/?overdue=1",
        "/overview/",
    ],
)
def test_regional_pages_have_flat_query_counts(signed_in, url):
    """2 events in 2 municipalities, then 40 in 8: the same number of queries, and the page grew."""
    from samvirke.organisations.models import Organisation
    from samvirke.risk.models import EventType

    viewer_org = Organisation.objects.get(name="Lurøy kommune")
    url = url.format(event_type=EventType.objects.filter(region__isnull=True).order_by("pk").first().pk)
    client = signed_in("demo-coordinator")
    grow_region(viewer_org, 2, 1)
    client.get(url)  # warm-up
    small, body_small = count(client, url)
    grow_region(viewer_org, 6, 6)
    large, body_large = count(client, url)

    def shown(body):  # the grown records' names, or (the compare index) more event types in the table
        return body.count("Vekstregion") + body.count("<tr")

    assert shown(body_large) > shown(body_small), "the page did not grow"
    assert small == large, f"{url}: {small} queries with 2 events, {large} with 40"
