"""The race() test helper reports every outcome: a crash is never taken for a refusal."""

import pytest
from django.core.exceptions import ValidationError

from tests.helpers import race


def _ok():
    return None


def _refused():
    raise ValidationError("No places left.")


def _crashes():
    raise RuntimeError("boom")


def test_race_returns_one_outcome_per_function_in_order():
    assert race([_ok, _refused, _ok]) == ["ok", "No places left.", "ok"]


def test_race_fails_when_a_function_raises_anything_but_a_refusal():
    with pytest.raises(AssertionError, match="RuntimeError: boom"):
        race([_ok, _crashes, _refused])
