from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samvirke.core.errors import Conflict
from samvirke.core.forms import EXEMPTION_SUGGESTIONS, apply_validation_error, conflict_form
from samvirke.core.services import ensure_can_edit, history_with_changes
from samvirke.core.views import attach_upload, attachment_response, render_history, restore_then_redirect
from samvirke.core.visibility import log_reads
from samvirke.organisations import selectors as org_selectors
from samvirke.plans import selectors, services
from samvirke.plans.forms import AssessmentForm, AttachmentForm, DocumentForm, SnapshotForm
from samvirke.plans.models import GoverningDocument, StatusAssessment
from samvirke.risk.selectors import analyses_visible_to


def _form_context(form, **extra):
    return {"form": form, "exemption_suggestions": EXEMPTION_SUGGESTIONS, **extra}


def _log_facts(actor, facts):
    """Log reads of documents shown as facts (state, dates) rather than objects."""
    log_reads(
        actor, [GoverningDocument(pk=f["pk"], access_level=f["access_level"]) for f in facts], action="list"
    )


@login_required
def index(request):
    """The plans entry: the status of the actor's (first) region."""
    regions = list(org_selectors.regions_visible_to(request.actor))
    if not regions:
        return render(request, "web/no_region.html")
    return redirect("plans:status_region", region_id=regions[0].pk)


# --- the register ----------------------------------------------------------------------------------------


@login_required
def register(request, organisation_id):
    organisation = org_selectors.get_organisation_for(request.actor, organisation_id)
    context = selectors.register(request.actor, organisation)
    log_reads(request.actor, context["documents"], action="list")
    context.update(organisation=organisation, can_edit=request.actor.can_edit_for(organisation.pk))
    return render(request, "plans/register.html", context)


