"""The archive export of a round: one zip in private storage (docs/archive.md).

It holds the files exchanged with the national platform (candidate sheet, photo zip, certificate
list) and one workbook of registrations, results and certificates, so the round can be answered
for after its pages have gone quiet. It is rebuilt after a purge, from the anonymised data, so the
export never keeps what the purge removed.
"""

import hashlib
import io
import secrets
import shutil
import zipfile

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from openpyxl import Workbook

from common.xlsx import Column, local_naive, sheet_add, sheet_append, sheet_finish
from exams.photo_export import photos_zip
from registration.ledger.models import Payment
from registration.models import Registration
from results import selectors as results
from results.models import Certificate, Outcome
from rounds.models import ExamRound
from workspace.exports import LAYOUT_NATIONAL, registrations_export

from .models import RoundArchive

README = """考务通 批次归档文件（只读）

批次：{title}（{slug}）
生成时间：{built}
内容：
  全国考生信息表.xlsx  上报国家职业技能鉴定平台的考生信息表（在册考生）
  考生照片.zip          上报平台的证件照（个人信息清理后不再包含）
  证书名单.xlsx         证书编号、发证日期和领取记录
  报名成绩证书.xlsx     全部报名（含已取消）、各科成绩和结果、证书
个人信息的保存期限和清理方式见 docs/archive.md。
"""


def _registration_columns(paid: dict[int, object]) -> list[Column]:
    return [
        Column("报名号", 20, lambda r: r.number, "code"),
        Column("姓名", 12, lambda r: r.name),
        Column("身份证号", 22, lambda r: r.id_number, "code"),
        Column("性别", 6, lambda r: r.get_gender_display()),
        Column("出生日期", 12, lambda r: r.birth_date, "date"),
        Column("手机号", 14, lambda r: r.phone, "code"),
        Column("学号", 14, lambda r: r.student_number, "code"),
        Column("等级", 14, lambda r: r.level.name),
        Column("班级", 18, lambda r: r.school_class.name if r.school_class else ""),
        Column("专业", 18, lambda r: r.school_class.major.name if r.school_class else ""),
        Column("考生类型", 10, lambda r: r.get_candidate_type_display()),
        Column("报名状态", 8, lambda r: r.get_status_display()),
        Column("审核", 8, lambda r: r.get_review_status_display()),
        Column("缴费状态", 10, lambda r: r.get_payment_status_display()),
        Column("应缴（元）", 12, lambda r: r.quoted_total, "money"),
        Column("已缴净额（元）", 14, lambda r: paid.get(r.pk) or 0, "money"),
        Column("报名时间", 18, lambda r: local_naive(r.created_at), "datetime"),
    ]


def _subject_text(subject) -> str:
    if subject is None:
        return ""
    if subject.outcome == "scored":
        return f"{subject.points.normalize():f}" if subject.points is not None else ""
    return dict(Outcome.choices).get(subject.outcome, subject.outcome)


RESULT_COLUMNS = [
    Column("准考证号", 18, lambda r: r.registration.ticket, "code"),
    Column("姓名", 12, lambda r: r.registration.name),
    Column("班级", 18, lambda r: r.registration.class_name),
    Column("专业", 18, lambda r: r.registration.major_name),
    Column("等级", 14, lambda r: r.registration.level_name),
    Column("理论知识", 10, lambda r: _subject_text(r.theory)),
    Column("操作技能", 10, lambda r: _subject_text(r.skill)),
    Column("结果", 8, lambda r: "合格" if r.passed else "不合格"),
]

CERTIFICATE_COLUMNS = [
    Column("证书编号", 24, lambda c: c.number, "code"),
    Column("姓名", 12, lambda c: c.registration.name),
    Column("身份证号", 22, lambda c: c.registration.id_number, "code"),
    Column("等级", 14, lambda c: c.registration.level.name),
    Column("发证日期", 12, lambda c: c.issued_on, "date"),
    Column("领取日期", 12, lambda c: c.collected_on, "date"),
    Column("发放人", 12, lambda c: c.handed_out_by.get_full_name() if c.handed_out_by else ""),
]


