from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.accounts import services
from charter.accounts.choices import Language, Role
from charter.accounts.forms import (
    ApiTokenForm,
    ProfileForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
    site_url,
)
from charter.accounts.models import ApiToken, User
from charter.core import policy
from charter.core.forms import add_service_errors, submit

USERS_PER_PAGE = 25


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    """So pages rendered before the user is known (sign-in, after sign-out) keep their language."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


@require_POST
@policy.public
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user's choice is saved to their profile."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request))
    if language not in Language.values:
        return response
    if request.user.is_authenticated:
        services.set_preferences(request.user, language=language, time_zone=request.user.time_zone)
    _set_language_cookie(response, language)
    return response


class SignInView(LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # The middleware applies the saved language from the next request on; the cookie also
        # covers the pages seen signed out later (sign-in again, password reset).
        _set_language_cookie(response, form.get_user().language)
        return response


# ---- profile ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy.requires("accounts.profile", "view")
def profile(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(
            request, "accounts/profile.html", {"form": ProfileForm.for_user(request.user)}
        )
    policy.check(request.user, "accounts.profile", "change")
    # A row of its own, not the request's lazy user: the page header must not show a failed edit.
    user = User.objects.for_user(request.user, "view").get(pk=request.user.pk)
    form = ProfileForm.for_user(user, data=request.POST)
    status = _save_profile(request, user, form)
    if status is None:
        response = redirect("accounts:profile")
        _set_language_cookie(response, user.language)
        return response
    return render(request, "accounts/profile.html", {"form": form}, status=status)


def _save_profile(request: HttpRequest, user: User, form: ProfileForm) -> int | None:
    status = submit(
        form,
        lambda data: services.update_profile(
            user,
            expected_version=data["version"],
            **{name: data[name] for name in services.PROFILE_FIELDS},
        ),
    )
    if status is None:
        with translation.override(user.language):  # the message is read on the next page
            messages.success(request, _("Your profile and preferences were saved."))
    return status


# ---- user administration ----------------------------------------------------------------------


def _filtered_users(users: QuerySet[User], filters: dict[str, Any]) -> QuerySet[User]:
    """Search and the active filter; the role filter is applied after counting per role."""
    if query := filters.get("q", "").strip():
        users = users.filter(
            Q(display_name__icontains=query)
            | Q(username__icontains=query)
            | Q(email__icontains=query)
        )
    if filters.get("active"):
        users = users.filter(is_active=filters["active"] == "yes")
    return users


@require_GET
@policy.requires("accounts.user", "view")
def user_list(request: HttpRequest) -> HttpResponse:
    """Everyone's accounts; one URL answers the page or, for HTMX, the results fragment."""
    users = User.objects.for_user(request.user)
    filter_form = UserFilterForm(request.GET)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    matching = _filtered_users(users, filters)
    # The role tabs count what the search matches, so each tab says what clicking it shows.
    counts = matching.aggregate(
        total=Count("pk"), **{role: Count("pk", filter=Q(role=role)) for role in Role.values}
    )
    if filters.get("role"):
        matching = matching.filter(role=filters["role"])
    page = Paginator(matching, USERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "searching": any(filters.values()),
        "role_tabs": [("", _("All"), counts["total"])]
        + [(role, label, counts[role]) for role, label in Role.choices],
    }
    template = "accounts/partials/user_results.html" if request.htmx else "accounts/user_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@policy.requires("accounts.user", "add")
def user_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    initial = {"role": Role.MEMBER, "language": actor.language, "time_zone": actor.time_zone}
    form = UserCreateForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.add_user(
                actor=actor, base_url=site_url(request), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if account.has_usable_password():
                messages.success(
                    request, _("The account %(name)s was created.") % {"name": account}
                )
            else:
                messages.success(
                    request,
                    _("The account %(name)s was created and an invitation was sent to %(email)s.")
                    % {"name": account, "email": account.email},
                )
            return redirect("accounts:user_list")
    return _user_form_page(request, form, None, 422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@policy.requires("accounts.user", "change")
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User.objects.for_user(request.user, "change"), pk=pk)
    form = UserEditForm.for_user(account, actor=request.user, data=request.POST or None)
    if request.method == "GET":
        return _user_form_page(request, form, account, 200)
    status = _save_account(request, account, form)
    if status is None:
        messages.success(request, _("The account %(name)s was saved.") % {"name": account})
        return redirect("accounts:user_list")
    account.refresh_from_db()  # the failed attempt changed the object in memory only
    return _user_form_page(request, form, account, status)


def _user_form_page(
    request: HttpRequest, form: Form, account: User | None, status: int
) -> HttpResponse:
    context = {"form": form, "account": account, "client_role": Role.CLIENT}
    return render(request, "accounts/user_form.html", context, status=status)


def _save_account(request: HttpRequest, account: User, form: UserEditForm) -> int | None:
    return submit(
        form,
        lambda data: services.update_user(
            account,
            actor=request.user,
            expected_version=data["version"],
            **{name: data[name] for name in services.USER_ADMIN_FIELDS},
        ),
    )


# ---- API tokens ---------------------------------------------------------------------------------


@require_GET
@policy.requires("accounts.apitoken", "view")
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.for_user(request.user)
    context = {"tokens": tokens, "token_prefix": services.TOKEN_PREFIX}
    return render(request, "accounts/token_list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@policy.requires("accounts.apitoken", "add")
def token_create(request: HttpRequest) -> HttpResponse:
    """POST answers with the raw token itself: it is shown this once and stored nowhere."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.create_api_token(
                request.user, name=form.cleaned_data["name"], expires_at=form.expiry()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "accounts/token_created.html", {"token": token, "raw": raw})
    status = 422 if form.errors else 200
    return render(request, "accounts/token_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires("accounts.apitoken", "delete")
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes."""
    token = get_object_or_404(ApiToken.objects.for_user(request.user, "delete"), pk=pk)
    if request.method == "POST":
        services.revoke_api_token(token, actor=request.user)
        messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
        return redirect("accounts:token_list")
    context = {"token": token, "token_prefix": services.TOKEN_PREFIX}
    return render(request, "accounts/token_revoke.html", context)
