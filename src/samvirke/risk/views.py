from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from samvirke.core.errors import Conflict
from samvirke.core.forms import EXEMPTION_SUGGESTIONS, apply_validation_error, conflict_form
from samvirke.core.services import ensure_can_edit
from samvirke.core.views import url_for_each
from samvirke.core.visibility import log_reads
from samvirke.organisations.models import Organisation
from samvirke.organisations.selectors import organisations_visible_to
from samvirke.risk import selectors, services
from samvirke.risk.forms import AnalysisForm, EventForm, MeasureForm
from samvirke.risk.models import AnalysedEvent, Measure, RiskAnalysis


@login_required
def analysis_list(request):
    analyses = selectors.analyses_visible_to(request.actor)
    municipalities = organisations_visible_to(request.actor).filter(kind=Organisation.Kind.MUNICIPALITY)
    filters = {
        "owner": request.GET.get("owner", ""),
        "kind": request.GET.get("kind", ""),
        "status": request.GET.get("status", ""),
    }
    if filters["owner"].isdigit():
        analyses = analyses.filter(owner_id=int(filters["owner"]))
    if filters["kind"] in RiskAnalysis.Kind.values:
        analyses = analyses.filter(kind=filters["kind"])
    if filters["status"] in RiskAnalysis.Status.values:
        analyses = analyses.filter(status=filters["status"])
    page = Paginator(analyses, 25).get_page(request.GET.get("page"))
    log_reads(request.actor, page.object_list, action="list")
    return render(
        request,
        "risk/list.html",
        {
            "page": page,
            "filters": filters,
            "municipalities": municipalities.order_by("name").only("id", "name"),
            "kinds": RiskAnalysis.Kind.choices,
            "statuses": RiskAnalysis.Status.choices,
        },
    )


@login_required
def analysis_detail(request, analysis_id):
    analysis = selectors.get_analysis_for(request.actor, analysis_id)
    context = selectors.analysis_detail(request.actor, analysis)
    log_reads(request.actor, [*context["events"], *context["measures"]], action="list")
    can_edit = request.actor.can_edit_for(analysis.owner_id)
    # Row links from one reverse() per kind of link (not one per row; 80 events × reverse() showed up).
    event_url = url_for_each("risk:event_detail", analysis.pk)
    edit_url = url_for_each("risk:measure_edit", analysis.pk)
    history_url = url_for_each("risk:measure_history", analysis.pk)
    for event in context["events"]:
        event.url = event_url(event.pk)
    for measure in context["measures"]:
        measure.edit_url, measure.history_url = edit_url(measure.pk), history_url(measure.pk)
    context.update(analysis=analysis, can_edit=can_edit)
    return render(request, "risk/detail.html", context)


@login_required
def analysis_matrix(request, analysis_id):
    analysis = selectors.get_analysis_for(request.actor, analysis_id)
    context = selectors.matrix(request.actor, analysis, type_code=request.GET.get("type") or None)
    shown = {e.pk: e for row in context["before"]["rows"] for cell in row["cells"] for e in cell["events"]}
    log_reads(request.actor, shown.values(), action="list")
    context["analysis"] = analysis
    return render(request, "risk/matrix.html", context)


def _form_context(form, **extra):
    return {"form": form, "exemption_suggestions": EXEMPTION_SUGGESTIONS, **extra}


