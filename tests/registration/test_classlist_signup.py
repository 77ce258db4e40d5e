"""The class list decides who is who: a sign-up through a listed class must match an entry."""

import pytest
from django.core.cache import cache
from django.test import Client

from registration import ratelimits
from registration.models import ClassListEntry, Registration
from registration.services import classlists
from tests.common.test_normalize import full_width
from tests.idnumbers import make_id_number
from tests.registration.test_student_views import class_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def listed_class(sophomore_class):
    ClassListEntry.objects.create(
        school_class=sophomore_class,
        student_number="2020123456",
        name="张三",
        id_number=make_id_number(1),
    )
    ClassListEntry.objects.create(
        school_class=sophomore_class,
        student_number="2020123457",
        name="买买提·艾力",
        id_number=make_id_number(2),
    )
    return sophomore_class


def test_takeover_of_another_students_id_is_refused_when_the_class_has_a_list(
    listed_class, during_round
):
    stranger = Client(REMOTE_ADDR="10.9.0.66")
    # The stranger knows the ID number but not the rest of the entry.
    response = stranger.post(
        class_url(listed_class),
        form_data(name="李四", student_number="2020999999", phone="13900139000"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["student_number"] == [
        classlists.LIST_NUMBER_UNKNOWN % {"number": "2020999999"}
    ]
    assert not Registration.objects.exists()
    # The real student then registers as usual, with their own phone.
    student = Client(REMOTE_ADDR="10.9.0.1")
    assert student.post(class_url(listed_class), form_data()).status_code == 302
    assert Registration.objects.get().phone == "13800138000"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "张叁"}, "name", classlists.LIST_NAME_MISMATCH),
        ({"id_number": make_id_number(9)}, "id_number", classlists.LIST_ID_MISMATCH),
        ({"student_number": "2020000001"}, "student_number", None),
    ],
)
def test_mismatch_names_the_field_to_check_and_whom_to_ask(
    client, listed_class, during_round, overrides, field, message
):
    response = client.post(class_url(listed_class), form_data(**overrides))
    errors = response.context["form"].errors[field]
    if message is not None:
        assert errors == [message]
    assert "辅导员" in str(errors[0])
    assert not Registration.objects.exists()


def test_match_is_after_normalisation(client, listed_class, during_round):
    response = client.post(
        class_url(listed_class),
        form_data(
            2,
            name="买买提•艾力",
            id_number=full_width(make_id_number(2)),
            student_number="２０２０１２３４５７",
        ),
    )
    assert response.status_code == 302
    assert Registration.objects.get().name == "买买提·艾力"


def test_edit_must_still_match_the_list(client, listed_class, during_round):
    response = client.post(class_url(listed_class), form_data())
    registration = Registration.objects.get()
    edit = response["Location"] + "edit/"
    refused = client.post(edit, form_data(id_number=make_id_number(9)))
    assert refused.context["form"].errors["id_number"] == [classlists.LIST_ID_MISMATCH]
    registration.refresh_from_db()
    assert registration.id_number == make_id_number(1)


def test_list_mismatch_answers_are_limited_per_client(listed_class, during_round):
    prober = Client(REMOTE_ADDR="10.9.0.77")
    forms = [
        prober.post(class_url(listed_class), form_data(id_number=make_id_number(n))).context["form"]
        for n in range(10, 10 + ratelimits.REVEAL_LIMIT_PER_ADDRESS_SUBJECT + 1)
    ]
    assert forms[0].errors["id_number"] == [classlists.LIST_ID_MISMATCH]
    assert forms[-1].non_field_errors() == [ratelimits.REVEAL_RATE_LIMITED]
    # The student, from their own phone, is not locked out by the prober.
    assert (
        Client(REMOTE_ADDR="10.9.0.1").post(class_url(listed_class), form_data()).status_code == 302
    )


def test_a_class_without_a_list_keeps_todays_behaviour(client, sophomore_class, during_round):
    assert client.post(class_url(sophomore_class), form_data(name="任何人")).status_code == 302


def test_admin_keeps_class_lists_and_normalises_what_it_stores(client, sophomore_class):
    from django.urls import reverse

    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    add = reverse("admin:registration_classlistentry_add")
    assert client.get(add).status_code == 200
    response = client.post(
        add,
        {
            "school_class": sophomore_class.pk,
            "student_number": "２０２０１２３４５６",
            "name": "买买提•艾力",
            "id_number": full_width(make_id_number(1)),
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    entry = ClassListEntry.objects.get()
    assert (entry.student_number, entry.name, entry.id_number) == (
        "2020123456",
        "买买提·艾力",
        make_id_number(1),
    )
    refused = client.post(
        add,
        {"school_class": sophomore_class.pk, "student_number": "2020123457", "name": "=1+1",
         "id_number": make_id_number(2), "is_active": "on"},
    )  # fmt: skip
    assert refused.status_code == 200 and ClassListEntry.objects.count() == 1
    changelist = client.get(reverse("admin:registration_classlistentry_changelist"))
    assert make_id_number(1) not in changelist.content.decode()  # masked in the list


def _orm_entry(school_class, student_number):
    """What class_list_match's one query must return, written with the ORM."""
    from django.db.models import Case, When

    return (
        ClassListEntry.objects.active()
        .filter(school_class=school_class)
        .order_by(Case(When(student_number=student_number, then=0), default=1), "pk")
        .values_list("student_number", "name", "id_number")
        .first()
    )


def test_the_sign_up_list_query_returns_what_the_orm_would(listed_class, sophomore_class):
    from django.db import connection

    other = ClassListEntry.objects.create(
        school_class=listed_class, student_number="2020999999", name="李四", id_number="x"
    )
    other.is_active = False  # left the class: never matched
    other.save()

    def raw(number):
        with connection.cursor() as cursor:
            cursor.execute(classlists._entry_sql(connection.vendor), [listed_class.pk, number])
            return cursor.fetchone()

    for number in ("2020123457", "2020123456", "2020000000", "2020999999", ""):
        assert raw(number) == _orm_entry(listed_class, number), number
    assert raw("2020123457")[1] == "买买提·艾力"  # the listed student, not merely the first entry
    assert raw("2020999999")[0] == "2020123456"  # an inactive entry is not on the list
    with connection.cursor() as cursor:  # a class without a list: nothing
        from tests.factories import SchoolClassFactory

        empty = SchoolClassFactory(major=listed_class.major, enrolment_year=2020)
        cursor.execute(classlists._entry_sql(connection.vendor), [empty.pk, "2020123456"])
        assert cursor.fetchone() is None
