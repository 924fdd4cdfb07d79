"""The organisation directory and membership administration. Thin: parse, call one selector or service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samvirke.core.access import Role
from samvirke.core.forms import apply_validation_error
from samvirke.organisations import selectors, services
from samvirke.organisations.forms import MembershipAddForm, MembershipChangeForm
from samvirke.organisations.models import Organisation


def _link_base(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


@login_required
def organisation_list(request):
    kind = request.GET.get("kind", "")
    page = selectors.organisation_directory(request.actor, kind=kind, page=request.GET.get("page"))
    regions = {o.region_id for o in page.object_list}
    return render(
        request,
        "organisations/list.html",
        {
            "page": page,
            "kind": kind if kind in Organisation.Kind.values else "",
            "kinds": Organisation.Kind.choices,
            "several_regions": len(request.actor.region_ids) > 1 or len(regions) > 1,
        },
    )


@login_required
def organisation_detail(request, organisation_id):
    organisation = selectors.get_organisation_for(request.actor, organisation_id)
    can_administer = services.can_administer_members(request.actor, organisation)
    context = selectors.organisation_detail(request.actor, organisation.pk, include_inactive=can_administer)
    coordinator = can_administer and services.is_regional_coordinator_in(
        request.actor, organisation.region_id
    )
    for membership in context["memberships"]:
        membership.invitation_pending = services.is_invited_only(membership.user)
        membership.can_manage = can_administer and (
            coordinator or membership.role != Role.REGIONAL_COORDINATOR
        )
    context["can_administer"] = can_administer
    return render(request, "organisations/detail.html", context)


@login_required
def membership_add(request, organisation_id):
    organisation = services.get_organisation_to_administer(request.actor, organisation_id)
    roles = services.assignable_roles(request.actor, organisation)
    form = MembershipAddForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.membership_add(
                actor=request.actor,
                organisation_id=organisation.pk,
                link_base=_link_base(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            person = result.membership.user
            if result.reactivated:
                messages.success(request, _("%(person)s has the role again.") % {"person": person})
            else:
                messages.success(request, _("%(person)s was added.") % {"person": person})
            if result.invitation_sent is True:
                messages.info(
                    request,
                    _("An e-mail with a link to choose a password was sent to %(email)s.")
                    % {"email": person.email},
                )
            elif result.invitation_sent is False:
                messages.warning(
                    request,
                    _(
                        "The e-mail with the link to choose a password could not be sent to %(email)s. "
                        "Try “Send the e-mail again” later."
                    )
                    % {"email": person.email},
                )
            return redirect("organisations:detail", organisation_id=organisation.pk)
    return render(request, "organisations/membership_form.html", {"form": form, "organisation": organisation})


@login_required
def membership_change(request, organisation_id, membership_id):
    organisation = services.get_organisation_to_administer(request.actor, organisation_id)
    membership = selectors.get_membership_for(request.actor, organisation, membership_id)
    services.ensure_may_manage_role(request.actor, organisation, membership.role)
    form = MembershipChangeForm(
        request.POST or None,
        roles=services.assignable_roles(request.actor, organisation),
        initial={"role": membership.role, "title": membership.title},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change(
                actor=request.actor,
                organisation_id=organisation.pk,
                membership_id=membership.pk,
                role=form.cleaned_data["role"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The membership was changed."))
            return redirect("organisations:detail", organisation_id=organisation.pk)
    return render(
        request,
        "organisations/membership_form.html",
        {"form": form, "organisation": organisation, "membership": membership},
    )


@login_required
def membership_deactivate(request, organisation_id, membership_id):
    """GET asks for confirmation (works without JavaScript); POST deactivates."""
    organisation = services.get_organisation_to_administer(request.actor, organisation_id)
    membership = selectors.get_membership_for(request.actor, organisation, membership_id)
    services.ensure_may_manage_role(request.actor, organisation, membership.role)
    if request.method == "POST":
        try:
            services.membership_deactivate(
                actor=request.actor, organisation_id=organisation.pk, membership_id=membership.pk
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(person)s no longer has the role %(role)s.")
                % {"person": membership.user, "role": membership.get_role_display()},
            )
        return redirect("organisations:detail", organisation_id=organisation.pk)
    return render(
        request,
        "organisations/membership_deactivate.html",
        {"organisation": organisation, "membership": membership},
    )


@login_required
@require_POST
def membership_invite(request, organisation_id, membership_id):
    organisation = services.get_organisation_to_administer(request.actor, organisation_id)
    membership = selectors.get_membership_for(request.actor, organisation, membership_id)
    try:
        sent = services.membership_send_invitation(
            actor=request.actor,
            organisation_id=organisation.pk,
            membership_id=membership.pk,
            link_base=_link_base(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if sent:
            messages.success(
                request,
                _("An e-mail with a link to choose a password was sent to %(email)s.")
                % {"email": membership.user.email},
            )
        else:
            messages.error(request, _("The e-mail could not be sent. Try again later."))
    return redirect("organisations:detail", organisation_id=organisation.pk)
