import pytest

from charter.core.concurrency import StaleEdit, etag, update_versioned, version_from_if_match
from charter.crm.models import Client


@pytest.mark.django_db
def test_second_editor_with_the_old_version_is_refused(client_org):
    first = Client.objects.get(pk=client_org.pk)
    second = Client.objects.get(pk=client_org.pk)
    first.short_name = "第一"
    update_versioned(first, expected_version=1, fields=["short_name"])
    assert first.version == 2
    second.short_name = "第二"
    with pytest.raises(StaleEdit):
        update_versioned(second, expected_version=1, fields=["short_name"])
    stored = Client.objects.get(pk=client_org.pk)
    assert (stored.short_name, stored.version) == ("第一", 2)


def test_if_match_parsing():
    assert version_from_if_match('"3"') == 3
    assert version_from_if_match('W/"12"') == 12
    assert version_from_if_match("*") is None
    assert version_from_if_match('"abc"') is None


@pytest.mark.django_db
def test_etag_follows_the_version(client_org):
    assert etag(client_org) == '"1"'
