"""History and restore pages of analyses, events and measures (risk.history over core.services)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samvirke.core.views import render_history, restore_then_redirect
from samvirke.risk import history, selectors


def _render(request, *, analysis, record, title, back_url, restore_name, restore_args, note=""):
    return render_history(
        request,
        record=record,
        versions=history.readable_history(record),
        title=title,
        back_url=back_url,
        restore_name=restore_name,
        restore_args=restore_args,
        note=note,
        template="risk/history.html",
        analysis=analysis,
        show_risk=hasattr(record, "risk_colour"),
    )


@login_required
def analysis_history(request, analysis_id):
    analysis = selectors.get_analysis_for(request.actor, analysis_id, action="history")
    return _render(
        request,
        analysis=analysis,
        record=analysis,
        title=analysis.title,
        back_url=reverse("risk:analysis_detail", args=[analysis.pk]),
        restore_name="risk:analysis_restore",
        restore_args=[analysis.pk],
    )


@login_required
def event_history(request, analysis_id, event_id):
    event = selectors.get_event_for(request.actor, analysis_id, event_id, action="history")
    return _render(
        request,
        analysis=event.analysis,
        record=event,
        title=event.title,
        back_url=reverse("risk:event_detail", args=[event.analysis_id, event.pk]),
        restore_name="risk:event_restore",
        restore_args=[event.analysis_id, event.pk],
        note=_(
            "Consequence assessments are not kept per version: a restore keeps them as they are now and "
            "computes the risk again."
        ),
    )


@login_required
def measure_history(request, analysis_id, measure_id):
    measure = selectors.get_measure_for(request.actor, analysis_id, measure_id, action="history")
    return _render(
        request,
        analysis=measure.analysis,
        record=measure,
        title=measure.title,
        back_url=reverse("risk:analysis_detail", args=[measure.analysis_id]),
        restore_name="risk:measure_restore",
        restore_args=[measure.analysis_id, measure.pk],
        note=_("The events a measure mitigates are not kept per version: a restore keeps them as they are."),
    )


@login_required
@require_POST
def analysis_restore(request, analysis_id, history_id):
    return restore_then_redirect(
        request,
        lambda: history.analysis_restore(actor=request.actor, analysis_id=analysis_id, history_id=history_id),
        redirect("risk:analysis_detail", analysis_id=analysis_id),
    )


@login_required
@require_POST
def event_restore(request, analysis_id, event_id, history_id):
    return restore_then_redirect(
        request,
        lambda: history.event_restore(
            actor=request.actor, analysis_id=analysis_id, event_id=event_id, history_id=history_id
        ),
        redirect("risk:event_detail", analysis_id=analysis_id, event_id=event_id),
    )


@login_required
@require_POST
def measure_restore(request, analysis_id, measure_id, history_id):
    return restore_then_redirect(
        request,
        lambda: history.measure_restore(
            actor=request.actor, analysis_id=analysis_id, measure_id=measure_id, history_id=history_id
        ),
        redirect("risk:measure_history", analysis_id=analysis_id, measure_id=measure_id),
    )
