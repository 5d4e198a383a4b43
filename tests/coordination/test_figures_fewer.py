"""The figures page, its charts and its CSV show any count from 1 to 4 as "fewer than 5" (a zero
stays 0: it points at nobody), and waiting times only when 5 or more people wait."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peersupport.coordination import charts, health
from peersupport.people.events import AuditAction
from peersupport.people.models import AuditEvent
from tests.factories import PairingFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db


def _csv(client) -> dict[tuple[str, str], str]:
    response = client.get(reverse("team:health_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response).decode())))
    return {(section, key): value for section, key, value in rows[1:]}


@pytest.mark.parametrize(("n", "shown"), [(0, 0), (1, "fewer"), (4, "fewer"), (5, 5), (12, 12)])
def test_figures_show_counts_from_1_to_4_as_fewer_than_5(n, shown):
    expected = health.FEWER if shown == "fewer" else shown
    assert health.shown(n) == expected
    assert str(health.FEWER) == "fewer than 5"


def test_the_figures_csv_says_fewer_than_5_and_hides_few_waiting_times(coordinator_client):
    now = timezone.now()
    for days in (1, 2, 3):
        SupportRequestFactory(opened_at=now - timedelta(days=days))
    for _ in range(6):
        PairingFactory()  # six active pairings: shown as 6
    figures = _csv(coordinator_client)
    assert figures[("requests", "open")] == "fewer than 5"
    assert figures[("requests", "waiting_median_days")] == ""  # three people's waits: hidden
    assert figures[("requests", "waiting_p90_days")] == ""
    assert figures[("pairings_by_state", "active")] == "6"
    assert figures[("pairings_by_state", "ended")] == "0"
    assert figures[("concerns", "open")] == "0"
    small = {"1", "2", "3", "4"}
    assert not [key for key, value in figures.items() if value in small]


def test_the_figures_page_and_its_charts_never_show_1_to_4(coordinator_client):
    PairingFactory(state="paused")
    PairingFactory(state="paused")
    html = coordinator_client.get(reverse("team:health")).content.decode()
    assert "data-small-numbers" in html
    charts_html = "".join(re.findall(r"<svg.*?</svg>", html, re.S))
    assert "data-suppressed" in charts_html
    assert "fewer than 5" in charts_html
    assert not re.search(r">\s*[1-4]\s*<", charts_html), "a small count is printed in a chart"
    main = html.split("<main", 1)[-1]
    assert not re.search(r"data-figure=\"[a-z_]+\">\s*[1-4]\s*<", main)


def test_a_fewer_than_5_bar_is_the_same_whatever_the_count_behind_it():
    one = charts.bar_chart([("a", health.shown(1)), ("b", 9)], title="t")
    four = charts.bar_chart([("a", health.shown(4)), ("b", 9)], title="t")
    assert one == four
    assert "&lt;5" in one


def test_downloading_the_figures_is_recorded(coordinator_client, coordinator):
    coordinator_client.get(reverse("team:health_csv"))
    rows = AuditEvent.objects.filter(action=AuditAction.FIGURES_EXPORTED, actor=coordinator)
    assert rows.count() == 1
