"""The sign-up service's cached round rules (submission.round_rules): fast, and never stale.

With the content cache on, a classroom's sign-ups read the round, its levels, its eligibility
conditions and its fee items from one cache entry instead of four queries each. Every admin edit
of those rows must still decide the very next submission: the fee it is quoted, whether the
deadline has passed, whether the candidate is eligible.
"""

import contextlib
import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eligibility.models import EligibilityCondition
from fees.models import FeeItem
from registration.models import Registration
from registration.services import submission
from rounds.models import Major, SchoolClass
from rounds.selectors import round_current
from tests.factories import ExamRoundFactory, FeeItemFactory, SchoolClassFactory
from tests.idnumbers import make_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_cache(settings):
    settings.FORM_FRAGMENT_CACHE_SECONDS = 60


def _student(serial: int) -> dict:
    return {
        "name": "张同学",
        "id_number": make_id_number(serial),
        "ethnicity": "汉族",
        "phone": f"1390013{serial:04d}",
        "student_number": f"2021{serial:06d}",
        "level": "3",
        "consent": "on",
    }


def _sign_up(school_class, serial: int):
    url = reverse("registration:class_entry", kwargs={"code": school_class.code})
    return Client().post(url, _student(serial))


def _level3_fee():
    return FeeItem.objects.get(
        round=round_current(), candidate_type="student", kind="registration", level__code=3
    )


def test_rules_come_from_the_cache_after_the_first_read(
    sophomore_class, during_round, form_cache, django_assert_num_queries
):
    exam_round = round_current()
    first = submission.round_rules(exam_round)
    with django_assert_num_queries(0):
        again = submission.round_rules(exam_round)
        # The levels travel with the round: the level check and the verdict need no query.
        assert [level.code for level in again.exam_round.levels.all()] == [
            level.code for level in first.exam_round.levels.all()
        ]
    assert again.conditions == first.conditions
    assert [item.pk for item in again.fee_items] == [item.pk for item in first.fee_items]


def test_without_the_content_cache_rules_are_read_each_time(
    sophomore_class, during_round, settings, django_assert_num_queries
):
    settings.FORM_FRAGMENT_CACHE_SECONDS = 0
    exam_round = round_current()
    submission.round_rules(exam_round)
    with django_assert_num_queries(5):  # count of edits, round, levels, conditions, fee items
        submission.round_rules(exam_round)


def test_a_fee_edited_in_admin_is_quoted_to_the_next_sign_up(
    sophomore_class, during_round, form_cache
):
    assert _sign_up(sophomore_class, 1).status_code == 302
    fee = _level3_fee()
    fee.amount = 333
    fee.save()  # what the admin's change form does
    assert _sign_up(sophomore_class, 2).status_code == 302
    first, second = Registration.objects.order_by("pk")
    assert first.quoted_registration_fee == 320
    assert second.quoted_registration_fee == 333
    assert second.quoted_charge_items[0]["amount"] == "333.00"


def test_a_fee_switched_off_in_admin_refuses_the_next_sign_up(
    sophomore_class, during_round, form_cache
):
    assert _sign_up(sophomore_class, 1).status_code == 302
    fee = _level3_fee()
    fee.is_active = False
    fee.save()
    page = _sign_up(sophomore_class, 2)
    assert page.status_code == 200
    assert "报名费尚未设置" in page.content.decode()
    assert Registration.objects.count() == 1


def test_a_deadline_moved_earlier_refuses_the_next_sign_up(
    sophomore_class, during_round, form_cache
):
    assert _sign_up(sophomore_class, 1).status_code == 302
    exam_round = round_current()
    exam_round.registration_deadline = dt.date(2022, 5, 9)  # yesterday in the frozen clock
    exam_round.save()
    reply = _sign_up(sophomore_class, 2)
    assert "截止" in reply.content.decode()
    assert Registration.objects.count() == 1


def test_a_condition_switched_off_in_admin_decides_the_next_sign_up(
    sophomore_class, during_round, form_cache
):
    assert _sign_up(sophomore_class, 1).status_code == 302
    for condition in EligibilityCondition.objects.filter(level__code=3, is_active=True):
        condition.is_active = False
        condition.save()  # what the admin's change form does
    page = _sign_up(sophomore_class, 2)
    assert page.status_code == 200
    assert Registration.objects.count() == 1


