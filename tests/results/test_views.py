"""The 考评员 grid and the 教务 pages, driven through separate clients."""

import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from results import selectors
from results.models import Score, ScoreEntry, ScoreState, SittingReview


def grid_url(sitting, room):
    return reverse("results:entry_room", args=[sitting.pk, room.pk])


def post_grid(client, sitting, room, values: dict, violations=()):
    data = {f"points-{seat.pk}": points for seat, points in values.items()}
    data.update({f"outcome-{seat.pk}": "violation" for seat in violations})
    return client.post(grid_url(sitting, room), data)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_double_entry_through_two_clients_then_resolve_and_review(
    sitting, seated, assigned, scorer1, scorer2, academic
):
    s1, s2, s3 = seated
    first, second, jiaowu = login(scorer1), login(scorer2), login(academic)
    response = post_grid(first, sitting, assigned, {s1: "85", s2: "60"})
    assert response.status_code == 302
    # Blind: the second 考评员 does not see the first one's numbers.
    page = second.get(grid_url(sitting, assigned)).content.decode()
    assert 'value="85"' not in page
    assert "缺考（未签到）" in page
    assert post_grid(second, sitting, assigned, {s1: "58", s2: "60"}).status_code == 302
    page = jiaowu.get(reverse("results:sitting", args=[sitting.pk])).content.decode()
    assert 'id="mismatch-count">1<' in page
    assert "李考评" in page and "王考评" in page
    response = jiaowu.post(reverse("results:review", args=[sitting.pk]), follow=True)
    assert "不一致" in response.content.decode()
    assert not SittingReview.objects.exists()
    score = Score.objects.get(seat=s1)
    jiaowu.post(
        reverse("results:resolve", args=[score.pk]),
        {"outcome": "scored", "points": "85", "reason": "核对答题卡"},
    )
    score.refresh_from_db()
    assert (score.state, score.points) == (ScoreState.RESOLVED, Decimal("85"))
    response = jiaowu.post(reverse("results:review", args=[sitting.pk]), follow=True)
    assert "已审核" in response.content.decode()
    assert Score.objects.get(seat=s3).outcome == "absent"
    # Locked: a 考评员's later change is refused with a message, nothing changes.
    response = post_grid(first, sitting, assigned, {s1: "99"})
    assert response.status_code == 400
    assert Score.objects.get(seat=s1).points == Decimal("85")


def test_bad_cell_keeps_what_was_typed(sitting, seated, assigned, scorer1):
    s1, s2, _ = seated
    response = post_grid(login(scorer1), sitting, assigned, {s1: "85", s2: "abc"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 号：分数须为 0 到 100 之间的数字" in page
    assert 'value="abc"' in page and 'value="85"' in page
    assert not ScoreEntry.objects.exists()


def test_violation_checkbox(sitting, seated, assigned, scorer1, scorer2):
    s1 = seated[0]
    for user in (scorer1, scorer2):
        post_grid(login(user), sitting, assigned, {s1: ""}, violations=[s1])
    score = Score.objects.get(seat=s1)
    assert (score.state, score.outcome) == (ScoreState.AGREED, "violation")


def test_access(client, sitting, seated, assigned, rooms, scorer1, invigilator, academic):
    assert client.get(grid_url(sitting, assigned)).status_code == 302
    client.force_login(invigilator)
    assert client.get(grid_url(sitting, assigned)).status_code == 403
    assert client.get(reverse("results:home")).status_code == 403
    client.force_login(scorer1)
    assert client.get(grid_url(sitting, rooms[1])).status_code == 403
    assert client.get(reverse("results:sitting", args=[sitting.pk])).status_code == 403
    page = client.get(reverse("results:entry_home")).content.decode()
    assert grid_url(sitting, assigned) in page
    client.force_login(academic)
    assert client.get(reverse("results:home")).status_code == 200


def test_amend_page_requires_reason(sitting, seated, assigned, scorer1, scorer2, academic):
    s1, s2, _ = seated
    for user in (scorer1, scorer2):
        post_grid(login(user), sitting, assigned, {s1: "80", s2: "50"})
    jiaowu = login(academic)
    jiaowu.post(reverse("results:review", args=[sitting.pk]))
    score = Score.objects.get(seat=s2)
    url = reverse("results:amend", args=[score.pk])
    response = jiaowu.post(url, {"outcome": "scored", "points": "62", "reason": ""})
    assert response.status_code == 400
    score.refresh_from_db()
    assert score.points == Decimal("50")
    response = jiaowu.post(url, {"outcome": "scored", "points": "62", "reason": "统分错误"})
    assert response.status_code == 302
    page = jiaowu.get(url).content.decode()
    assert "统分错误" in page


def test_grid_rows_two_queries(sitting, seated, assigned, scorer1, django_assert_num_queries):
    with django_assert_num_queries(2):
        rows = selectors.grid_rows(sitting=sitting, room=assigned, user=scorer1)
        [(r["seat"].registration.name, r["present"], r["entry"]) for r in rows]


def test_sitting_progress_one_query(exam_round, sitting, seated, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = selectors.sitting_progress(round=exam_round)
        [(s.level.name, s.seated, s.present, s.mismatches, s.final) for s in found]
    assert (found[0].seated, found[0].present) == (3, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scorers_enter_one_room_at_once(sitting, seated, assigned, scorer1, scorer2):
    """Separate clients in separate threads: each gets their own entry number, none is lost."""
    s1, s2, _ = seated
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    lock = threading.Lock()

    def enter(user, points):
        client = login(user)
        try:
            barrier.wait(timeout=10)
            for _ in range(3):
                response = post_grid(client, sitting, assigned, {s1: points, s2: "70"})
                with lock:
                    statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=enter, args=(scorer1, "85")),
        threading.Thread(target=enter, args=(scorer2, "86")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * 6, statuses
    entries = ScoreEntry.objects.filter(seat=s1).order_by("entry_no")
    assert sorted(e.entry_no for e in entries) == [1, 2]
    assert {e.entered_by_id for e in entries} == {scorer1.pk, scorer2.pk}
    assert Score.objects.get(seat=s1).state == ScoreState.MISMATCH
    assert Score.objects.get(seat=s2).state == ScoreState.AGREED


def test_mismatches_and_scores_queries_pinned(
    sitting, seated, assigned, scorer1, scorer2, django_assert_num_queries
):
    s1, s2, _ = seated
    post_grid(login(scorer1), sitting, assigned, {s1: "80", s2: "70"})
    post_grid(login(scorer2), sitting, assigned, {s1: "81", s2: "70"})
    with django_assert_num_queries(3):  # scores, entries, their users
        found = selectors.mismatches_of(sitting=sitting)
        [
            (m.seat.registration.name, [e.entered_by.username for e in m.seat.score_entries.all()])
            for m in found
        ]
    assert len(found) == 1
    with django_assert_num_queries(1):
        rows = list(selectors.scores_of_sitting(sitting=sitting))
        [(r.seat.room.name, r.seat.registration.name, r.resolved_by) for r in rows]
