import pytest
from django.core import checks
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path

from charter.core import policy
from charter.core.checks import check_every_endpoint_has_a_policy


def test_rules_are_data_per_role(users):
    assert policy.allows(users["admin"], "accounts.user", "change")
    assert not policy.allows(users["manager"], "accounts.user", "change")
    assert policy.allows(users["client"], "crm.client", "view")
    assert not policy.allows(users["client"], "crm.client", "list")


def test_unknown_rule_is_an_error_not_a_silent_no(users):
    with pytest.raises(LookupError):
        policy.allows(users["admin"], "nothing.here", "view")


def test_inactive_user_is_treated_as_anonymous(users):
    member = users["member"]
    member.is_active = False
    assert policy.role_of(member) == policy.ANONYMOUS
    assert not policy.allows(member, "core.dashboard", "view")


def test_requires_redirects_anonymous_and_forbids_other_roles(users):
    @policy.requires("accounts.user", "view")
    def view(request):
        return HttpResponse("ok")

    factory = RequestFactory()
    request = factory.get("/x")
    request.user = users["admin"]
    assert view(request).status_code == 200
    request.user = users["member"]
    with pytest.raises(PermissionDenied):
        view(request)
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert view(request).status_code == 302
    assert view.charter_policy == ("accounts.user", "view")


def test_a_rule_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="declared twice"):
        policy.register({"crm.client": {"view": policy.EVERYONE}})


def undeclared_view(request):
    return HttpResponse("no policy")


urlpatterns = [path("leak/", undeclared_view, name="leak")]


def test_system_check_fails_for_an_endpoint_without_policy():
    assert check_every_endpoint_has_a_policy() == []
    with override_settings(ROOT_URLCONF=__name__):
        errors = check_every_endpoint_has_a_policy()
    assert [error.id for error in errors] == ["charter.E001"]
    assert "leak/" in errors[0].msg


def test_system_check_is_registered():
    ids = {message.id for message in checks.run_checks(tags=[checks.Tags.security])}
    assert "charter.E001" not in ids
