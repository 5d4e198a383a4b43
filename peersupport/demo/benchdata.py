"""The data `bench_pages` measures the pages on: a service in its stride, built mostly with the
project's own services (the volume in bulk, in states those services produce).

`build()` makes approved supporters with lived experience, capacity and the current agreements
acknowledged, survivors with open requests, one supporter with several active pairings of many
sessions and check-ins each (one of their survivors is the survivor persona), a coordinator, a
few concerns, and a matching run, so the queue holds the matcher's proposals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db.models import F
from django.utils import timezone

from ethics.agreements.models import AUDIENCES_FOR_ROLE, Acknowledgement
from ethics.agreements.selectors import current_versions, outstanding_agreements
from ethics.agreements.services import agreement_acknowledge
from ethics.care.models import ConcernCategory
from ethics.care.services import concern_raise
from matching import runner
from matching.models import Pairing, PairingState, PairingTransition, SupportRequest
from matching.services import (
    RequestData,
    offer_accept,
    pairing_offer,
    pairing_propose,
    request_open,
)
from peersupport.people.models import (
    AVAILABILITY_SLOTS,
    Gender,
    Language,
    LivedExperienceArea,
    MeetingMode,
    Relationship,
    Role,
    SupporterProfile,
    SupporterStatus,
    SurvivorProfile,
    User,
)
from peersupport.people.services import (
    coordinator_create,
    supporter_apply,
    supporter_decide,
    survivor_register,
)
from sessions.models import (
    CheckIn,
    CheckInReminder,
    CheckInSchedule,
    ReminderStatus,
    SessionStatus,
    WantsSession,
)
from sessions.reminders import reminders_materialise_chunk
from sessions.services import checkin_answer, schedule_defaults, session_log

BATCH = 2000
ZONES = ["Europe/London", "Europe/London", "Europe/London", "Europe/Dublin", "Europe/Paris"]
# Most people speak English; some also (or only) another language.
OTHER_LANGUAGES = ["fr", "es", "pt", "pl", "ar", "ur", "pa", "cy"]


@dataclass(frozen=True)
class Personas:
    """Who signs in, and the pages' objects. Every persona shares `password`."""

    survivor_email: str
    supporter_email: str
    coordinator_email: str
    password: str
    survivor_id: int
    supporter_id: int
    coordinator_id: int
    pairing_id: int  # the survivor persona's active pairing with the supporter persona
    counts: dict


def _mask(rng: random.Random, slots: int) -> int:
    mask = 0
    for slot in rng.sample(range(AVAILABILITY_SLOTS), slots):
        mask |= 1 << slot
    return mask


class _Vocab:
    def __init__(self) -> None:
        self.languages = {row.slug: row for row in Language.objects.all()}
        self.modes = list(MeetingMode.objects.order_by("order"))
        self.areas = list(LivedExperienceArea.objects.order_by("order"))
        self.genders = list(Gender.objects.order_by("order"))

    def languages_for(self, rng: random.Random) -> list[Language]:
        chosen = [self.languages["en"]] if rng.random() < 0.9 else []
        if not chosen or rng.random() < 0.2:
            chosen.append(self.languages[rng.choice(OTHER_LANGUAGES)])
        return chosen


def _verified(users: list[User]) -> None:
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=BATCH,
    )


def _acknowledged(users: list[User], role: str) -> None:
    """What agreement_acknowledge leaves for each current version (the rows, in bulk)."""
    versions = list(
        current_versions(audiences=AUDIENCES_FOR_ROLE[role]).values_list("pk", flat=True)
    )
    Acknowledgement.objects.bulk_create(
        [Acknowledgement(user=user, version_id=v) for user in users for v in versions],
        batch_size=BATCH,
    )