def _sheet(wb: Workbook, title: str, columns: list[Column], rows) -> None:
    ws = sheet_add(wb, title, columns)
    count = 0
    for row in rows:
        sheet_append(ws, columns, row)
        count += 1
    sheet_finish(ws, columns, count)


def _workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _certificates(exam_round: ExamRound):
    return (
        Certificate.objects.filter(registration__round=exam_round)
        .select_related("registration__level", "handed_out_by")
        .order_by("number")
    )


def _system_user():
    """An unsaved superuser: the purge command rebuilds the export with the whole round in
    scope (the national sheet's selector scopes by user); it is never saved or logged in."""
    return get_user_model()(username="archive", is_superuser=True, is_active=True)


def archive_zip(exam_round: ExamRound, *, user=None) -> bytes:
    user = user or _system_user()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        built = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        archive.writestr(
            "说明.txt", README.format(title=exam_round.title, slug=exam_round.slug, built=built)
        )
        national = registrations_export(user=user, exam_round=exam_round, layout=LAYOUT_NATIONAL)
        archive.writestr("全国考生信息表.xlsx", national.file.read())
        photos, count = photos_zip(exam_round)
        if count:
            with archive.open("考生照片.zip", "w") as target:
                shutil.copyfileobj(photos, target)

        wb = Workbook(write_only=True)
        _sheet(wb, "证书", CERTIFICATE_COLUMNS, _certificates(exam_round).iterator())
        archive.writestr("证书名单.xlsx", _workbook_bytes(wb))

        registrations = (
            Registration.objects.filter(round=exam_round)
            .select_related("level", "school_class__major")
            .order_by("number")
        )
        paid = {
            row["registration"]: row["total"]
            for row in Payment.objects.filter(registration__round=exam_round, kind="payment")
            .values("registration")
            .annotate(total=Sum("amount"))
        }
        refunds = {
            row["registration"]: row["total"]
            for row in Payment.objects.filter(registration__round=exam_round, kind="refund")
            .values("registration")
            .annotate(total=Sum("amount"))
        }
        net = {pk: total - refunds.get(pk, 0) for pk, total in paid.items()}
        wb = Workbook(write_only=True)
        _sheet(wb, "报名", _registration_columns(net), registrations.iterator())
        _sheet(wb, "成绩", RESULT_COLUMNS, results.round_results(round=exam_round))
        _sheet(wb, "证书", CERTIFICATE_COLUMNS, _certificates(exam_round).iterator())
        archive.writestr("报名成绩证书.xlsx", _workbook_bytes(wb))
    return buffer.getvalue()


def archive_export_build(*, exam_round: ExamRound, user=None) -> RoundArchive:
    """Write (or rewrite) the round's archive zip; the previous file is deleted after the commit
    (a rollback keeps the record pointing at it), the new one at once if saving the record fails.
    Call it last in the transaction: a rollback after it returns leaves the new file behind."""
    content = archive_zip(exam_round, user=user)
    record = RoundArchive.objects.filter(exam_round=exam_round).first()
    old_name = record.file.name if record and record.file else ""
    record = record or RoundArchive(exam_round=exam_round)
    # A random name: the file is served only through the 教务 view, never by its path.
    name = f"round-{exam_round.pk}-{secrets.token_hex(16)}.zip"
    record.file.save(name, ContentFile(content), save=False)
    storage, new_name = record.file.storage, record.file.name
    try:
        record.file_sha256 = hashlib.sha256(content).hexdigest()
        record.size = len(content)
        record.built_at = timezone.now()
        record.built_by = user if user is not None and user.pk else None
        record.full_clean()
        record.save()
    except BaseException:
        storage.delete(new_name)  # no orphan file: the transaction is rolled back
        raise
    if old_name and old_name != new_name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return record
