"""Downloads of the regional status report (plans.reports): Word and PDF.

The region comes from `get_region_for` (404 outside the reader's regions); what the file contains is read
through the chokepoint for the reader, and the documents and snapshots behind it are logged as exported.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from samvirke.core.visibility import log_reads
from samvirke.organisations import selectors as org_selectors
from samvirke.plans import reports
from samvirke.plans.models import GoverningDocument


def _download(request, region_id, build, content_type, extension):
    region = org_selectors.get_region_for(request.actor, region_id)
    report = reports.status_report(request.actor, region)
    body = build(report)
    log_reads(
        request.actor,
        [
            *[GoverningDocument(pk=f["pk"], access_level=f["access_level"]) for f in report.document_facts],
            *report.snapshots,
        ],
        action="export",
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, reports.file_name(report, extension))
    response["Content-Length"] = str(len(body))
    return response


@login_required
@require_GET
def report_docx(request, region_id):
    return _download(request, region_id, reports.build_docx, reports.DOCX_TYPE, "docx")


@login_required
@require_GET
def report_pdf(request, region_id):
    return _download(request, region_id, reports.build_pdf, reports.PDF_TYPE, "pdf")
