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
