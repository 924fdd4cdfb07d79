"""The REST API under /api/v1/: OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs.

Every endpoint reads through the same chokepoint as the pages; every error uses one envelope:
{"error": {"code": ..., "message": ..., "details": {...}}}.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination, paginate

from samvirke.api.auth import SessionAuth, TokenAuth
from samvirke.api.schemas import ErrorEnvelope, MeOut, NoticeIn, NoticeOut, NoticeUpdate, OrganisationOut
from samvirke.core.errors import Conflict, SamvirkeError
from samvirke.core.visibility import log_reads
from samvirke.notices import selectors as notice_selectors
from samvirke.notices import services as notice_services
from samvirke.organisations.models import Organisation
from samvirke.organisations.selectors import organisations_visible_to

api = NinjaAPI(
    title="Samvirke API",
    version="1",
    description="Shared platform for emergency preparedness and crisis coordination between municipalities.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)

ERRORS = {400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 422: ErrorEnvelope}


def error_response(request, status, code, message, details=None):
    return api.create_response(
        request, {"error": {"code": code, "message": str(message), "details": details or {}}}, status=status
    )


@api.exception_handler(SamvirkeError)
def on_domain_error(request, exc: SamvirkeError):
    details = dict(exc.details)
    if isinstance(exc, Conflict) and exc.current is not None:
        details["current"] = NoticeOut.from_orm(exc.current).dict() if hasattr(exc.current, "title") else {}
    return error_response(request, exc.status, exc.code, exc.message, details)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    details = {k: [str(m) for m in v] for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {
        "__all__": [str(m) for m in exc.messages]
    }
    return error_response(request, 422, "validation_error", _("Some fields are not valid. See details."), details)


@api.exception_handler(NinjaValidationError)
def on_input_error(request, exc: NinjaValidationError):
    details: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path"))
        details.setdefault(loc or "__all__", []).append(err.get("msg", ""))
    return error_response(request, 422, "validation_error", _("Some fields are not valid. See details."), details)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(request, 401, "unauthorized", _("Sign in or send a valid API token."))


@api.exception_handler(Http404)
def on_404(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error_response(request, exc.status_code, "error", str(exc))


@api.get("/me", response={200: MeOut, **ERRORS}, tags=["accounts"])
def me(request):
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.get_full_name(),
        "language": user.language,
        "organisation_ids": sorted(request.actor.organisation_ids),
    }


@api.get("/organisations", response={200: list[OrganisationOut], **ERRORS}, tags=["organisations"])
@paginate(PageNumberPagination)
def organisation_list(request):
    return organisations_visible_to(request.actor).order_by("name", "id")


@api.get("/organisations/{organisation_id}", response={200: OrganisationOut, **ERRORS}, tags=["organisations"])
def organisation_detail(request, organisation_id: int):
    org = organisations_visible_to(request.actor).filter(pk=organisation_id).first()
    if org is None:
        raise Http404
    return org


@api.get("/notices", response={200: list[NoticeOut], **ERRORS}, tags=["notices"])
@paginate(PageNumberPagination)
def notice_list(request):
    return LoggedList(notice_selectors.notices_visible_to(request.actor), request.actor)


@api.get("/notices/{notice_id}", response={200: NoticeOut, **ERRORS}, tags=["notices"])
def notice_detail(request, notice_id: int):
    return notice_selectors.get_notice_for(request.actor, notice_id, via="api")


@api.post("/notices", response={201: NoticeOut, **ERRORS}, tags=["notices"])
def notice_create(request, payload: NoticeIn):
    data = payload.dict()
    notice = notice_services.notice_create(
        actor=request.actor,
        owner_id=data.pop("owner_id"),
        data=data,
        shared_with=list(Organisation.objects.filter(pk__in=data.pop("shared_with"))),
        named_people=list(get_user_model().objects.filter(pk__in=data.pop("named_people"))),
    )
    return 201, notice


@api.put("/notices/{notice_id}", response={200: NoticeOut, 409: ErrorEnvelope, **ERRORS}, tags=["notices"])
def notice_update(request, notice_id: int, payload: NoticeUpdate):
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    shared = data.pop("shared_with", None)
    named = data.pop("named_people", None)
    return notice_services.notice_update(
        actor=request.actor,
        notice_id=notice_id,
        expected_version=version,
        data={k: v for k, v in data.items() if v is not None},
        shared_with=list(Organisation.objects.filter(pk__in=shared)) if shared is not None else None,
        named_people=list(get_user_model().objects.filter(pk__in=named)) if named is not None else None,
    )


class LoggedList:
    """Wraps a chokepoint queryset so the page actually returned is written to the access log."""

    def __init__(self, queryset, actor):
        self.queryset = queryset
        self.actor = actor

    def __len__(self):
        return self.queryset.count()

    def count(self):
        return self.queryset.count()

    def __getitem__(self, item):
        rows = list(self.queryset[item])
        log_reads(self.actor, rows, action="list", via="api")
        return rows

    def all(self):
        return self
