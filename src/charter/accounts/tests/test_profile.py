import pytest
from django.conf import settings
from django.urls import reverse

from charter.accounts import services
from charter.accounts.forms import COMMON_TIME_ZONES
from charter.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def profile_data(user, **changes):
    data = {
        "display_name": user.display_name,
        "email": user.email,
        "language": user.language,
        "time_zone": user.time_zone,
        "version": user.version,
    }
    return {**data, **changes}


def test_profile_page_lists_common_time_zones_first(signed_in):
    html = signed_in("client").get(reverse("accounts:profile")).content.decode()
    positions = [html.index(f'value="{zone}"') for zone in COMMON_TIME_ZONES]
    assert positions == sorted(positions)
    assert html.index('value="UTC"') < html.index('value="Africa/Abidjan"')
    assert 'class="form-select"' in html


def test_saving_the_profile_changes_language_from_the_next_page(signed_in, users):
    member = users["member"]
    http = signed_in("member")
    response = http.post(
        reverse("accounts:profile"),
        profile_data(member, display_name="Li Lei", language="zh-hans", time_zone="Europe/Berlin"),
    )
    assert response["Location"] == reverse("accounts:profile")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    member.refresh_from_db()
    assert (member.display_name, member.language, member.time_zone) == (
        "Li Lei",
        "zh-hans",
        "Europe/Berlin",
    )
    assert member.version == 2
    next_page = http.get(response["Location"])
    assert '<html lang="zh-hans">' in next_page.content.decode()
    event = AuditEvent.objects.get(action="updated", object_id=str(member.pk))
    assert event.changes["language"] == ["en", "zh-hans"]


def test_invalid_profile_input_is_shown_and_nothing_saved(signed_in, users):
    member = users["member"]
    response = signed_in("member").post(
        reverse("accounts:profile"),
        profile_data(member, email="not-an-address", time_zone="Mars/Base"),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count("is-invalid") == 2
    assert 'value="not-an-address"' in html
    member.refresh_from_db()
    assert member.version == 1


def test_stale_profile_edit_keeps_the_input_and_explains(signed_in, users):
    member = users["member"]
    stale = profile_data(member, display_name="My new name")
    services.set_preferences(member, language="zh-hans", time_zone="UTC")  # e.g. another tab
    response = signed_in("member").post(reverse("accounts:profile"), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html
    assert 'value="My new name"' in html
    member.refresh_from_db()
    assert member.display_name != "My new name"
