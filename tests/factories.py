"""Factories for the people in tests: a survivor, a supporter, a coordinator."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from peersupport.people.models import (
    Language,
    MeetingMode,
    Relationship,
    Role,
    SupporterProfile,
    SupporterStatus,
    SurvivorProfile,
    User,
)

PASSWORD = "a-long-test-password-41"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.SURVIVOR
    # The tests' clocks are written in UTC; a new account's default zone (settings'
    # DEFAULT_USER_TIME_ZONE) is tested on its own in tests/people/test_time_zones_and_week_grid.py.
    time_zone = "UTC"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class SurvivorFactory(UserFactory):
    role = Role.SURVIVOR
    profile = factory.RelatedFactory(
        "tests.factories.SurvivorProfileFactory", factory_related_name="user"
    )


class SurvivorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurvivorProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.SURVIVOR)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create:
            self.languages.set(extracted or Language.objects.filter(slug="en"))

    @factory.post_generation
    def meeting_modes(self, create, extracted, **kwargs):
        if create:
            self.meeting_modes.set(extracted or MeetingMode.objects.filter(slug="chat"))


class SupporterFactory(UserFactory):
    role = Role.SUPPORTER
    profile = factory.RelatedFactory(
        "tests.factories.SupporterProfileFactory", factory_related_name="user"
    )


class SupporterProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupporterProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.SUPPORTER)
    status = SupporterStatus.APPROVED
    relationship = Relationship.SURVIVOR
    capacity = 2
    motivation = "I would like to give back."

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create:
            self.languages.set(extracted or Language.objects.filter(slug="en"))

    @factory.post_generation
    def meeting_modes(self, create, extracted, **kwargs):
        if create:
            self.meeting_modes.set(extracted or MeetingMode.objects.filter(slug="chat"))

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)


class CoordinatorFactory(UserFactory):
    role = Role.COORDINATOR


class SupportRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "matching.SupportRequest"
        skip_postgeneration_save = True

    survivor = factory.SubFactory(SurvivorFactory)
    status = "open"

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create:
            self.languages.set(extracted or Language.objects.filter(slug="en"))

    @factory.post_generation
    def meeting_modes(self, create, extracted, **kwargs):
        if create:
            self.meeting_modes.set(extracted or MeetingMode.objects.filter(slug="chat"))

    @factory.post_generation
    def areas_must(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas_must.set(extracted)

    @factory.post_generation
    def areas_nice(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas_nice.set(extracted)


class PairingFactory(factory.django.DjangoModelFactory):
    """An active pairing (its request matched). Pass state=... for another state."""

    class Meta:
        model = "matching.Pairing"

    request = factory.SubFactory(SupportRequestFactory, status="matched")
    survivor = factory.SelfAttribute("request.survivor")
    supporter = factory.SubFactory(SupporterFactory)
    state = "active"
    activated_at = factory.LazyFunction(timezone.now)


class OfferFactory(PairingFactory):
    """An open offer to a supporter: its request still open, a day left to answer."""

    request = factory.SubFactory(SupportRequestFactory)
    state = "offered"
    activated_at = None
    offer_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
