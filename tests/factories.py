"""Factories shared by every test package."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from fees.models import FeeItem
from registration.models import Registration
from rounds.models import ExamRound, Major, SchoolClass, SkillLevel
from tests.idnumbers import make_id_number


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-word-123")


def level(code: int) -> SkillLevel:
    names = {
        5: "五级/初级工",
        4: "四级/中级工",
        3: "三级/高级工",
        2: "二级/技师",
        1: "一级/高级技师",
    }
    obj, _ = SkillLevel.objects.get_or_create(
        code=code, defaults={"name": names[code], "short_name": names[code][:2]}
    )
    return obj


class ExamRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamRound
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"round-{n}")
    title = factory.Sequence(lambda n: f"测试批次{n}")
    organizer = "武汉交通职业学院"
    registration_deadline = factory.LazyFunction(
        lambda: timezone.localdate() + dt.timedelta(days=10)
    )
    exam_period = "2022年6月下旬（具体时间另行通知）"
    exam_location = "校内实训室"
    consultation_qq = "2378470284"

    @factory.post_generation
    def offered(self, create, extracted, **kwargs):
        if create:
            self.levels.set([level(code) for code in (extracted or [4, 3])])


class MajorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Major
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"专业{n}")
    relation = "related"


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    name = factory.Sequence(lambda n: f"班级{n}")
    major = factory.SubFactory(MajorFactory)
    enrolment_year = 2020
    headcount = 40
    counselor = factory.SubFactory(UserFactory)


class FeeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeItem

    round = factory.SubFactory(ExamRoundFactory)
    level = factory.LazyFunction(lambda: level(4))
    candidate_type = "student"
    kind = "registration"
    training_option = ""
    amount = Decimal("260.00")
    charge_item_name = "电子商务师四级/中级工考试报名费"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    round = factory.SubFactory(ExamRoundFactory)
    number = factory.Sequence(lambda n: f"T{n:08d}")
    candidate_type = "student"
    level = factory.LazyFunction(lambda: level(3))
    school_class = factory.SubFactory(SchoolClassFactory)
    name = factory.Sequence(lambda n: f"学生{n}")
    id_number = factory.Sequence(lambda n: make_id_number(n))
    gender = "M"
    birth_date = dt.date(2002, 3, 14)
    ethnicity = "汉族"
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    student_number = factory.Sequence(lambda n: f"2020{n:06d}")
    quoted_registration_fee = Decimal("320.00")
    quoted_training_fee = Decimal("0.00")
    consent_at = factory.LazyFunction(timezone.now)
