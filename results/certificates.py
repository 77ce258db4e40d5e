"""Certificates: numbers imported from the platform's list (matched by ID number) or entered,
validated against the round's format; issue date; collection (领取) in bulk per class.
"""

import dataclasses
import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from common.cells import RowError, cell_date, cell_person, cell_text
from common.normalize import name_normalize
from common.privacy import mask_id_number
from common.workbook import Formula, WorkbookError, workbook_rows
from registration.messages import Event, notify
from results import selectors
from results.models import (
    DEFAULT_CERTIFICATE_PATTERN,
    Certificate,
    CertificateFormat,
    Registration,
    RegistrationStatus,
)
from rounds.guards import round_writable_check

# The national lookup of skill certificates (技能人才评价证书全国联网查询). The announcement's
# pjjg.osta.org.cn is the directory of assessment bodies, not a certificate lookup.
CERTIFICATE_LOOKUP_URL = "http://zscx.osta.org.cn"

ONLY_ACADEMIC = _("只有教务可以登记证书。")
FUTURE_DATE = _("领取日期不能晚于今天（{today}）。")
REVOKED = _("证书 {number} 已撤销，不能登记领取。")
REVOKED_IN_LIST = _("该考生的证书 {number} 已撤销；如需重新登记请在证书页逐个录入。")
CORRECTION_REASON_REQUIRED = _("请填写更正原因。")
BAD_NUMBER = _("证书编号“{number}”不符合本批次的编号格式。")
NUMBER_TAKEN = _("证书编号 {number} 已登记给其他考生。")
HAS_OTHER_NUMBER = _("该考生已登记证书编号 {number}，如需更正请在证书页修改。")
NOT_IN_ROUND = _("本批次查无此身份证号的考生。")
NO_NUMBER = _("证书编号为空。")
NO_ID_NUMBER = _("身份证号为空。")
ISSUED_ON_LABEL = _("发证日期")
NOT_PASSED = _("该考生在本批次公布的成绩中未合格，不能登记证书，请核对平台名单。")
INACTIVE = _("该报名已取消，不能登记证书。")
MISSING_COLUMNS = _("须包含“身份证号”和“证书编号”列，第一行为表头。")
MISSING_LAYOUT_COLUMNS = _(
    "按模板“{layout}”，第一行须有表头“{id_number}”和“{number}”；文件中缺少：{missing}。"
)
LAYOUT_INCOMPLETE = _("模板“{layout}”没有指定证件号码列和证书编号列，请先在后台补全。")
NAME_MISMATCH = _("姓名“{name}”与该证件号码的考生不符。")
EMPTY_FILE = _("文件中没有证书记录。")
FORMULA_CELL = _("有公式单元格，请将公式转换为数值后再上传。")
NO_DATE = _("请填写领取日期。")
NOTHING_CHOSEN = _("请勾选要登记领取的考生。")

HEADERS = {
    "id_number": {"身份证号", "身份证号码", "证件号码"},
    "number": {"证书编号", "证书号", "证书号码"},
    "issued_on": {"发证日期", "发证时间", "颁证日期"},
}


