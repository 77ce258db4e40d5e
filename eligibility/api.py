"""The evaluate API's request: parse, look up, decide. Raises FactsError naming the bad field."""

from typing import Any

from django.utils.translation import gettext_lazy as _l

from eligibility import lookups, selectors
from eligibility.engine import FactsError, decision_to_dict
from eligibility.engine import vocabulary as v

MSG_LEVEL = _l("字段 level（申报等级）须为 1 到 5 的整数，本批次开考：{offered}。")
MSG_SESSION_TYPE = _l("字段 session（考试批次代码）须为字符串。")
MSG_SESSION_UNKNOWN = _l("字段 session（考试批次代码）无效：未找到该考试批次。")
MSG_NO_CURRENT_SESSION = _l("当前没有可自测的考试批次，请在 session 字段指定批次代码。")
MSG_MAJOR_REQUIRED = _l("字段 major（专业名称）为必填项（在校生）。")
MSG_MAJOR_TYPE = _l("字段 major（专业名称）须为字符串。")
MSG_MAJOR_UNKNOWN = _l("字段 major（专业名称）无效：未找到该专业。")
MSG_GRADE_REQUIRED = _l("字段 grade（年级）为必填项（在校生）。")


def evaluate_request(data: Any) -> dict[str, Any]:
    """The response body for a request body that json.loads produced."""
    facts = selectors.facts_from_dict(data)  # validates every field and the object itself

    slug = data.get("session")
    if slug is not None and not isinstance(slug, str):
        raise FactsError("session", str(MSG_SESSION_TYPE))
    exam_round = lookups.session_for_self_check(slug)
    if exam_round is None:
        if slug is None:
            raise FactsError("session", str(MSG_NO_CURRENT_SESSION))
        raise FactsError("session", str(MSG_SESSION_UNKNOWN))

    level = data.get("level")
    if not isinstance(level, int) or isinstance(level, bool) or level not in v.LEVEL_CODES:
        offered = "、".join(str(lv.code) for lv in exam_round.levels.all()) or "无"
        raise FactsError("level", MSG_LEVEL.format(offered=offered))

    if facts.candidate_type == v.STUDENT:
        major_name = data.get("major")
        if major_name is None:
            raise FactsError("major", str(MSG_MAJOR_REQUIRED))
        if not isinstance(major_name, str):
            raise FactsError("major", str(MSG_MAJOR_TYPE))
        major = lookups.major_by_name(major_name)
        if major is None:
            raise FactsError("major", str(MSG_MAJOR_UNKNOWN))
        if facts.grade is None:
            raise FactsError("grade", str(MSG_GRADE_REQUIRED))
        facts = selectors.major_student_facts(major=major, grade=facts.grade)

    decision = selectors.decision_for(exam_round=exam_round, level_code=level, facts=facts)
    return decision_to_dict(decision)
