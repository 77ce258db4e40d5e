"""Loading the announcement (and the demo round built from it) into the database.

Every write is keyed on a natural key, so loading twice changes nothing and duplicates nothing.
By default only what is missing is created: an admin's later edits to the round (a fee, a rule,
a charge-item name) survive `make run`. `reset=True` (`load_announcement --reset`) puts every
figure back exactly as announced.
"""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts import roles
from courses.models import TrainingModule, TrainingTopic
from eligibility.models import EligibilityCondition
from fees.models import FeeItem
from registration import announcement_2022 as a2022
from rounds.models import ExamRound, Major, SchoolClass, SkillLevel

DEMO_SESSION_SLUG = "demo-open"


def _put(model, *, reset: bool, defaults: dict, **lookup):
    """Create the row if missing; overwrite it with `defaults` only when resetting."""
    if reset:
        return model.objects.update_or_create(defaults=defaults, **lookup)
    return model.objects.get_or_create(defaults=defaults, **lookup)


def levels_ensure() -> dict[int, SkillLevel]:
    levels = {}
    for code, name, short in a2022.LEVELS:
        level, _ = SkillLevel.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short}
        )
        levels[code] = level
    return levels


def majors_ensure() -> dict[str, Major]:
    majors = {}
    for name in a2022.RELATED_MAJORS:
        # Created as announced; an existing major keeps an admin's edits.
        major, _ = Major.objects.get_or_create(
            name=name, defaults={"relation": a2022.MAJOR_RELATIONS[name]}
        )
        majors[name] = major
    return majors


def _session_contents_load(
    exam_round: ExamRound,
    levels: dict[int, SkillLevel],
    *,
    reset: bool,
    training_schedule: str | None = None,
) -> None:
    if reset or not exam_round.levels.exists():
        exam_round.levels.set([levels[code] for code in a2022.OFFERED_LEVELS])

    for level_code, modules in a2022.TRAINING.items():
        for number, title, schedule, topics in modules:
            module, _ = _put(
                TrainingModule,
                reset=reset,
                round=exam_round,
                level=levels[level_code],
                number=number,
                defaults={"title": title, "schedule": training_schedule or schedule},
            )
            for order, (code, topic_title) in enumerate(topics, start=1):
                _put(
                    TrainingTopic,
                    reset=reset,
                    module=module,
                    code=code,
                    defaults={"title": topic_title, "order": order},
                )

    for order, (level_code, ctype, kind, option, amount, hours, description) in enumerate(
        a2022.FEES, start=1
    ):
        _put(
            FeeItem,
            reset=reset,
            round=exam_round,
            level=levels[level_code],
            candidate_type=ctype,
            kind=kind,
            training_option=option,
            defaults={
                "amount": amount,
                "class_hours": hours,
                "description": description,
                "charge_item_name": a2022.CHARGE_ITEM_NAMES[(kind, level_code)],
                "is_active": True,
                "order": order,
            },
        )

    for spec in a2022.CONDITIONS:
        params: dict[str, Any] = dict(spec)
        code = params.pop("code")
        params["level"] = levels[params["level"]]
        for key in ("prior_level", "training_level"):
            if key in params:
                params[key] = levels[params[key]]
        defaults = {
            "min_years": None,
            "years_basis": "",
            "years_scope": "",
            "prior_level": None,
            "prior_scope": "",
            "min_years_after_prior": None,
            "years_after_prior_basis": "",
            "school_kinds": [],
            "major_relations": [],
            "allow_final_year": False,
            "training_level": None,
            "grades": [],
            "requires_related_major": False,
            "student_pending_requirement": "",
            "is_active": True,
            "occupation": exam_round.occupation,
        }
        defaults.update(params)
        condition, _ = _put(
            EligibilityCondition, reset=reset, round=exam_round, code=code, defaults=defaults
        )
        condition.full_clean()


@transaction.atomic
def announcement_load(*, reset: bool = False) -> ExamRound:
    """Load the 2022 round as announced (missing rows only, unless `reset`)."""
    levels = levels_ensure()
    majors_ensure()
    exam_round, _ = _put(ExamRound, reset=reset, slug=a2022.SESSION_SLUG, defaults=a2022.SESSION)
    exam_round.full_clean()
    _session_contents_load(exam_round, levels, reset=reset)
    return exam_round


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def demo_training_schedule(*, deadline: dt.date) -> str:
    """Training of the demo round: the two weeks after its deadline (2022's "6月下旬" would put it
    months before or after a demo round that moves with today)."""
    return f"{_md(deadline + dt.timedelta(days=7))}–{_md(deadline + dt.timedelta(days=20))}"


