"""Membership services: who may administer, linking and creating people, roles, the last administrator."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from samvirke.core.access import Role, actor_for_user
from samvirke.core.errors import NotFound, PermissionDenied
from samvirke.organisations import services
from samvirke.organisations.models import Membership, Organisation, Region

LINK_BASE = "https://samvirke.example.no"


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in the source language (the default language is bokmål)."""
    with translation.override("en"):
        yield


def org(number):
    return Organisation.objects.get(municipality_number=number)


def other_region_org():
    region = Region.objects.create(name="Annen region", slug="annen")
    return Organisation.objects.create(
        region=region, kind="municipality", name="Annen kommune", municipality_number="9902"
    )


def test_administrator_links_an_existing_person_by_email(demo, actor_of):
    hemnes = get_user_model().objects.get(username="demo-hemnes")
    users_before = get_user_model().objects.count()
    result = services.membership_add(
        actor=actor_of("demo-admin"),
        organisation_id=org("1834").pk,
        email=hemnes.email.upper(),
        role=Role.READER,
        title="Vara",
        link_base=LINK_BASE,
    )
    assert result.membership.user == hemnes
    assert (result.user_created, result.reactivated, result.invitation_sent) == (False, False, None)
    assert get_user_model().objects.count() == users_before
    assert mail.outbox == []
    record = result.membership.history.get()
    assert record.history_user.username == "demo-admin"
    assert record.history_type == "+"


def test_a_new_person_gets_an_account_without_password_and_an_email(demo, actor_of):
    result = services.membership_add(
        actor=actor_of("demo-admin"),
        organisation_id=org("1834").pk,
        email="Ny.Person@Luroy.Kommune.no",
        role=Role.PREPAREDNESS_ADVISOR,
        first_name="Ny",
        last_name="Person",
        link_base=LINK_BASE,
    )
    user = result.membership.user
    assert result.user_created and result.invitation_sent is True
    assert user.username == "ny.person@luroy.kommune.no"
    assert user.email == "Ny.Person@luroy.kommune.no"
    assert not user.has_usable_password()
    assert user.language == "nb"  # the organisation's language
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert f"{LINK_BASE}/accounts/password/reset/" in mail.outbox[0].body


def test_username_clash_gets_a_suffix(demo, actor_of):
    get_user_model().objects.create_user(username="clash@example.no", email="someone-else@example.no")
    result = services.membership_add(
        actor=actor_of("demo-admin"),
        organisation_id=org("1834").pk,
        email="clash@example.no",
        role=Role.READER,
        link_base=LINK_BASE,
    )
    assert result.membership.user.username == "clash@example.no-2"


def test_coordinator_administers_any_organisation_of_the_region(demo, actor_of):
    result = services.membership_add(
        actor=actor_of("demo-coordinator"),
        organisation_id=org("1833").pk,
        email="ny@rana.kommune.no",
        role=Role.ADMINISTRATOR,
        link_base=LINK_BASE,
    )
    assert result.membership.organisation == org("1833")


@pytest.mark.parametrize("username", ["demo-admin", "demo-rana", "demo-hemnes", "demo-statsforvalter"])
def test_others_may_not_administer_rana(demo, actor_of, username):
    """demo-admin administers Lurøy, not Rana; an advisor is an editor, not an administrator."""
    with pytest.raises(PermissionDenied):
        services.membership_add(
            actor=actor_of(username),
            organisation_id=org("1833").pk,
            email="x@example.no",
            role=Role.READER,
            link_base=LINK_BASE,
        )
    rana = Membership.objects.filter(organisation=org("1833")).first()
    with pytest.raises(PermissionDenied):
        services.membership_change(
            actor=actor_of(username), organisation_id=org("1833").pk, membership_id=rana.pk, role=Role.READER
        )
    with pytest.raises(PermissionDenied):
        services.membership_deactivate(
            actor=actor_of(username), organisation_id=org("1833").pk, membership_id=rana.pk
        )
    assert not get_user_model().objects.filter(email="x@example.no").exists()


def test_another_region_is_not_found_even_for_a_coordinator(demo, actor_of):
    other = other_region_org()
    with pytest.raises(NotFound):
        services.membership_add(
            actor=actor_of("demo-coordinator"),
            organisation_id=other.pk,
            email="x@example.no",
            role=Role.READER,
            link_base=LINK_BASE,
        )


def test_unverified_actor_can_do_nothing(demo):
    user = get_user_model().objects.get(username="demo-coordinator")
    with pytest.raises(NotFound):
        services.membership_add(
            actor=actor_for_user(user, verified=False),
            organisation_id=org("1833").pk,
            email="x@example.no",
            role=Role.READER,
            link_base=LINK_BASE,
        )


