"""Benchmark the real matching path on a random, realistic instance in a scratch database.

    python manage.py bench_matching --requests 10000 --supporters 2000 --seed 1

Builds the instance (matching/bench_instance.py) as rows in a scratch database, created and
dropped here (in memory for SQLite; `<name>_bench_matching` for PostgreSQL, never the test
suite's `test_<name>` nor the real database), then times matching_run (loading, hard
constraints, scoring, solving, writing proposals with their explanations) and prints one JSON
line, with the greedy highest-score-first result from the same edges.
"""

from __future__ import annotations

import json
import resource
import time
from datetime import timedelta

import numpy as np
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from ethics.agreements.models import AUDIENCES_FOR_ROLE, Acknowledgement
from ethics.agreements.selectors import current_versions
from matching import bench_instance, runner
from matching.models import EndReason, Pairing, PairingState, SupportRequest
from peersupport.people.models import (
    Gender,
    Language,
    LivedExperienceArea,
    MeetingMode,
    Relationship,
    Role,
    SupporterProfile,
    SupporterStatus,
    User,
)

# make_instance's time-zone clusters (UTC offsets in minutes) as zone names.
ZONES = {
    0: "UTC",
    60: "Etc/GMT-1",
    120: "Etc/GMT-2",
    -300: "Etc/GMT+5",
    -480: "Etc/GMT+8",
    330: "Asia/Kolkata",
    600: "Etc/GMT-10",
}
BATCH = 5000


def _vocab(model, n, prefix):
    existing = list(model.objects.order_by("pk"))
    for i in range(len(existing), n):
        existing.append(model.objects.create(slug=f"{prefix}-{i}", name=f"{prefix} {i}"))
    return [row.pk for row in existing[:n]]


def _links(through, owner_field, item_field, owner_ids, matrix, item_ids):
    rows, cols = np.nonzero(matrix)
    through.objects.bulk_create(
        [
            through(**{owner_field: int(owner_ids[r]), item_field: int(item_ids[c])})
            for r, c in zip(rows, cols, strict=True)
        ],
        batch_size=BATCH,
    )