def _links(manager_of, owners: list, items_of) -> None:
    """Bulk many-to-many rows: `items_of(owner)` lists each owner's items."""
    through = manager_of(owners[0]).through
    source = manager_of(owners[0]).source_field_name
    target = manager_of(owners[0]).target_field_name
    through.objects.bulk_create(
        [
            through(**{f"{source}_id": owner.pk, f"{target}_id": item.pk})
            for owner in owners
            for item in items_of(owner)
        ],
        batch_size=BATCH,
    )


def _acknowledge_all(user: User) -> None:
    for version in outstanding_agreements(user):
        agreement_acknowledge(user=user, version_id=version.pk)


def _supporters(count: int, vocab: _Vocab, rng: random.Random, coordinator: User) -> None:
    now = timezone.now()
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                email=f"supporter{i}@bench.invalid",
                display_name=f"Helper {i}",
                role=Role.SUPPORTER,
                password=unusable,
                time_zone=rng.choice(ZONES),
                date_joined=now - timedelta(days=rng.randint(30, 700)),
            )
            for i in range(count)
        ],
        batch_size=BATCH,
    )
    _verified(users)
    relationships = [Relationship.SURVIVOR] * 3 + [
        Relationship.FAMILY,
        Relationship.PARTNER,
        Relationship.FRIEND,
    ]
    profiles = SupporterProfile.objects.bulk_create(
        [
            SupporterProfile(
                user=user,
                status=SupporterStatus.APPROVED,
                relationship=rng.choice(relationships),
                gender=rng.choice(vocab.genders),
                availability=_mask(rng, rng.randint(3, 12)),
                capacity=rng.randint(1, 4),
                motivation="I would like to give back what I was given.",
                decided_by=coordinator,
                decided_at=user.date_joined + timedelta(days=7),
            )
            for user in users
        ],
        batch_size=BATCH,
    )
    chosen = {
        p.pk: (
            vocab.languages_for(rng),
            rng.sample(vocab.modes, rng.randint(1, 3)),
            rng.sample(vocab.areas, rng.randint(1, 4)),
        )
        for p in profiles
    }
    _links(lambda p: p.languages, profiles, lambda p: chosen[p.pk][0])
    _links(lambda p: p.meeting_modes, profiles, lambda p: chosen[p.pk][1])
    _links(lambda p: p.areas, profiles, lambda p: chosen[p.pk][2])
    _acknowledged(users, Role.SUPPORTER)


def _open_requests(count: int, vocab: _Vocab, rng: random.Random) -> None:
    now = timezone.now()
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                email=f"person{i}@bench.invalid",
                display_name=f"Person {i}",
                role=Role.SURVIVOR,
                password=unusable,
                time_zone=rng.choice(ZONES),
            )
            for i in range(count)
        ],
        batch_size=BATCH,
    )
    _verified(users)
    SurvivorProfile.objects.bulk_create([SurvivorProfile(user=u) for u in users], batch_size=BATCH)
    _acknowledged(users, Role.SURVIVOR)
    requests = []
    for user in users:
        gender = rng.choice(vocab.genders) if rng.random() < 0.4 else None
        requests.append(
            SupportRequest(
                survivor=user,
                time_zone=user.time_zone,
                availability=_mask(rng, rng.randint(2, 10)),
                gender_pref=gender,
                gender_must=gender is not None and rng.random() < 0.5,
                relationship_pref="survivor" if rng.random() < 0.3 else "",
                opened_at=now - timedelta(days=rng.uniform(0, 60)),
            )
        )
    requests = SupportRequest.objects.bulk_create(requests, batch_size=BATCH)
    for r in requests:
        r.relationship_must = bool(r.relationship_pref) and rng.random() < 0.5
    SupportRequest.objects.bulk_update(requests, ["relationship_must"], batch_size=BATCH)
    chosen = {}
    for r in requests:
        must = rng.sample(vocab.areas, 1) if rng.random() < 0.33 else []
        nice = [a for a in rng.sample(vocab.areas, rng.randint(0, 2)) if a not in must]
        chosen[r.pk] = (
            vocab.languages_for(rng),
            rng.sample(vocab.modes, rng.randint(1, 3)),
            must,
            nice,
        )
    _links(lambda r: r.languages, requests, lambda r: chosen[r.pk][0])
    _links(lambda r: r.meeting_modes, requests, lambda r: chosen[r.pk][1])
    _links(lambda r: r.areas_must, requests, lambda r: chosen[r.pk][2])
    _links(lambda r: r.areas_nice, requests, lambda r: chosen[r.pk][3])


