"""factory_boy factories shared by every test package."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from accounts.models import User
from programmes.models import AgendaItem, InformationPack, InformationPackSection, SessionPlan
from sessions.models import Enrolment
from sessions.services.cohorts import group_sessions_create_weekly

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


# --- Programmes -------------------------------------------------------------


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programmes.Programme"

    name = factory.Sequence(lambda n: f"Compassion at work {n}")
    summary = "Twelve weekly sessions that build the soothing system."
    status = "published"
    booster_offsets_weeks = factory.LazyFunction(lambda: [4, 12])


def programme_with_plans(*, weeks: int = 12, boosters: int = 2, **kwargs):
    """Return a published programme with ``weeks`` weekly plans, ``boosters`` booster plans and a pack."""

    programme = ProgrammeFactory(weekly_session_count=weeks, booster_offsets_weeks=[4, 12][:boosters], **kwargs)
    plans = [
        SessionPlan(programme=programme, kind="weekly", number=n, title=f"Week {n} theme", intensity="medium")
        for n in range(1, weeks + 1)
    ] + [
        SessionPlan(programme=programme, kind="booster", number=n, title=f"Booster {n}", intensity="low")
        for n in range(1, boosters + 1)
    ]
    SessionPlan.objects.bulk_create(plans)
    AgendaItem.objects.bulk_create(
        AgendaItem(session_plan=plan, position=0, title="Whole session", minutes=programme.session_minutes)
        for plan in SessionPlan.objects.filter(programme=programme)
    )
    pack = InformationPack.objects.create(programme=programme, version=1, title="Before you join")
    InformationPackSection.objects.create(
        pack=pack, topic="who_for", heading="Who the group is for", body="Staff who care for others."
    )
    return programme


# --- Cohorts and sessions ---------------------------------------------------


class CohortFactory(factory.django.DjangoModelFactory):
    """A cohort with no sessions; use ``cohort_with_sessions`` for a scheduled one."""

    class Meta:
        model = "group_sessions.Cohort"
        skip_postgeneration_save = True

    programme = factory.LazyFunction(programme_with_plans)
    name = factory.Sequence(lambda n: f"Spring group {n}")
    start_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=7))
    weekday = factory.LazyAttribute(lambda o: o.start_date.weekday())
    start_time = datetime.time(13, 0)
    session_minutes = factory.LazyAttribute(lambda o: o.programme.session_minutes)
    time_zone = "Europe/London"
    holiday_region = "GB-ENG"
    venue = "Wellbeing room, Education Centre"
    capacity = 8
    status = "recruiting"

    @factory.post_generation
    def facilitators(obj, create, extracted, **kwargs):
        if create:
            obj.facilitators.set(extracted if extracted is not None else [FacilitatorFactory()])


def cohort_with_sessions(**kwargs):
    """Return a cohort with its weekly sessions (bank holidays respected, no closures)."""

    cohort = CohortFactory(**kwargs)
    group_sessions_create_weekly(cohort=cohort, closures={})
    return cohort


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "group_sessions.Enrolment"

    cohort = factory.SubFactory(CohortFactory)
    participant = factory.SubFactory(ParticipantFactory)
    status = "invited"


def enrol(cohort, participant=None, *, place_number: int | None = None):
    """Return a confirmed (enrolled) place for ``participant`` (a new one by default) in ``cohort``."""

    taken = Enrolment.objects.filter(cohort=cohort, place_number__isnull=False).count()
    return EnrolmentFactory(
        cohort=cohort,
        participant=participant or ParticipantFactory(),
        status="enrolled",
        place_number=place_number or taken + 1,
        pack_acknowledged=cohort.programme.information_packs.first(),
        acknowledged_at=timezone.now(),
        confirmed_at=timezone.now(),
    )
