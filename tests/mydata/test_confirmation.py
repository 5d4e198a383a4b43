"""Deleting an account is checked on a page of its own (the shared layout): the GET changes
nothing; the POST, with the password, does it (tests/mydata/test_mydata.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.confirming import assert_confirmation

pytestmark = pytest.mark.django_db


def test_deleting_an_account_is_checked_first(survivor_client, pairing):
    url = reverse("mydata:erase")
    assert f'href="{url}"' in survivor_client.get(reverse("mydata:overview")).content.decode()
    html = assert_confirmation(survivor_client, url, posts_to=url, button="Yes, delete my account")
    assert "This cannot be undone." in html
    assert 'name="password"' in html
    assert reverse("mydata:download") in html