def test_rules_of_one_round_are_not_served_for_another(sophomore_class, during_round, form_cache):
    exam_round = round_current()
    rules = submission.round_rules(exam_round)
    other_round = ExamRoundFactory()
    FeeItemFactory(round=other_round, level=exam_round.levels.first())
    other = submission.round_rules(other_round)
    assert other.exam_round.pk == other_round.pk != rules.exam_round.pk
    assert {item.round_id for item in other.fee_items} == {other_round.pk}
    assert {item.round_id for item in rules.fee_items} == {exam_round.pk}


def test_a_lost_cache_invalidation_cannot_make_a_sign_up_use_an_old_fee(
    sophomore_class, during_round, form_cache, monkeypatch, caplog
):
    """Redis unreachable for the moment of the edit: the generation is not bumped and the cached
    rules still hold 320. The database's own count of edits, bumped in the edit's transaction,
    is what the submission checks."""
    from django.core.cache import cache

    assert _sign_up(sophomore_class, 1).status_code == 302
    fee = _level3_fee()
    fee.amount = 333

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis unreachable")

    with monkeypatch.context() as patched:
        patched.setattr(cache, "incr", unreachable)
        patched.setattr(cache, "set", unreachable)
        fee.save()
    assert "content generation not bumped" in caplog.text
    assert _sign_up(sophomore_class, 2).status_code == 302
    assert Registration.objects.order_by("pk").last().quoted_registration_fee == 333
    # The submission that noticed repaired the caches for everyone else: the next one takes the
    # new fee from the cache again, without reading the fee items.
    with CaptureQueriesContext(connection) as queries:
        assert _sign_up(sophomore_class, 3).status_code == 302
    assert not [q for q in queries.captured_queries if "fees_feeitem" in q["sql"]]
    assert Registration.objects.order_by("pk").last().quoted_registration_fee == 333


def test_a_bulk_change_is_seen_once_its_code_says_so(sophomore_class, during_round, form_cache):
    """QuerySet.update() sends no signal: code that changes content that way calls
    rounds.content.content_changed(), as docs/caching.md asks."""
    from rounds.content import content_changed, content_version

    assert _sign_up(sophomore_class, 1).status_code == 302
    FeeItem.objects.filter(pk=_level3_fee().pk).update(amount=334)
    before = content_version()
    content_changed()
    assert content_version() > before
    assert _sign_up(sophomore_class, 2).status_code == 302
    assert Registration.objects.order_by("pk").last().quoted_registration_fee == 334


def test_every_content_edit_counts_in_its_own_transaction(sophomore_class, during_round):
    from django.db import transaction

    from rounds.content import content_version

    before = content_version()
    with transaction.atomic():
        fee = _level3_fee()
        fee.amount = 335
        fee.save()
        assert content_version() > before  # with the change, not after it
    exam_round = round_current()
    exam_round.levels.remove(exam_round.levels.first())  # m2m changes count too
    assert content_version() > before + 1


def test_the_generation_is_bumped_again_after_the_commit(
    sophomore_class, during_round, django_capture_on_commit_callbacks
):
    """A page or rule set built from the old rows by another request while the edit was still
    uncommitted is cached under the generation of the first bump: the bump after the commit
    orphans it."""
    from common import content_cache

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fee = _level3_fee()
        fee.amount = 336
        fee.save()
        during = content_cache.generation()
    assert callbacks, "no bump was scheduled for the commit"
    assert content_cache.generation() > during


@pytest.fixture
def lost_bumps(monkeypatch):
    """Redis unreachable for the moment of an edit: the cache's generation is not bumped."""
    from django.core.cache import cache

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis unreachable")

    @contextlib.contextmanager
    def lose():
        with monkeypatch.context() as patched:
            patched.setattr(cache, "incr", unreachable)
            patched.setattr(cache, "set", unreachable)
            yield

    return lose


