"""Adopted versions of an analysis: the list, the comparison with today, and freezing (risk.versions)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samvirke.core.visibility import log_reads
from samvirke.risk import selectors, versions


@login_required
def version_list(request, analysis_id):
    analysis = selectors.get_analysis_for(request.actor, analysis_id)
    items = list(versions.versions_of(analysis))
    return render(
        request,
        "risk/versions.html",
        {
            "analysis": analysis,
            "versions": items,
            "latest_adopted": versions.latest_adopted(items),
            "can_edit": request.actor.can_edit_for(analysis.owner_id),
        },
    )


@login_required
def version_diff(request, analysis_id, version_number):
    analysis = selectors.get_analysis_for(request.actor, analysis_id)
    version = versions.get_version_for(analysis, version_number)
    diff = versions.diff_for(request.actor, analysis, version)
    log_reads(request.actor, diff["shown_records"], action="list")
    return render(
        request,
        "risk/version_diff.html",
        {
            "analysis": analysis,
            "version": version,
            "diff": diff,
            "other_versions": versions.version_choices(analysis),
        },
    )


@login_required
@require_POST
def version_freeze(request, analysis_id):
    version, created = versions.version_freeze(actor=request.actor, analysis_id=analysis_id)
    if created:
        messages.success(request, _("Version %(number)s was frozen.") % {"number": version.number})
    else:
        messages.info(
            request,
            _("Nothing has changed since version %(number)s, so no new version was made.")
            % {"number": version.number},
        )
    return redirect("risk:versions", analysis_id=version.analysis_id)
