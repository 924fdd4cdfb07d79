"""Pages of the agreements register. Reads through agreements.selectors (the chokepoint), writes through
agreements.services. Outsiders get 404 for an agreement they may not read; readers who are not editors of
the owner get 403 on the editing pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samvirke.agreements import selectors, services
from samvirke.agreements.forms import AgreementForm, external_party_formset
from samvirke.agreements.models import Agreement, PartyKind
from samvirke.core.errors import Conflict, PermissionDenied
from samvirke.core.forms import EXEMPTION_SUGGESTIONS, apply_validation_error, conflict_form
from samvirke.core.services import ensure_can_edit, history_with_changes
from samvirke.core.views import attach_upload, attachment_response, render_history, restore_then_redirect
from samvirke.core.visibility import log_reads
from samvirke.organisations import selectors as org_selectors
from samvirke.plans.forms import AttachmentForm


@login_required
def index(request):
    """The agreements of the actor's (first) region."""
    regions = list(org_selectors.regions_visible_to(request.actor))
    if not regions:
        return render(request, "web/no_region.html")
    return redirect("agreements:region_list", region_id=regions[0].pk)


def _list_context(request, context, **extra):
    log_reads(request.actor, context["agreements"], action="list")
    return {
        **context,
        "party_kinds": PartyKind.choices,
        "states": Agreement.Status.choices,
        "query": context["filters"].query_string(),
        **extra,
    }


@login_required
def region_list(request, region_id):
    region = org_selectors.get_region_for(request.actor, region_id)
    context = selectors.region_agreements(
        request.actor,
        region,
        filters=selectors.Filters.from_query(request.GET),
        page=request.GET.get("page"),
    )
    return render(
        request,
        "agreements/list.html",
        _list_context(
            request,
            context,
            region=region,
            regions=list(org_selectors.regions_visible_to(request.actor)),
            editable_organisations=list(
                org_selectors.organisations_visible_to(request.actor)
                .filter(region=region, pk__in=list(request.actor.editable_organisation_ids()))
                .order_by("name")
            ),
        ),
    )


@login_required
def organisation_list(request, organisation_id):
    organisation = org_selectors.get_organisation_for(request.actor, organisation_id)
    context = selectors.organisation_agreements(
        request.actor,
        organisation,
        filters=selectors.Filters.from_query(request.GET),
        page=request.GET.get("page"),
    )
    return render(
        request,
        "agreements/list.html",
        _list_context(
            request,
            context,
            region=organisation.region,
            organisation=organisation,
            can_edit=request.actor.can_edit_for(organisation.pk),
        ),
    )


def _form_context(form, parties, **extra):
    return {"form": form, "parties": parties, "exemption_suggestions": EXEMPTION_SUGGESTIONS, **extra}


