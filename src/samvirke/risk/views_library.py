"""The risk library pages: scale sets (read, copy, adapt) and the regional event-type library.

Thin views: reads through risk.selectors_library (scale sets and event types) and the content chokepoint
(analyses and events), writes through risk.services.scale_set_copy and risk.services_library.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samvirke.core.errors import Conflict, PermissionDenied
from samvirke.core.forms import apply_validation_error
from samvirke.core.visibility import log_reads
from samvirke.organisations.models import Organisation, Region
from samvirke.risk import selectors, services, services_library
from samvirke.risk import selectors_library as library
from samvirke.risk.forms_library import EventTypeForm, ScaleSetCopyForm, ScaleSetForm

# --- scale sets ----------------------------------------------------------------------------------------


@login_required
def scale_set_list(request):
    return render(
        request,
        "risk/library/scale_sets.html",
        {
            "scale_sets": library.scale_set_library(request.actor),
            "can_copy": bool(request.actor.editable_organisation_ids()),
        },
    )


@login_required
def scale_set_detail(request, scale_set_slug):
    actor = request.actor
    scale_set = library.get_scale_set_for(actor, scale_set_slug)
    context = library.scale_set_detail(actor, scale_set, page=request.GET.get("page"))
    log_reads(actor, context["analyses"].object_list, action="list")
    can_edit = scale_set.owner_id is not None and actor.can_edit_for(scale_set.owner_id)
    context.update(
        can_copy=bool(actor.editable_organisation_ids()),
        can_edit=can_edit,
        locked=can_edit and services_library.in_adopted_use(scale_set),
    )
    return render(request, "risk/library/scale_set_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def scale_set_copy(request, scale_set_slug):
    actor = request.actor
    scale_set = library.get_scale_set_for(actor, scale_set_slug)
    organisations = list(
        Organisation.objects.filter(pk__in=list(actor.editable_organisation_ids())).order_by("name")
    )
    if not organisations:
        raise PermissionDenied(_("Only editors can copy a scale set to their organisation."))
    form = ScaleSetCopyForm(request.POST or None, scale_set=scale_set, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        copy = services.scale_set_copy(
            actor=actor,
            scale_set_id=scale_set.pk,
            owner_id=form.cleaned_data["owner"],
            name=form.cleaned_data["name"],
        )
        messages.success(request, _("The scale set was copied. Adapt the copy below."))
        return redirect("risk:scale_set_edit", scale_set_slug=copy.slug)
    return render(request, "risk/library/scale_set_copy.html", {"form": form, "scale_set": scale_set})


@login_required
@require_http_methods(["GET", "POST"])
def scale_set_edit(request, scale_set_slug):
    actor = request.actor
    scale_set = library.get_scale_set_for(actor, scale_set_slug)
    services_library.ensure_can_edit_scale_set(actor, scale_set)
    scale = selectors.scale_of(scale_set)
    fingerprint = services_library.scale_fingerprint(scale)
    form = ScaleSetForm(request.POST or None, scale=scale, fingerprint=fingerprint)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services_library.scale_set_update(
                actor=actor,
                slug=scale_set.slug,
                expected_fingerprint=form.cleaned_data["fingerprint"],
                data=form.service_data(),
            )
        except Conflict as error:
            # Keep what was typed; the next save is based on what is stored now, shown beside each field.
            conflict = error.message
            data = request.POST.copy()
            data["fingerprint"] = fingerprint
            form = ScaleSetForm(data, scale=scale, fingerprint=fingerprint)
            form.is_valid()
            form.mark_saved()
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The scale set was saved."))
            return redirect("risk:scale_set_detail", scale_set_slug=scale_set.slug)
    context = {
        "form": form,
        "scale_set": scale_set,
        "conflict": conflict,
        "locked": services_library.in_adopted_use(scale_set),
        "open_analyses": library.open_analysis_count(actor, scale_set),
    }
    return render(request, "risk/library/scale_set_edit.html", context, status=409 if conflict else 200)


# --- event types ---------------------------------------------------------------------------------------


@login_required
def event_type_list(request):
    return render(request, "risk/library/event_types.html", library.event_type_library(request.actor))


@login_required
@require_http_methods(["GET", "POST"])
def event_type_create(request):
    actor = request.actor
    regions = list(Region.objects.filter(pk__in=list(library.editable_region_ids(actor))).order_by("name"))
    if not regions:
        raise PermissionDenied(_("Only editors can add event types to their region."))
    form = EventTypeForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        try:
            event_type = services_library.event_type_create(
                actor=actor, region_id=form.cleaned_data["region"], data=form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The event type “%(name)s” was added.") % {"name": event_type.name})
            return redirect("risk:event_types")
    return render(request, "risk/library/event_type_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def event_type_edit(request, event_type_id):
    actor = request.actor
    event_type = library.get_event_type_for(actor, event_type_id)
    services_library.ensure_can_edit_event_type(actor, event_type)
    fingerprint = services_library.event_type_fingerprint(event_type)
    form = EventTypeForm(request.POST or None, event_type=event_type, fingerprint=fingerprint)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services_library.event_type_update(
                actor=actor,
                event_type_id=event_type.pk,
                expected_fingerprint=form.cleaned_data["fingerprint"],
                data=form.cleaned_data,
            )
        except Conflict as error:
            conflict = error.message
            data = request.POST.copy()
            data["fingerprint"] = fingerprint
            form = EventTypeForm(data, event_type=event_type, fingerprint=fingerprint)
            form.is_valid()
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The event type was saved."))
            return redirect("risk:event_types")
    return render(
        request,
        "risk/library/event_type_form.html",
        {"form": form, "event_type": event_type, "conflict": conflict},
        status=409 if conflict else 200,
    )