def demo_round_texts(*, deadline: dt.date) -> dict[str, str]:
    """The texts of the demo round that 2022's announcement tied to its own time: no pandemic,
    no 报名小程序 (sign-up is the class's QR code here), its own deadline and exam period."""
    exam_day = deadline + dt.timedelta(days=35)
    return {
        "exam_period": f"{exam_day.year}年{_md(exam_day)}前后（具体时间另行通知）",
        "social_refusal_reason": "本批次只面向本校在校学生，暂不受理社会人员报名",
        "eligibility_notes": a2022.SESSION["eligibility_notes"].replace(
            "由于疫情原因,上半年暂不组织社会人员的考试;", "本批次暂不受理社会人员报名;"
        ),
        "how_to_register_text": a2022.SESSION["how_to_register_text"]
        .replace("通过下列报名小程序扫码填写相关信息", "扫描辅导员发放的本班报名二维码填写相关信息")
        .replace("截止2022年5月20日", f"截止{deadline.year}年{_md(deadline)}"),
    }


DEMO_CLASSES = [
    # (name, major, related?, enrolment year offset from the current academic year's first year)
    ("电子商务2班（大二）", "电子商务", 1),
    ("跨境电商1班（大三）", "跨境电商", 2),
    ("市场营销1班（大一）", "市场营销", 0),
    ("汽车检测1班（大二）", "汽车检测与维修技术", 1),
]


@transaction.atomic
def demo_load(*, today: dt.date | None = None, password: str = "kaowutong-demo") -> dict:
    """An open round copied from 2022 with a future deadline, demo classes and two accounts."""
    today = today or timezone.localdate()
    levels = levels_ensure()
    majors_ensure()
    Major.objects.get_or_create(name="汽车检测与维修技术", defaults={"relation": "unrelated"})

    deadline = today + dt.timedelta(days=30)
    defaults = dict(a2022.SESSION)
    defaults.update(demo_round_texts(deadline=deadline))
    defaults.update(
        {
            "title": "电子商务师职业技能等级认定（演示批次）",
            "registration_opens": today - dt.timedelta(days=7),
            "registration_deadline": deadline,
            # Where and by when to pay (the announcement: 学校财务处设置收费专项，统一收取).
            "payment_channel": "登录学校统一缴费平台，在财务处设置的收费专项中选择报名确认单上的"
            "收费项目缴费。",
            "payment_deadline": deadline + dt.timedelta(days=7),
        }
    )
    # The demo round's dates move with today; its contents are created once and then left alone,
    # except training dates still carrying the 2022 text (a demo database from before this).
    exam_round, _ = ExamRound.objects.update_or_create(slug=DEMO_SESSION_SLUG, defaults=defaults)
    schedule = demo_training_schedule(deadline=deadline)
    _session_contents_load(exam_round, levels, reset=False, training_schedule=schedule)
    TrainingModule.objects.filter(round=exam_round, schedule="6月下旬").update(schedule=schedule)

    user_model = get_user_model()
    counselor, created = user_model.objects.get_or_create(
        username="counselor", defaults={"first_name": "王老师", "is_staff": False}
    )
    if created:
        counselor.set_password(password)
        counselor.save()
    admin, created = user_model.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(password)
        admin.save()
    staff = {}
    for username, first_name, group_name in (
        ("jiaowu", "教务处李老师", roles.ACADEMIC_GROUP),
        ("finance", "财务处张老师", roles.FINANCE_GROUP),
    ):
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": first_name}
        )
        if created:
            user.set_password(password)
            user.save()
        roles.user_role_add(user=user, group_name=group_name)
        staff[group_name] = user
    roles.user_role_add(user=counselor, group_name=roles.COUNSELOR_GROUP)

    first_year = today.year if today.month >= 9 else today.year - 1
    classes = []
    for name, major_name, offset in DEMO_CLASSES:
        school_class, _ = SchoolClass.objects.update_or_create(
            name=name,
            defaults={
                "major": Major.objects.get(name=major_name),
                "enrolment_year": first_year - offset,
                "headcount": 45,
                "counselor": counselor,
                "is_active": True,
            },
        )
        classes.append(school_class)
    return {
        "exam_round": exam_round,
        "classes": classes,
        "counselor": counselor,
        "admin": admin,
        "academic": staff[roles.ACADEMIC_GROUP],
        "finance": staff[roles.FINANCE_GROUP],
    }