@login_required
def document_create(request, organisation_id):
    organisation = org_selectors.get_organisation_for(request.actor, organisation_id)
    if not request.actor.can_edit_for(organisation.pk):
        messages.error(request, _("Only the organisation's editors can register documents."))
        return redirect("plans:register", organisation_id=organisation.pk)
    form = DocumentForm(
        request.POST or None,
        actor=request.actor,
        instance=GoverningDocument(owner=organisation),
        organisation=organisation,
        analyses=analyses_visible_to(request.actor),
        initial={"document_type": request.GET.get("type")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(
                actor=request.actor,
                owner_id=organisation.pk,
                data=form.service_data(),
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The document was saved."))
            return redirect("plans:document_detail", document_id=document.pk)
    return render(request, "plans/document_form.html", _form_context(form, organisation=organisation))


@login_required
def document_detail(request, document_id, *, upload_form=None, status=200):
    document = selectors.get_document_for(request.actor, document_id)
    context = selectors.document_detail(request.actor, document)
    can_edit = request.actor.can_edit_for(document.owner_id)
    context.update(
        document=document,
        can_edit=can_edit,
        upload_form=upload_form or (AttachmentForm() if can_edit else None),
    )
    return render(request, "plans/document_detail.html", context, status=status)


@login_required
def document_edit(request, document_id):
    document = selectors.get_document_for(request.actor, document_id)
    ensure_can_edit(request.actor, document)
    organisation = document.owner
    analyses = analyses_visible_to(request.actor)
    form = DocumentForm(
        request.POST or None,
        actor=request.actor,
        instance=document,
        organisation=organisation,
        analyses=analyses,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(
                actor=request.actor,
                document_id=document.pk,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except Conflict as error:
            conflict = error.current
            fresh = selectors.get_document_for(request.actor, document_id)
            form = conflict_form(
                DocumentForm, request, fresh, conflict.version, organisation=organisation, analyses=analyses
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The document was saved."))
            return redirect("plans:document_detail", document_id=document.pk)
    return render(
        request,
        "plans/document_form.html",
        _form_context(
            form,
            organisation=organisation,
            document=document,
            conflict=conflict,
        ),
        status=409 if conflict else 200,
    )


@login_required
def document_history(request, document_id):
    document = selectors.get_document_for(request.actor, document_id, action="history")
    return render_history(
        request,
        record=document,
        versions=history_with_changes(document),
        title=document.title,
        back_url=reverse("plans:document_detail", args=[document.pk]),
        restore_name="plans:document_restore",
        restore_args=[document.pk],
    )


@login_required
@require_POST
def document_restore(request, document_id, history_id):
    return restore_then_redirect(
        request,
        lambda: services.document_restore(
            actor=request.actor, document_id=document_id, history_id=history_id
        ),
        redirect("plans:document_detail", document_id=document_id),
    )


# --- attachments -----------------------------------------------------------------------------------------


@login_required
@require_POST
def attachment_upload(request, document_id):
    document = selectors.get_document_for(request.actor, document_id)
    ensure_can_edit(request.actor, document)
    form = AttachmentForm(request.POST, request.FILES)
    if attach_upload(request, form, services.attachment_add, document_id=document.pk):
        return redirect("plans:document_detail", document_id=document.pk)
    # Nothing was stored; the document is unchanged. Show the page again with the reason (200, as every
    # form here answers a correctable mistake).
    return document_detail(request, document.pk, upload_form=form)


@login_required
def attachment_download(request, document_id, attachment_id):
    """The only way to a file: the document through the chokepoint (logged), then its attachment."""
    _document, attachment = selectors.get_attachment_for(request.actor, document_id, attachment_id)
    return attachment_response(attachment)


@login_required
@require_POST
def attachment_delete(request, document_id, attachment_id):
    services.attachment_delete(actor=request.actor, document_id=document_id, attachment_id=attachment_id)
    messages.success(request, _("The attachment was removed."))
    return redirect("plans:document_detail", document_id=document_id)


# --- the status survey -----------------------------------------------------------------------------------


@login_required
def status(request, organisation_id):
    organisation = org_selectors.get_organisation_for(request.actor, organisation_id)
    context = selectors.status_matrix(request.actor, organisation)
    _log_facts(request.actor, [row["document"] for row in context["rows"] if row["document"]])
    log_reads(
        request.actor,
        [*([context["assessment"]] if context["assessment"] else []), *context["snapshots"]],
        action="list",
    )
    context.update(
        organisation=organisation,
        can_edit=request.actor.can_edit_for(organisation.pk),
        snapshot_form=SnapshotForm(),
    )
    return render(request, "plans/status.html", context)


@login_required
def assessment_edit(request, organisation_id):
    organisation = org_selectors.get_organisation_for(request.actor, organisation_id)
    current = StatusAssessment.objects.visible_to(request.actor).filter(owner=organisation).first()
    if current is not None:
        log_reads(request.actor, [current])
        ensure_can_edit(request.actor, current)
    elif not request.actor.can_edit_for(organisation.pk):
        messages.error(request, _("Only the organisation's editors can write its status assessment."))
        return redirect("plans:status", organisation_id=organisation.pk)
    instance = current or StatusAssessment(owner=organisation)
    form = AssessmentForm(
        request.POST or None, actor=request.actor, instance=instance, organisation=organisation
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_save(
                actor=request.actor,
                organisation_id=organisation.pk,
                expected_version=form.cleaned_data["version"] if current else None,
                data=form.service_data(),
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except Conflict as error:
            conflict = error.current
            form = conflict_form(
                AssessmentForm, request, conflict, conflict.version, organisation=organisation
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The assessment was saved."))
            return redirect("plans:status", organisation_id=organisation.pk)
    return render(
        request,
        "plans/assessment_form.html",
        _form_context(
            form,
            organisation=organisation,
            assessment=current,
            conflict=conflict,
        ),
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def snapshot_create(request, organisation_id):
    organisation = org_selectors.get_organisation_for(request.actor, organisation_id)
    form = SnapshotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the snapshot a label, for example “Status at project start”."))
        return redirect("plans:status", organisation_id=organisation.pk)
    snapshot = services.snapshot_take(
        actor=request.actor, organisation_id=organisation.pk, label=form.cleaned_data["label"]
    )
    messages.success(request, _("The snapshot was saved."))
    return redirect("plans:snapshot_detail", snapshot_id=snapshot.pk)


@login_required
def snapshot_detail(request, snapshot_id):
    snapshot = selectors.get_snapshot_for(request.actor, snapshot_id)
    organisation = snapshot.owner
    matrix = selectors.status_matrix(request.actor, organisation)
    _log_facts(request.actor, [row["document"] for row in matrix["rows"] if row["document"]])
    return render(
        request,
        "plans/snapshot_detail.html",
        {
            "snapshot": snapshot,
            "organisation": organisation,
            "comparison": selectors.snapshot_comparison(snapshot, matrix["rows"]),
        },
    )


@login_required
def status_region(request, region_id):
    region = org_selectors.get_region_for(request.actor, region_id)
    context = selectors.region_status(request.actor, region, page=request.GET.get("page"))
    _log_facts(
        request.actor, [c["document"] for row in context["rows"] for c in row["cells"] if c and c["document"]]
    )
    context["regions"] = list(org_selectors.regions_visible_to(request.actor))
    return render(request, "plans/status_region.html", context)