def _person(email: str, name: str, role: str, password: str) -> User:
    user = User.objects.create_user(email=email, password=None, display_name=name, role=role)
    user.password = password
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _backdate(pairing: Pairing, started: datetime) -> None:
    """The pairing began `started` (a pairing made today could hold no past sessions)."""
    SupportRequest.objects.filter(pk=pairing.request_id).update(
        opened_at=started - timedelta(days=5)
    )
    Pairing.objects.filter(pk=pairing.pk).update(
        created_at=started - timedelta(days=3), activated_at=started
    )
    PairingTransition.objects.filter(pairing=pairing).update(at=started)


def _sessions(pairing: Pairing, supporter: User, count: int, rng: random.Random) -> None:
    started = pairing.activated_at
    for week in range(count):
        starts_at = (started + timedelta(days=7 * week + 2)).replace(minute=0, second=0)
        status = SessionStatus.MISSED if week % 9 == 8 else SessionStatus.HELD
        session_log(
            supporter=supporter,
            pairing_id=pairing.pk,
            starts_at=starts_at,
            duration_minutes=rng.choice([45, 60, 60, 90]),
            mode=rng.choice(["chat", "video", "phone"]),
            status=status,
            wellbeing=rng.randint(2, 5) if status == SessionStatus.HELD else None,
            notes="Talked about the week; agreed to look at sleep next time.",
        )
    session_log(
        supporter=supporter,
        pairing_id=pairing.pk,
        starts_at=(timezone.now() + timedelta(days=3)).replace(minute=0, second=0),
        duration_minutes=60,
        mode="video",
        status=SessionStatus.SCHEDULED,
    )


def _checkins(pairings: list[Pairing], rng: random.Random) -> None:
    """Weekly check-ins since each pairing began, made by the reminder pipeline at the time
    they fell due; the survivor answered most of them."""
    for pairing in pairings:
        schedule_defaults(pairing).save()
    now = timezone.now()
    for _week in range(200):
        due = (
            CheckInSchedule.objects.filter(pairing__in=pairings)
            .order_by("next_due_at")
            .values_list("next_due_at", flat=True)
            .first()
        )
        if due is None or due > now - timedelta(days=1):
            break
        reminders_materialise_chunk(now=due + timedelta(hours=1))
    CheckInReminder.objects.filter(pairing__in=pairings).update(
        status=ReminderStatus.SENT, sent_at=F("send_at"), attempts=1
    )
    survivors = {p.pk: p.survivor for p in pairings}
    for checkin in CheckIn.objects.filter(pairing__in=pairings).order_by("due_at"):
        if rng.random() < 0.25:
            continue
        checkin_answer(
            survivor=survivors[checkin.pairing_id],
            checkin_id=checkin.pk,
            mood=rng.randint(1, 5),
            wants_session=rng.choice([WantsSession.NO, WantsSession.NO, WantsSession.YES]),
            note="A better week." if rng.random() < 0.5 else "",
            now=checkin.due_at + timedelta(hours=rng.randint(2, 30)),
        )


