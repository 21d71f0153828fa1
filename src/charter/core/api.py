"""What every API router shares: authentication, RFC 9457 errors, ETag/If-Match, PATCH schemas."""

import logging
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import get_user
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.operation import Operation
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import Field, create_model
from pydantic.fields import FieldInfo

from charter.core import policy
from charter.core.concurrency import StaleEdit, etag, version_from_if_match
from charter.core.models import VersionedModel

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


class CsrfFailed(Exception):
    """A cookie-authenticated write came without a valid CSRF token."""


class PreconditionRequired(Exception):
    """An update arrived without If-Match."""


class TokenAuth(HttpBearer):
    """``Authorization: Bearer chr_…`` with a personal API token (no CSRF: not a cookie)."""

    openapi_description = "A personal API token created under Profile → API tokens."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from charter.accounts.services import user_for_api_token

        user = user_for_api_token(token)
        if user is None:
            # A wrong credential is refused outright, never quietly replaced by the session.
            raise AuthenticationError
        request.user = user
        # UserPreferencesMiddleware ran before the token was read: apply the user's choices now.
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        return user


class SessionAuth(APIKeyCookie):
    """The browser's signed-in session; unsafe methods need the CSRF token header."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "The browser session; writes need the CSRF token as X-CSRFToken."

    def _get_key(self, request: HttpRequest) -> str | None:
        # Anonymous first, so a request without any credential is 401 rather than a CSRF 403.
        if not get_user(request).is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise CsrfFailed
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        # The real User, not the middleware's lazy proxy: services use type(user)._default_manager.
        request.user = get_user(request)
        return request.user


class FieldProblem(Schema):
    field: str = Field(description="Dotted path of the offending field (`items.0.name`).")
    pointer: str = Field(description="The same path as a JSON Pointer (`#/items/0/name`).")
    detail: str = Field(description="What is wrong, in the user's language.")


class Problem(Schema):
    """RFC 9457 problem details, the body of every error."""

    type: str = Field("about:blank", description="Always `about:blank`: the status says it.")
    title: str = Field(description="Short summary, in the user's language.")
    status: int = Field(description="The HTTP status code.")
    detail: str | None = Field(None, description="What happened and what to do about it.")
    instance: str | None = Field(None, description="The request path.")
    errors: list[FieldProblem] | None = Field(None, description="One entry per invalid field.")


def problem(
    request: HttpRequest | None,
    status: int,
    title: str,
    detail: str = "",
    errors: Iterable[Mapping[str, Any]] = (),
) -> JsonResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.path
    if errors:
        body["errors"] = list(errors)
    return JsonResponse(
        body,
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def field_error(path: Iterable[Any], detail: str) -> dict[str, Any]:
    parts = [str(part) for part in path]
    return {"field": ".".join(parts), "pointer": "#/" + "/".join(parts), "detail": detail}


def _request_validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors:
        location = list(error.get("loc", ()))
        # ninja reports ["body", "<param name>", "field", …]; the client knows only "field, …".
        path = location[2:] if location[:1] == ["body"] and len(location) > 2 else location[1:]
        errors.append(field_error(path or location, str(error.get("msg", ""))))
    return errors


def _django_validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            field_error([] if name == "__all__" else [name], message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [field_error([], message) for message in exc.messages]


@contextmanager
def errors_on_field(name: str) -> Iterator[None]:
    """Report a service's field-less ValidationError as an error of request field ``name``."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({name: exc.error_list}) from exc