class CertificateError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def number_normalize(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return re.sub(r"\s+", "", cell_text(raw or "")).upper()


def pattern_of(round) -> str:
    found = CertificateFormat.objects.filter(round=round).first()
    return found.pattern if found else DEFAULT_CERTIFICATE_PATTERN


def number_valid(number: str, pattern: str) -> bool:
    return bool(number) and len(number) <= 40 and re.fullmatch(pattern, number) is not None


def _set(*, registration, number: str, issued_on, user, reinstate: bool = False) -> str:
    """'created', 'unchanged' or 'updated'; raises CertificateError on a clash.

    `reinstate` (a hand entry by 教务) clears a revocation; an import never does."""
    other = Certificate.objects.filter(number=number).exclude(registration=registration).first()
    if other is not None:
        raise CertificateError(NUMBER_TAKEN.format(number=number))
    certificate = Certificate.objects.filter(registration=registration).first()
    revoked = certificate is not None and certificate.revoked_at is not None
    if revoked and not reinstate:
        raise CertificateError(REVOKED_IN_LIST.format(number=certificate.number))
    if certificate is not None and certificate.number == number and not revoked:
        if issued_on is None or certificate.issued_on == issued_on:
            return "unchanged"
        status = "updated"
    elif certificate is not None:
        status = "updated"
    else:
        certificate = Certificate(registration=registration)
        status = "created"
    certificate.number = number
    if issued_on is not None:
        certificate.issued_on = issued_on
    if revoked:
        certificate.revoked_at, certificate.revoked_reason, certificate.revoked_by = None, "", None
        certificate._change_reason = "reinstated by hand entry"
    certificate._history_user = user
    certificate.save()
    if status == "created":
        notify(registration, Event.CERTIFICATE_READY)
    return status


def _not_passed(round) -> set[int]:
    """Registrations the round's published results show as not passed (none before publication:
    a round whose scores live only on the national platform still records its certificates)."""
    if selectors.notice_of(round) is None:
        return set()
    return {r.registration.pk for r in selectors.round_results(round=round) if not r.passed}


@transaction.atomic
def certificate_enter(*, registration, number: str, issued_on, user) -> str:
    """Enter or correct one candidate's certificate number by hand."""
    if not access.is_academic(user):
        raise CertificateError(ONLY_ACADEMIC)
    number = number_normalize(number)
    if not number:
        raise CertificateError(NO_NUMBER)
    if not number_valid(number, pattern_of(registration.round)):
        raise CertificateError(BAD_NUMBER.format(number=number))
    round_writable_check(registration.round, error=CertificateError)
    if registration.status != RegistrationStatus.ACTIVE:
        raise CertificateError(INACTIVE)
    if registration.pk in _not_passed(registration.round):
        raise CertificateError(NOT_PASSED)
    return _set(
        registration=registration, number=number, issued_on=issued_on, user=user, reinstate=True
    )


@dataclasses.dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    problems: list = dataclasses.field(default_factory=list)  # (row, text, message)


def _headers_of(layout) -> dict[str, set[str]]:
    """Field key -> the headers that hold it: the layout's (exactly), or the common aliases."""
    if layout is None:
        return HEADERS
    mapping: dict[str, set[str]] = {}
    for column in layout.columns.all():
        mapping.setdefault(column.field_key, set()).add(column.header.strip())
    if "id_number" not in mapping or "number" not in mapping:
        raise CertificateError(LAYOUT_INCOMPLETE.format(layout=layout.name))
    return mapping


def _columns_of(header_row, headers: dict[str, set[str]], layout) -> dict[str, int]:
    columns = {}
    for index, value in enumerate(header_row):
        title = cell_text(value) if value is not None else ""
        for key, aliases in headers.items():
            if title in aliases and key not in columns:
                columns[key] = index
    if "id_number" in columns and "number" in columns:
        return columns
    if layout is None:
        raise CertificateError(MISSING_COLUMNS)
    missing = [
        "/".join(sorted(headers[key])) for key in ("id_number", "number") if key not in columns
    ]
    raise CertificateError(
        MISSING_LAYOUT_COLUMNS.format(
            layout=layout.name,
            id_number="/".join(sorted(headers["id_number"])),
            number="/".join(sorted(headers["number"])),
            missing="、".join(missing),
        )
    )


def _same_name(given, registered: str) -> bool:
    """Compared as the sign-up stores names: NFKC, no blanks, every middle-dot variant as "·"."""
    return name_normalize(cell_text(given or "")) == name_normalize(registered or "")


@transaction.atomic
def certificates_import(
    *, round, content: bytes, user, issued_on=None, layout=None
) -> ImportReport:
    """Match the platform's list by ID number; report rows it cannot match; idempotent.

    A row never overwrites a different number already recorded (reported instead), so importing
    the same list again changes nothing. `layout` (a 证书名单 ExchangeLayout) says which headers
    hold which field; without one the common header names are recognised. When the layout maps
    a 姓名 column, a row whose name differs from the candidate's is reported, not recorded.
    """
    if not access.is_academic(user):
        raise CertificateError(ONLY_ACADEMIC)
    round_writable_check(round, error=CertificateError)
    try:
        sheet = workbook_rows(content)
    except WorkbookError as error:
        raise CertificateError(error.message) from None
    if not sheet:
        raise CertificateError(EMPTY_FILE)
    columns = _columns_of(sheet[0], _headers_of(layout), layout)
    pattern = pattern_of(round)
    people = {
        r.id_number: r
        for r in Registration.objects.filter(round=round, status=RegistrationStatus.ACTIVE)
    }
    failed = _not_passed(round)
    report = ImportReport()
    for row_number, cells in enumerate(sheet[1:], start=2):
        values = {k: cells[i] if i < len(cells) else None for k, i in columns.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        shown = ""
        try:
            if any(isinstance(v, Formula) for v in values.values()):
                raise RowError(FORMULA_CELL)
            person = cell_person(values["id_number"])
            if not person:
                raise RowError(NO_ID_NUMBER)
            shown = mask_id_number(person)
            number = number_normalize(values["number"])
            if not number:
                raise RowError(NO_NUMBER)
            if not number_valid(number, pattern):
                raise RowError(BAD_NUMBER.format(number=number))
            registration = people.get(person)
            if registration is None:
                raise RowError(NOT_IN_ROUND)
            if "name" in values and not _same_name(values["name"], registration.name):
                raise RowError(NAME_MISMATCH.format(name=cell_text(values["name"] or "")))
            if registration.pk in failed:
                raise RowError(NOT_PASSED)
            row_date = (
                cell_date(values["issued_on"], label=str(ISSUED_ON_LABEL))
                if values.get("issued_on")
                else issued_on
            )
            existing = Certificate.objects.filter(registration=registration).first()
            if existing is not None and existing.revoked_at is not None:
                raise RowError(REVOKED_IN_LIST.format(number=existing.number))
            if existing is not None and existing.number != number:
                raise RowError(HAS_OTHER_NUMBER.format(number=existing.number))
            with transaction.atomic():
                status = _set(
                    registration=registration, number=number, issued_on=row_date, user=user
                )
        except (RowError, CertificateError) as error:
            report.problems.append((row_number, shown, str(error)))
            continue
        if status == "unchanged":
            report.unchanged += 1
        else:
            report.created += 1
    return report


@transaction.atomic
def certificates_collect(*, certificates, collected_on: dt.date | None, user) -> int:
    """Record 领取 for the chosen certificates: the date and who handed them out."""
    if not access.is_academic(user) and not access.uses_workspace(user):
        raise CertificateError(ONLY_ACADEMIC)
    if collected_on is None:
        raise CertificateError(NO_DATE)
    _not_in_future(collected_on)
    chosen = list(
        Certificate.objects.select_for_update(of=("self",))
        .select_related("registration__round")
        .filter(pk__in=certificates)
    )
    if not chosen:
        raise CertificateError(NOTHING_CHOSEN)
    for exam_round in {c.registration.round for c in chosen}:
        round_writable_check(exam_round, error=CertificateError)
    revoked = [c for c in chosen if c.revoked_at is not None]
    if revoked:
        raise CertificateError(REVOKED.format(number=revoked[0].number))
    count = 0
    for certificate in chosen:
        if certificate.collected_on is not None:
            continue
        certificate.collected_on = collected_on
        certificate.handed_out_by = user
        certificate._history_user = user
        certificate._change_reason = "collected"
        certificate.save()
        count += 1
    return count


def _not_in_future(day: dt.date | None) -> None:
    today = timezone.localdate()  # Asia/Shanghai
    if day is not None and day > today:
        raise CertificateError(FUTURE_DATE.format(today=f"{today:%Y-%m-%d}"))


@transaction.atomic
def certificate_collection_correct(
    *, certificate: Certificate, collected_on: dt.date | None, reason: str, user
) -> Certificate:
    """Correct (or clear, with None) the 领取 date of one certificate; the reason goes into the
    history with who changed it."""
    if not access.is_academic(user):
        raise CertificateError(ONLY_ACADEMIC)
    reason = (reason or "").strip()[:100]
    if not reason:
        raise CertificateError(CORRECTION_REASON_REQUIRED)
    _not_in_future(collected_on)
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("registration__round")
        .get(pk=certificate.pk)
    )
    round_writable_check(certificate.registration.round, error=CertificateError)
    if certificate.revoked_at is not None and collected_on is not None:
        raise CertificateError(REVOKED.format(number=certificate.number))
    certificate.collected_on = collected_on
    certificate.handed_out_by = user if collected_on is not None else None
    certificate._history_user = user
    certificate._change_reason = f"collection corrected: {reason}"[:100]
    certificate.save()
    return certificate
