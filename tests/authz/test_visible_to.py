"""Unit tests of the chokepoint, `ContentQuerySet.visible_to`: access level × kind of actor.

Records are owned by Rana (1833). AMBER is shared with Nesna (1828). RED names demo-rana (Rana),
demo-storuman (Storuman, same region) and a verified user without memberships.
"""

import pytest
from django.contrib.auth import get_user_model

from samvirke.core.access import ANONYMOUS, AccessLevel, Role, actor_for_user
from samvirke.notices.models import Notice
from samvirke.organisations.models import Membership

from .conftest import make_notice, make_user

LEVELS = ("clear", "green", "amber", "amber_strict", "red")

# actor key -> (how to build the actor, the levels of Rana's records it may read)
MATRIX = {
    "anonymous": (lambda w: ANONYMOUS, {"clear"}),
    # Signed in with password only: memberships (and RED naming) do not count until two-factor is done.
    "unverified member of owner, named on red": (lambda w: w.actor("demo-rana", verified=False), {"clear"}),
    "member of owner org (not named)": (
        lambda w: w.actor("demo-rana-reader"),
        {"clear", "green", "amber", "amber_strict"},
    ),
    "member of owner org, named on red": (lambda w: w.actor("demo-rana"), set(LEVELS)),
    "member of org shared with": (lambda w: w.actor("demo-nesna"), {"clear", "green", "amber"}),
    "member of other municipality, same region": (lambda w: w.actor("demo-hemnes"), {"clear", "green"}),
    "partner organisation member": (lambda w: w.actor("demo-industripark"), {"clear", "green"}),
    "partner org that has other notices shared": (
        lambda w: w.actor("demo-statsforvalter"),
        {"clear", "green"},
    ),
    "group member (coordinator)": (lambda w: w.actor("demo-coordinator"), {"clear", "green"}),
    "member of another region": (lambda w: w.actor("other-region"), {"clear"}),
    "named on red, other municipality same region": (
        lambda w: w.actor("demo-storuman"),
        {"clear", "green", "red"},
    ),
    "verified, no membership": (lambda w: w.actor("demo-visitor"), {"clear"}),
    "verified, no membership, named on red": (lambda w: w.actor("named-visitor"), {"clear", "red"}),
    "unverified, no membership, named on red": (
        lambda w: w.actor("named-visitor", verified=False),
        {"clear"},
    ),
}


@pytest.mark.parametrize("actor_key", list(MATRIX))
def test_visible_to_matrix(world, actor_key):
    """Each level of Rana's records, one row at a time, then the whole visible set for these records."""
    build, allowed = MATRIX[actor_key]
    actor = build(world)
    wrong = []
    for level in LEVELS:
        visible = Notice.objects.visible_to(actor).filter(pk=world.notices[level].pk).exists()
        if visible != (level in allowed):
            wrong.append(f"{'hidden' if level in allowed else 'SHOWN'}: {level}")
    assert not wrong, f"{actor_key}: {wrong} (expected to see {sorted(allowed)})"

    ours = {n.pk for n in world.notices.values()}
    seen = set(Notice.objects.visible_to(actor).filter(pk__in=ours).values_list("pk", flat=True))
    expected = {world.notices[k].pk for k in allowed}
    if actor_key == "member of another region":
        expected.add(world.notices["other_green"].pk)
    assert seen == expected


def test_other_region_green_only_for_that_region(world):
    green = world.notices["other_green"]
    assert Notice.objects.visible_to(world.actor("other-region")).filter(pk=green.pk).exists()
    for username in ("demo-hemnes", "demo-rana", "demo-coordinator", "demo-statsforvalter", "demo-visitor"):
        assert not Notice.objects.visible_to(world.actor(username)).filter(pk=green.pk).exists(), username
    assert not Notice.objects.visible_to(ANONYMOUS).filter(pk=green.pk).exists()


def test_inactive_membership_does_not_count(world):
    Membership.objects.filter(user=world.users["demo-nesna"]).update(active=False)
    actor = world.actor("demo-nesna")
    assert not Notice.objects.visible_to(actor).filter(pk=world.notices["amber"].pk).exists()
    assert not Notice.objects.visible_to(actor).filter(pk=world.notices["green"].pk).exists()


def test_deactivated_user_is_anonymous(world):
    user = world.users["demo-rana"]
    user.is_active = False
    user.save()
    actor = actor_for_user(user, verified=True)
    assert actor == ANONYMOUS
    assert set(Notice.objects.visible_to(actor).values_list("access_level", flat=True)) <= {AccessLevel.CLEAR}


def test_no_duplicates_when_shared_with_several_of_the_actors_organisations(world):
    """Sharing with several of the caller's organisations (and several roles in one) gives one row each."""
    coordinator = world.users["demo-coordinator"]  # Lurøy, Styringsgruppen, Prosjektgruppen
    own_orgs = [
        m.organisation for m in Membership.objects.filter(user=coordinator).select_related("organisation")
    ]
    assert len(own_orgs) >= 3
    # A second role in the same organisation as well.
    Membership.objects.create(user=coordinator, organisation=own_orgs[0], role=Role.READER)
    rana = world.orgs["1833"]
    amber = make_notice(rana, "qzdup-amber", AccessLevel.AMBER, shared_with=own_orgs)
    red = make_notice(rana, "qzdup-red", AccessLevel.RED, named=[coordinator, world.users["demo-rana"]])
    own_amber = make_notice(own_orgs[0], "qzdup-own", AccessLevel.AMBER, shared_with=[*own_orgs[1:], rana])

    actor = world.actor("demo-coordinator")
    qs = Notice.objects.visible_to(actor)
    pks = list(qs.values_list("pk", flat=True))
    assert len(pks) == len(set(pks)), "visible_to returned duplicate rows"
    assert qs.count() == len(set(pks))
    for notice in (amber, red, own_amber):
        assert pks.count(notice.pk) == 1
    # The same holds with the selectors' joins and ordering on top.
    from samvirke.notices.selectors import notices_visible_to

    listed = [n.pk for n in notices_visible_to(actor)]
    assert len(listed) == len(set(listed))
    assert set(listed) == set(pks)


def test_visible_to_is_one_query(world, django_assert_num_queries):
    """The rules are SQL (joins/subqueries), not Python lists fetched first."""
    actor = world.actor("demo-rana")
    with django_assert_num_queries(1):
        list(Notice.objects.visible_to(actor))


def test_user_in_two_regions_sees_green_of_both(world):
    user = get_user_model().objects.get(username="demo-hemnes")
    Membership.objects.create(user=user, organisation=world.orgs["other"], role=Role.READER)
    actor = actor_for_user(user, verified=True)
    qs = Notice.objects.visible_to(actor)
    assert qs.filter(pk=world.notices["green"].pk).exists()
    assert qs.filter(pk=world.notices["other_green"].pk).exists()
    assert not qs.filter(pk=world.notices["amber"].pk).exists()


def test_named_person_without_membership_only_red(world):
    user = make_user("authz-lonely")
    rana = world.orgs["1833"]
    red = make_notice(rana, "qzlonely-red", AccessLevel.RED, named=[user])
    actor = actor_for_user(user, verified=True)
    assert set(
        Notice.objects.visible_to(actor).exclude(access_level=AccessLevel.CLEAR).values_list("pk", flat=True)
    ) == {red.pk}
