"""The loaders reproduce the announcement figure by figure, and loading twice changes nothing.

Expected values are typed here from the announcement text itself (../shared/announcement-2022.txt),
not read back from registration/announcement_2022.py, so a slip in the data module fails a test.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from courses.models import TrainingModule, TrainingTopic
from eligibility.models import EligibilityCondition
from fees.models import FeeItem
from registration.loaders import DEMO_SESSION_SLUG, announcement_load, demo_load
from rounds.models import ExamRound, Major, SchoolClass, SkillLevel

pytestmark = pytest.mark.django_db


def fee(exam_round, level: int, candidate_type: str, kind: str, option: str = "") -> FeeItem:
    return FeeItem.objects.get(
        round=exam_round,
        level__code=level,
        candidate_type=candidate_type,
        kind=kind,
        training_option=option,
    )


# --- The round --------------------------------------------------------------------------------


def test_announcement_load_round_facts(announcement):
    exam_round = ExamRound.objects.get(pk=announcement.pk)
    assert exam_round.occupation == "电子商务师"
    assert exam_round.organizer == "武汉交通职业学院"
    assert exam_round.is_published is True
    assert exam_round.registration_deadline == dt.date(2022, 5, 20)
    assert exam_round.registration_opens is None
    assert exam_round.exam_period == "2022年6月下旬（具体时间另行通知）"
    assert exam_round.exam_location == "校内实训室"


def test_announcement_load_social_candidates_not_accepted_because_of_the_epidemic(announcement):
    assert announcement.accepts_students is True
    assert announcement.accepts_social is False
    assert "疫情" in announcement.social_refusal_reason
    assert "上半年暂不组织社会人员的考试" in announcement.social_refusal_reason


def test_announcement_load_consultation_qq_and_hours(announcement):
    exam_round = ExamRound.objects.get(pk=announcement.pk)
    assert exam_round.consultation_qq == "2378470284"
    assert exam_round.consultation_days == "工作日"
    assert exam_round.consultation_start == dt.time(9, 30)
    assert exam_round.consultation_end == dt.time(16, 30)
    assert "耐心等待" in exam_round.consultation_note


def test_announcement_load_narrative_texts(announcement):
    assert announcement.intro_text.count("\n") == 2  # three paragraphs
    assert announcement.intro_text.startswith("电子商务师是指利用计算机技术")
    assert "http://pjjg.osta.org.cn" in announcement.intro_text
    assert announcement.value_text.count("\n") == 4  # five paragraphs
    assert "每年3600元定额扣除" in announcement.value_text
    assert "只能逐级进行" in announcement.eligibility_notes
    assert "大二、大三学生可以破格直接报考三级/高级工" in announcement.eligibility_notes
    assert announcement.training_audience == "已报名参加电子商务师三、四级考试人员。"
    assert "由学校财务处设置收费专项" in announcement.fee_payment_text
    assert "在校生参加培训但不收取培训费" in announcement.fee_note
    assert "各班级辅导员统一组织" in announcement.how_to_register_text


def test_announcement_load_all_five_levels_and_offers_four_and_three(announcement):
    assert list(SkillLevel.objects.values_list("code", "name")) == [
        (5, "五级/初级工"),
        (4, "四级/中级工"),
        (3, "三级/高级工"),
        (2, "二级/技师"),
        (1, "一级/高级技师"),
    ]
    assert [level.name for level in announcement.levels.all()] == ["四级/中级工", "三级/高级工"]


def test_announcement_load_related_majors(announcement):
    relations = dict(Major.objects.values_list("name", "relation"))
    # 电子商务 is the 电子商务师 occupation's own major (本专业); the others are 相关专业.
    assert relations == {
        "电子商务": "same",
        "跨境电商": "related",
        "市场营销": "related",
        "酒店管理": "related",
    }
    assert all(Major.objects.get(name=name).is_related for name in relations)


def test_announcement_load_twice_keeps_an_admins_major_relation(announcement):
    Major.objects.filter(name="酒店管理").update(relation="unrelated")

    announcement_load()

    assert Major.objects.get(name="酒店管理").relation == "unrelated"
    assert Major.objects.count() == 4


def test_announcement_conditions_split_social_and_in_school_routes(announcement):
    rows = {c.code: c for c in EligibilityCondition.objects.filter(round=announcement)}
    students = sorted(code for code, c in rows.items() if "student" in c.candidate_types)
    social = sorted(code for code, c in rows.items() if "social" in c.candidate_types)
    assert students == ["L3-S", "L4-3", "L4-4"]
    assert len(social) == 11
    assert rows["L4-4"].student_pending_requirement == "training"
    assert all(c.student_pending_requirement == "" for k, c in rows.items() if k != "L4-4")


# --- Fees -------------------------------------------------------------------------------------


def test_announcement_load_registration_fees(announcement):
    for candidate_type in ("student", "social"):
        assert fee(announcement, 4, candidate_type, "registration").amount == Decimal("260")
        assert fee(announcement, 3, candidate_type, "registration").amount == Decimal("320")


def test_announcement_load_training_free_for_students(announcement):
    for level in (4, 3):
        item = fee(announcement, level, "student", "training", "free")
        assert item.amount == Decimal("0")
        assert item.class_hours is None


def test_announcement_load_intensive_classes(announcement):
    level4 = fee(announcement, 4, "social", "training", "intensive")
    level3 = fee(announcement, 3, "social", "training", "intensive")
    assert (level4.amount, level4.class_hours) == (Decimal("800"), 40)
    assert (level3.amount, level3.class_hours) == (Decimal("1000"), 60)


def test_announcement_load_improvement_class_only_for_level_four(announcement):
    item = fee(announcement, 4, "social", "training", "improvement")
    assert item.amount == Decimal("300")
    assert item.class_hours is None
    assert "线上+线下集中1天学习" in item.description
    # The announcement prints no 三级 提高班 price: nothing is invented.
    assert not FeeItem.objects.filter(
        round=announcement, level__code=3, training_option="improvement"
    ).exists()


def test_announcement_load_exactly_nine_active_fee_items_with_charge_names(announcement):
    items = FeeItem.objects.filter(round=announcement)
    assert items.count() == 9
    assert all(item.is_active for item in items)
    assert all(item.charge_item_name for item in items)
    assert sorted(items.values_list("amount", flat=True)) == [
        Decimal(x) for x in ("0", "0", "260", "260", "300", "320", "320", "800", "1000")
    ]


# --- Training ---------------------------------------------------------------------------------

TRAINING_LEVEL_4 = [
    ("线上店铺设计与装修", [("2.1", "装修元素制作"), ("2.2", "用户页面装修")]),
    ("营销推广", [("3.1", "电商文案采编"), ("3.2", "短视频推广"), ("3.3", "网络直播推广")]),
    ("业务处理", [("4.1", "商品管理"), ("4.2", "订单管理")]),
    ("客户服务", [("5.1", "智能客服训练"), ("5.2", "客户关系维护")]),
    ("商务数据分析", [("6.1", "电子商务数据采集"), ("6.2", "电子商务数据清洗")]),
]
TRAINING_LEVEL_3 = [
    ("视觉营销", [("2.1", "整体风格设计"), ("2.2", "装修元素设计"), ("2.3", "用户页面设计")]),
    ("营销推广", [("3.1", "搜索引擎推广"), ("3.2", "信息流推广")]),
    ("业务处理", [("4.1", "采购管理"), ("4.2", "销售管理")]),
    ("客户服务", [("5.1", "社群管理"), ("5.2", "客户关系管理")]),
    (
        "商务数据分析",
        [
            ("6.1", "电子商务数据加载"),
            ("6.2", "电子商务数据报表设计制作"),
            ("6.3", "电子商务数据统计分析"),
        ],
    ),
]


@pytest.mark.parametrize(("level", "expected"), [(4, TRAINING_LEVEL_4), (3, TRAINING_LEVEL_3)])
def test_announcement_load_every_module_and_topic_with_printed_codes(announcement, level, expected):
    modules = TrainingModule.objects.filter(round=announcement, level__code=level)
    loaded = [
        (
            module.number,
            module.title,
            module.schedule,
            [(topic.code, topic.title) for topic in module.topics.order_by("order")],
        )
        for module in modules.order_by("number")
    ]
    assert loaded == [
        (number, title, "6月下旬", topics)
        for number, (title, topics) in enumerate(expected, start=1)
    ]


# --- Eligibility ------------------------------------------------------------------------------


def test_announcement_load_twelve_conditions(announcement):
    conditions = EligibilityCondition.objects.filter(round=announcement)
    assert conditions.count() == 12
    assert list(conditions.filter(level__code=4).order_by("order").values_list("code", "text")) == [
        ("L4-1", "在本职业连续工作3年以上。"),
        (
            "L4-2",
            "取得本职业或相关职业五级/初级工职业资格证书(技能等级证书)后,"
            "累计从事本职业或相关职业工作1年(含)以上。",
        ),
        (
            "L4-3",
            "取得技工学校本专业或相关专业毕业证书(含尚未取得毕业证书的在校应届毕业生);"
            "或取得经评估论证、以中级技能为培养目标的中等及以上职业学校本专业或相关专业"
            "毕业证书(含尚未取得毕业证书的在校应届毕业生)。",
        ),
        ("L4-4", "经本职业四级/中级工正规培训达规定标准学时数,并取得结业证书。"),
    ]
    level3 = list(conditions.filter(level__code=3).order_by("order").values_list("code", "text"))
    assert [code for code, _ in level3] == [
        "L3-1",
        "L3-2",
        "L3-3",
        "L3-4",
        "L3-5",
        "L3-6",
        "L3-7",
        "L3-S",
    ]
    assert level3[0][1] == "在本职业连续工作6年以上。"
    assert level3[4][1] == "具有本专业大学专科及以上毕业证书。"
    assert level3[6][1] == (
        "具有非本专业大学专科及以上毕业证书,经本职业三级/高级工正规培训达规定标准学时数,"
        "并取得结业证书。"
    )


def test_announcement_load_student_exception_is_for_related_second_and_third_years(
    announcement,
):
    condition = EligibilityCondition.objects.get(round=announcement, code="L3-S")
    assert condition.candidate_types == ["student"]
    assert condition.grades == [2, 3]
    assert condition.requires_related_major is True


def test_announcement_load_conditions_are_valid(announcement):
    for condition in EligibilityCondition.objects.filter(round=announcement):
        condition.full_clean()


# --- Idempotency ------------------------------------------------------------------------------

LOADED_MODELS = [
    "rounds.SkillLevel",
    "rounds.ExamRound",
    "rounds.Major",
    "courses.TrainingModule",
    "courses.TrainingTopic",
    "fees.FeeItem",
    "eligibility.EligibilityCondition",
]
VOLATILE = {"updated_at"}


def snapshot() -> dict[str, list[dict]]:
    data = {}
    for label in LOADED_MODELS:
        model = apps.get_model(label)
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in VOLATILE]
        data[label] = list(model.objects.order_by("pk").values(*fields))
    data["levels_offered"] = list(
        ExamRound.levels.through.objects.order_by("pk").values("examround_id", "skilllevel_id")
    )
    return data


def test_announcement_load_second_run_changes_and_duplicates_nothing(db):
    announcement_load()
    before = snapshot()
    announcement_load()
    after = snapshot()
    assert {label: len(rows) for label, rows in after.items()} == {
        label: len(rows) for label, rows in before.items()
    }
    assert after == before


def test_announcement_load_counts(db):
    announcement_load()
    assert ExamRound.objects.count() == 1
    assert SkillLevel.objects.count() == 5
    assert TrainingModule.objects.count() == 10
    assert TrainingTopic.objects.count() == 11 + 12
    assert FeeItem.objects.count() == 9
    assert EligibilityCondition.objects.count() == 12


def test_announcement_load_keeps_admin_edits_and_reset_restores_them(announcement):
    item = fee(announcement, 4, "student", "registration")
    item.amount = Decimal("999")
    item.charge_item_name = "财务处新名称"
    item.save()
    announcement.levels.remove(announcement.levels.get(code=3))
    announcement_load()
    item.refresh_from_db()
    assert item.amount == Decimal("999")
    assert item.charge_item_name == "财务处新名称"
    assert list(announcement.levels.values_list("code", flat=True)) == [4]

    announcement_load(reset=True)
    item.refresh_from_db()
    assert item.amount == Decimal("260")
    assert sorted(announcement.levels.values_list("code", flat=True)) == [3, 4]


def test_announcement_load_recreates_a_deleted_row(announcement):
    fee(announcement, 3, "social", "training", "intensive").delete()
    announcement_load()
    assert fee(announcement, 3, "social", "training", "intensive").amount == Decimal("1000")


def test_load_announcement_command_is_idempotent(db, capsys):
    call_command("load_announcement")
    before = snapshot()
    call_command("load_announcement")
    assert snapshot() == before
    assert "dzsws-2022-1" in capsys.readouterr().out


# --- Demo -------------------------------------------------------------------------------------


def test_demo_load_creates_an_open_round_with_the_2022_figures(db):
    today = timezone.localdate()
    result = demo_load(today=today)
    exam_round = result["exam_round"]
    assert exam_round.slug == DEMO_SESSION_SLUG
    assert exam_round.is_open()
    assert exam_round.registration_deadline > today
    assert fee(exam_round, 3, "social", "training", "intensive").amount == Decimal("1000")
    assert EligibilityCondition.objects.filter(round=exam_round).count() == 12
    assert TrainingTopic.objects.filter(module__round=exam_round).count() == 23


def test_demo_load_accounts_and_classes(db):
    demo_load(password="demo-pass-123")
    user_model = get_user_model()
    admin = user_model.objects.get(username="admin")
    counselor = user_model.objects.get(username="counselor")
    assert admin.is_superuser and admin.check_password("demo-pass-123")
    assert not counselor.is_staff and counselor.check_password("demo-pass-123")
    classes = SchoolClass.objects.all()
    assert classes.count() == 4
    assert {c.major.is_related for c in classes} == {True, False}
    assert all(c.counselor == counselor for c in classes)


def test_demo_load_twice_is_safe(db):
    demo_load()
    counts = {label: apps.get_model(label).objects.count() for label in LOADED_MODELS}
    codes = sorted(SchoolClass.objects.values_list("code", flat=True))
    demo_load()
    assert {label: apps.get_model(label).objects.count() for label in LOADED_MODELS} == counts
    assert sorted(SchoolClass.objects.values_list("code", flat=True)) == codes
    assert sorted(get_user_model().objects.values_list("username", flat=True)) == [
        "admin",
        "counselor",
        "finance",
        "jiaowu",
    ]


@pytest.mark.django_db
def test_demo_round_states_its_own_deadline_in_the_how_to_register_text():
    import datetime as dt

    from registration.loaders import demo_load

    exam_round = demo_load(today=dt.date(2026, 11, 26))["exam_round"]
    assert "截止2026年12月26日" in exam_round.how_to_register_text
    assert "2022年5月20日" not in exam_round.how_to_register_text


@pytest.mark.django_db
def test_demo_round_texts_fit_the_demo_round_not_2022():
    import datetime as dt

    from courses.models import TrainingModule
    from registration.loaders import demo_load

    exam_round = demo_load(today=dt.date(2026, 12, 8))["exam_round"]
    texts = " ".join(
        [
            exam_round.social_refusal_reason,
            exam_round.eligibility_notes,
            exam_round.how_to_register_text,
            exam_round.exam_period,
        ]
    )
    assert "疫情" not in texts and "小程序" not in texts and "2022" not in texts
    assert "本班报名二维码" in exam_round.how_to_register_text
    assert exam_round.exam_period == "2027年2月11日前后（具体时间另行通知）"
    schedules = set(
        TrainingModule.objects.filter(round=exam_round).values_list("schedule", flat=True)
    )
    assert schedules == {"1月14日–1月27日"}  # the two weeks after the 1月7日 deadline
    # The real 2022 round keeps its announcement word for word.
    announced = announcement_load()
    assert "疫情" in announced.social_refusal_reason
    assert set(
        TrainingModule.objects.filter(round=announced).values_list("schedule", flat=True)
    ) == {"6月下旬"}


@pytest.mark.django_db
def test_demo_load_moves_2022_training_dates_of_an_older_demo_database():
    import datetime as dt

    from courses.models import TrainingModule
    from registration.loaders import demo_load

    exam_round = demo_load(today=dt.date(2026, 12, 8))["exam_round"]
    TrainingModule.objects.filter(round=exam_round).update(schedule="6月下旬")
    demo_load(today=dt.date(2026, 12, 8))
    assert not TrainingModule.objects.filter(round=exam_round, schedule="6月下旬").exists()
