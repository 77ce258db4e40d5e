"""The fixed vocabulary the engine speaks: candidate types, school kinds, levels and their labels.

The values mirror the choices in eligibility.models (a test keeps them in step); the labels are the
short Chinese forms used in reasons.
"""

STUDENT = "student"
SOCIAL = "social"
CANDIDATE_TYPES = (STUDENT, SOCIAL)
CANDIDATE_TYPE_LABELS = {STUDENT: "在校生", SOCIAL: "社会人员"}

TECHNICAL_SCHOOL = "technical_school"
VOCATIONAL_INTERMEDIATE = "vocational_intermediate"
VOCATIONAL_ADVANCED = "vocational_advanced"
COLLEGE = "college"
# One answer per diploma: a 高职 (职业技术学院) diploma IS a 大学专科 diploma, so "college"
# covers 高职/职业技术学院, 高级技工学校 and 技师学院 as well as universities, and any rule about
# 大专 holds for all of them. "vocational_advanced" (the old separate answer) is a synonym.
SCHOOL_KINDS = (TECHNICAL_SCHOOL, VOCATIONAL_INTERMEDIATE, COLLEGE)
SCHOOL_KIND_SYNONYMS = {VOCATIONAL_ADVANCED: COLLEGE}
# The one label per school kind: the engine's reasons, the model's choices (admin) and the
# questionnaire all show these (tests/eligibility/test_vocabulary.py keeps it so).
SCHOOL_KIND_LABELS = {
    TECHNICAL_SCHOOL: "技工学校",
    VOCATIONAL_INTERMEDIATE: "中等职业学校（中专、职高）",
    COLLEGE: "大学专科（含高职、技师学院）及以上",
}


def canonical_school_kind(kind: str) -> str:
    return SCHOOL_KIND_SYNONYMS.get(kind, kind)


SAME = "same"
RELATED = "related"
UNRELATED = "unrelated"
MAJOR_RELATIONS = (SAME, RELATED, UNRELATED)
MAJOR_RELATION_LABELS = {SAME: "本专业", RELATED: "相关专业", UNRELATED: "非相关专业"}

# What a conditionally eligible candidate must still do before the exam (Registration
# .pending_requirement stores the same values).
PENDING_TRAINING = "training"
PENDING_REQUIREMENTS = (PENDING_TRAINING,)

# Occupation of a certificate, and the scope a condition accepts.
CERTIFICATE_OCCUPATIONS = (SAME, RELATED)
SAME_OR_RELATED = "same_or_related"
OCCUPATION_SCOPES = (SAME, SAME_OR_RELATED)
OCCUPATION_SCOPE_LABELS = {SAME: "本职业", SAME_OR_RELATED: "本职业或相关职业"}

CONTINUOUS = "continuous"
CUMULATIVE = "cumulative"
YEARS_BASES = (CONTINUOUS, CUMULATIVE)

# National skill levels: 5 is the lowest (五级/初级工), 1 the highest (一级/高级技师).
LEVEL_NAMES = {
    5: "五级/初级工",
    4: "四级/中级工",
    3: "三级/高级工",
    2: "二级/技师",
    1: "一级/高级技师",
}
LEVEL_CODES = tuple(LEVEL_NAMES)
LEVEL_SHORT_NAMES = {5: "五级", 4: "四级", 3: "三级", 2: "二级", 1: "一级"}
# Levels a candidate can hold a certificate or a training certificate of before applying.
PRIOR_CERTIFICATE_LEVELS = (5, 4)
TRAINING_LEVELS = (4, 3)

GRADE_LABELS = {1: "大一", 2: "大二", 3: "大三", 4: "大四", 5: "大五"}
MAX_GRADE = 8
MAX_YEARS = 60


def grade_label(grade: int) -> str:
    return GRADE_LABELS.get(grade, f"{grade}年级")


def level_name(code: int) -> str:
    return LEVEL_NAMES.get(code, f"{code}级")


def level_short_name(code: int) -> str:
    return LEVEL_SHORT_NAMES.get(code, f"{code}级")


def pending_text(requirement: str, level: int | None) -> str:
    """The plain sentence for what is still to do, e.g. "需完成本校四级培训并取得结业证书"."""
    if requirement == PENDING_TRAINING:
        which = level_short_name(level) if level is not None else ""
        return f"需完成本校{which}培训并取得结业证书"
    return ""