def _persona_pairings(
    *,
    count: int,
    sessions: int,
    supporter: User,
    survivor_persona: User,
    coordinator: User,
    vocab: _Vocab,
    rng: random.Random,
) -> list[Pairing]:
    """The supporter persona's pairings, each through request, proposal, offer, acceptance
    and both sides' agreements, as people make them."""
    pairings = []
    for i in range(count):
        if i == 0:
            survivor = survivor_persona
        else:
            survivor = _person(f"paired{i}@bench.invalid", "", Role.SURVIVOR, make_password(None))
            survivor_register(user=survivor, display_name=f"Paired {i}")
        _acknowledge_all(survivor)
        request = request_open(
            survivor=survivor,
            data=RequestData(
                areas_must=[],
                areas_nice=[vocab.areas[1]],
                languages=[vocab.languages["en"]],
                meeting_modes=vocab.modes[:3],
                time_zone="Europe/London",
                availability=_mask(rng, 8),
                gender_pref=None,
                gender_must=False,
                relationship_pref="",
                relationship_must=False,
                note_for_supporter="Evenings suit me best.",
            ),
        )
        pairing = pairing_propose(request=request, supporter=supporter, actor=coordinator)
        pairing_offer(pairing_id=pairing.pk, actor=coordinator)
        pairing = offer_accept(pairing_id=pairing.pk, supporter=supporter)
        if pairing.state != PairingState.ACTIVE:
            raise RuntimeError(f"pairing {pairing.pk} did not start ({pairing.state})")
        # Far enough back for `sessions` weekly sessions, each pairing a little apart.
        _backdate(pairing, timezone.now() - timedelta(days=7 * (sessions + 1) + 3 * i, hours=2))
        pairing.refresh_from_db()
        _sessions(pairing, supporter, sessions, rng)
        pairings.append(pairing)
    _checkins(pairings, rng)
    concern_raise(
        user=pairings[-1].survivor,
        pairing=pairings[-1],
        category=ConcernCategory.COMMITMENT,
        text="Two sessions were moved at short notice.",
    )
    return pairings


def build(
    *,
    supporters: int = 300,
    requests: int = 200,
    pairings: int = 5,
    sessions: int = 20,
    password: str,
    seed: int = 1,
) -> Personas:
    """Fill an empty (freshly migrated) database. `password` is a clear-text password the
    personas sign in with."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, not a secret
    hashed = make_password(password)
    vocab = _Vocab()

    coordinator = coordinator_create(
        email="coordinator@bench.invalid", display_name="Casey", created_by=None
    )
    coordinator.password = hashed
    coordinator.save(update_fields=["password"])

    _supporters(supporters, vocab, rng, coordinator)

    supporter = _person("helper@bench.invalid", "", Role.SURVIVOR, hashed)
    profile = supporter_apply(
        user=supporter,
        display_name="Alex",
        relationship=Relationship.SURVIVOR,
        areas=vocab.areas[:3],
        languages=[vocab.languages["en"]],
        meeting_modes=vocab.modes[:3],
        gender=vocab.genders[0],
        availability=_mask(rng, 12),
        capacity=min(10, pairings + 1),
        motivation="I know how much it helps to talk to someone who has been there.",
    )
    supporter_decide(profile_id=profile.pk, coordinator=coordinator, approve=True)
    supporter.refresh_from_db()
    _acknowledge_all(supporter)

    survivor = _person("survivor@bench.invalid", "", Role.SURVIVOR, hashed)
    survivor_register(user=survivor, display_name="Sam")
    made = _persona_pairings(
        count=pairings,
        sessions=sessions,
        supporter=supporter,
        survivor_persona=survivor,
        coordinator=coordinator,
        vocab=vocab,
        rng=rng,
    )

    _open_requests(requests, vocab, rng)
    run = runner.matching_run(actor=None, offer=False)
    return Personas(
        survivor_email=survivor.email,
        supporter_email=supporter.email,
        coordinator_email=coordinator.email,
        password=password,
        survivor_id=survivor.pk,
        supporter_id=supporter.pk,
        coordinator_id=coordinator.pk,
        pairing_id=made[0].pk,
        counts={
            "supporters": supporters + 1,
            "open_requests": requests,
            "persona_pairings": pairings,
            "sessions_per_pairing": sessions,
            "proposals": len(run.proposals),
            "check_ins": CheckIn.objects.count(),
        },
    )
