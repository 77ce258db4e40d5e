"""A classroom signs up at once through one cached class link: every student, no 403.

Each student is a separate Django test Client (its own cookie jar) that enforces CSRF checks the
way a browser session does, and posts every CSRF token the page carries (as a browser would). The
blank form is cached (FORM_FRAGMENT_CACHE_SECONDS) for the whole test, so the second and later
students are served the page the first one caused to be cached.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from fees.models import FeeItem
from registration.models import Registration
from tests.idnumbers import make_id_number

pytestmark = pytest.mark.django_db

STUDENTS = 12


@pytest.fixture
def form_cache(settings):
    settings.FORM_FRAGMENT_CACHE_SECONDS = 60
    settings.PUBLIC_PAGE_CACHE_SECONDS = 30


def _tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def _student(serial: int) -> dict:
    return {
        "name": "张同学",
        "id_number": make_id_number(serial),
        "ethnicity": "汉族",
        "phone": f"1380013{serial:04d}",
        "student_number": f"2020{serial:06d}",
        "level": "3",
        "consent": "on",
    }


def test_class_rush_separate_students_all_register_with_the_form_cached(
    sophomore_class, during_round, form_cache
):
    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    students = [Client(enforce_csrf_checks=True) for _ in range(STUDENTS)]
    pages = [student.get(url) for student in students]  # all load the QR link, then all submit
    replies = []
    for serial, (student, page) in enumerate(zip(students, pages, strict=True), start=1):
        tokens = _tokens(page.content.decode())
        assert len(tokens) == 1, "a page must carry exactly one CSRF token"
        replies.append(student.post(url, {**_student(serial), "csrfmiddlewaretoken": tokens}))
    assert [reply.status_code for reply in replies] == [302] * STUDENTS
    assert Registration.objects.filter(school_class=sophomore_class).count() == STUDENTS


def test_class_form_tokens_differ_between_students_and_match_their_own_cookie(
    sophomore_class, during_round, form_cache
):
    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get(url).content.decode()
    page_two = second.get(url).content.decode()
    assert _tokens(page_one) != _tokens(page_two)
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    # Apart from the token, the second page is the cached first one.
    assert page_one.replace(_tokens(page_one)[0], "") == page_two.replace(_tokens(page_two)[0], "")


def test_class_form_from_the_cache_makes_no_query(
    sophomore_class, during_round, form_cache, django_assert_num_queries
):
    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    Client().get(url)
    with django_assert_num_queries(0):
        page = Client().get(url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]  # the page holds a token: browsers must not keep it


@pytest.mark.django_db(transaction=True)  # BEGIN/COMMIT as in production, not savepoints
def test_class_form_registration_post_query_count(
    sophomore_class, during_round, form_cache, django_assert_num_queries
):
    from common import content_cache
    from rounds.content import content_changed

    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    students = [Client(enforce_csrf_checks=True) for _ in range(3)]
    tokens = [_tokens(student.get(url).content.decode()) for student in students]
    # Django records the transaction's BEGIN (SQLite: BEGIN IMMEDIATE) and COMMIT as well. A
    # registration that needs no training costs courses.services.training_enroll no savepoint.
    with django_assert_num_queries(POST_QUERIES + 2):
        reply = students[0].post(url, {**_student(1), "csrfmiddlewaretoken": tokens[0]})
    assert reply.status_code == 302
    # The cache's entry is gone (orphaned here; evicted, or Redis restarted) but the content is
    # unchanged: the class link this process checked against the database's count still serves.
    content_cache.bump()
    with django_assert_num_queries(POST_QUERIES + 2):
        reply = students[1].post(url, {**_student(2), "csrfmiddlewaretoken": tokens[1]})
    assert reply.status_code == 302
    # Right after an admin edit, the first sign-up reads the class link's content again.
    content_changed()
    with django_assert_num_queries(POST_QUERIES_AFTER_EDIT + 2):
        reply = students[2].post(url, {**_student(3), "csrfmiddlewaretoken": tokens[2]})
    assert reply.status_code == 302


# A sign-up reads the database's current count of content edits (rounds.content), then the class,
# the round's rules and the class's verdicts as this process last read them under that count, or
# else from the content cache (one Redis read, filled by the page view) if the entry carries it;
# the count is checked again inside the submission's transaction. Then the class-list check, the
# insert and its history row (target: at most 8). The form's fee labels are read only when the
# form is shown again (test_refused_post_still_shows_the_fees).
POST_QUERIES = 5
# The first sign-up of a class after an edit also reads the count, the class, the current round
# and its levels, the fee items and the eligibility conditions: once per edit.
POST_QUERIES_AFTER_EDIT = 11


def test_refused_post_still_shows_the_fees(sophomore_class, during_round, form_cache):
    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    student = Client()
    tokens = _tokens(student.get(url).content.decode())
    data = {**_student(1), "phone": "123", "csrfmiddlewaretoken": tokens}
    page = student.post(url, data).content.decode()
    assert "（报名费 320 元）" in page
    assert "手机号" in page


def test_class_form_shows_a_fee_edit_on_the_next_view(sophomore_class, during_round, form_cache):
    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    assert "（报名费 320 元）" in Client().get(url).content.decode()
    fee = FeeItem.objects.get(
        round=sophomore_class_round(sophomore_class),
        candidate_type="student",
        kind="registration",
        level__code=3,
    )
    fee.amount = 333
    fee.save()  # what the admin's change form does
    page = Client().get(url).content.decode()
    assert "（报名费 333 元）" in page
    assert "（报名费 320 元）" not in page


def sophomore_class_round(school_class):
    from rounds.selectors import round_current

    return round_current()


def test_signed_in_staff_never_get_the_anonymous_cached_form(
    sophomore_class, during_round, form_cache
):
    from tests.factories import UserFactory

    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    Client().get(url)
    staff = Client()
    staff.force_login(UserFactory(username="li", first_name="李老师"))
    assert "李老师" in staff.get(url).content.decode()


def test_class_form_from_the_cache_is_one_cache_read(sophomore_class, during_round, form_cache):
    """The generation and the page come back together (one MGET with Redis), not one after
    the other: the cached form page is the rush's hottest path."""
    from django.core.cache import caches

    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    Client().get(url)
    page_cache = caches["default"]
    reads = []  # calls from the app; the in-process backend's get_many calls get per key
    original_get, original_get_many = page_cache.get, page_cache.get_many
    inside = []

    def get(*args, **kwargs):
        if not inside:
            reads.append("get")
        return original_get(*args, **kwargs)

    def get_many(*args, **kwargs):
        reads.append("get_many")
        inside.append(True)
        try:
            return original_get_many(*args, **kwargs)
        finally:
            inside.pop()

    page_cache.get, page_cache.get_many = get, get_many
    try:
        page = Client().get(url)
    finally:
        del page_cache.get, page_cache.get_many
    assert page.status_code == 200 and _tokens(page.content.decode())
    assert reads == ["get_many"]


def test_class_form_built_under_an_older_generation_is_not_served(
    sophomore_class, during_round, form_cache
):
    from common import content_cache

    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    assert "（报名费 320 元）" in Client().get(url).content.decode()
    FeeItem.objects.filter(level__code=3, kind="registration").update(amount=444)  # no signal
    assert "（报名费 320 元）" in Client().get(url).content.decode()  # still the cached page
    content_cache.bump()
    assert "（报名费 444 元）" in Client().get(url).content.decode()
