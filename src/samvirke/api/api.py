"""The REST API under /api/v1/: OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs.

Every endpoint reads through the same chokepoint as the pages; every error uses one envelope:
{"error": {"code": ..., "message": ..., "details": {...}}}.

Documentation access (ASVS 5.0 V13.4.5): the browsable docs and openapi.json describe the API but
hold no data. Outside production they are public, which is what developers and the demo need. With
settings.PRODUCTION they need a signed-in user (the docs page redirects to sign-in); openapi.json
also accepts a valid API token, so client generators can fetch it. The docs page is Swagger UI
served from our own static files (npm package swagger-ui-dist, vendored by scripts/vendor_static.py),
started by a static script so that the strict Content-Security-Policy holds; no CDN is contacted.
"""

import logging
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, NinjaAPI, Path, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger, _csrf_needed
from ninja.pagination import PageNumberPagination, paginate

from samvirke.api.auth import SessionAuth, TokenAuth
from samvirke.api.schemas import (
    MAX_ID,
    ErrorEnvelope,
    MeOut,
    NoticeIn,
    NoticeOut,
    NoticeUpdate,
    OrganisationOut,
)
from samvirke.core.errors import Conflict, SamvirkeError
from samvirke.core.visibility import log_reads
from samvirke.notices import selectors as notice_selectors
from samvirke.notices import services as notice_services
from samvirke.notices.models import Notice
from samvirke.organisations.models import Organisation
from samvirke.organisations.selectors import organisations_visible_to

logger = logging.getLogger(__name__)


class SamvirkeSwagger(Swagger):
    """Swagger UI from our static files, with its settings as JSON data and a static start-up script."""

    template = "api/swagger.html"
    default_settings = {
        "layout": "BaseLayout",
        "deepLinking": True,
        # Swagger UI would otherwise send the schema to validator.swagger.io for a badge.
        "validatorUrl": None,
    }

    def render_page(self, request, api, **kwargs):
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": swagger_settings, "api": api, "add_csrf": _csrf_needed(api)}
        return render(request, self.template, context)


def docs_access(view):
    """In production, docs and schema need a signed-in user (or, for the schema, an API token)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.PRODUCTION and not request.user.is_authenticated:
            if request.path.endswith("/docs"):
                return redirect_to_login(request.get_full_path())
            if not TokenAuth()(request):
                return on_auth_error(request, AuthenticationError())
        return view(request, *args, **kwargs)

    return wrapped


api = NinjaAPI(
    title="Samvirke API",
    version="1",
    description="Shared platform for emergency preparedness and crisis coordination between municipalities.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs=SamvirkeSwagger(),
    docs_decorator=docs_access,
)

ERRORS = {400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 422: ErrorEnvelope}

#: The response schema of each content model, used to show the stored record in a 409 conflict.
#: A new content module registers its model here when it adds update endpoints.
RECORD_SCHEMAS: dict[type, type[Schema]] = {Notice: NoticeOut}


class Pages(PageNumberPagination):
    """Page-number pagination with bounded parameters (a huge page number must not reach the database)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)

    def __init__(self, **kwargs):
        super().__init__(
            page_size=settings.NINJA_PAGINATION_PER_PAGE,
            max_page_size=settings.NINJA_PAGINATION_MAX_LIMIT,
            **kwargs,
        )


def error_response(request, status, code, message, details=None, headers=None):
    response = api.create_response(
        request, {"error": {"code": code, "message": str(message), "details": details or {}}}, status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def record_as_json(obj) -> dict:
    schema = next((RECORD_SCHEMAS[cls] for cls in type(obj).__mro__ if cls in RECORD_SCHEMAS), None)
    if schema is None:
        return {"id": obj.pk, "version": getattr(obj, "version", None)}
    return schema.from_orm(obj).model_dump(mode="json")


@api.exception_handler(SamvirkeError)
def on_domain_error(request, exc: SamvirkeError):
    details = dict(exc.details)
    if isinstance(exc, Conflict) and exc.current is not None:
        details["current_version"] = getattr(exc.current, "version", None)
        details["current"] = record_as_json(exc.current)
    return error_response(request, exc.status, exc.code, exc.message, details)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        details = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    else:
        details = {"__all__": [str(m) for m in exc.messages]}
    return error_response(
        request, 422, "validation_error", _("Some fields are not valid. See details."), details
    )


def input_error_message(err: dict) -> str:
    """Pydantic's English messages, in the caller's language (most msgids come from Django's catalogue).

    django-ninja drops the rejected input from its errors, so no message repeats the value.
    """
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"float_parsing", "float_type"}:
        return _("Enter a number.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge", ctx.get("gt"))
        }
    if kind in {"less_than_equal", "less_than"}:
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le", ctx.get("lt"))
        }
    if kind == "string_too_short":
        limit = ctx.get("min_length", 1)
        if limit == 1:
            return _("This field is required.")
        return ngettext(
            "Use at least %(limit_value)d character.", "Use at least %(limit_value)d characters.", limit
        ) % {"limit_value": limit}
    if kind == "string_too_long":
        limit = ctx.get("max_length", 0)
        return ngettext(
            "Use at most %(limit_value)d character.", "Use at most %(limit_value)d characters.", limit
        ) % {"limit_value": limit}
    if kind == "too_long":
        limit = ctx.get("max_length", 0)
        return ngettext(
            "Send at most %(limit_value)d item.", "Send at most %(limit_value)d items.", limit
        ) % {"limit_value": limit}
    if kind in {"enum", "literal_error"}:
        choices = ctx.get("expected", "")
        return _("Select a valid choice. That choice is not one of the available choices.") + (
            f" ({choices.replace(' or ', ', ')})" if choices else ""
        )
    if kind in {"list_type", "set_type", "tuple_type"}:
        return _("Enter a list of values.")
    if kind == "null_character":
        return _("Null characters are not allowed.")
    if kind in {"json_invalid", "json_type"}:
        return _("Enter a valid JSON.")
    if kind in {"string_type", "string_unicode"}:
        return _("Enter a text.")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("Send a JSON object.")
    return _("Enter a valid value.")


