"""Pages of follow-up plans and annual evaluations. Thin: parse, call one selector or service, render.

Reads go through followup.selectors (the chokepoint); every write through followup.services, which
refuse non-editors (403) and turn a stale save into a Conflict (the page answers 409, keeps what was typed
and shows the saved version next to it).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from samvirke.core.errors import Conflict, PermissionDenied
from samvirke.core.forms import EXEMPTION_SUGGESTIONS, apply_validation_error, conflict_form
from samvirke.core.services import ensure_can_edit, history_with_changes
from samvirke.core.views import render_history, restore_then_redirect
from samvirke.core.visibility import log_reads
from samvirke.followup import reports, selectors, services
from samvirke.followup.forms import ActivityForm, DoneForm, EvaluationForm, PlanForm, PostponeForm
from samvirke.followup.models import Activity, ActivityKind, ActivityStatus, AnnualEvaluation, FollowUpPlan
from samvirke.organisations import selectors as org_selectors


def _form_context(form, **extra):
    return {"form": form, "exemption_suggestions": EXEMPTION_SUGGESTIONS, **extra}


def _ensure_editor(actor, organisation_id: int, message: str) -> None:
    if not actor.can_edit_for(organisation_id):
        raise PermissionDenied(message)


# --- overview pages --------------------------------------------------------------------------------------


@login_required
def index(request):
    """The follow-up entry: the actor's (first) region."""
    regions = list(org_selectors.regions_visible_to(request.actor))
    if not regions:
        return render(request, "web/no_region.html")
    return redirect("followup:region", region_id=regions[0].pk)


@login_required
@require_GET
def region(request, region_id):
    region = org_selectors.get_region_for(request.actor, region_id)
    context = selectors.region_followup(request.actor, region, page=request.GET.get("page"))
    log_reads(request.actor, [*context["plans"], *context["evaluations"]], action="list")
    context["regions"] = list(org_selectors.regions_visible_to(request.actor))
    return render(request, "followup/region.html", context)


@login_required
@require_GET
def organisation(request, organisation_id):
    organisation = org_selectors.get_organisation_for(request.actor, organisation_id)
    context = selectors.organisation_followup(request.actor, organisation)
    log_reads(request.actor, [*context["plans"], *context["evaluations"]], action="list")
    context.update(organisation=organisation, can_edit=request.actor.can_edit_for(organisation.pk))
    return render(request, "followup/organisation.html", context)


# --- plans -----------------------------------------------------------------------------------------------


def _default_title(organisation, year) -> str:
    from django.utils import translation

    with translation.override(organisation.language or "nb"):
        if year is None:
            return _("Follow-up plan for %(name)s (rolling)") % {"name": organisation.name}
        return _("Follow-up plan for %(name)s %(year)s") % {"name": organisation.name, "year": year}


