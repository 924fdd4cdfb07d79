"""The coverage view: every analysed event the reader may see, what in the plan answers it, gaps
highlighted."""

import re

import pytest

from samvirke.core.access import AccessLevel
from samvirke.emergencyplan import selectors, services
from samvirke.organisations.models import Organisation
from samvirke.risk.models import AnalysedEvent


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def plan(demo, actor_of):
    return selectors.plan_of(actor_of("demo-nesna"), Organisation.objects.get(municipality_number="1828"))


def row_of(body, title):
    start = body.rindex("<tr", 0, body.index(f">{title}</a>"))
    return body[start : body.index("</tr>", start)]


def test_nesna_coverage_answers_all_but_the_hospital(plan, signed_in, actor_of):
    client = english(signed_in("demo-nesna"))
    body = client.get(f"/emergency-plans/{plan.pk}/coverage/").content.decode()
    events = list(selectors.organisation_events(actor_of("demo-nesna"), plan.owner))
    assert len(events) == 9
    assert (
        f"8 of {len(events)} events are answered in the plan" in body and "1 event without an answer" in body
    )
    gap = row_of(body, "Bortfall av Helgelandssykehuset Mo i Rana")
    assert "smv-state-td--missing" in gap and "No answer in the plan" in gap
    ferry = row_of(body, "Øyene Tomma og Hugla uten båtforbindelse")
    assert "Bortfall av ferje- og båtsamband" in ferry and "by event type" in ferry  # the card, by its type
    assert "Evacuation plan" in ferry and "Resource overview" in ferry  # the parts linked to it
    assert "No answer" not in ferry
    assert body.count("Not exercised") == len(events)
    only = client.get(f"/emergency-plans/{plan.pk}/coverage/?unanswered=1").content.decode()
    assert "Bortfall av Helgelandssykehuset" in only and "Øyene Tomma og Hugla" not in only


def test_a_new_card_closes_the_gap(plan, signed_in, actor_of):
    actor = actor_of("demo-nesna")
    hospital = selectors.organisation_events(actor, plan.owner).get(
        title="Bortfall av Helgelandssykehuset Mo i Rana"
    )
    services.card_create(
        actor=actor,
        plan_id=plan.pk,
        data={
            "title": "Bortfall av sykehus",
            "checklist": "Kontakt Helgelandssykehuset",
            "access_level": "green",
        },
        events=[hospital],
    )
    body = english(signed_in("demo-nesna")).get(f"/emergency-plans/{plan.pk}/coverage/").content.decode()
    assert "9 of 9 events are answered" in body and "No answer in the plan" not in body


def test_coverage_shows_only_what_the_reader_may_read(plan, signed_in, actor_of):
    actor = actor_of("demo-nesna")
    secret = selectors.organisation_events(actor, plan.owner).get(title="Pandemi")
    AnalysedEvent.objects.visible_to(actor).filter(pk=secret.pk).update(
        access_level=AccessLevel.AMBER_STRICT, exemption_basis="offl. § 24 tredje ledd"
    )
    card = next(c for c in selectors.cards_of(actor, plan) if c.title == "Forurenset drikkevann")
    services.card_update(
        actor=actor, plan_id=plan.pk, card_id=card.pk, expected_version=card.version,
        data={"access_level": AccessLevel.AMBER_STRICT, "exemption_basis": "offl. § 24 tredje ledd"},
    )  # fmt: skip
    outsider = english(signed_in("demo-hemnes"))
    body = outsider.get(f"/emergency-plans/{plan.pk}/coverage/").content.decode()
    assert ">Pandemi</a>" not in body
    assert "Forurenset drikkevann</a>" in body  # the event is GREEN ...
    drinking = row_of(body, "Forurenset drikkevann")
    assert (
        "emergency-plans/" in drinking and "action-cards" not in drinking
    )  # ... the card that answers it is not
    member = english(signed_in("demo-nesna")).get(f"/emergency-plans/{plan.pk}/coverage/").content.decode()
    assert ">Pandemi</a>" in member and "action-cards" in row_of(member, "Forurenset drikkevann")


def test_coverage_of_an_amber_plan_is_404_for_outsiders(plan, signed_in, actor_of):
    services.plan_update(
        actor=actor_of("demo-nesna"), plan_id=plan.pk, expected_version=plan.version,
        data={"access_level": AccessLevel.AMBER, "exemption_basis": "offl. § 24 tredje ledd"},
    )  # fmt: skip
    assert signed_in("demo-hemnes").get(f"/emergency-plans/{plan.pk}/coverage/").status_code == 404
    assert re.search(
        "Coverage", english(signed_in("demo-nesna")).get(f"/emergency-plans/{plan.pk}/").content.decode()
    )
