"""What every API router shares: authentication, RFC 9457 errors, ETag/If-Match."""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.security import APIKeyCookie, HttpBearer

from charter.core.concurrency import StaleEdit, etag, version_from_if_match
from charter.core.models import VersionedModel

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


class TokenAuth(HttpBearer):
    """``Authorization: Bearer chr_…`` with a personal API token (no CSRF: not a cookie)."""

    openapi_description = "A personal API token created under Profile → API tokens."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from charter.accounts.services import user_for_api_token

        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's signed-in session; unsafe methods need the CSRF token header."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


class PreconditionRequired(Exception):
    """An update arrived without If-Match."""


def problem(
    request: HttpRequest,
    status: int,
    title: str,
    detail: str = "",
    errors: Iterable[Mapping[str, Any]] = (),
) -> JsonResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    if errors:
        body["errors"] = list(errors)
    return JsonResponse(
        body, status=status, content_type=PROBLEM_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
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


def install_problem_handlers(api: NinjaAPI) -> None:
    """Every error the API answers is ``application/problem+json`` (RFC 9457)."""

    def on(exc_class: type[Exception]):  # type: ignore[no-untyped-def]
        def register(handler):  # type: ignore[no-untyped-def]
            api.add_exception_handler(exc_class, handler)
            return handler

        return register

    @on(RequestValidationError)
    def invalid_request(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
        return problem(request, 422, _("The request is not valid."), errors=_request_validation_errors(exc))

    @on(ValidationError)
    def invalid_data(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return problem(request, 422, _("The data is not valid."), errors=_django_validation_errors(exc))

    @on(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        response = problem(
            request, 401, _("Authentication required."),
            _("Sign in, or send a personal API token as “Authorization: Bearer …”."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="charter"'
        return response

    @on(PermissionDenied)
    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(request, 403, _("You do not have permission to do this."))

    @on(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(request, 404, _("Not found."))

    api.add_exception_handler(ObjectDoesNotExist, not_found)

    @on(StaleEdit)
    def stale(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
        return problem(request, 412, _("The record has changed."), str(exc))

    @on(PreconditionRequired)
    def precondition_required(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(
            request, 428, _("If-Match required."),
            _("Send the ETag you read as If-Match, so a concurrent change is not overwritten."),
        )

    @on(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(request, exc.status_code, str(exc))

    @on(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s", request.path, exc_info=exc)
        return problem(request, 500, _("Server error."), _("The error was logged."))


def expected_version(request: HttpRequest) -> int:
    """The version an update is based on, from If-Match; 428 without it, 412 if unreadable."""
    header = request.headers.get("If-Match", "")
    if not header:
        raise PreconditionRequired
    version = version_from_if_match(header)
    if version is None:
        raise HttpError(412, _("If-Match must be the ETag of the record, like \"3\"."))
    return version


def set_etag(response: HttpResponse, obj: VersionedModel) -> None:
    response["ETag"] = etag(obj)
