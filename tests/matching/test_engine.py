"""Tests for matching.engine (pure NumPy; no database, no Django)."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import engine as E
from matching.bench_instance import make_instance

N_LANG, N_MODES, N_AREAS = 3, 4, 5


# ----------------------------------------------------------------------------------------
# Tiny hand-made instances
# ----------------------------------------------------------------------------------------
def _onehot(codes, width):
    row = np.zeros(width, dtype=bool)
    row[list(codes)] = True
    return row


def req(
    lang=(0,),
    modes=(0,),
    must=(),
    nice=(),
    gender_must=-1,
    gender_nice=-1,
    rel_must=-1,
    rel_nice=-1,
    avail=0,
    tz=0,
    wait=0.0,
):
    return dict(locals())


def sup(lang=(0,), modes=(0,), areas=(), gender=0, rel=0, avail=0, tz=0, cap=1):
    return dict(locals())


def build_requests(rows, excluded=(), n_lang=N_LANG, n_modes=N_MODES, n_areas=N_AREAS):
    return E.Requests(
        ids=np.array([100 + i for i in range(len(rows))], dtype=np.int64),
        languages=np.array([_onehot(r["lang"], n_lang) for r in rows]).reshape(-1, n_lang),
        modes=np.array([_onehot(r["modes"], n_modes) for r in rows]).reshape(-1, n_modes),
        areas_must=np.array([_onehot(r["must"], n_areas) for r in rows]).reshape(-1, n_areas),
        areas_nice=np.array([_onehot(r["nice"], n_areas) for r in rows]).reshape(-1, n_areas),
        gender_must=[r["gender_must"] for r in rows],
        gender_nice=[r["gender_nice"] for r in rows],
        relationship_must=[r["rel_must"] for r in rows],
        relationship_nice=[r["rel_nice"] for r in rows],
        availability=[r["avail"] for r in rows],
        tz_offset_minutes=[r["tz"] for r in rows],
        waiting_days=[r["wait"] for r in rows],
        excluded=np.array(excluded, dtype=np.int64).reshape(-1, 2),
    )


def build_supporters(rows, n_lang=N_LANG, n_modes=N_MODES, n_areas=N_AREAS):
    return E.Supporters(
        ids=np.array([200 + j for j in range(len(rows))], dtype=np.int64),
        languages=np.array([_onehot(s["lang"], n_lang) for s in rows]).reshape(-1, n_lang),
        modes=np.array([_onehot(s["modes"], n_modes) for s in rows]).reshape(-1, n_modes),
        areas=np.array([_onehot(s["areas"], n_areas) for s in rows]).reshape(-1, n_areas),
        gender=[s["gender"] for s in rows],
        relationship=[s["rel"] for s in rows],
        availability=[s["avail"] for s in rows],
        tz_offset_minutes=[s["tz"] for s in rows],
        capacity_left=[s["cap"] for s in rows],
    )


def edge_set(edges):
    return set(zip(edges.req_idx.tolist(), edges.sup_idx.tolist(), strict=True))


# ----------------------------------------------------------------------------------------
# Pure-Python reference implementation (one pair at a time), to check the vectorised code
# ----------------------------------------------------------------------------------------
def ref_reasons(rq, i, sp, j):
    """Set of hard constraints pair (i, j) fails."""
    failed = set()
    if sp.capacity_left[j] <= 0:
        failed.add(E.NO_CAPACITY)
    if not (rq.languages[i] & sp.languages[j]).any():
        failed.add(E.NO_LANGUAGE)
    if not (rq.modes[i] & sp.modes[j]).any():
        failed.add(E.NO_MODE)
    if (rq.areas_must[i] & ~sp.areas[j]).any():
        failed.add(E.MISSING_AREA)
    if rq.gender_must[i] >= 0 and rq.gender_must[i] != sp.gender[j]:
        failed.add(E.GENDER_MUST)
    if rq.relationship_must[i] >= 0 and rq.relationship_must[i] != sp.relationship[j]:
        failed.add(E.RELATIONSHIP_MUST)
    if any(int(a) == rq.ids[i] and int(b) == sp.ids[j] for a, b in rq.excluded):
        failed.add(E.EXCLUDED)
    return failed


def _round_half_up(fr: Fraction) -> int:
    return math.floor(fr + Fraction(1, 2))


def ref_score(rq, i, sp, j, w: E.Weights) -> int:
    c = w.centi()
    wanted = rq.areas_must[i] | rq.areas_nice[i]
    n = int(wanted.sum())
    k = int((wanted & sp.areas[j]).sum())
    se = (
        c["shared_experience"]
        if n == 0
        else _round_half_up(Fraction(c["shared_experience"] * k, n))
    )
    stated = met = 0
    for want, have in (
        (rq.gender_nice[i], sp.gender[j]),
        (rq.relationship_nice[i], sp.relationship[j]),
    ):
        if want >= 0:
            stated += 1
            met += int(want == have)
    nh = (
        c["nice_to_have"]
        if stated == 0
        else _round_half_up(Fraction(c["nice_to_have"] * met, stated))
    )
    ra, sa = int(rq.availability[i]), int(sp.availability[j])
    if ra == 0 or sa == 0:
        av = c["availability"]
    else:
        av = _round_half_up(Fraction(c["availability"] * (ra & sa).bit_count(), ra.bit_count()))
    d = abs(int(rq.tz_offset_minutes[i]) - int(sp.tz_offset_minutes[j])) % 1440
    d = min(d, 1440 - d)
    cap = round(w.timezone_cap_hours * 60)
    tz = _round_half_up(Fraction(c["timezone"] * (cap - min(d, cap)), cap))
    days = float(rq.waiting_days[i])
    frac = min(days, float(w.waiting_cap_days)) / float(w.waiting_cap_days)
    wt = math.floor(c["waiting"] * frac + 0.5)
    return se + nh + av + tz + wt


# ----------------------------------------------------------------------------------------
# Hard constraints: one test per constraint, the variant differs from a fitting supporter
# in that one attribute only.
# ----------------------------------------------------------------------------------------
BASE_REQ = req(lang=(1,), modes=(2,), must=(3,), nice=(0,), gender_must=0, rel_must=0)
BASE_SUP = sup(lang=(1, 2), modes=(1, 2), areas=(0, 3), gender=0, rel=0, cap=2)

CONSTRAINT_CASES = {
    E.NO_CAPACITY: (BASE_REQ, {**BASE_SUP, "cap": 0}),
    E.NO_LANGUAGE: (BASE_REQ, {**BASE_SUP, "lang": (0, 2)}),
    E.NO_MODE: (BASE_REQ, {**BASE_SUP, "modes": (0, 1, 3)}),
    E.MISSING_AREA: (BASE_REQ, {**BASE_SUP, "areas": (0, 1, 2, 4)}),
    E.GENDER_MUST: (BASE_REQ, {**BASE_SUP, "gender": 1}),
    E.RELATIONSHIP_MUST: (BASE_REQ, {**BASE_SUP, "rel": 1}),
}


@pytest.mark.parametrize("constraint", list(CONSTRAINT_CASES))
def test_each_hard_constraint_excludes(constraint):
    request, variant = CONSTRAINT_CASES[constraint]
    rq = build_requests([request])
    sp = build_supporters([BASE_SUP, variant])
    edges = E.eligible_edges(rq, sp)
    assert edge_set(edges) == {(0, 0)}
    reasons = E.ineligibility_reasons(rq, 0, sp)
    assert reasons == {name: int(name == constraint) for name in E.CONSTRAINTS}


def test_exclusion_excludes_only_that_pair():
    rq = build_requests([BASE_REQ, BASE_REQ], excluded=[(100, 201), (100, 999), (555, 200)])
    sp = build_supporters([BASE_SUP, BASE_SUP])
    assert edge_set(E.eligible_edges(rq, sp)) == {(0, 0), (1, 0), (1, 1)}
    assert E.ineligibility_reasons(rq, 0, sp)[E.EXCLUDED] == 1
    assert E.ineligibility_reasons(rq, 1, sp)[E.EXCLUDED] == 0


def test_no_constraint_codes_accept_everyone():
    rq = build_requests([req(gender_must=-1, rel_must=-1)])
    sp = build_supporters([sup(gender=g, rel=r) for g in (-1, 0, 1, 2) for r in (-1, 0, 1)])
    assert len(E.eligible_edges(rq, sp)) == len(sp)


def test_every_must_have_area_is_required():
    rq = build_requests([req(must=(1, 2))])
    sp = build_supporters(
        [sup(areas=(1,)), sup(areas=(2,)), sup(areas=(1, 2)), sup(areas=(0, 1, 2))]
    )
    assert edge_set(E.eligible_edges(rq, sp)) == {(0, 2), (0, 3)}


def _random_instance(rng, n_req, n_sup, n_lang, n_modes, n_areas):
    def bits(n, width, p):
        out = rng.random((n, width)) < p
        return out

    ids_r = rng.permutation(10 * n_req)[:n_req] + 1
    ids_s = rng.permutation(10 * n_sup)[:n_sup] + 1
    excl = np.column_stack([rng.choice(ids_r, 3 * n_req), rng.choice(ids_s, 3 * n_req)])
    rq = E.Requests(
        ids=ids_r,
        languages=bits(n_req, n_lang, 0.3),
        modes=bits(n_req, n_modes, 0.5),
        areas_must=bits(n_req, n_areas, 0.03),
        areas_nice=bits(n_req, n_areas, 0.2),
        gender_must=rng.choice([-1, -1, 0, 1], n_req),
        gender_nice=rng.choice([-1, 0, 1, 2], n_req),
        relationship_must=rng.choice([-1, -1, -1, 0, 1], n_req),
        relationship_nice=rng.choice([-1, 0, 1], n_req),
        availability=np.where(rng.random(n_req) < 0.2, 0, rng.integers(0, 2**21, n_req)),
        tz_offset_minutes=rng.choice([-720, -600, -300, 0, 30, 60, 330, 600, 780, 840], n_req),
        waiting_days=rng.random(n_req) * 100,
        excluded=excl,
    )
    sp = E.Supporters(
        ids=ids_s,
        languages=bits(n_sup, n_lang, 0.4),
        modes=bits(n_sup, n_modes, 0.5),
        areas=bits(n_sup, n_areas, 0.5),
        gender=rng.choice([-1, 0, 1, 2], n_sup),
        relationship=rng.choice([-1, 0, 1], n_sup),
        availability=np.where(rng.random(n_sup) < 0.2, 0, rng.integers(0, 2**21, n_sup)),
        tz_offset_minutes=rng.choice([-720, -300, 0, 60, 330, 840], n_sup),
        capacity_left=rng.integers(0, 4, n_sup),
    )
    return rq, sp


@pytest.mark.parametrize(
    ("n_lang", "n_modes", "n_areas"),
    [(3, 4, 6), (70, 4, 130)],  # the second needs several 64-bit words per set
)
def test_vectorised_matches_reference(n_lang, n_modes, n_areas):
    rng = np.random.default_rng(7)
    rq, sp = _random_instance(rng, 40, 30, n_lang, n_modes, n_areas)
    weights = E.Weights(shared_experience=33.33, waiting=7.77, timezone_cap_hours=5.5)
    edges = E.eligible_edges(rq, sp, weights, chunk=7)
    got = {
        (r, s): sc
        for r, s, sc in zip(
            edges.req_idx.tolist(), edges.sup_idx.tolist(), edges.score_int.tolist(), strict=True
        )
    }
    expected = {}
    for i in range(len(rq)):
        counts = dict.fromkeys(E.CONSTRAINTS, 0)
        for j in range(len(sp)):
            failed = ref_reasons(rq, i, sp, j)
            for name in failed:
                counts[name] += 1
            if not failed:
                expected[(i, j)] = ref_score(rq, i, sp, j, weights)
        assert E.ineligibility_reasons(rq, i, sp) == counts
    assert 0 < len(expected) < len(rq) * len(sp)
    assert got == expected
    # Sorted by request, then supporter.
    keys = list(zip(edges.req_idx.tolist(), edges.sup_idx.tolist(), strict=True))
    assert keys == sorted(keys)


def test_chunking_does_not_change_edges():
    rq, sp = make_instance(300, 70, seed=3)
    a = E.eligible_edges(rq, sp)
    b = E.eligible_edges(rq, sp, chunk=13)
    for name in ("req_idx", "sup_idx", "score_int"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


# ----------------------------------------------------------------------------------------
# Scores and explanations
# ----------------------------------------------------------------------------------------
def test_explain_sums_to_solver_score_on_random_pairs():
    rq, sp = make_instance(400, 120, seed=11)
    weights = E.Weights()
    edges = E.eligible_edges(rq, sp, weights)
    rng = random.Random(5)
    for e in rng.sample(range(len(edges)), 300):
        r, s = int(edges.req_idx[e]), int(edges.sup_idx[e])
        comps = E.explain(rq, r, sp, s, weights)
        assert [c.name for c in comps] == list(E.COMPONENTS)
        assert sum(c.points_int for c in comps) == int(edges.score_int[e])
        centi = weights.centi()
        for c in comps:
            assert 0.0 <= c.raw <= 1.0
            assert 0 <= c.points_int <= centi[c.name]
            assert c.points == c.points_int / 100
            assert c.reason and str(c.reason)[0].isupper()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    weights=st.builds(
        E.Weights,
        shared_experience=st.floats(0, 200),
        nice_to_have=st.floats(0, 200),
        availability=st.floats(0, 200),
        timezone=st.floats(0, 200),
        waiting=st.floats(0, 200),
        timezone_cap_hours=st.floats(0.25, 24),
        waiting_cap_days=st.floats(0.5, 365),
    ),
    seed=st.integers(0, 2**16),
)
def test_explain_matches_bulk_for_any_weights(weights, seed):
    rq, sp = make_instance(60, 25, seed=seed)
    edges = E.eligible_edges(rq, sp, weights)
    rng = random.Random(seed)
    for e in rng.sample(range(len(edges)), min(15, len(edges))):
        r, s = int(edges.req_idx[e]), int(edges.sup_idx[e])
        assert E.pair_score(rq, r, sp, s, weights) == int(edges.score_int[e])
        assert ref_score(rq, r, sp, s, weights) == int(edges.score_int[e])


def test_explain_reasons_and_values():
    rq = build_requests(
        [req(nice=(0, 1, 2), gender_nice=1, rel_nice=0, avail=0b111, tz=60, wait=30.0)]
    )
    sp = build_supporters([sup(areas=(0, 2, 4), gender=0, rel=0, avail=0b1010, tz=-120)])
    w = E.Weights(
        shared_experience=45,
        nice_to_have=15,
        availability=15,
        timezone=10,
        waiting=15,
        timezone_cap_hours=8,
        waiting_cap_days=60,
    )
    comps = {c.name: c for c in E.explain(rq, 0, sp, 0, w)}
    se = comps["shared_experience"]
    assert str(se.reason) == "Shares 2 of the 3 lived-experience areas they asked for"
    assert se.raw == pytest.approx(2 / 3) and se.points_int == 3000
    nh = comps["nice_to_have"]
    assert nh.raw == 0.5 and nh.points_int == 750
    assert "gender does not match" in str(
        nh.reason
    ) and "relationship to lived experience matches" in str(nh.reason)
    av = comps["availability"]
    assert str(av.reason) == "The supporter is free in 1 of the 3 weekly time slots they gave"
    assert av.points_int == 500
    tz = comps["timezone"]
    assert str(tz.reason) == "Time zones 3 hours apart" and tz.points_int == 625
    wt = comps["waiting"]
    assert wt.raw == 0.5 and wt.points_int == 750
    assert sum(c.points_int for c in comps.values()) == E.eligible_edges(rq, sp, w).score_int[0]


def test_nothing_asked_is_a_full_fit():
    rq = build_requests([req()])
    sp = build_supporters([sup(areas=(1,), avail=0b100)])
    comps = {c.name: c for c in E.explain(rq, 0, sp, 0)}
    for name in ("shared_experience", "nice_to_have", "availability"):
        assert comps[name].raw == 1.0
        assert comps[name].points_int == E.Weights().centi()[name]


def test_timezone_distance_is_circular_and_capped():
    rq = build_requests([req(tz=780)])  # UTC+13
    sp = build_supporters([sup(tz=-660), sup(tz=-120), sup(tz=330)])  # UTC-11, UTC-2, UTC+5:30
    comps = [{c.name: c for c in E.explain(rq, 0, sp, j)}["timezone"] for j in range(3)]
    assert str(comps[0].reason) == "Same time zone" and comps[0].raw == 1.0
    assert comps[1].points_int == 0 and "9 hours apart" in str(comps[1].reason)
    assert comps[2].points_int == 63 and str(comps[2].reason) == "Time zones 7.5 hours apart"


def test_more_shared_experience_scores_higher():
    rq = build_requests([req(nice=(0, 1, 2))])
    sp = build_supporters([sup(areas=()), sup(areas=(0,)), sup(areas=(0, 1)), sup(areas=(0, 1, 2))])
    scores = E.eligible_edges(rq, sp).score_int.tolist()
    assert scores == sorted(scores) and len(set(scores)) == 4


def test_waiting_is_capped():
    rq = build_requests([req(wait=59.0), req(wait=60.0), req(wait=400.0)])
    sp = build_supporters([sup()])
    pts = [{c.name: c for c in E.explain(rq, i, sp, 0)}["waiting"].points_int for i in range(3)]
    assert pts[0] < pts[1] == pts[2] == E.Weights().centi()["waiting"]


# ----------------------------------------------------------------------------------------
# Assignment
# ----------------------------------------------------------------------------------------
def make_edges(R, S, triples):
    triples = sorted(triples)
    return E.Edges(
        req_idx=np.array([t[0] for t in triples], dtype=np.int32),
        sup_idx=np.array([t[1] for t in triples], dtype=np.int32),
        score_int=np.array([t[2] for t in triples], dtype=np.int64),
        n_requests=R,
        n_supporters=S,
    )


def brute_force(R, S, cap, triples):
    """Lexicographic optimum (count, total score) over all assignments."""
    options = [[(s, sc) for (r, s, sc) in triples if r == i] for i in range(R)]
    load = [0] * S
    best = (0, 0)

    def rec(i, count, total):
        nonlocal best
        if i == R:
            best = max(best, (count, total))
            return
        rec(i + 1, count, total)
        for s, sc in options[i]:
            if load[s] < cap[s]:
                load[s] += 1
                rec(i + 1, count + 1, total + sc)
                load[s] -= 1

    rec(0, 0, 0)
    return best


def check_valid(assignment, edges, cap):
    pairs = list(zip(assignment.req_idx.tolist(), assignment.sup_idx.tolist(), strict=True))
    assert len(pairs) == assignment.count
    assert len({r for r, _ in pairs}) == len(pairs), "a request was assigned twice"
    load = np.bincount(assignment.sup_idx, minlength=len(cap))
    assert (load <= np.asarray(cap)).all(), "capacity exceeded"
    scores = {
        (r, s): sc
        for r, s, sc in zip(
            edges.req_idx.tolist(), edges.sup_idx.tolist(), edges.score_int.tolist(), strict=True
        )
    }
    assert all(p in scores for p in pairs), "assigned a non-eligible pair"
    assert assignment.total_score == sum(scores[p] for p in pairs)
    assert assignment.score_int.tolist() == [scores[p] for p in pairs]
    assert assignment.req_idx.tolist() == sorted(assignment.req_idx.tolist())


@st.composite
def small_instances(draw):
    R = draw(st.integers(1, 6))
    S = draw(st.integers(1, 4))
    cap = draw(st.lists(st.integers(1, 3), min_size=S, max_size=S))
    triples = []
    for r in range(R):
        for s in range(S):
            score = draw(st.one_of(st.none(), st.integers(0, 30)))
            if score is not None:
                triples.append((r, s, score))
    return R, S, cap, triples


@settings(max_examples=300, deadline=None)
@given(small_instances())
def test_optimal_matches_brute_force(instance):
    R, S, cap, triples = instance
    edges = make_edges(R, S, triples)
    best = brute_force(R, S, cap, triples)
    greedy = E.assign_greedy(edges, R, S, np.array(cap))
    check_valid(greedy, edges, cap)
    for kwargs in ({}, {"direct_limit": 0, "k_request": 1, "k_supporter_per_slot": 0}):
        opt = E.assign_optimal(edges, R, S, np.array(cap), **kwargs)
        check_valid(opt, edges, cap)
        assert (opt.count, opt.total_score) == best
        assert (opt.count, opt.total_score) >= (greedy.count, greedy.total_score)
        if kwargs:
            assert opt.certified


def test_pricing_rounds_are_exact_on_a_mid_size_instance():
    rq, sp = make_instance(1500, 300, seed=21)
    edges = E.eligible_edges(rq, sp)
    R, S, cap = len(rq), len(sp), sp.capacity_left
    direct = E.assign_optimal(edges, R, S, cap, direct_limit=len(edges))
    assert direct.rounds == 0
    for k_req, k_sup in ((8, 6), (1, 0)):
        priced = E.assign_optimal(
            edges, R, S, cap, direct_limit=0, k_request=k_req, k_supporter_per_slot=k_sup
        )
        check_valid(priced, edges, cap)
        assert priced.certified and priced.rounds >= 1
        assert (priced.count, priced.total_score) == (direct.count, direct.total_score)
    assert priced.rounds > 1  # the tiny initial candidate set needed extra rounds
    greedy = E.assign_greedy(edges, R, S, cap)
    check_valid(greedy, edges, cap)
    assert (direct.count, direct.total_score) >= (greedy.count, greedy.total_score)


def test_capacity_and_single_assignment_on_realistic_instance():
    rq, sp = make_instance(2500, 400, seed=4)
    edges = E.eligible_edges(rq, sp)
    for a in (
        E.assign_optimal(edges, len(rq), len(sp), sp.capacity_left),
        E.assign_greedy(edges, len(rq), len(sp), sp.capacity_left),
    ):
        check_valid(a, edges, sp.capacity_left)
        assert a.count > 0


def test_rare_language_request_is_not_left_waiting():
    # Request 0 speaks only a rare language (2); request 1 speaks the common one (0).
    # Supporter 0 speaks both, has capacity 1 and fits request 1 better (shared area).
    # Supporter 1 speaks only language 0, so fits request 1 only, less well.
    rq = build_requests([req(lang=(2,), nice=(1,)), req(lang=(0,), nice=(3,))])
    sp = build_supporters([sup(lang=(0, 2), areas=(3,), cap=1), sup(lang=(0,), cap=1)])
    edges = E.eligible_edges(rq, sp)
    assert edge_set(edges) == {(0, 0), (1, 0), (1, 1)}
    score = dict(
        zip(
            zip(edges.req_idx.tolist(), edges.sup_idx.tolist(), strict=True),
            edges.score_int.tolist(),
            strict=True,
        )
    )
    assert score[(1, 0)] > score[(0, 0)] and score[(1, 0)] > score[(1, 1)]

    opt = E.assign_optimal(edges, 2, 2, sp.capacity_left)
    assert opt.count == 2
    assert set(zip(opt.req_idx.tolist(), opt.sup_idx.tolist(), strict=True)) == {(0, 0), (1, 1)}
    greedy = E.assign_greedy(edges, 2, 2, sp.capacity_left)
    assert greedy.count == 1  # greedy gives supporter 0 to the common request
    assert greedy.req_idx.tolist() == [1]


def test_optimal_prefers_count_over_score():
    # One big-score edge (0, 0) vs two small-score edges (0, 1), (1, 0): count wins.
    edges = make_edges(2, 2, [(0, 0, 10_000), (0, 1, 0), (1, 0, 0)])
    opt = E.assign_optimal(edges, 2, 2, np.array([1, 1]))
    assert (opt.count, opt.total_score) == (2, 0)


def test_empty_inputs():
    rq = build_requests([req()])
    sp = build_supporters([sup(cap=0)])
    edges = E.eligible_edges(rq, sp)
    assert len(edges) == 0
    for fn in (E.assign_optimal, E.assign_greedy):
        a = fn(edges, 1, 1, sp.capacity_left)
        assert a.count == 0 and a.total_score == 0


def test_mismatched_columns_are_rejected():
    rq = build_requests([req()])
    sp = build_supporters([sup()], n_lang=N_LANG + 1)
    with pytest.raises(ValueError, match="languages"):
        E.eligible_edges(rq, sp)


# ----------------------------------------------------------------------------------------
# Ineligibility reasons
# ----------------------------------------------------------------------------------------
def test_ineligibility_reasons_counts():
    rq = build_requests(
        [req(lang=(0,), modes=(0,), must=(2,), gender_must=0)], excluded=[(100, 205), (100, 206)]
    )
    sp = build_supporters(
        [
            sup(lang=(0,), modes=(0,), areas=(2,), gender=0),  # fits
            sup(lang=(1,), modes=(0,), areas=(2,), gender=0),  # language
            sup(lang=(0, 1), modes=(1,), areas=(1,), gender=0),  # mode + area
            sup(lang=(0,), modes=(0, 1), areas=(2, 3), gender=1),  # gender
            sup(lang=(0,), modes=(0,), areas=(2,), gender=0, cap=0),  # capacity
            sup(lang=(0,), modes=(0,), areas=(2,), gender=0),  # excluded
            sup(lang=(2,), modes=(3,), areas=(), gender=2, rel=1, cap=0),  # everything
        ]
    )
    assert E.ineligibility_reasons(rq, 0, sp) == {
        E.NO_CAPACITY: 2,
        E.NO_LANGUAGE: 2,
        E.NO_MODE: 2,
        E.MISSING_AREA: 2,
        E.GENDER_MUST: 2,
        E.RELATIONSHIP_MUST: 0,  # the request has no relationship must-have
        E.EXCLUDED: 2,  # ids 205 and 206: the excluded one and the one failing everything
    }
    assert edge_set(E.eligible_edges(rq, sp)) == {(0, 0)}


# ----------------------------------------------------------------------------------------
# Benchmark instance
# ----------------------------------------------------------------------------------------
def test_make_instance_is_deterministic():
    a_rq, a_sp = make_instance(500, 100, seed=42)
    b_rq, b_sp = make_instance(500, 100, seed=42)
    c_rq, _ = make_instance(500, 100, seed=43)
    for x, y in ((a_rq, b_rq), (a_sp, b_sp)):
        for name in x.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(x, name), getattr(y, name))
    assert not np.array_equal(a_rq.languages, c_rq.languages)


def test_make_instance_is_skewed_like_a_real_service():
    rq, sp = make_instance(20_000, 4_000, seed=1)
    for langs in (rq.languages, sp.languages):
        share = langs.mean(axis=0)
        assert 0.80 < share[0] < 0.95  # most people share language 0
        assert (share[1:] < 0.10).all() and (share[1:] > 0).all()  # rare languages exist
        n_langs = langs.sum(axis=1)
        assert n_langs.min() >= 1 and 0.05 < (n_langs >= 2).mean() < 0.3
    for modes in (rq.modes, sp.modes):
        assert modes.shape[1] == 4
        per_person = modes.sum(axis=1)
        assert per_person.min() == 1 and per_person.max() == 3
        assert modes[:, 3].mean() < modes[:, 0].mean()  # in person is the least popular
    wanted = rq.areas_must | rq.areas_nice
    assert wanted.shape[1] == 12
    popularity = wanted.mean(axis=0)
    assert popularity[0] > 3 * popularity[-1]
    has_must = (
        rq.areas_must.any(axis=1) | (rq.gender_must >= 0) | (rq.relationship_must >= 0)
    ).mean()
    assert 0.28 < has_must < 0.39
    assert not (rq.areas_must & rq.areas_nice).any()
    assert set(np.unique(sp.capacity_left)) == {1, 2, 3, 4, 5}
    assert np.bincount(sp.capacity_left)[1] > np.bincount(sp.capacity_left)[5]
    for av in (rq.availability, sp.availability):
        assert (av < 2**21).all()
        assert 0.05 < (av == 0).mean() < 0.15
    assert rq.waiting_days.min() >= 0 and rq.waiting_days.max() <= 90
    tz_share = np.unique(rq.tz_offset_minutes, return_counts=True)[1].max() / len(rq)
    assert tz_share > 0.5
    assert len(rq.excluded) > 0


def test_reasons_are_worded_for_any_reader_and_translated_when_shown():
    """Supporters and coordinators read the reasons too: no "you"/"your"; and the words
    come from the installed translations at the moment they are shown, not when computed."""
    rq, sp = make_instance(80, 30, seed=3)
    edges = E.eligible_edges(rq, sp)
    comps = [
        c
        for e in range(min(40, len(edges)))
        for c in E.explain(rq, int(edges.req_idx[e]), sp, int(edges.sup_idx[e]))
    ]
    for c in comps:
        words = str(c.reason).lower().replace("(", " ").split()
        assert "you" not in words and "your" not in words, c.reason

    class Marked:
        @staticmethod
        def gettext(message):
            return "[t]" + message

        @staticmethod
        def ngettext(singular, plural, n):
            return "[t]" + (singular if n == 1 else plural)

    previous = E._translations
    E.use_translations(Marked)
    try:
        shown = str(comps[0].reason)  # computed before, put in words now
    finally:
        E.use_translations(previous)
    assert shown.startswith("[t]") and shown == "[t]" + str(comps[0].reason)


def test_the_engine_imports_without_django():
    import subprocess
    import sys

    code = "import sys, matching.engine; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": ""}, cwd=".")


def test_explaining_many_pairs_at_once_equals_one_by_one():
    rq, sp = make_instance(200, 60, seed=8)
    edges = E.eligible_edges(rq, sp)
    pick = random.Random(2).sample(range(len(edges)), 50)
    r, s = edges.req_idx[pick], edges.sup_idx[pick]
    many = E.explain_pairs(rq, r, sp, s)
    assert many == [E.explain(rq, int(a), sp, int(b)) for a, b in zip(r, s, strict=True)]
    assert [sum(c.points_int for c in comps) for comps in many] == edges.score_int[pick].tolist()