def test_a_class_switched_off_while_the_cache_missed_it_takes_no_more_sign_ups(
    sophomore_class, during_round, form_cache, lost_bumps
):
    assert _sign_up(sophomore_class, 1).status_code == 302
    with lost_bumps():
        sophomore_class.is_active = False
        sophomore_class.save()
    assert _sign_up(sophomore_class, 2).status_code == 404
    assert Registration.objects.count() == 1


def test_a_deadline_extended_while_the_cache_missed_it_lets_sign_ups_in(
    sophomore_class, during_round, form_cache, lost_bumps
):
    exam_round = round_current()
    kept = exam_round.registration_deadline
    exam_round.registration_deadline = dt.date(2022, 5, 9)  # passed, in the frozen clock
    exam_round.save()
    assert "截止" in _sign_up(sophomore_class, 1).content.decode()
    with lost_bumps():
        exam_round.registration_deadline = kept  # the admin extends it again
        exam_round.save()
    assert _sign_up(sophomore_class, 2).status_code == 302
    assert Registration.objects.count() == 1


def _refused_by_the_service(*, exam_round, school_class, rules, serial: int):
    """A direct call of the submission service with what a stale cache handed its caller."""
    data = submission.RegistrationInput(
        name="张同学",
        id_number=make_id_number(serial),
        ethnicity="汉族",
        phone=f"1390013{serial:04d}",
        level_code=3,
        student_number=f"2021{serial:06d}",
    )
    with pytest.raises(submission.SubmissionError) as refused:
        submission.registration_submit(
            exam_round=exam_round, school_class=school_class, data=data, rules=rules
        )
    return refused.value


def test_the_service_rereads_a_class_that_came_from_a_stale_cache(
    sophomore_class, during_round, form_cache, lost_bumps
):
    """Whatever its caller holds: rules read under an older count of edits are read afresh, and
    so is the class that came with them."""
    exam_round = round_current()
    stale_rules = submission.round_rules(exam_round)
    stale_class = SchoolClass.objects.select_related("major").get(pk=sophomore_class.pk)
    with lost_bumps():
        fresh = SchoolClass.objects.get(pk=sophomore_class.pk)
        fresh.is_active = False
        fresh.save()
    refused = _refused_by_the_service(
        exam_round=exam_round, school_class=stale_class, rules=stale_rules, serial=9
    )
    assert refused.message == submission.CLASS_INACTIVE
    assert not Registration.objects.exists()


def test_a_class_deleted_while_the_cache_missed_it_is_a_message_not_an_error(
    announcement, during_round, form_cache, lost_bumps
):
    exam_round = round_current()
    doomed = SchoolClassFactory(major=Major.objects.get(name="电子商务"), enrolment_year=2020)
    stale_rules = submission.round_rules(exam_round)
    with lost_bumps():
        SchoolClass.objects.filter(pk=doomed.pk).delete()
    refused = _refused_by_the_service(
        exam_round=exam_round, school_class=doomed, rules=stale_rules, serial=8
    )
    assert refused.message == submission.CLASS_INACTIVE


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("seconds", [0, 60])
def test_a_database_restored_to_an_earlier_count_never_serves_a_remembered_link(
    sophomore_class, during_round, settings, seconds
):
    """A backup restored or a replica promoted: the count of edits goes back, with other content.
    The next edit must not bring the count back to a number a process remembers a class link
    under (content_cache.ProcessMemo): it moves past every earlier number."""
    from rounds.content import content_version

    settings.FORM_FRAGMENT_CACHE_SECONDS = seconds
    assert _sign_up(sophomore_class, 1).status_code == 302
    remembered = content_version()
    # Restored rows, written as pg_restore would write them (no signals): the class was off.
    table = connection.ops.quote_name(SchoolClass._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET is_active = %s WHERE id = %s", [False, sophomore_class.pk]
        )
        cursor.execute("UPDATE rounds_contentversion SET value = %s WHERE id = 1", [remembered - 2])
    major = Major.objects.get(pk=sophomore_class.major_id)
    major.name += "（改）"
    major.save()  # one admin edit: two bumps, once enough to reach the remembered number
    assert content_version() > remembered
    assert _sign_up(sophomore_class, 2).status_code == 404  # the class is off
    assert Registration.objects.count() == 1
