"""Shared view helpers: turn domain errors into responses; the history page of a content record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from samvirke.core.errors import Conflict, NotFound, PermissionDenied
from samvirke.core.forms import apply_validation_error


class DomainErrorMiddleware:
    """Renders NotFound as the ordinary 404 page and PermissionDenied as 403, for every HTML view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(str(exception)) from exception
        if isinstance(exception, PermissionDenied):
            return render(request, "403.html", {"message": exception.message}, status=403)
        return None


def render_history(
    request,
    *,
    record,
    versions,
    title,
    back_url,
    restore_name,
    restore_args,
    note="",
    template="history.html",
    **extra,
):
    """The history page of one content record (templates/history.html): `versions` as from
    core.services.history_with_changes, each given the URL that restores it (restore_name with
    restore_args + the history id). Only editors of the owner see the restore buttons."""
    for version in versions:
        version["restore_url"] = reverse(restore_name, args=[*restore_args, version["record"].history_id])
    context = {
        "record": record,
        "title": title,
        "back_url": back_url,
        "note": note,
        "versions": versions,
        "can_edit": request.actor.can_edit_for(record.owner_id),
        **extra,
    }
    return render(request, template, context)


def restore_then_redirect(request, run, back):
    """Run a restore service (`run`, no arguments) and return `back` (a redirect) with a message saying
    how it went: restored, someone saved meanwhile (Conflict), or the old version no longer passes the
    rules (ValidationError) — never an error page, and nothing saved is changed on failure."""
    try:
        run()
    except Conflict:
        messages.error(request, _("Someone else saved this record just now. Look at the history again."))
    except ValidationError as error:
        messages.error(
            request,
            _("This version cannot be restored as it is: %(problem)s")
            % {"problem": " ".join(error.messages)},
        )
    else:
        messages.success(request, _("The earlier version was restored. The restore is itself a new version."))
    return back


#: An id no record has: reversed once, then replaced by each row's id.
_ROW_ID = 2147483646


def url_for_each(view_name: str, *args):
    """A function id → URL for a view whose last argument is a row's id: one reverse() for a whole table
    instead of one per row (a long table's links otherwise cost more than its data)."""

    pattern = reverse(view_name, args=[*args, _ROW_ID])
    head, tail = pattern.rsplit(str(_ROW_ID), 1)
    return lambda pk: f"{head}{int(pk)}{tail}"


def attachment_response(attachment) -> FileResponse:
    """A stored attachment as a download the browser never renders: call it only with an attachment read
    through the chokepoint (the record's selector). A file missing on disk is a 404, like a missing record."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise NotFound() from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def attach_upload(request, form, add, **record) -> bool:
    """Store the uploaded file of a valid `form` with the app's service, `add(actor=, upload=, **record)`.
    False, with the service's reason on the form, when nothing was stored; True, with a message, when it
    was."""
    if not form.is_valid():
        return False
    try:
        add(actor=request.actor, upload=form.cleaned_data["file"], **record)
    except ValidationError as error:
        apply_validation_error(form, error)
        form.style_fields()  # the fields' error styling and descriptions, now that they have errors
        return False
    messages.success(request, _("The file was attached."))
    return True
