"""Properties of the pure seat plan, on any mix of rooms, candidates and seeds (no database)."""

from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exams.models import DrawMethod
from exams.services import ExamPlanError, seat_plan

rooms_strategy = st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=5)


def _rooms(capacities):
    return [SimpleNamespace(pk=i, capacity=c) for i, c in enumerate(capacities)]


def _people(n):
    return [SimpleNamespace(pk=1000 + i) for i in range(n)]


@given(
    capacities=rooms_strategy,
    extra=st.integers(min_value=-60, max_value=5),
    seed=st.integers(min_value=0, max_value=2**63 - 1),
    method=st.sampled_from(DrawMethod.values),
)
def test_seat_plan_never_exceeds_capacity_nor_seats_anyone_twice(capacities, extra, seed, method):
    rooms = _rooms(capacities)
    count = max(0, sum(capacities) + extra)
    people = _people(count)
    if count > sum(capacities):
        with pytest.raises(ExamPlanError):
            seat_plan(candidates=people, rooms=rooms, method=method, seed=seed)
        return
    plan = seat_plan(candidates=people, rooms=rooms, method=method, seed=seed)
    assert sorted(p.pk for p, _, _ in plan) == [p.pk for p in people]  # everyone, once
    places = [(room.pk, number) for _, room, number in plan]
    assert len(set(places)) == len(places)  # no seat twice
    per_room = Counter(room.pk for _, room, _ in plan)
    for room in rooms:
        assert per_room[room.pk] <= room.capacity
    assert all(1 <= number <= room.capacity for _, room, number in plan)


@given(seed=st.integers(min_value=0, max_value=2**63 - 1), n=st.integers(min_value=0, max_value=30))
def test_seat_plan_same_seed_same_seats_whatever_the_input_order(seed, n):
    rooms = _rooms([10, 10, 10])
    people = _people(n)
    first = seat_plan(candidates=people, rooms=rooms, method=DrawMethod.RANDOM, seed=seed)
    again = seat_plan(
        candidates=list(reversed(people)), rooms=rooms, method=DrawMethod.RANDOM, seed=seed
    )
    as_keys = lambda plan: [(p.pk, r.pk, number) for p, r, number in plan]  # noqa: E731
    assert as_keys(first) == as_keys(again)