class Command(BaseCommand):
    help = "Time the real matching path on a random instance in a scratch database."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=10000)
        parser.add_argument("--supporters", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, requests, supporters, seed, **options):
        old_name = connection.settings_dict["NAME"]
        test_settings = connection.settings_dict.setdefault("TEST", {})
        old_test_name = test_settings.get("NAME")
        # SQLite: None is an in-memory database. PostgreSQL: a name of its own, so the
        # benchmark never clobbers the test suite's database (test_<name>).
        test_settings["NAME"] = (
            None if connection.vendor == "sqlite" else f"{old_name}_bench_matching"
        )
        try:
            test_name = connection.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False, keepdb=False
            )
        except BaseException:
            test_settings["NAME"] = old_test_name
            raise
        try:
            started = time.perf_counter()
            self._build(requests, supporters, seed)
            seconds_build = time.perf_counter() - started
            started = time.perf_counter()
            result = runner.matching_run(actor=None, offer=False, compare_greedy=True)
            # The greedy comparison is not part of the matching path: leave it out.
            seconds_total = time.perf_counter() - started - result.seconds_greedy
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
            test_settings["NAME"] = old_test_name
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        database = (
            "sqlite (in memory)"
            if connection.vendor == "sqlite"
            else f"{connection.vendor} (scratch database {test_name})"
        )
        self.stdout.write(
            json.dumps(
                {
                    "requests": requests,
                    "supporters": supporters,
                    "edges": result.edges,
                    "assigned": result.assigned,
                    "total_score": result.total_score,
                    "greedy_assigned": result.greedy_assigned,
                    "greedy_total_score": result.greedy_total_score,
                    "seconds_load": round(result.seconds_load, 3),
                    "seconds_solve": round(result.seconds_solve, 3),
                    "seconds_write": round(result.seconds_write, 3),
                    "seconds_total": round(seconds_total, 3),
                    "seconds_greedy": round(result.seconds_greedy, 3),
                    "seconds_build_instance": round(seconds_build, 3),
                    "peak_rss_mb": round(peak, 1),
                    "database": database,
                    "seed": seed,
                }
            )
        )

    @transaction.atomic
    def _build(self, n_requests, n_supporters, seed):

        rq, sp = bench_instance.make_instance(n_requests, n_supporters, seed)
        languages = _vocab(Language, rq.languages.shape[1], "lang")
        modes = _vocab(MeetingMode, rq.modes.shape[1], "mode")
        areas = _vocab(LivedExperienceArea, rq.areas_must.shape[1], "area")
        genders = _vocab(Gender, 1 + int(max(sp.gender.max(), 0)), "gender")
        now = timezone.now()

        users = User.objects.bulk_create(
            [
                User(
                    email=f"bench-s{i}@example.org",
                    display_name=f"S{i}",
                    role=Role.SUPPORTER,
                    password="!",  # noqa: S106 - unusable password
                    time_zone=ZONES.get(int(sp.tz_offset_minutes[i]), "UTC"),
                )
                for i in range(len(sp))
            ],
            batch_size=BATCH,
        )
        relationship = [Relationship.SURVIVOR, Relationship.FAMILY]
        profiles = SupporterProfile.objects.bulk_create(
            [
                SupporterProfile(
                    user=user,
                    status=SupporterStatus.APPROVED,
                    relationship=relationship[max(int(sp.relationship[i]), 0)],
                    gender_id=genders[int(sp.gender[i])] if sp.gender[i] >= 0 else None,
                    availability=int(sp.availability[i]),
                    capacity=int(sp.capacity_left[i]),
                    motivation="bench",
                )
                for i, user in enumerate(users)
            ],
            batch_size=BATCH,
        )
        profile_ids = [p.pk for p in profiles]
        _links(
            SupporterProfile.languages.through,
            "supporterprofile_id",
            "language_id",
            profile_ids,
            sp.languages,
            languages,
        )
        _links(
            SupporterProfile.meeting_modes.through,
            "supporterprofile_id",
            "meetingmode_id",
            profile_ids,
            sp.modes,
            modes,
        )
        _links(
            SupporterProfile.areas.through,
            "supporterprofile_id",
            "livedexperiencearea_id",
            profile_ids,
            sp.areas,
            areas,
        )
        versions = list(
            current_versions(audiences=AUDIENCES_FOR_ROLE[Role.SUPPORTER]).values_list(
                "pk", flat=True
            )
        )
        Acknowledgement.objects.bulk_create(
            [Acknowledgement(user=user, version_id=v) for user in users for v in versions],
            batch_size=BATCH,
        )

        survivors = User.objects.bulk_create(
            [
                User(
                    email=f"bench-r{i}@example.org",
                    display_name=f"R{i}",
                    role=Role.SURVIVOR,
                    password="!",  # noqa: S106 - unusable password
                )
                for i in range(len(rq))
            ],
            batch_size=BATCH,
        )
        rel_pref = ["survivor", "close_supporter"]
        requests = []
        for i, survivor in enumerate(survivors):
            g_must, g_nice = int(rq.gender_must[i]), int(rq.gender_nice[i])
            r_must, r_nice = int(rq.relationship_must[i]), int(rq.relationship_nice[i])
            gender = g_must if g_must >= 0 else g_nice
            rel = r_must if r_must >= 0 else r_nice
            requests.append(
                SupportRequest(
                    survivor=survivor,
                    time_zone=ZONES.get(int(rq.tz_offset_minutes[i]), "UTC"),
                    availability=int(rq.availability[i]),
                    gender_pref_id=genders[gender] if gender >= 0 else None,
                    gender_must=g_must >= 0,
                    relationship_pref=rel_pref[rel] if rel >= 0 else "",
                    relationship_must=r_must >= 0,
                    opened_at=now - timedelta(days=float(rq.waiting_days[i])),
                )
            )
        requests = SupportRequest.objects.bulk_create(requests, batch_size=BATCH)
        request_ids = [r.pk for r in requests]
        _links(
            SupportRequest.languages.through,
            "supportrequest_id",
            "language_id",
            request_ids,
            rq.languages,
            languages,
        )
        _links(
            SupportRequest.meeting_modes.through,
            "supportrequest_id",
            "meetingmode_id",
            request_ids,
            rq.modes,
            modes,
        )
        _links(
            SupportRequest.areas_must.through,
            "supportrequest_id",
            "livedexperiencearea_id",
            request_ids,
            rq.areas_must,
            areas,
        )
        _links(
            SupportRequest.areas_nice.through,
            "supportrequest_id",
            "livedexperiencearea_id",
            request_ids,
            rq.areas_nice & ~rq.areas_must,
            areas,
        )

        # The instance's exclusions become declined offers for those requests.
        request_of = dict(zip(rq.ids.tolist(), requests, strict=True))
        supporter_of = dict(zip(sp.ids.tolist(), users, strict=True))
        Pairing.objects.bulk_create(
            [
                Pairing(
                    request=request_of[r],
                    survivor_id=request_of[r].survivor_id,
                    supporter=supporter_of[s],
                    state=PairingState.ENDED,
                    end_reason=EndReason.DECLINED,
                    ended_at=now,
                )
                for r, s in rq.excluded.tolist()
                if r in request_of and s in supporter_of
            ],
            batch_size=BATCH,
        )