#: What django-ninja puts before the field name in an error location: the parameter source, then the
#: name of the schema argument (our body arguments are all called `payload`).
_LOC_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
_LOC_ARGUMENTS = {"payload", "ninja_pagination", "pagination"}


def _field_path(loc) -> list:
    loc = list(loc)
    if loc and loc[0] in _LOC_SOURCES:
        loc = loc[1:]
    if len(loc) > 1 and loc[0] in _LOC_ARGUMENTS:
        loc = loc[1:]
    return loc


@api.exception_handler(NinjaValidationError)
def on_input_error(request, exc: NinjaValidationError):
    details: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = ".".join(str(p) for p in _field_path(err.get("loc", ())))
        details.setdefault(loc or "__all__", []).append(input_error_message(err))
    return error_response(
        request, 422, "validation_error", _("Some fields are not valid. See details."), details
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(
        request,
        401,
        "unauthorized",
        _("Sign in or send a valid API token."),
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(DjangoPermissionDenied)
def on_permission_denied(request, exc):
    return error_response(request, 403, "permission_denied", _("You do not have permission to do this."))


@api.exception_handler(Http404)
def on_404(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    # django-ninja raises HttpError(400) for a body it cannot parse; its message is English only.
    if exc.status_code == 400:
        return error_response(request, 400, "bad_request", _("Enter a valid JSON."))
    return error_response(request, exc.status_code, "error", _("The request could not be completed."))


@api.exception_handler(Exception)
def on_unexpected_error(request, exc):
    logger.exception("Unexpected error in %s %s", request.method, request.path)
    return error_response(
        request,
        500,
        "server_error",
        _("Something went wrong on our side. The error has been logged; try again later."),
    )


def _resolve(model_qs, ids, field: str, errors: dict):
    """The records for `ids` from `model_qs`; an id not in it (unknown or not allowed) is a field error."""
    wanted = list(dict.fromkeys(ids))
    found = {obj.pk: obj for obj in model_qs.filter(pk__in=wanted)}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        errors[field] = [
            _("Select a valid choice. %(value)s is not one of the available choices.") % {"value": pk}
            for pk in missing
        ]
    return [found[pk] for pk in wanted if pk in found]


def resolve_sharing(actor, shared_ids, named_ids):
    """Organisations and people from their ids, limited to the actor's region, as in the web form."""
    errors: dict[str, list[str]] = {}
    shared = named = None
    if shared_ids is not None:
        shared = _resolve(
            Organisation.objects.filter(region_id__in=actor.region_ids), shared_ids, "shared_with", errors
        )
    if named_ids is not None:
        people = (
            get_user_model()
            .objects.filter(memberships__organisation__region_id__in=actor.region_ids, is_active=True)
            .distinct()
        )
        named = _resolve(people, named_ids, "named_people", errors)
    if errors:
        raise ValidationError(errors)
    return shared, named


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
@paginate(Pages)
def organisation_list(request):
    return organisations_visible_to(request.actor).order_by("name", "id")


@api.get(
    "/organisations/{organisation_id}", response={200: OrganisationOut, **ERRORS}, tags=["organisations"]
)
def organisation_detail(request, organisation_id: int = Path(..., ge=1, le=MAX_ID)):
    org = organisations_visible_to(request.actor).filter(pk=organisation_id).first()
    if org is None:
        raise Http404
    return org


@api.get("/notices", response={200: list[NoticeOut], **ERRORS}, tags=["notices"])
@paginate(Pages)
def notice_list(request):
    return LoggedList(notice_selectors.notices_visible_to(request.actor), request.actor)


@api.get("/notices/{notice_id}", response={200: NoticeOut, **ERRORS}, tags=["notices"])
def notice_detail(request, notice_id: int = Path(..., ge=1, le=MAX_ID)):
    return notice_selectors.get_notice_for(request.actor, notice_id, via="api")


@api.post("/notices", response={201: NoticeOut, **ERRORS}, tags=["notices"])
def notice_create(request, payload: NoticeIn):
    data = payload.dict()
    owner_id = data.pop("owner_id")
    shared, named = resolve_sharing(request.actor, data.pop("shared_with"), data.pop("named_people"))
    notice = notice_services.notice_create(
        actor=request.actor, owner_id=owner_id, data=data, shared_with=shared, named_people=named
    )
    return Status(201, notice)


@api.put("/notices/{notice_id}", response={200: NoticeOut, 409: ErrorEnvelope, **ERRORS}, tags=["notices"])
def notice_update(request, payload: NoticeUpdate, notice_id: int = Path(..., ge=1, le=MAX_ID)):
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    shared, named = resolve_sharing(
        request.actor, data.pop("shared_with", None), data.pop("named_people", None)
    )
    return notice_services.notice_update(
        actor=request.actor,
        notice_id=notice_id,
        expected_version=version,
        data={k: v for k, v in data.items() if v is not None},
        shared_with=shared,
        named_people=named,
        via="api",
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


# Modules with their own routers; they use the helpers above, so they are imported here, at the end.
from samvirke.api.risk import router as risk_router  # noqa: E402

api.add_router("/risk", risk_router)

#: Mounted last: its catch-all path would otherwise shadow the routers mounted after the default one.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:unknown}", auth=None, include_in_schema=False
)
def unknown_endpoint(request, unknown: str):
    """Anything else under /api/v1/ is a 404 in the same envelope."""
    raise Http404


api.add_router("", fallback)
