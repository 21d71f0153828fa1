import pytest
from django.core.exceptions import ValidationError

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.crm.models import Client
from charter.crm.services import clients as services


@pytest.mark.django_db
def test_create_client_validates_and_writes_nothing_on_error(users, client_org):
    with pytest.raises(ValidationError) as error:
        services.create_client(actor=users["manager"], name=client_org.name)
    assert set(error.value.message_dict) == {"name"}
    assert Client.objects.count() == 1
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_update_client_is_a_compare_and_set(users, client_org):
    stale = Client.objects.get(pk=client_org.pk)
    services.update_client(client_org, actor=users["manager"], expected_version=1, name="新名称")
    with pytest.raises(StaleEdit):
        services.update_client(stale, actor=users["admin"], expected_version=1, short_name="旧")
    stored = Client.objects.get(pk=client_org.pk)
    assert (stored.name, stored.short_name, stored.version) == ("新名称", "云栖科技", 2)
    assert list(AuditEvent.objects.values_list("action", "changes")) == [
        ("updated", {"name": ["上海云栖科技有限公司", "新名称"]})
    ]


@pytest.mark.django_db
def test_an_unchanged_save_bumps_the_version_but_audits_nothing(users, client_org):
    services.update_client(
        client_org, actor=users["manager"], expected_version=1, name=client_org.name
    )
    assert Client.objects.get(pk=client_org.pk).version == 2
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_only_client_fields_are_editable(users, client_org):
    with pytest.raises(ValueError, match="version"):
        services.update_client(client_org, actor=users["manager"], expected_version=1, version=9)
    with pytest.raises(ValueError, match="created_at"):
        services.create_client(actor=users["manager"], name="x", created_at=None)