def test_only_a_coordinator_gives_or_takes_the_coordinator_role(demo, actor_of):
    admin = actor_of("demo-admin")
    with pytest.raises(PermissionDenied):
        services.membership_add(
            actor=admin,
            organisation_id=org("1834").pk,
            email="x@example.no",
            role=Role.REGIONAL_COORDINATOR,
            link_base=LINK_BASE,
        )
    coordinator_membership = Membership.objects.get(
        user__username="demo-coordinator", organisation=org("1834"), role=Role.REGIONAL_COORDINATOR
    )
    with pytest.raises(PermissionDenied):
        services.membership_deactivate(
            actor=admin, organisation_id=org("1834").pk, membership_id=coordinator_membership.pk
        )
    luroy = Membership.objects.get(user__username="demo-luroy", organisation=org("1834"))
    with pytest.raises(PermissionDenied):
        services.membership_change(
            actor=admin,
            organisation_id=org("1834").pk,
            membership_id=luroy.pk,
            role=Role.REGIONAL_COORDINATOR,
        )
    assert Role.REGIONAL_COORDINATOR not in dict(services.assignable_roles(admin, org("1834")))
    assert Role.REGIONAL_COORDINATOR in dict(
        services.assignable_roles(actor_of("demo-coordinator"), org("1834"))
    )


def test_change_role_and_title_keeps_history(demo, actor_of):
    luroy = Membership.objects.get(user__username="demo-luroy", organisation=org("1834"))
    services.membership_change(
        actor=actor_of("demo-admin"),
        organisation_id=org("1834").pk,
        membership_id=luroy.pk,
        role=Role.CRISIS_STAFF,
        title="Kommunalsjef",
    )
    luroy.refresh_from_db()
    assert (luroy.role, luroy.title) == (Role.CRISIS_STAFF, "Kommunalsjef")
    latest = luroy.history.order_by("-history_id").first()
    assert latest.history_user.username == "demo-admin"
    assert latest.prev_record.role == Role.PREPAREDNESS_ADVISOR


def test_a_membership_of_another_organisation_is_not_found(demo, actor_of):
    rana = Membership.objects.filter(organisation=org("1833")).first()
    with pytest.raises(NotFound):
        services.membership_change(
            actor=actor_of("demo-admin"),
            organisation_id=org("1834").pk,
            membership_id=rana.pk,
            role=Role.READER,
        )


def test_deactivate_keeps_the_row_and_add_reactivates(demo, actor_of):
    admin = actor_of("demo-admin")
    luroy = Membership.objects.get(user__username="demo-luroy", organisation=org("1834"))
    services.membership_deactivate(actor=admin, organisation_id=org("1834").pk, membership_id=luroy.pk)
    luroy.refresh_from_db()
    assert luroy.active is False
    assert luroy.history.order_by("-history_id").first().history_user.username == "demo-admin"
    result = services.membership_add(
        actor=admin,
        organisation_id=org("1834").pk,
        email=luroy.user.email,
        role=Role.PREPAREDNESS_ADVISOR,
        link_base=LINK_BASE,
    )
    assert result.reactivated and result.membership.pk == luroy.pk and result.membership.active


def test_the_same_role_twice_is_refused(demo, actor_of):
    luroy = Membership.objects.get(user__username="demo-luroy", organisation=org("1834"))
    with pytest.raises(ValidationError) as info:
        services.membership_add(
            actor=actor_of("demo-admin"),
            organisation_id=org("1834").pk,
            email=luroy.user.email,
            role=Role.PREPAREDNESS_ADVISOR,
            link_base=LINK_BASE,
        )
    assert "email" in info.value.error_dict


def test_the_last_administrator_cannot_be_removed(demo, actor_of):
    admin = actor_of("demo-admin")
    own = Membership.objects.get(user__username="demo-admin", organisation=org("1834"))
    with pytest.raises(ValidationError, match="last administrator"):
        services.membership_deactivate(actor=admin, organisation_id=org("1834").pk, membership_id=own.pk)
    with pytest.raises(ValidationError, match="last administrator"):
        services.membership_change(
            actor=admin, organisation_id=org("1834").pk, membership_id=own.pk, role=Role.READER
        )
    own.refresh_from_db()
    assert own.active and own.role == Role.ADMINISTRATOR
    # With a second administrator, the first may step down.
    services.membership_add(
        actor=admin,
        organisation_id=org("1834").pk,
        email="admin2@luroy.kommune.no",
        role=Role.ADMINISTRATOR,
        link_base=LINK_BASE,
    )
    services.membership_deactivate(actor=admin, organisation_id=org("1834").pk, membership_id=own.pk)
    own.refresh_from_db()
    assert not own.active


def test_bootstrap_without_actor_links_or_creates(demo):
    result = services.membership_add_by_operator(
        organisation=org("1833"), email="forste@rana.kommune.no", role=Role.ADMINISTRATOR
    )
    assert result.user_created
    record = result.membership.history.get()
    assert record.history_user is None and record.history_change_reason == "Added by the operator"
