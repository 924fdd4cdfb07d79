"""The demo emergency plans: every municipality has one, Nesna's is complete, loading again changes
nothing."""

from django.utils import timezone

from samvirke.core.access import AccessLevel
from samvirke.demo import data
from samvirke.demo.emergencyplan import load_emergency_plans_demo
from samvirke.emergencyplan import entries, selectors
from samvirke.emergencyplan.models import ActionCard, AlertList, EmergencyPlan
from samvirke.emergencyplan.parts import PARTS
from samvirke.organisations.models import Organisation


def test_every_municipality_has_a_plan_with_every_part(demo, actor_of):
    for name, number, country, *_rest in data.MUNICIPALITIES:
        org = Organisation.objects.get(municipality_number=number)
        advisor = next(
            u
            for u, _f, _l, _lang, ms in data.USERS
            if any(m[0] == number and m[1] == "preparedness_advisor" for m in ms)
        )
        actor = actor_of(advisor)
        plan = selectors.plan_of(actor, org)
        assert plan is not None, name
        parts = selectors.parts_of(actor, plan)
        assert all(parts[s.key] is not None for s in PARTS), name
        assert parts["alert_list"].access_level == AccessLevel.AMBER and parts["alert_list"].exemption_basis
        assert (
            parts["alert_list"].entries and parts["crisis_management"].entries and parts["resources"].entries
        )
        assert selectors.cards_of(actor, plan), name
        if country == "SE":
            assert "Kommunhuset" in parts["crisis_management"].meeting_place
            assert "extraordinära händelser" in plan.introduction
        else:
            assert "Rådhuset" in parts["crisis_management"].meeting_place


def test_nesna_has_a_complete_plan(demo, actor_of):
    actor = actor_of("demo-nesna")
    nesna = Organisation.objects.get(municipality_number="1828")
    plan = selectors.plan_of(actor, nesna)
    assert plan.governing_document is not None and plan.governing_document.owner_id == nesna.pk
    parts = selectors.parts_of(actor, plan)
    for spec in PARTS:
        for name in spec.model.TEXT_FIELDS:
            if name != "notes":
                assert getattr(parts[spec.key], name), (spec.key, name)
    today = timezone.localdate()
    alerts = parts["alert_list"].entries
    stale = [e for e in alerts if entries.is_stale(e, today)]
    assert 0 < len(stale) < len(alerts)
    assert any(e["fallback"] == "nodnett" for e in alerts) and any(
        e["fallback"] == "satellite" for e in alerts
    )
    resources = parts["resources"].entries
    assert {e["owner_kind"] for e in resources} >= {"municipality", "business", "volunteer"}
    assert any(e["lendable"] for e in resources) and not all(e["lendable"] for e in resources)
    assert any(e["category"] == "eps" for e in resources) and any(e["category"] == "boat" for e in resources)
    cards = selectors.cards_of(actor, plan)
    assert len(cards) >= 6 and all(c.event_types.exists() or c.events.exists() for c in cards)
    # The lists pass the model's own checks.
    for part in parts.values():
        part.full_clean()


def test_the_amber_parts_are_shared_with_the_host_municipality_only(demo, actor_of):
    coordinator, outsider = actor_of("demo-coordinator"), actor_of("demo-hemnes")
    nesna = Organisation.objects.get(municipality_number="1828")
    plan = selectors.plan_of(coordinator, nesna)
    assert AlertList.objects.visible_to(coordinator).filter(plan=plan).exists()
    assert not AlertList.objects.visible_to(outsider).filter(plan=plan).exists()
    assert selectors.plan_of(outsider, nesna) is not None  # the plan itself is GREEN


def test_loading_again_changes_nothing(demo, actor_of):
    actor = actor_of("demo-coordinator")
    before = {
        model.__name__: set(model.objects.visible_to(actor).values_list("pk", "version"))
        for model in (EmergencyPlan, ActionCard, *(s.model for s in PARTS))
    }
    orgs = {o.municipality_number or o.name: o for o in Organisation.objects.all()}
    load_emergency_plans_demo(orgs)
    after = {
        model.__name__: set(model.objects.visible_to(actor).values_list("pk", "version"))
        for model in (EmergencyPlan, ActionCard, *(s.model for s in PARTS))
    }
    assert before == after
