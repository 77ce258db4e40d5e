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
SCHOOL_KINDS = (TECHNICAL_SCHOOL, VOCATIONAL_INTERMEDIATE, VOCATIONAL_ADVANCED, COLLEGE)
SCHOOL_KIND_LABELS = {
    TECHNICAL_SCHOOL: "技工学校",
    VOCATIONAL_INTERMEDIATE: "中等及以上职业学校",
    VOCATIONAL_ADVANCED: "高级技工学校/技师学院/职业技术学院",
    COLLEGE: "大学专科及以上",
}

SAME = "same"
RELATED = "related"
UNRELATED = "unrelated"
MAJOR_RELATIONS = (SAME, RELATED, UNRELATED)
MAJOR_RELATION_LABELS = {SAME: "本专业", RELATED: "相关专业", UNRELATED: "非相关专业"}

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
