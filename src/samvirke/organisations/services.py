"""Writes to the directory: memberships (who has which role where), and the bootstrap helpers the
management commands use.

Who may administer an organisation's members: its administrators, and the regional coordinators of its
region (a coordinator role in any organisation of the same region). Only a regional coordinator may give
or take away the regional coordinator role, so an organisation's administrator cannot make anyone (or
themselves) coordinator of the whole region. The last active administrator of an organisation cannot be
removed. Every change is kept by django-simple-history with the person who made it.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from samvirke.core.access import Actor, Role
from samvirke.core.errors import NotFound, PermissionDenied
from samvirke.organisations.models import Membership, Organisation, Region

logger = logging.getLogger("samvirke.security")


# ---------------------------------------------------------------------------------------------------
# Who may administer members
# ---------------------------------------------------------------------------------------------------


def is_regional_coordinator_in(actor: Actor, region_id: int) -> bool:
    """Does the actor hold the regional coordinator role in any organisation of this region?"""
    if not actor.is_verified or region_id not in actor.region_ids:
        return False
    coordinator_orgs = [org for org, roles in actor.roles.items() if Role.REGIONAL_COORDINATOR in roles]
    if not coordinator_orgs:
        return False
    return Organisation.objects.filter(pk__in=coordinator_orgs, region_id=region_id).exists()


def can_administer_members(actor: Actor, organisation: Organisation) -> bool:
    if not actor.is_verified or organisation.region_id not in actor.region_ids:
        return False
    if actor.has_role(Role.ADMINISTRATOR, organisation.pk):
        return True
    return is_regional_coordinator_in(actor, organisation.region_id)


def assignable_roles(actor: Actor, organisation: Organisation) -> list[tuple[str, str]]:
    """Roles the actor may give in this organisation (the coordinator role only by a coordinator)."""
    coordinator = is_regional_coordinator_in(actor, organisation.region_id)
    return [
        (value, label) for value, label in Role.choices if coordinator or value != Role.REGIONAL_COORDINATOR
    ]


def get_organisation_to_administer(actor: Actor, organisation_id, *, lock: bool = False) -> Organisation:
    """The organisation (404 outside the actor's region), if the actor may administer its members (403)."""
    if not actor.is_verified:
        raise NotFound()
    queryset = Organisation.objects.filter(region_id__in=list(actor.region_ids))
    if lock:
        queryset = queryset.select_for_update()
    organisation = queryset.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound()
    if not can_administer_members(actor, organisation):
        raise PermissionDenied(
            _("Only the organisation's administrators and the region's coordinators can change its members.")
        )
    return organisation


def ensure_may_manage_role(actor: Actor, organisation: Organisation, *roles: str) -> None:
    if Role.REGIONAL_COORDINATOR in roles and not is_regional_coordinator_in(actor, organisation.region_id):
        raise PermissionDenied(
            _("Only a regional coordinator can give or take away the regional coordinator role.")
        )


def _membership_in(organisation: Organisation, membership_id) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(organisation=organisation, pk=membership_id)
        .first()
    )
    if membership is None:
        raise NotFound()
    return membership


def _ensure_not_last_administrator(membership: Membership) -> None:
    """Refuse to leave an organisation without an active administrator (someone must manage it)."""
    if membership.role != Role.ADMINISTRATOR or not membership.active:
        return
    others = list(
        Membership.objects.select_for_update()
        .filter(
            organisation_id=membership.organisation_id,
            role=Role.ADMINISTRATOR,
            active=True,
            user__is_active=True,
        )
        .exclude(pk=membership.pk)
        .values_list("pk", flat=True)
    )
    if not others:
        raise ValidationError(
            _(
                "%(person)s is the last administrator of %(organisation)s. Make someone else administrator "
                "first, so that somebody can still manage the organisation's members."
            )
            % {"person": membership.user, "organisation": membership.organisation}
        )


