"""Reports and exchange of one analysis: DOCX/PDF reports, Excel export, import template and import.

Every view fetches the analysis through `selectors.get_analysis_for` (404 for anyone who may not read it,
including a RED analysis for everyone not named) and logs what the file contains as exported. Reports
and the export are for every reader of the analysis; the import and its template for its editors
(403 for other readers, as for the other editing pages of the risk app).

Report versions: `?version=public` gives the public version (see `reports` for what it leaves out); no
parameter (or `version=full`) the full version for the reader.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from samvirke.core.services import ensure_can_edit
from samvirke.core.visibility import log_reads
from samvirke.risk import excel, reports, selectors


def download(body: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    response["Content-Length"] = str(len(body))
    return response


def _report(request, analysis_id, build, content_type, extension):
    analysis = selectors.get_analysis_for(request.actor, analysis_id, action="export")
    version = request.GET.get("version", "full")
    if version not in ("full", "public"):
        return HttpResponseBadRequest(_("Unknown report version. Use version=public, or leave it out."))
    report = reports.report_data(request.actor, analysis, public=version == "public")
    log_reads(request.actor, [*report.events, *report.measures], action="export")
    return download(build(report), content_type, reports.file_name(report, extension))


@login_required
@require_GET
def report_docx(request, analysis_id):
    return _report(request, analysis_id, reports.build_docx, reports.DOCX_TYPE, "docx")


@login_required
@require_GET
def report_pdf(request, analysis_id):
    return _report(request, analysis_id, reports.build_pdf, reports.PDF_TYPE, "pdf")


@login_required
@require_GET
def export_xlsx(request, analysis_id):
    analysis = selectors.get_analysis_for(request.actor, analysis_id, action="export")
    body, events, measures = excel.export_workbook(request.actor, analysis)
    log_reads(request.actor, [*events, *measures], action="export")
    return download(body, excel.XLSX_TYPE, excel.file_name(analysis, "export"))


@login_required
@require_GET
def import_template(request, analysis_id):
    analysis = selectors.get_analysis_for(request.actor, analysis_id)
    ensure_can_edit(request.actor, analysis)
    return download(excel.template_workbook(analysis), excel.XLSX_TYPE, excel.file_name(analysis, "template"))


@login_required
@require_http_methods(["GET", "POST"])
def import_xlsx(request, analysis_id):
    """Upload a filled template: every row is checked, and nothing is saved unless all rows are valid."""
    analysis = selectors.get_analysis_for(request.actor, analysis_id)
    ensure_can_edit(request.actor, analysis)
    form = excel.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = excel.read_import(form.cleaned_data["file"], analysis=analysis)
        if result.file_error:
            form.add_error("file", result.file_error)
            form.style_fields()  # link the field to its new message (aria-describedby, aria-invalid)
        elif result.ok:
            try:
                created = excel.import_events(request.actor, analysis, result)
            except ValidationError as error:
                result.add_service_error(error)
            else:
                count = len(created)
                messages.success(
                    request,
                    ngettext("%(count)d event was imported.", "%(count)d events were imported.", count)
                    % {"count": count},
                )
                return redirect("risk:analysis_detail", analysis_id=analysis.pk)
    return render(
        request,
        "risk/import.html",
        {
            "analysis": analysis,
            "form": form,
            "result": result,
            "max_rows": excel.MAX_ROWS,
            "max_megabytes": excel.MAX_UPLOAD_BYTES // (1024 * 1024),
        },
    )