@login_required
def agreement_create(request, organisation_id):
    organisation = org_selectors.get_organisation_for(request.actor, organisation_id)
    if not request.actor.can_edit_for(organisation.pk):
        raise PermissionDenied(_("Only the organisation's editors can register its agreements."))
    form = AgreementForm(
        request.POST or None,
        actor=request.actor,
        instance=Agreement(owner=organisation),
        organisation=organisation,
    )
    parties = external_party_formset(request.POST or None, country=organisation.country)
    if request.method == "POST" and form.is_valid() & parties.is_valid():
        try:
            agreement = services.agreement_create(
                actor=request.actor,
                owner_id=organisation.pk,
                data=form.service_data(),
                organisations=form.cleaned_data["party_organisations"],
                external=parties.parties(),
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The agreement was saved."))
            return redirect("agreements:detail", agreement_id=agreement.pk)
    return render(request, "agreements/form.html", _form_context(form, parties, organisation=organisation))


@login_required
def agreement_detail(request, agreement_id, *, upload_form=None):
    agreement = selectors.get_agreement_for(request.actor, agreement_id)
    can_edit = request.actor.can_edit_for(agreement.owner_id)
    return render(
        request,
        "agreements/detail.html",
        {
            "agreement": agreement,
            "state": agreement.state(),
            "parties": selectors.party_rows(agreement),
            "shared_with": list(agreement.shared_with.order_by("name"))
            if agreement.access_level == "amber"
            else [],
            "attachments": list(
                agreement.attachments.select_related("uploaded_by").order_by("-uploaded_at", "-id")
            ),
            "can_edit": can_edit,
            "upload_form": upload_form or (AttachmentForm() if can_edit else None),
        },
    )


@login_required
def agreement_edit(request, agreement_id):
    agreement = selectors.get_agreement_for(request.actor, agreement_id)
    ensure_can_edit(request.actor, agreement)
    organisation = agreement.owner
    form = AgreementForm(
        request.POST or None, actor=request.actor, instance=agreement, organisation=organisation
    )
    parties = external_party_formset(request.POST or None, agreement=agreement, country=organisation.country)
    conflict = None
    if request.method == "POST" and form.is_valid() & parties.is_valid():
        try:
            services.agreement_update(
                actor=request.actor,
                agreement_id=agreement.pk,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
                organisations=form.cleaned_data["party_organisations"],
                external=parties.parties(),
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except Conflict as error:
            conflict = error.current
            fresh = selectors.get_agreement_for(request.actor, agreement_id)
            form = conflict_form(AgreementForm, request, fresh, conflict.version, organisation=organisation)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The agreement was saved."))
            return redirect("agreements:detail", agreement_id=agreement.pk)
    return render(
        request,
        "agreements/form.html",
        _form_context(
            form,
            parties,
            organisation=organisation,
            agreement=agreement,
            conflict=conflict,
            conflict_fields=_conflict_fields(form, conflict, parties) if conflict else [],
        ),
        status=409 if conflict else 200,
    )


def _conflict_fields(form, saved, parties):
    """The form's differing fields (core.forms.conflict_form) and, outside the form, the external parties."""
    rows = list(form.conflict_fields)
    typed = parties.parties() if parties.is_valid() else []
    stored = [p for p in saved.parties if isinstance(p, dict) and not p.get("organisation")]
    names = ["; ".join(p.get("name", "") for p in side) for side in (stored, typed)]
    if names[0] != names[1]:
        rows.append((_("Other parties"), *names))
    return rows


#: Derived columns left out of the history (they follow from the parties and dates shown there).
_HIDDEN_IN_HISTORY = ("party_kinds", "cross_border", "renewal_due_on")


def _history_versions(agreement):
    hidden = {str(Agreement._meta.get_field(name).verbose_name) for name in _HIDDEN_IN_HISTORY}
    parties_label = str(Agreement._meta.get_field("parties").verbose_name)
    versions = history_with_changes(agreement)
    for version in versions:
        changes = []
        for change in version["changes"]:
            if str(change["field"]) in hidden:
                continue
            if str(change["field"]) == parties_label:
                change = {**change, "old": _parties_text(change["old"]), "new": _parties_text(change["new"])}
            changes.append(change)
        version["changes"] = changes
    return versions


def _parties_text(parties) -> str:
    if not isinstance(parties, list):
        return ""
    return "\n".join(str(p.get("name", "")) for p in parties if isinstance(p, dict))


@login_required
def agreement_history(request, agreement_id):
    agreement = selectors.get_agreement_for(request.actor, agreement_id, action="history")
    return render_history(
        request,
        record=agreement,
        versions=_history_versions(agreement),
        title=agreement.title,
        back_url=reverse("agreements:detail", args=[agreement.pk]),
        restore_name="agreements:restore",
        restore_args=[agreement.pk],
    )


@login_required
@require_POST
def agreement_restore(request, agreement_id, history_id):
    return restore_then_redirect(
        request,
        lambda: services.agreement_restore(
            actor=request.actor, agreement_id=agreement_id, history_id=history_id
        ),
        redirect("agreements:detail", agreement_id=agreement_id),
    )


# --- attachments -----------------------------------------------------------------------------------------


@login_required
@require_POST
def attachment_upload(request, agreement_id):
    agreement = selectors.get_agreement_for(request.actor, agreement_id)
    ensure_can_edit(request.actor, agreement)
    form = AttachmentForm(request.POST, request.FILES)
    if attach_upload(request, form, services.attachment_add, agreement_id=agreement.pk):
        return redirect("agreements:detail", agreement_id=agreement.pk)
    # Nothing was stored; show the page again with the reason.
    return agreement_detail(request, agreement.pk, upload_form=form)


@login_required
def attachment_download(request, agreement_id, attachment_id):
    """The only way to a file: the agreement through the chokepoint (logged), then its attachment."""
    _agreement, attachment = selectors.get_attachment_for(request.actor, agreement_id, attachment_id)
    return attachment_response(attachment)


@login_required
@require_POST
def attachment_delete(request, agreement_id, attachment_id):
    services.attachment_delete(actor=request.actor, agreement_id=agreement_id, attachment_id=attachment_id)
    messages.success(request, _("The attachment was removed."))
    return redirect("agreements:detail", agreement_id=agreement_id)
