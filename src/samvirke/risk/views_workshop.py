"""Risk workshop pages (risk.workshop): list, create, the session page (participants and facilitator),
scoring one event at a time, and recording the agreed values."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from samvirke.core.errors import Conflict, PermissionDenied
from samvirke.core.forms import apply_validation_error
from samvirke.core.services import ensure_can_edit
from samvirke.core.visibility import log_reads
from samvirke.risk import selectors, workshop
from samvirke.risk.forms_workshop import AgreeForm, ScoreForm, WorkshopForm
from samvirke.risk.models import WorkshopScore, WorkshopSession


@login_required
def workshop_list(request, analysis_id):
    analysis = selectors.get_analysis_for(request.actor, analysis_id)
    return render(
        request,
        "risk/workshop_list.html",
        {
            "analysis": analysis,
            "sessions": workshop.sessions_of(analysis),
            "can_create": workshop.can_facilitate(request.actor, analysis),
        },
    )


@login_required
def workshop_create(request, analysis_id):
    analysis = selectors.get_analysis_for(request.actor, analysis_id)
    ensure_can_edit(request.actor, analysis)
    events = list(selectors.events_visible_to(request.actor).filter(analysis=analysis).order_by("id"))
    form = WorkshopForm(request.POST or None, events=events)
    if request.method == "POST" and form.is_valid():
        try:
            session = workshop.session_create(
                actor=request.actor,
                analysis_id=analysis.pk,
                title=form.cleaned_data["title"],
                event_ids=form.cleaned_data["events"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The workshop was created. Participants can score the events now."))
            return redirect("risk:workshop_detail", analysis_id=analysis.pk, session_id=session.pk)
    return render(request, "risk/workshop_form.html", {"analysis": analysis, "form": form})


_ACTIONS = {
    "close": {"status": WorkshopSession.Status.CLOSED},
    "reopen": {"status": WorkshopSession.Status.OPEN},
    "reveal": {"revealed": True},
    "hide": {"revealed": False},
}


@login_required
def workshop_detail(request, analysis_id, session_id):
    analysis, session = workshop.get_session_for(request.actor, analysis_id, session_id)
    if request.method == "POST":
        action = _ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            ensure_can_edit(request.actor, analysis)
            messages.error(request, _("Unknown action."))
        else:
            workshop.session_change(
                actor=request.actor, analysis_id=analysis.pk, session_id=session.pk, **action
            )
            messages.success(request, _("The workshop was changed."))
        return redirect("risk:workshop_detail", analysis_id=analysis.pk, session_id=session.pk)
    context = workshop.session_overview(request.actor, analysis, session)
    log_reads(request.actor, [r["event"] for r in context["rows"]], action="list")
    context.update(analysis=analysis, session=session)
    return render(request, "risk/workshop_detail.html", context)


@login_required
def workshop_score(request, analysis_id, session_id):
    analysis, session = workshop.get_session_for(request.actor, analysis_id, session_id)
    if not workshop.can_participate(request.actor):
        raise PermissionDenied(_("Only members of an organisation can take part in a workshop."))
    events = list(workshop.session_events(request.actor, session))
    if not events:
        messages.info(request, _("There are no events in this workshop that you can read."))
        return redirect("risk:workshop_detail", analysis_id=analysis.pk, session_id=session.pk)
    mine = {
        s.event_id: s
        for s in WorkshopScore.objects.filter(
            session=session, participant_id=request.actor.user_id, event_id__in=[e.pk for e in events]
        )
    }
    wanted = request.POST.get("event") or request.GET.get("event")
    if wanted:
        event = workshop.get_session_event(request.actor, session, wanted)
        event = next(e for e in events if e.pk == event.pk)
    else:
        event = next((e for e in events if e.pk not in mine), events[0])
    log_reads(request.actor, [event])
    scale = selectors.scale_of(analysis.scale_set)
    current = mine.get(event.pk)
    form = ScoreForm(
        request.POST or None,
        scale=scale,
        initial={"event": event.pk, "comment": current.comment if current else ""},
        initial_likelihood=current.likelihood_position if current else None,
        initial_consequences=current.consequences if current else None,
        initial_knowledge=current.knowledge_strength if current else "",
    )
    if request.method == "POST" and form.is_valid():
        try:
            workshop.score_submit(
                actor=request.actor,
                analysis_id=analysis.pk,
                session_id=session.pk,
                event_id=event.pk,
                comment=form.cleaned_data["comment"],
                **form.positions(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your score of “%(event)s” was saved.") % {"event": event.title})
            following = next((e for e in events if e.pk not in mine and e.pk != event.pk), None)
            if following is not None:
                url = reverse("risk:workshop_score", args=[analysis.pk, session.pk])
                return redirect(f"{url}?event={following.pk}")
            return redirect("risk:workshop_detail", analysis_id=analysis.pk, session_id=session.pk)
    return render(
        request,
        "risk/workshop_score.html",
        {
            "analysis": analysis,
            "session": session,
            "event": event,
            "events": events,
            "scored_ids": set(mine),
            "form": form,
            "current": current,
        },
    )


@login_required
def workshop_agree(request, analysis_id, session_id, event_id):
    analysis, session = workshop.get_session_for(request.actor, analysis_id, session_id)
    ensure_can_edit(request.actor, analysis)
    event = workshop.get_session_event(request.actor, session, event_id)
    log_reads(request.actor, [event])
    overview = workshop.session_overview(request.actor, analysis, session)
    row = next(r for r in overview["rows"] if r["event"].pk == event.pk)
    scale = overview["scale"]
    levels = {a.consequence_type_id: a.level.position for a in event.assessments.all()}
    form = AgreeForm(
        request.POST or None,
        scale=scale,
        initial={"version": event.version},
        initial_likelihood=event.likelihood.position if event.likelihood else None,
        initial_consequences={t.code: levels.get(t.pk) for t in scale["types"]},
        initial_knowledge=event.knowledge_strength,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            workshop.agree(
                actor=request.actor,
                analysis_id=analysis.pk,
                session_id=session.pk,
                event_id=event.pk,
                expected_version=form.cleaned_data["version"],
                rationale=form.cleaned_data["rationale"],
                **form.positions(),
            )
        except Conflict as error:
            conflict = error.current
            event = workshop.get_session_event(request.actor, session, event.pk)
            data = request.POST.copy()
            data["version"] = conflict.version
            form = AgreeForm(data, scale=scale)
            form.is_valid()
        except ValidationError as error:
            apply_validation_error(form, _rationale_errors(error))
        else:
            messages.success(
                request, _("The agreed values for “%(event)s” were saved.") % {"event": event.title}
            )
            return redirect("risk:workshop_detail", analysis_id=analysis.pk, session_id=session.pk)
    return render(
        request,
        "risk/workshop_agree.html",
        {
            "analysis": analysis,
            "session": session,
            "event": event,
            "row": row,
            "scale": scale,
            "form": form,
            "conflict": conflict,
            "assessments": event.assessments.all() if conflict else None,
        },
        status=409 if conflict else 200,
    )


def _rationale_errors(error: ValidationError) -> ValidationError:
    """The event's reasoning is written from the rationale: show reasoning errors on the rationale."""
    if not hasattr(error, "error_dict"):
        return error
    moved: dict[str, list] = {}
    for field, errors in error.error_dict.items():
        target = "rationale" if field == "likelihood_reasoning" or field.startswith("reasoning_") else field
        moved.setdefault(target, []).extend(errors)
    return ValidationError(moved)
