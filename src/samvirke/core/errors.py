"""The one family of domain errors. Views render them; the API maps them to one error envelope."""

from django.utils.translation import gettext_lazy as _


class SamvirkeError(Exception):
    code = "error"
    status = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, *, details=None):
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(str(self.message))


class NotFound(SamvirkeError):
    """Raised for both 'missing' and 'not yours', so callers cannot tell them apart."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(SamvirkeError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class Conflict(SamvirkeError):
    """Someone else saved the record after the caller loaded it."""

    code = "conflict"
    status = 409
    default_message = _(
        "Someone else saved this record after you opened it. Compare the two versions and save again."
    )

    def __init__(self, message=None, *, current=None, details=None):
        self.current = current
        super().__init__(message, details=details)
