"""platform.generations.kept: a value and the numbers it depends on, read together; a write
that moves a number, even while the value is being worked out, makes the next read redo it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from peersupport.platform import generations

pytestmark = pytest.mark.django_db


def _counting(values: list):
    calls = []

    def compute():
        calls.append(1)
        return values[len(calls) - 1], 60

    return compute, calls


def test_kept_until_a_number_moves():
    cache.delete_many(["t:kept", "t:n1", "t:n2"])
    compute, calls = _counting(["first", "second"])
    assert generations.kept("t:kept", ("t:n1", "t:n2"), compute) == "first"
    assert generations.kept("t:kept", ("t:n1", "t:n2"), compute) == "first"
    assert len(calls) == 1
    generations.bump("t:n2")
    assert generations.kept("t:kept", ("t:n1", "t:n2"), compute) == "second"
    assert len(calls) == 2


def test_a_move_while_the_value_is_worked_out_is_not_lost():
    cache.delete_many(["t:race", "t:n"])
    generations.current("t:n")
    values = iter(["seen before the write", "after the write"])

    def compute_with_a_write_meanwhile():
        value = next(values)
        if value == "seen before the write":
            generations.bump("t:n")  # another request's write lands during the work
        return value, 60

    first = generations.kept("t:race", ("t:n",), compute_with_a_write_meanwhile)
    assert first == "seen before the write"
    # It was kept under the number read before the work: the next read redoes it.
    second = generations.kept("t:race", ("t:n",), compute_with_a_write_meanwhile)
    assert second == "after the write"


def test_an_entry_of_another_shape_is_redone():
    cache.delete_many(["t:old", "t:m"])
    cache.set("t:old", "kept by an older release")
    compute, calls = _counting(["fresh"])
    assert generations.kept("t:old", ("t:m",), compute) == "fresh"
    assert len(calls) == 1


def test_many_numbers_move_at_once():
    keys = [f"t:many:{n}" for n in range(50)]
    cache.delete_many(keys)
    before = generations.current_many(*keys)
    generations.bump(*keys)
    after = generations.current_many(*keys)
    assert all(b != a for b, a in zip(before, after, strict=True))