def _save(membership: Membership, *, history_user_id, reason: str) -> Membership:
    membership.full_clean()
    membership._history_user = get_user_model()(pk=history_user_id) if history_user_id else None
    membership._change_reason = reason
    membership.save()
    return membership


# ---------------------------------------------------------------------------------------------------
# Invitations (set-password e-mail for people who have no password yet)
# ---------------------------------------------------------------------------------------------------


def set_password_link(user, link_base: str) -> str:
    """A one-time link to accounts' password-set page (Django's reset token), e.g. for a new person."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return link_base.rstrip("/") + path


def is_invited_only(user) -> bool:
    """Created here and never signed in: no usable password and no login yet."""
    return not user.has_usable_password() and user.last_login is None and not user.oidc_subject


def send_invitation(user, organisation: Organisation, role: str, *, link_base: str) -> bool:
    """E-mail the set-password link in the person's language. Returns False if the mail could not go."""
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "user": user,
            "organisation": organisation,
            "role": Role(role).label,
            "link": set_password_link(user, link_base),
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }
        subject = " ".join(render_to_string("organisations/invitation_subject.txt", context).split())
        body = render_to_string("organisations/invitation_email.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except (OSError, smtplib.SMTPException):
        logger.exception("invitation e-mail to user %s could not be sent", user.pk)
        return False
    return True


# ---------------------------------------------------------------------------------------------------
# Memberships
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MembershipAdded:
    membership: Membership
    user_created: bool
    reactivated: bool
    #: None: the person already has an account, so no e-mail was needed.
    invitation_sent: bool | None = None


def _free_username(email: str) -> str:
    user_model = get_user_model()
    base = re.sub(r"[^\w.@+-]", "", email.lower())[:140] or "user"
    candidate, n = base, 1
    while user_model.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _add(
    organisation: Organisation,
    *,
    email: str,
    role: str,
    title: str = "",
    first_name: str = "",
    last_name: str = "",
    history_user_id=None,
    reason: str = "",
) -> MembershipAdded:
    """Link the person with this e-mail (or a new account for it) to the organisation. In a transaction."""
    user_model = get_user_model()
    email = user_model.objects.normalize_email(email.strip())
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    users = list(user_model.objects.filter(email__iexact=email).order_by("pk")[:2])
    if len(users) > 1:
        raise ValidationError(
            {
                "email": _(
                    "Several accounts use this e-mail address. "
                    "Ask the system operator to sort them out first."
                )
            }
        )
    created = False
    if users:
        user = users[0]
    else:
        language = (
            organisation.language
            if organisation.language in dict(settings.LANGUAGES)
            else settings.LANGUAGE_CODE
        )
        user = user_model(
            username=_free_username(email),
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            language=language,
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        created = True
    existing = (
        Membership.objects.select_for_update().filter(user=user, organisation=organisation, role=role).first()
    )
    if existing is not None and existing.active:
        raise ValidationError(
            {
                "email": _("%(person)s already has the role %(role)s in %(organisation)s.")
                % {"person": user, "role": existing.get_role_display(), "organisation": organisation}
            }
        )
    if existing is not None:
        existing.active = True
        if title:
            existing.title = title
        membership = _save(existing, history_user_id=history_user_id, reason=reason or _("Reactivated"))
    else:
        membership = _save(
            Membership(user=user, organisation=organisation, role=role, title=title),
            history_user_id=history_user_id,
            reason=reason or _("Added"),
        )
    return MembershipAdded(membership=membership, user_created=created, reactivated=existing is not None)


def membership_add(
    *,
    actor: Actor,
    organisation_id,
    email: str,
    role: str,
    title: str = "",
    first_name: str = "",
    last_name: str = "",
    link_base: str,
) -> MembershipAdded:
    """Give the person with this e-mail a role in the organisation.

    An existing account with that e-mail is linked; otherwise an account is created (user name from the
    e-mail, no usable password) and the person is e-mailed a link to choose a password.
    """
    with transaction.atomic():
        organisation = get_organisation_to_administer(actor, organisation_id, lock=True)
        ensure_may_manage_role(actor, organisation, role)
        result = _add(
            organisation,
            email=email,
            role=role,
            title=title,
            first_name=first_name,
            last_name=last_name,
            history_user_id=actor.user_id,
        )
    if result.user_created or is_invited_only(result.membership.user):
        sent = send_invitation(result.membership.user, organisation, role, link_base=link_base)
        result = MembershipAdded(result.membership, result.user_created, result.reactivated, sent)
    return result


def membership_change(
    *, actor: Actor, organisation_id, membership_id, role: str, title: str = "", reason: str = ""
) -> Membership:
    """Change a membership's role and job title."""
    with transaction.atomic():
        organisation = get_organisation_to_administer(actor, organisation_id, lock=True)
        membership = _membership_in(organisation, membership_id)
        if role not in Role.values:
            raise ValidationError({"role": _("Choose a role from the list.")})
        ensure_may_manage_role(actor, organisation, role, membership.role)
        if role != membership.role:
            if (
                Membership.objects.filter(user_id=membership.user_id, organisation=organisation, role=role)
                .exclude(pk=membership.pk)
                .exists()
            ):
                raise ValidationError(
                    {
                        "role": _(
                            "%(person)s already has this role in the organisation (perhaps deactivated). "
                            "Add the person with this role instead."
                        )
                        % {"person": membership.user}
                    }
                )
            _ensure_not_last_administrator(membership)
        membership.role = role
        membership.title = title
        return _save(membership, history_user_id=actor.user_id, reason=reason or _("Changed"))


def membership_deactivate(*, actor: Actor, organisation_id, membership_id, reason: str = "") -> Membership:
    """Take a role away. The row stays (active=False), so history and past records still make sense."""
    with transaction.atomic():
        organisation = get_organisation_to_administer(actor, organisation_id, lock=True)
        membership = _membership_in(organisation, membership_id)
        ensure_may_manage_role(actor, organisation, membership.role)
        if not membership.active:
            return membership
        _ensure_not_last_administrator(membership)
        membership.active = False
        return _save(membership, history_user_id=actor.user_id, reason=reason or _("Deactivated"))


def membership_send_invitation(*, actor: Actor, organisation_id, membership_id, link_base: str) -> bool:
    """Send the set-password e-mail again, to a person who has not chosen a password yet."""
    with transaction.atomic():
        organisation = get_organisation_to_administer(actor, organisation_id)
        membership = _membership_in(organisation, membership_id)
    if not membership.active or not is_invited_only(membership.user):
        raise ValidationError(_("This person has already chosen a password; they can reset it themselves."))
    if not membership.user.email:
        raise ValidationError(_("This person has no e-mail address."))
    return send_invitation(membership.user, organisation, membership.role, link_base=link_base)


# ---------------------------------------------------------------------------------------------------
# Bootstrap (management commands: run by the operator on the server, so there is no actor)
# ---------------------------------------------------------------------------------------------------


def region_create(*, slug: str, name: str, description: str = "") -> tuple[Region, bool]:
    """Create a region, or update its name if the slug exists (so the command can be run again)."""
    with transaction.atomic():
        region = Region.objects.filter(slug=slug).first()
        created = region is None
        region = region or Region(slug=slug)
        region.name = name
        if description:
            region.description = description
        region.full_clean()
        region._change_reason = _("Created by the operator") if created else _("Changed by the operator")
        region.save()
    return region, created


def organisation_create(*, region: Region, data: dict) -> Organisation:
    with transaction.atomic():
        org = Organisation(region=region, **data)
        org.full_clean()
        org._change_reason = _("Created by the operator")
        org.save()
    return org


def membership_add_by_operator(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    title: str = "",
    first_name: str = "",
    last_name: str = "",
) -> MembershipAdded:
    """`membership_add` for the operator's `manage.py add_member`: no actor, so no permission check."""
    with transaction.atomic():
        return _add(
            organisation,
            email=email,
            role=role,
            title=title,
            first_name=first_name,
            last_name=last_name,
            reason=_("Added by the operator"),
        )