@login_required
def plan_create(request, organisation_id):
    organisation = org_selectors.get_organisation_for(request.actor, organisation_id)
    _ensure_editor(
        request.actor, organisation.pk, _("Only the organisation's editors can make its follow-up plan.")
    )
    asked = request.GET.get("year")
    year = None if asked == "rolling" else _int_or(asked, timezone.localdate().year)
    form = PlanForm(
        request.POST or None,
        actor=request.actor,
        instance=FollowUpPlan(owner=organisation),
        organisation=organisation,
        initial={"year": year, "title": _default_title(organisation, year), "access_level": "green"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=request.actor,
                owner_id=organisation.pk,
                data=form.service_data(),
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
                generate=form.cleaned_data.get("generate", False),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The follow-up plan was made."))
            return redirect("followup:plan_detail", followup_plan_id=plan.pk)
    return render(request, "followup/plan_form.html", _form_context(form, organisation=organisation))


def _int_or(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_GET
def plan_detail(request, followup_plan_id):
    plan = selectors.get_plan_for(request.actor, followup_plan_id)
    filters = selectors.Filters(request.GET)
    context = selectors.plan_page(request.actor, plan, filters)
    log_reads(request.actor, context["all_activities"], action="list")
    context.update(
        plan=plan,
        organisation=plan.owner,
        filters=filters,
        kinds=ActivityKind.choices,
        statuses=[*ActivityStatus.choices, ("open", _("Not done")), ("overdue", _("Overdue"))],
        can_edit=request.actor.can_edit_for(plan.owner_id),
    )
    return render(request, "followup/plan_detail.html", context)


@login_required
def plan_edit(request, followup_plan_id):
    plan = selectors.get_plan_for(request.actor, followup_plan_id)
    ensure_can_edit(request.actor, plan)
    form = PlanForm(request.POST or None, actor=request.actor, instance=plan, organisation=plan.owner)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                actor=request.actor,
                plan_id=plan.pk,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except Conflict as error:
            conflict = error.current
            fresh = selectors.get_plan_for(request.actor, followup_plan_id)
            form = conflict_form(PlanForm, request, fresh, conflict.version, organisation=plan.owner)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The follow-up plan was saved."))
            return redirect("followup:plan_detail", followup_plan_id=plan.pk)
    return render(
        request,
        "followup/plan_form.html",
        _form_context(
            form,
            organisation=plan.owner,
            plan=plan,
            conflict=conflict,
        ),
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def plan_generate(request, followup_plan_id):
    result = services.plan_generate(actor=request.actor, plan_id=followup_plan_id)
    if not any(result.values()):
        messages.info(
            request, _("The plan already holds everything the rules make due. Nothing was changed.")
        )
    else:
        messages.success(
            request,
            _(
                "From the rules: %(created)s activities added, %(updated)s brought up to date, "
                "%(cancelled)s no longer due and cancelled. Activities people have changed were left as "
                "they are."
            )
            % result,
        )
    return redirect("followup:plan_detail", followup_plan_id=followup_plan_id)


@login_required
@require_GET
def plan_raci(request, followup_plan_id):
    plan = selectors.get_plan_for(request.actor, followup_plan_id)
    include_done = request.GET.get("done", "1") != "0"
    context = selectors.raci_matrix(request.actor, plan, include_done=include_done)
    log_reads(request.actor, [row["activity"] for row in context["rows"]], action="list")
    context.update(plan=plan, organisation=plan.owner, include_done=include_done)
    return render(request, "followup/raci.html", context)


@login_required
@require_GET
def plan_history(request, followup_plan_id):
    plan = selectors.get_plan_for(request.actor, followup_plan_id, action="history")
    return render_history(
        request,
        record=plan,
        versions=history_with_changes(plan),
        title=plan.title,
        back_url=reverse("followup:plan_detail", args=[plan.pk]),
        restore_name="followup:plan_restore",
        restore_args=[plan.pk],
    )


@login_required
@require_POST
def plan_restore(request, followup_plan_id, history_id):
    return restore_then_redirect(
        request,
        lambda: services.plan_restore(actor=request.actor, plan_id=followup_plan_id, history_id=history_id),
        redirect("followup:plan_detail", followup_plan_id=followup_plan_id),
    )


# --- activities ------------------------------------------------------------------------------------------


def _activity_form(request, plan, instance, data=None):
    current = list(instance.responsibilities.all()) if instance.pk else []
    candidates = selectors.raci_candidates(request.actor, plan.owner, current)
    return ActivityForm(data, actor=request.actor, instance=instance, plan=plan, candidates=candidates)


@login_required
def activity_create(request, followup_plan_id):
    plan = selectors.get_plan_for(request.actor, followup_plan_id)
    ensure_can_edit(request.actor, plan)
    instance = Activity(plan=plan, owner=plan.owner)
    form = _activity_form(request, plan, instance, request.POST or None)
    if request.method != "POST":
        form.initial.update(kind=request.GET.get("kind", ""), planned_date=request.GET.get("date", ""))
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                actor=request.actor,
                plan_id=plan.pk,
                data=form.service_data(),
                raci=form.raci(),
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The activity was added."))
            return redirect(
                "followup:activity_detail", followup_plan_id=plan.pk, followup_activity_id=activity.pk
            )
    return render(
        request, "followup/activity_form.html", _form_context(form, plan=plan, organisation=plan.owner)
    )


def _activity_page(request, activity, *, postpone_form=None, done_form=None, conflict=None, status=200):
    plan = activity.plan
    activities = [activity]
    selectors.annotate_activities(request.actor, plan, activities, timezone.localdate())
    can_edit = request.actor.can_edit_for(activity.owner_id)
    prefix = f"a{activity.pk}"
    context = {
        "activity": activity,
        "plan": plan,
        "organisation": plan.owner,
        "can_edit": can_edit,
        "conflict": conflict,
        "postpone_form": postpone_form
        or PostponeForm(initial={"version": activity.version}, prefix_id=f"{prefix}p"),
        "done_form": done_form or DoneForm(initial={"version": activity.version}, prefix_id=f"{prefix}d"),
        "today": timezone.localdate(),
    }
    return render(request, "followup/activity_detail.html", context, status=status)


@login_required
@require_GET
def activity_detail(request, followup_plan_id, followup_activity_id):
    activity = selectors.get_activity_for(request.actor, followup_plan_id, followup_activity_id)
    return _activity_page(request, activity)


@login_required
def activity_edit(request, followup_plan_id, followup_activity_id):
    activity = selectors.get_activity_for(request.actor, followup_plan_id, followup_activity_id)
    ensure_can_edit(request.actor, activity)
    plan = activity.plan
    form = _activity_form(request, plan, activity, request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(
                actor=request.actor,
                plan_id=plan.pk,
                activity_id=activity.pk,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
                raci=form.raci(),
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except Conflict as error:
            conflict = error.current
            fresh = selectors.get_activity_for(request.actor, followup_plan_id, followup_activity_id)
            candidates = selectors.raci_candidates(
                request.actor, plan.owner, list(fresh.responsibilities.all())
            )
            form = conflict_form(
                ActivityForm, request, fresh, conflict.version, plan=plan, candidates=candidates
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The activity was saved."))
            return redirect(
                "followup:activity_detail", followup_plan_id=plan.pk, followup_activity_id=activity.pk
            )
    return render(
        request,
        "followup/activity_form.html",
        _form_context(
            form,
            plan=plan,
            organisation=plan.owner,
            activity=activity,
            conflict=conflict,
        ),
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def activity_postpone(request, followup_plan_id, followup_activity_id):
    activity = selectors.get_activity_for(request.actor, followup_plan_id, followup_activity_id)
    ensure_can_edit(request.actor, activity)
    form = PostponeForm(request.POST, prefix_id=f"a{activity.pk}p")
    if form.is_valid():
        try:
            services.activity_postpone(
                actor=request.actor,
                plan_id=activity.plan_id,
                activity_id=activity.pk,
                expected_version=form.cleaned_data["version"],
                new_date=form.cleaned_data["new_date"],
                reason=form.cleaned_data["reason"],
            )
        except Conflict as error:
            return _stale(request, activity, error, postpone_form=form)
        except ValidationError as error:
            apply_validation_error(form, error)
            form.style_fields()
        else:
            messages.success(request, _("The activity was postponed."))
            return redirect(
                "followup:activity_detail",
                followup_plan_id=activity.plan_id,
                followup_activity_id=activity.pk,
            )
    return _activity_page(request, activity, postpone_form=form)


@login_required
@require_POST
def activity_done(request, followup_plan_id, followup_activity_id):
    activity = selectors.get_activity_for(request.actor, followup_plan_id, followup_activity_id)
    ensure_can_edit(request.actor, activity)
    form = DoneForm(request.POST, prefix_id=f"a{activity.pk}d")
    if form.is_valid():
        try:
            _done, following = services.activity_mark_done(
                actor=request.actor,
                plan_id=activity.plan_id,
                activity_id=activity.pk,
                expected_version=form.cleaned_data["version"],
                done_on=form.cleaned_data["done_on"],
            )
        except Conflict as error:
            return _stale(request, activity, error, done_form=form)
        except ValidationError as error:
            apply_validation_error(form, error)
            form.style_fields()
        else:
            if following is not None:
                messages.success(
                    request,
                    _("The activity was marked done. The next one is planned for %(date)s.")
                    % {"date": _date(following.planned_date)},
                )
            else:
                messages.success(request, _("The activity was marked done."))
            if request.POST.get("next_page") == "plan":
                return redirect("followup:plan_detail", followup_plan_id=activity.plan_id)
            return redirect(
                "followup:activity_detail",
                followup_plan_id=activity.plan_id,
                followup_activity_id=activity.pk,
            )
    return _activity_page(request, activity, done_form=form)


def _stale(request, activity, error, **forms):
    """Someone saved the activity meanwhile: show it as saved now, keep what was typed in the form, and
    base the next try on the version now stored."""
    fresh = selectors.get_activity_for(request.actor, activity.plan_id, activity.pk)
    for form in forms.values():
        data = form.data.copy()
        data["version"] = fresh.version
        form.data = data
    return _activity_page(request, fresh, conflict=error.current, status=409, **forms)


def _date(day: datetime.date) -> str:
    from django.utils import formats

    return formats.date_format(day, "SHORT_DATE_FORMAT")


@login_required
@require_GET
def activity_history(request, followup_plan_id, followup_activity_id):
    activity = selectors.get_activity_for(
        request.actor, followup_plan_id, followup_activity_id, action="history"
    )
    return render_history(
        request,
        record=activity,
        versions=history_with_changes(activity),
        title=activity.title,
        back_url=reverse("followup:activity_detail", args=[activity.plan_id, activity.pk]),
        restore_name="followup:activity_restore",
        restore_args=[activity.plan_id, activity.pk],
        note=_("Changes of responsibility are named in the reason of each version; restoring keeps today's."),
    )


@login_required
@require_POST
def activity_restore(request, followup_plan_id, followup_activity_id, history_id):
    activity = selectors.get_activity_for(request.actor, followup_plan_id, followup_activity_id)
    return restore_then_redirect(
        request,
        lambda: services.activity_restore(
            actor=request.actor, plan_id=activity.plan_id, activity_id=activity.pk, history_id=history_id
        ),
        redirect(
            "followup:activity_detail", followup_plan_id=activity.plan_id, followup_activity_id=activity.pk
        ),
    )


# --- annual evaluations ----------------------------------------------------------------------------------


def _evaluation_form_page(request, organisation, year, evaluation, form, *, conflict=None, status=200):
    facts = selectors.evaluation_facts(request.actor, organisation, year)
    _log_facts(request.actor, facts)
    return render(
        request,
        "followup/evaluation_form.html",
        _form_context(
            form,
            organisation=organisation,
            year=year,
            evaluation=evaluation,
            facts=facts,
            t=reports.fact_tables(facts),
            conflict=conflict,
        ),
        status=status,
    )


def _log_facts(actor, facts) -> None:
    from samvirke.plans.models import GoverningDocument

    documents = [
        GoverningDocument(pk=d["pk"], access_level=d["access_level"]) for d in facts["document_facts"]
    ]
    log_reads(actor, [*documents, *facts["activities"], *facts["measures"]], action="list")
    if facts["plan"] is not None:
        log_reads(actor, [facts["plan"]], action="list")


def _save_evaluation(request, organisation, year, evaluation, form):
    """Save (or submit, with the "submit" button) the evaluation; returns a response, or None when the
    form is shown again (errors added to `form`)."""
    submit = "submit" in request.POST
    try:
        saved = services.evaluation_save(
            actor=request.actor,
            organisation_id=organisation.pk,
            year=year,
            data=form.service_data(),
            expected_version=form.cleaned_data.get("version") if evaluation else None,
            shared_with=form.cleaned_data["shared_with"],
            named_people=form.cleaned_data["named_people"],
            submit=submit,
        )
    except ValidationError as error:
        apply_validation_error(form, error)
        form.style_fields()
        return None
    if submit:
        messages.success(
            request,
            _("The annual evaluation was submitted. The year's annual-evaluation activity is marked done."),
        )
    else:
        messages.success(request, _("The annual evaluation was saved."))
    return redirect("followup:evaluation_detail", annual_evaluation_id=saved.pk)


@login_required
def evaluation_create(request, organisation_id):
    organisation = org_selectors.get_organisation_for(request.actor, organisation_id)
    _ensure_editor(
        request.actor, organisation.pk, _("Only the organisation's editors can write its annual evaluation.")
    )
    today = timezone.localdate()
    year = _int_or(request.POST.get("year") or request.GET.get("year"), today.year - 1)
    if not 2000 <= year <= today.year:
        year = today.year - 1
    existing = services.evaluations_of(request.actor, organisation, year)
    if existing is not None:
        return redirect("followup:evaluation_edit", annual_evaluation_id=existing.pk)
    instance = AnnualEvaluation(owner=organisation, year=year)
    form = EvaluationForm(
        request.POST or None,
        actor=request.actor,
        instance=instance,
        organisation=organisation,
        initial={"access_level": "green"},
    )
    if request.method == "POST" and form.is_valid():
        response = _save_evaluation(request, organisation, year, None, form)
        if response is not None:
            return response
    return _evaluation_form_page(request, organisation, year, None, form)


@login_required
def evaluation_edit(request, annual_evaluation_id):
    evaluation = selectors.get_evaluation_for(request.actor, annual_evaluation_id)
    ensure_can_edit(request.actor, evaluation)
    organisation = evaluation.owner
    form = EvaluationForm(
        request.POST or None, actor=request.actor, instance=evaluation, organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            response = _save_evaluation(request, organisation, evaluation.year, evaluation, form)
        except Conflict as error:
            fresh = selectors.get_evaluation_for(request.actor, annual_evaluation_id)
            form = conflict_form(
                EvaluationForm, request, fresh, error.current.version, organisation=organisation
            )
            return _evaluation_form_page(
                request, organisation, evaluation.year, fresh, form, conflict=error.current, status=409
            )
        if response is not None:
            return response
    return _evaluation_form_page(request, organisation, evaluation.year, evaluation, form)


@login_required
@require_GET
def evaluation_detail(request, annual_evaluation_id):
    evaluation = selectors.get_evaluation_for(request.actor, annual_evaluation_id)
    report = reports.report_data(request.actor, evaluation)
    _log_facts(request.actor, report.facts)
    return render(
        request,
        "followup/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "organisation": evaluation.owner,
            "report": report,
            "facts": report.facts,
            "t": reports.fact_tables(report.facts),
            "facts_rows": reports.title_facts(report),
            "can_edit": request.actor.can_edit_for(evaluation.owner_id),
        },
    )


def _download(request, annual_evaluation_id, build, content_type, extension):
    from samvirke.risk.views_reports import download

    evaluation = selectors.get_evaluation_for(request.actor, annual_evaluation_id, action="export")
    report = reports.report_data(request.actor, evaluation)
    facts = report.facts
    log_reads(request.actor, [*facts["activities"], *facts["measures"]], action="export")
    return download(build(report), content_type, reports.file_name(report, extension))


@login_required
@require_GET
def evaluation_docx(request, annual_evaluation_id):
    return _download(request, annual_evaluation_id, reports.build_docx, reports.DOCX_TYPE, "docx")


@login_required
@require_GET
def evaluation_pdf(request, annual_evaluation_id):
    return _download(request, annual_evaluation_id, reports.build_pdf, reports.PDF_TYPE, "pdf")


@login_required
@require_GET
def evaluation_history(request, annual_evaluation_id):
    evaluation = selectors.get_evaluation_for(request.actor, annual_evaluation_id, action="history")
    return render_history(
        request,
        record=evaluation,
        versions=history_with_changes(evaluation),
        title=_("Annual evaluation %(year)s") % {"year": evaluation.year},
        back_url=reverse("followup:evaluation_detail", args=[evaluation.pk]),
        restore_name="followup:evaluation_restore",
        restore_args=[evaluation.pk],
    )


@login_required
@require_POST
def evaluation_restore(request, annual_evaluation_id, history_id):
    return restore_then_redirect(
        request,
        lambda: services.evaluation_restore(
            actor=request.actor, evaluation_id=annual_evaluation_id, history_id=history_id
        ),
        redirect("followup:evaluation_detail", annual_evaluation_id=annual_evaluation_id),
    )
