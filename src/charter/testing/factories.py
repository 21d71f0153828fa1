"""factory-boy factories shared by every app's tests."""

import factory
from factory.django import DjangoModelFactory

from charter.accounts.choices import Role
from charter.accounts.models import User
from charter.crm.models import Client

PASSWORD = "correct-horse-battery"  # noqa: S105  (test accounts only)


class ClientFactory(DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"客户 {n} 有限公司")
    short_name = factory.Sequence(lambda n: f"客户{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    role = Role.MEMBER
    language = "en"
    is_staff = factory.LazyAttribute(lambda user: user.role == Role.ADMIN)
    is_superuser = factory.LazyAttribute(lambda user: user.role == Role.ADMIN)
    client = factory.Maybe(
        factory.LazyAttribute(lambda user: user.role == Role.CLIENT),
        yes_declaration=factory.SubFactory(ClientFactory),
        no_declaration=None,
    )
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = "crm.Contact"

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"联系人 {n}")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")


def _first_open_stage():
    from charter.crm.models import Stage

    return Stage.objects.filter(kind="open").order_by("order", "pk").first()


class OpportunityFactory(DjangoModelFactory):
    """A deal in the first open stage of the default pipeline (created by migration crm 0004)."""

    class Meta:
        model = "crm.Opportunity"

    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"商机 {n}")
    amount = 100000
    stage = factory.LazyFunction(_first_open_stage)
    probability = factory.LazyAttribute(lambda deal: deal.stage.probability)


class InteractionFactory(DjangoModelFactory):
    class Meta:
        model = "crm.Interaction"

    client = factory.SubFactory(ClientFactory)
    kind = "call"
    summary = factory.Sequence(lambda n: f"电话沟通 {n}")


class StageFactory(DjangoModelFactory):
    """An extra open stage at the end of the pipeline."""

    class Meta:
        model = "crm.Stage"

    name_zh = factory.Sequence(lambda n: f"阶段 {n}")
    name_en = factory.Sequence(lambda n: f"Stage {n}")
    order = factory.Sequence(lambda n: 1000 + n)


class ImportJobFactory(DjangoModelFactory):
    """A client import of a one-row CSV, waiting for its mapping (``status="checked"`` and
    ``to_create=1`` make one that is ready to commit)."""

    class Meta:
        model = "crm.ImportJob"

    kind = "clients"
    file = factory.django.FileField(
        filename="clients.csv", data=b"name\n" + "导入客户 有限公司\n".encode()
    )
    file_name = "clients.csv"
    file_format = "csv"
    encoding = "utf-8-sig"
    headers = factory.LazyFunction(lambda: ["name"])
    mapping = factory.LazyFunction(lambda: {"name": "name"})
    rows_total = 1
