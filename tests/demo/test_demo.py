"""The demo accounts start with the current agreements acknowledged, so the demo flows work."""

import pytest
from django.core.management import call_command

from ethics.agreements.models import Acknowledgement
from ethics.agreements.selectors import has_acknowledged_current
from peersupport.people.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_acknowledges_the_current_agreements_once(capsys):
    call_command("seed_demo", "--force")
    people = User.objects.filter(role__in=["survivor", "supporter"])
    assert people.count() == 3
    assert all(has_acknowledged_current(person) for person in people)
    count = Acknowledgement.objects.count()
    assert count == 6
    call_command("seed_demo", "--force")
    assert Acknowledgement.objects.count() == count
