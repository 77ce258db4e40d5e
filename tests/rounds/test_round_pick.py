"""The one round picker (`rounds.selectors.round_pick`): `?round=`, the older `?session=` from
printed posters, and one fallback (the current open round, else the latest)."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from rounds.selectors import round_fallback, round_pick, round_slug
from tests.factories import ExamRoundFactory


def test_round_slug_reads_the_new_round_parameter():
    assert round_slug(QueryDict("round=dzsws-2022-1")) == "dzsws-2022-1"


def test_round_slug_still_reads_the_legacy_session_parameter():
    assert round_slug(QueryDict("session=dzsws-2022-1")) == "dzsws-2022-1"


def test_round_slug_prefers_round_over_session():
    assert round_slug(QueryDict("session=old&round=new")) == "new"


def test_round_slug_without_a_parameter_is_empty():
    assert round_slug(QueryDict("")) == ""
    assert round_slug(QueryDict("round=%20%20")) == ""
    assert round_slug(QueryDict("layout=roster")) == ""


@pytest.fixture
def rounds(db):
    today = timezone.localdate()
    old = ExamRoundFactory(
        slug="old",
        registration_opens=today - dt.timedelta(days=400),
        registration_deadline=today - dt.timedelta(days=300),
    )
    open_now = ExamRoundFactory(
        slug="open-now",
        registration_opens=today - dt.timedelta(days=3),
        registration_deadline=today + dt.timedelta(days=3),
    )
    later = ExamRoundFactory(
        slug="later",
        registration_opens=today + dt.timedelta(days=30),
        registration_deadline=today + dt.timedelta(days=60),
    )
    return old, open_now, later


def test_round_pick_takes_round_and_legacy_session(rounds):
    old, _open_now, _later = rounds
    for query in ("round=old", "session=old"):
        pick = round_pick(QueryDict(query))
        assert pick.exam_round == old
        assert not pick.unknown
        # Links always carry the new name, whichever name the request used.
        assert pick.query == "round=old"


def test_round_pick_falls_back_to_the_open_round_then_the_latest(rounds):
    _old, open_now, later = rounds
    assert round_pick(QueryDict("")).exam_round == open_now
    assert round_pick(QueryDict("")).query == ""
    unknown = round_pick(QueryDict("round=nope"))
    assert unknown.exam_round == open_now
    assert unknown.unknown and unknown.query == ""
    # No round open: the latest (by deadline) round.
    open_now.delete()
    assert round_fallback() == later


def test_round_pick_takes_a_draft_when_asked_and_drafts_only_as_a_last_resort(db):
    draft = ExamRoundFactory(slug="draft", is_published=False)
    assert round_pick(QueryDict("round=draft")).exam_round == draft
    assert round_fallback() == draft  # nothing published at all


def test_round_pick_has_no_round_without_rounds(db):
    pick = round_pick(QueryDict("round=x"))
    assert pick.exam_round is None and pick.query == ""


STAFF_PAGES = [
    # (path, context variable holding the page's round)
    ("/counselor/", "exam_round"),
    ("/exams/", "round"),
    ("/results/", "round"),
    ("/results/rates/", "round"),
    ("/results/exchange/", "round"),
    ("/archive/", "round"),
    ("/training/", "exam_round"),
    ("/stats/", "exam_round"),
]


@pytest.mark.parametrize(("path", "variable"), STAFF_PAGES)
def test_links_printed_with_session_open_the_same_round_on_every_staff_page(
    client, rounds, path, variable
):
    """Posters and bookmarks printed before the rename say `?session=`: every staff page that
    picks a round opens the one they name (exams' old picker ignored it and showed another)."""
    from tests.factories import UserFactory

    old, open_now, _later = rounds
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for query, expected in (("?session=old", old), ("?round=old", old), ("", open_now)):
        response = client.get(path + query)
        assert response.status_code == 200, (path, query)
        assert response.context[variable] == expected, (path, query)


def test_no_template_writes_a_session_link():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = [
        str(path)
        for path in root.rglob("*.html")
        if "?session=" in path.read_text() or 'name="session"' in path.read_text()
    ]
    assert offenders == []