def _status_title(status: int) -> str:
    titles = {
        400: _("The request could not be read."),
        401: _("Authentication required."),
        403: _("You do not have permission to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        412: _("The record has changed."),
    }
    return titles.get(status) or HTTPStatus(status).phrase


def install_problem_handlers(api: NinjaAPI) -> None:
    """Every error the API answers is ``application/problem+json`` (RFC 9457)."""

    def on(exc_class: type[Exception]):  # type: ignore[no-untyped-def]
        def register(handler):  # type: ignore[no-untyped-def]
            api.add_exception_handler(exc_class, handler)
            return handler

        return register

    @on(RequestValidationError)
    def invalid_request(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
        errors = _request_validation_errors(exc)
        return problem(request, 422, _("The request is not valid."), errors=errors)

    @on(ValidationError)
    def invalid_data(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = _django_validation_errors(exc)
        return problem(request, 422, _("The data is not valid."), errors=errors)

    @on(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        response = problem(
            request,
            401,
            _status_title(401),
            _("Sign in, or send a valid personal API token as “Authorization: Bearer …”."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="charter"'
        return response

    @on(CsrfFailed)
    def csrf_failed(request: HttpRequest, exc: Exception) -> HttpResponse:
        detail = _(
            "Requests that change data with the session cookie need the CSRF token in the "
            "X-CSRFToken header. Scripts should use a personal API token instead."
        )
        return problem(request, 403, _("CSRF check failed."), detail)

    @on(PermissionDenied)
    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(request, 403, _status_title(403))

    @on(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(request, 404, _status_title(404))

    api.add_exception_handler(ObjectDoesNotExist, not_found)

    @on(StaleEdit)
    def stale(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
        return problem(request, 412, _status_title(412), str(exc))

    @on(PreconditionRequired)
    def precondition_required(request: HttpRequest, exc: Exception) -> HttpResponse:
        detail = _("Send the ETag you read as If-Match, so a concurrent change is not overwritten.")
        return problem(request, 428, _("If-Match required."), detail)

    @on(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(request, exc.status_code, _status_title(exc.status_code), str(exc))

    @on(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s", request.path, exc_info=exc)
        return problem(request, 500, _("Server error."), _("The error was logged."))


@policy.public
def unknown_path(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return problem(request, 404, _status_title(404), _("There is no API operation at this path."))


def _method_not_allowed(allowed: Iterable[str]) -> HttpResponse:
    response = problem(None, 405, _status_title(405))
    response["Allow"] = ", ".join(sorted(allowed))
    return response


def _policy_after_auth(operation: Operation) -> Callable[[HttpRequest], HttpResponse | None]:
    """Run the operation's ``api_requires`` check right after authentication, before ninja
    validates the input, so a role that may not act learns that (403), not how to ask (422)."""
    run_checks = operation._run_checks

    def checks(request: HttpRequest) -> HttpResponse | None:
        error = run_checks(request)
        declared: tuple[str, str] | None = getattr(operation.view_func, "charter_policy", None)
        if error is not None or declared is None or declared == policy.PUBLIC:
            return error
        if policy.allows(request.user, *declared):
            return None
        return operation.api.on_exception(request, PermissionDenied())

    return checks


class CharterAPI(NinjaAPI):
    """A NinjaAPI that answers problem+json even for unknown paths and methods."""

    def _get_urls(self) -> list[Any]:
        urls = [
            pattern
            for pattern in super()._get_urls()
            if not (isinstance(pattern, URLPattern) and pattern.name == "api-root")
        ]
        # ninja has no hooks for these two, so its PathView and Operation objects are adjusted.
        for bound_router in self._get_bound_routers():
            for path_view in bound_router.path_operations.values():
                allowed = {method for op in path_view.operations for method in op.methods}
                path_view._not_allowed = partial(_method_not_allowed, allowed)  # type: ignore[method-assign]
                for operation in path_view.operations:
                    if "_run_checks" not in vars(operation):  # once, though urls may be rebuilt
                        operation._run_checks = _policy_after_auth(operation)  # type: ignore[method-assign,assignment]
        urls.append(path("", unknown_path, name="api-root"))
        urls.append(path("<path:rest>", unknown_path, name="unknown"))
        return urls

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Document the problem+json body that every operation may answer with."""
        schema = super().get_openapi_schema(**kwargs)
        problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas = schema["components"].setdefault("schemas", {})
        schemas.update(problem_schema.pop("$defs", {}))
        schemas["Problem"] = problem_schema
        default = {
            "description": "An error, as RFC 9457 problem details.",
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation["responses"].setdefault("default", default)
        return schema


def _if_match(*, required: bool, description: str) -> dict[str, Any]:
    """The OpenAPI description of an If-Match header."""
    header = {"in": "header", "name": "If-Match", "required": required}
    return {"parameters": [{**header, "schema": {"type": "string"}, "description": description}]}


IF_MATCH = _if_match(
    required=True,
    description="The ETag of the record as read; 412 if it changed since, 428 when missing.",
)
IF_MATCH_OPTIONAL = _if_match(
    required=False,
    description="The ETag of the record as read; 412 if it changed since. Without it the "
    "record is changed as it is now.",
)


def expected_version(request: HttpRequest, *, current: VersionedModel | None = None) -> int:
    """The version an update is based on, from If-Match; 412 if unreadable. Without If-Match:
    ``current``'s version when given (If-Match is optional: the record is changed as it is
    now), else 428."""
    header = request.headers.get("If-Match", "")
    if not header:
        if current is not None:
            return current.version
        raise PreconditionRequired
    version = version_from_if_match(header)
    if version is None:
        raise HttpError(412, _('If-Match must be the ETag of the record, like "3".'))
    return version


def set_etag(response: HttpResponse, obj: VersionedModel) -> None:
    response["ETag"] = etag(obj)


def read_with_etag(response: HttpResponse, rows: QuerySet[Any], *, pk: Any) -> Any:
    """The row ``pk`` among ``rows`` (the caller's ``for_user`` scope; 404 otherwise), with
    its ETag on the response."""
    obj = get_object_or_404(rows, pk=pk)
    set_etag(response, obj)
    return obj


def update_with_if_match(
    request: HttpRequest,
    response: HttpResponse,
    update: Callable[..., Any],
    obj: VersionedModel,
    **changes: Any,
) -> Any:
    """``update(obj, actor=…, expected_version=<If-Match>, **changes)`` — a service verb —
    answered with the new ETag (428 without If-Match, 412 when stale)."""
    obj = update(obj, actor=request.user, expected_version=expected_version(request), **changes)
    set_etag(response, obj)
    return obj


def patch_schema(schema: type[Schema]) -> type[Schema]:
    """``schema`` with every field optional, for PATCH: only what is sent changes. A field
    that may not be null on create may not be null here either (the default is never
    validated, so leaving it out is fine)."""
    fields: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        # The copy keeps the constraints (max_length …) and the description.
        fields[name] = (info.annotation, FieldInfo.merge_field_infos(info, default=None))
    name = schema.__name__.removesuffix("In") + "Patch"
    patch: type[Schema] = create_model(name, __base__=Schema, **fields)
    return patch


@contextmanager
def request_field_names(names: Mapping[str, str]) -> Iterator[None]:
    """Report the field errors a service raises under the names the request used for them
    (``owner`` → ``owner_id``, ``contacts`` → ``contact_ids``), so the problem's paths point
    at what the client sent."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {names.get(name, name): errors for name, errors in error.error_dict.items()}
        ) from error
