"""factory_boy factories shared by every test package."""

from __future__ import annotations

import factory

from accounts.models import User

PASSWORD = "a-calm-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@hospital.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ParticipantFactory(UserFactory):
    is_participant = True
    line_manager = factory.SubFactory("tests.factories.ManagerFactory")


class FacilitatorFactory(UserFactory):
    is_facilitator = True


class ManagerFactory(UserFactory):
    is_manager = True


class ServiceLeadFactory(UserFactory):
    is_service_lead = True
