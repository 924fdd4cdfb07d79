"""Emergency-plan pages keep a constant number of queries as events, cards, entries and plans grow."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samvirke.core.access import AccessLevel, Role, actor_for_user
from samvirke.emergencyplan import selectors, services
from samvirke.emergencyplan.models import Binder
from samvirke.emergencyplan.parts import BY_KEY
from samvirke.organisations.models import Membership, Organisation
from samvirke.risk import services as risk_services
from samvirke.risk.models import EventType, RiskAnalysis

_numbers = itertools.count(1)
_orgs = itertools.count(9500)
LEVELS = [AccessLevel.GREEN, AccessLevel.AMBER_STRICT]


def grow(actor, plan, n):
    """n more analysed events in Nesna's analysis (GREEN and AMBER+STRICT), an action card each linked to
    the event and an event type, an alert-list entry and a resource each, and a municipality with a plan."""
    analysis = RiskAnalysis.objects.visible_to(actor).get(owner=plan.owner)
    likelihood = analysis.scale_set.likelihood_classes.get(position=2)
    event_type = EventType.objects.filter(region__isnull=True).order_by("pk").first()
    for i in range(n):
        number = next(_numbers)
        event = risk_services.event_create(
            actor=actor,
            analysis_id=analysis.pk,
            data={"title": f"Vekst {number}", "likelihood": likelihood, "likelihood_reasoning": "x",
                  "event_type": event_type, "access_level": LEVELS[i % 2]},
        )  # fmt: skip
        services.card_create(
            actor=actor,
            plan_id=plan.pk,
            data={"title": f"Kort {number}", "checklist": "Steg 1\nSteg 2", "access_level": LEVELS[i % 2]},
            events=[event],
            event_types=[event_type],
        )
        for key, values in (
            ("alert_list", {"name": f"Kontakt {number}", "phone": "+47 000 00 000"}),
            ("resources", {"name": f"Ressurs {number}", "category": "boat", "owner_kind": "municipality"}),
        ):
            part = selectors.get_part_for(actor, plan, BY_KEY[key])
            services.entry_save(
                actor=actor, plan_id=plan.pk, part_key=key, key=None, expected_version=part.version,
                values=values,
            )  # fmt: skip
        org = Organisation.objects.create(
            region=plan.owner.region,
            kind=Organisation.Kind.MUNICIPALITY,
            name=f"Vekstplan {number} kommune",
            municipality_number=str(next(_orgs)),
        )
        editor = get_user_model().objects.create_user(username=f"vekstplan-{number}", password="x")
        Membership.objects.create(user=editor, organisation=org, role=Role.PREPAREDNESS_ADVISOR)
        services.plan_create(actor=actor_for_user(editor, verified=True), organisation_id=org.pk)


def count(client, url):
    if url.endswith("binder.html"):
        Binder.objects.all().delete()  # measure the binder being made, both times
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("page", ["plan", "alert_list", "resources", "coverage", "region", "card", "binder"])
def test_emergency_plan_pages_have_flat_query_counts(signed_in, actor_of, page):
    actor = actor_of("demo-nesna")
    plan = selectors.plan_of(actor, Organisation.objects.get(municipality_number="1828"))
    card = selectors.cards_of(actor, plan)[0]
    url = {
        "plan": f"/emergency-plans/{plan.pk}/",
        "alert_list": f"/emergency-plans/{plan.pk}/alert-list/",
        "resources": f"/emergency-plans/{plan.pk}/resources/",
        "coverage": f"/emergency-plans/{plan.pk}/coverage/",
        "region": f"/emergency-plans/regions/{plan.owner.region_id}/",
        "card": f"/emergency-plans/{plan.pk}/action-cards/{card.pk}/",
        "binder": f"/emergency-plans/{plan.pk}/binder.html",
    }[page]
    client = signed_in("demo-nesna")
    grow(actor, plan, 2)
    client.get(url)  # warm-up
    small, body_small = count(client, url)
    grow(actor, plan, 6)
    large, body_large = count(client, url)
    if page != "card":
        grown = ("Vekst", "Kort ", "Kontakt ", "Ressurs ")
        assert sum(body_large.count(w) for w in grown) > sum(body_small.count(w) for w in grown), "no growth"
    assert small == large, f"{url}: {small} queries before, {large} after growing"
