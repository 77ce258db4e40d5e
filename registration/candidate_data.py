"""Platform data beyond sign-up: ID document type, education, exam type per subject.

证件类型 defaults to 居民身份证 (the sign-up form takes a resident ID number); the other documents
each have their own format check below. 考生来源 (在校生 / 社会) is not stored: it follows from the
candidate type. 考试类型 is per subject (理论知识 / 操作技能), 新考 unless the candidate retakes.
"""

import datetime as dt
import re

from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.iso7064 import mod_11_2

from common.idcard import IdNumberError, id_number_parse
from common.normalize import id_number_normalize


class IdType(models.TextChoices):
    RESIDENT = "resident", _("居民身份证")
    HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    FOREIGN_PR = "foreign_pr", _("外国人永久居留身份证")
    PASSPORT = "passport", _("护照")


class Education(models.TextChoices):
    """文化程度: the highest education completed, as the national platform lists it."""

    DOCTOR = "doctor", _("博士研究生")
    MASTER = "master", _("硕士研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    SECONDARY_SPECIALIZED = "secondary", _("中等专科")
    VOCATIONAL_HIGH = "vocational", _("职业高中")
    TECHNICAL_SCHOOL = "technical", _("技工学校")
    HIGH_SCHOOL = "high", _("普通高中")
    JUNIOR = "junior", _("初中")
    PRIMARY = "primary", _("小学")
    OTHER = "other", _("其他")


class ExamType(models.TextChoices):
    NEW = "new", _("新考")
    RETAKE = "retake", _("补考")
    # Not sat in this round: the subject was passed in an earlier round and the candidate retakes
    # the other one (set only by the retake registration, registration.services.retakes).
    EXEMPT = "exempt", _("免考")


# What a candidate chooses in 补充资料: 免考 is never a choice of their own.
SELF_DECLARED_EXAM_TYPES = [
    (ExamType.NEW.value, ExamType.NEW.label),
    (ExamType.RETAKE.value, ExamType.RETAKE.label),
]


class RetakeSubject(models.TextChoices):
    """The two subjects, as the retake offer names them (exams.Subject sits in a higher layer
    and uses the same values)."""

    THEORY = "theory", _("理论知识")
    SKILL = "skill", _("操作技能")


HK_MACAO_ERROR = _(
    "港澳居民来往内地通行证号码应为字母H或M加8位数字（旧版为加10位数字），如 H12345678。"
)
TAIWAN_ERROR = _("台湾居民来往大陆通行证号码应为8位数字。")
FOREIGN_PR_ERROR = _(
    "外国人永久居留身份证号码应为18位（以9开头，最后一位为数字或X）或15位（3个字母加12位数字）。"
)
FOREIGN_PR_CHECKSUM_ERROR = _("外国人永久居留身份证号码校验位不正确，请逐位核对。")
PASSPORT_ERROR = _("护照号码应为5至17位字母或数字，且至少含一位数字。")

HK_MACAO_RE = re.compile(r"^[HM][0-9]{8}([0-9]{2})?$")
TAIWAN_RE = re.compile(r"^[0-9]{8}$")
FOREIGN_PR_NEW_RE = re.compile(r"^9[0-9]{16}[0-9X]$")
FOREIGN_PR_OLD_RE = re.compile(r"^[A-Z]{3}[0-9]{12}$")
PASSPORT_RE = re.compile(r"^(?=.*[0-9])[A-Z0-9]{5,17}$")


def id_document_validate(id_type: str, raw: str, *, today: dt.date) -> str:
    """The document number, normalised (ASCII, upper case, no spaces); IdNumberError if invalid."""
    number = id_number_normalize(raw or "").upper()
    if id_type == IdType.RESIDENT:
        return id_number_parse(number, today=today).number
    if id_type == IdType.HK_MACAO:
        if not HK_MACAO_RE.match(number):
            raise IdNumberError(HK_MACAO_ERROR)
    elif id_type == IdType.TAIWAN:
        if not TAIWAN_RE.match(number):
            raise IdNumberError(TAIWAN_ERROR)
    elif id_type == IdType.FOREIGN_PR:
        if FOREIGN_PR_NEW_RE.match(number):
            # The 2023 card uses the resident ID's ISO 7064 MOD 11-2 check character.
            if not mod_11_2.is_valid(number):
                raise IdNumberError(FOREIGN_PR_CHECKSUM_ERROR)
        elif not FOREIGN_PR_OLD_RE.match(number):
            raise IdNumberError(FOREIGN_PR_ERROR)
    elif id_type == IdType.PASSPORT:
        if not PASSPORT_RE.match(number):
            raise IdNumberError(PASSPORT_ERROR)
    else:
        raise IdNumberError(_("请选择证件类型。"))
    return number


def candidate_source_label(candidate_type: str) -> str:
    """考生来源 as the platform words it: 在校生 or 社会."""
    return str(_("在校生")) if candidate_type == "student" else str(_("社会"))


def missing_items(registration) -> list[str]:
    """What the candidate must still supply in 补充资料 (empty when complete)."""
    missing = []
    if not registration.education:
        missing.append(str(_("文化程度")))
    if not registration.photo:
        missing.append(str(_("证件照")))
    elif registration.photo_status == "returned":
        missing.append(str(_("证件照（已退回）")))
    return missing


def is_complete(registration) -> bool:
    return not missing_items(registration)
