"""Two-step sign-in for the people who can read survivors' details."""

import json
import os
import subprocess
import sys

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import override_settings
from django.urls import reverse

from peersupport.people.models import SupporterStatus
from tests.factories import CoordinatorFactory, SupporterFactory, SurvivorFactory
from tests.platform.test_configuration import PRODUCTION, ROOT

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_required"),
]

SET_UP = reverse("mfa_activate_totp")


@pytest.fixture
def _required():
    with override_settings(MFA_REQUIRED_ROLES=["supporter", "coordinator"]):
        yield


def _get(client, user, name="home"):
    client.force_login(user)
    return client.get(reverse(name))


@pytest.mark.parametrize("factory", [SupporterFactory, CoordinatorFactory])
def test_supporters_and_coordinators_without_a_second_step_are_sent_to_set_one_up(client, factory):
    response = _get(client, factory())
    assert response.status_code == 302
    assert response["Location"] == SET_UP


def test_the_setup_page_itself_and_the_safety_pages_stay_reachable(client):
    supporter = SupporterFactory()
    client.force_login(supporter)
    for name in ("take_a_break", "help"):
        assert client.get(reverse(name)).status_code == 200
    final = client.get(SET_UP, follow=True)
    assert final.status_code == 200
    assert final.redirect_chain == [] or all(
        url.startswith("/accounts/") for url, _status in final.redirect_chain
    )
    assert client.get(reverse("quick_exit"))["Location"].startswith("https://")


def test_with_a_second_step_set_up_pages_open(client):
    supporter = SupporterFactory()
    TOTP.activate(supporter, generate_totp_secret())
    assert _get(client, supporter).status_code == 200


def test_survivors_and_applicants_are_not_asked(client):
    applicant = SupporterFactory(profile__status=SupporterStatus.APPLIED)
    assert _get(client, SurvivorFactory()).status_code == 200
    assert _get(client, applicant).status_code == 200


def test_production_requires_it_for_supporters_and_coordinators_by_default():
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps(settings.MFA_REQUIRED_ROLES))"
    )
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="peersupport.settings")
    env.pop("MFA_REQUIRED_ROLES", None)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["supporter", "coordinator"]