@login_required
def analysis_create(request):
    if not request.actor.editable_organisation_ids():
        messages.error(
            request, _("You are not an editor in any organisation, so you cannot create analyses.")
        )
        return redirect("risk:list")
    scale_sets = selectors.scale_sets_for(request.actor)
    form = AnalysisForm(
        request.POST or None, actor=request.actor, instance=RiskAnalysis(), scale_sets=scale_sets
    )
    if request.method == "POST" and form.is_valid():
        try:
            analysis = services.analysis_create(
                actor=request.actor,
                owner_id=form.cleaned_data["owner"],
                data=form.service_data(),
                requirements=form.cleaned_data["covered_requirements"],
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The analysis was saved."))
            return redirect("risk:analysis_detail", analysis_id=analysis.pk)
    return render(request, "risk/analysis_form.html", _form_context(form))


@login_required
def analysis_edit(request, analysis_id):
    analysis = selectors.get_analysis_for(request.actor, analysis_id)
    ensure_can_edit(request.actor, analysis)
    scale_sets = selectors.scale_sets_for(request.actor)
    form = AnalysisForm(request.POST or None, actor=request.actor, instance=analysis, scale_sets=scale_sets)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.analysis_update(
                actor=request.actor,
                analysis_id=analysis.pk,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
                requirements=form.cleaned_data["covered_requirements"],
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except Conflict as error:
            conflict = error.current
            fresh = selectors.get_analysis_for(request.actor, analysis_id)
            form = conflict_form(AnalysisForm, request, fresh, conflict.version, scale_sets=scale_sets)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The analysis was saved."))
            return redirect("risk:analysis_detail", analysis_id=analysis.pk)
    return render(
        request,
        "risk/analysis_form.html",
        _form_context(form, analysis=analysis, conflict=conflict),
        status=409 if conflict else 200,
    )


@login_required
def event_detail(request, analysis_id, event_id):
    event = selectors.get_event_for(request.actor, analysis_id, event_id)
    return render(
        request,
        "risk/event_detail.html",
        {
            "event": event,
            "analysis": event.analysis,
            "assessments": event.assessments.select_related("consequence_type", "level"),
            "can_edit": request.actor.can_edit_for(event.owner_id),
        },
    )


@login_required
def event_create(request, analysis_id):
    analysis = selectors.get_analysis_for(request.actor, analysis_id)
    ensure_can_edit(request.actor, analysis)
    scale = selectors.scale_of(analysis.scale_set)
    form = EventForm(
        request.POST or None, actor=request.actor, instance=AnalysedEvent(), analysis=analysis, scale=scale
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                actor=request.actor,
                analysis_id=analysis.pk,
                data=form.service_data(),
                consequences=form.consequences(),
                affected_municipalities=form.cleaned_data["affected_municipalities"],
                critical_functions=form.cleaned_data["critical_functions"],
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The event was saved."))
            return redirect("risk:event_detail", analysis_id=analysis.pk, event_id=event.pk)
    return render(request, "risk/event_form.html", _form_context(form, analysis=analysis))


@login_required
def event_edit(request, analysis_id, event_id):
    event = selectors.get_event_for(request.actor, analysis_id, event_id)
    ensure_can_edit(request.actor, event)
    analysis = event.analysis
    scale = selectors.scale_of(analysis.scale_set)
    form = EventForm(
        request.POST or None, actor=request.actor, instance=event, analysis=analysis, scale=scale
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                actor=request.actor,
                analysis_id=analysis.pk,
                event_id=event.pk,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
                consequences=form.consequences(),
                affected_municipalities=form.cleaned_data["affected_municipalities"],
                critical_functions=form.cleaned_data["critical_functions"],
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except Conflict as error:
            conflict = error.current
            fresh = selectors.get_event_for(request.actor, analysis_id, event_id)
            form = conflict_form(EventForm, request, fresh, conflict.version, analysis=analysis, scale=scale)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The event was saved."))
            return redirect("risk:event_detail", analysis_id=analysis.pk, event_id=event.pk)
    return render(
        request,
        "risk/event_form.html",
        _form_context(form, analysis=analysis, event=event, conflict=conflict),
        status=409 if conflict else 200,
    )


def _events_of(request, analysis):
    return selectors.events_visible_to(request.actor).filter(analysis=analysis).order_by("id")


@login_required
def measure_create(request, analysis_id):
    analysis = selectors.get_analysis_for(request.actor, analysis_id)
    ensure_can_edit(request.actor, analysis)
    events = _events_of(request, analysis)
    form = MeasureForm(
        request.POST or None, actor=request.actor, instance=Measure(), analysis=analysis, events=events
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_create(
                actor=request.actor,
                analysis_id=analysis.pk,
                data=form.service_data(),
                events=form.cleaned_data["events"],
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The measure was saved."))
            return redirect("risk:analysis_detail", analysis_id=analysis.pk)
    return render(request, "risk/measure_form.html", _form_context(form, analysis=analysis))


@login_required
def measure_edit(request, analysis_id, measure_id):
    measure = selectors.get_measure_for(request.actor, analysis_id, measure_id)
    ensure_can_edit(request.actor, measure)
    analysis = measure.analysis
    events = _events_of(request, analysis)
    form = MeasureForm(
        request.POST or None, actor=request.actor, instance=measure, analysis=analysis, events=events
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_update(
                actor=request.actor,
                analysis_id=analysis.pk,
                measure_id=measure.pk,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
                events=form.cleaned_data["events"],
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except Conflict as error:
            conflict = error.current
            fresh = selectors.get_measure_for(request.actor, analysis_id, measure_id)
            form = conflict_form(
                MeasureForm, request, fresh, conflict.version, analysis=analysis, events=events
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The measure was saved."))
            return redirect("risk:analysis_detail", analysis_id=analysis.pk)
    return render(
        request,
        "risk/measure_form.html",
        _form_context(form, analysis=analysis, measure=measure, conflict=conflict),
        status=409 if conflict else 200,
    )
