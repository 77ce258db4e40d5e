"""xlsx import of a sitting's scores: preview, forgiving cells, IDs as text, idempotent apply."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from exams.models import AdmissionTicket
from results import imports, services
from results.imports import ImportOutcome, ScoreFileError
from results.models import Outcome, Score, ScoreState
from results.services import EntryValue


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def tickets(seated):
    return [
        AdmissionTicket.objects.create(registration=seat.registration, number=f"20220010000{n}")
        for n, seat in enumerate(seated, start=1)
    ]


def preview(sitting, academic, content):
    return imports.score_import_preview(
        sitting=sitting, file_name="成绩.xlsx", content=content, user=academic
    )


def outcomes(score_import):
    rows = imports.import_rows(score_import)
    return [r.outcome for r in imports.reconcile(score_import.sitting, rows)]


def test_preview_then_apply_is_idempotent(sitting, seated, tickets, academic):
    s1, s2, s3 = seated
    n1, n2, n3 = (seat.registration.name for seat in seated)
    content = xlsx(
        [
            ["准考证号", "姓名", "成绩", "备注"],
            ["202200100001", n1, 85, None],
            [202200100002, f" {n2} ", "７２.5", ""],  # a number cell and full-width digits
            ["202200100003", n3, None, "缺考"],
            ["202200100001", n1, 85, None],
            ["999", "无名", 60, None],
            ["202200100002", n2, "abc", None],
            ["202200100002", n2, "=A1", None],
        ]
    )
    score_import = preview(sitting, academic, content)
    assert not Score.objects.exists()  # preview writes nothing but the upload record
    assert [p["row"] for p in score_import.problems] == [7, 8]
    assert outcomes(score_import) == [
        ImportOutcome.NEW,
        ImportOutcome.NEW,
        ImportOutcome.ABSENT,
        ImportOutcome.DUPLICATE,
        ImportOutcome.UNKNOWN,
    ]
    assert imports.score_import_apply(score_import=score_import, user=academic) == 2
    score = Score.objects.get(seat=s2)
    assert (score.state, score.points) == (ScoreState.IMPORTED, Decimal("72.5"))
    assert not Score.objects.filter(seat=s3).exists()
    with pytest.raises(ScoreFileError):
        imports.score_import_apply(score_import=score_import, user=academic)
    again = preview(sitting, academic, content)
    assert outcomes(again)[:2] == [ImportOutcome.SAME, ImportOutcome.SAME]
    assert imports.score_import_apply(score_import=again, user=academic) == 0
    assert Score.objects.get(seat=s1).history.count() == 1


def test_id_numbers_and_violation(sitting, seated, tickets, academic):
    s1 = seated[0]
    content = xlsx([["身份证号", "分数", "情况"], [s1.registration.id_number, None, "违纪"]])
    score_import = preview(sitting, academic, content)
    imports.score_import_apply(score_import=score_import, user=academic)
    assert Score.objects.get(seat=s1).outcome == Outcome.VIOLATION


def test_id_number_stored_as_a_number_is_refused(sitting, seated, academic):
    content = xlsx([["身份证号", "成绩"], [110101199001011234, 80]])
    score_import = preview(sitting, academic, content)
    assert "文本" in score_import.problems[0]["message"]


def test_conflict_with_entered_score_is_not_overwritten(
    sitting, seated, tickets, assigned, scorer1, scorer2, academic
):
    s1 = seated[0]
    for user in (scorer1, scorer2):
        services.scores_enter(
            sitting=sitting,
            room=assigned,
            user=user,
            values={s1.pk: EntryValue(Outcome.SCORED, Decimal("80"))},
        )
    score_import = preview(sitting, academic, xlsx([["准考证号", "成绩"], ["202200100001", 90]]))
    assert outcomes(score_import) == [ImportOutcome.CONFLICT]
    assert imports.score_import_apply(score_import=score_import, user=academic) == 0
    assert Score.objects.get(seat=s1).points == Decimal("80")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip", "不是有效的 Excel"),
        (xlsx([["准考证号", "姓名"], ["1", "甲"]]), "成绩"),
        (xlsx([["姓名", "成绩"], ["甲", 1]]), "准考证号"),
    ],
)
def test_whole_file_problems(sitting, academic, content, message):
    with pytest.raises(ScoreFileError) as refused:
        preview(sitting, academic, content)
    assert message in str(refused.value)


def test_import_locked_after_review(sitting, seated, tickets, assigned, scorer1, scorer2, academic):
    values = {
        seated[0].pk: EntryValue(Outcome.SCORED, Decimal("80")),
        seated[1].pk: EntryValue(Outcome.SCORED, Decimal("80")),
    }
    score_import = preview(sitting, academic, xlsx([["准考证号", "成绩"], ["202200100002", 70]]))
    for user in (scorer1, scorer2):
        services.scores_enter(sitting=sitting, room=assigned, user=user, values=values)
    services.sitting_review(sitting=sitting, user=academic)
    with pytest.raises(ScoreFileError):
        imports.score_import_apply(score_import=score_import, user=academic)


def test_import_pages(sitting, seated, tickets, academic, scorer1):
    client = Client()
    client.force_login(academic)
    content = xlsx([["准考证号", "成绩"], ["202200100001", 66], ["202200100002", 101]])
    upload = SimpleUploadedFile("成绩.xlsx", content)
    response = client.post(reverse("results:import", args=[sitting.pk]), {"file": upload})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "确认导入（1 人可导入）" in page
    assert "第3行" in page and "0 到 100" in page
    response = client.post(response.url + "apply/", follow=True)
    assert "已导入 1 名考生的成绩" in response.content.decode()
    assert Score.objects.get(seat=seated[0]).points == Decimal("66")
    bad = SimpleUploadedFile("成绩.xlsx", b"junk")
    response = client.post(reverse("results:import", args=[sitting.pk]), {"file": bad})
    assert response.status_code == 400
    client.force_login(scorer1)
    assert client.get(reverse("results:import", args=[sitting.pk])).status_code == 403


def test_id_number_with_a_bad_check_digit_is_invalid_not_unknown(sitting, seated, academic):
    good = seated[0].registration.id_number
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    score_import = preview(sitting, academic, xlsx([["身份证号", "成绩"], [wrong, 80], [good, 81]]))
    assert score_import.problems == [{"row": 2, "message": str(imports.INVALID_ID)}]
    assert outcomes(score_import) == [ImportOutcome.NEW]


def test_name_in_the_file_is_compared(sitting, seated, tickets, academic):
    s1, s2, _ = seated
    content = xlsx(
        [
            ["准考证号", "姓名", "成绩"],
            ["202200100001", "别人", 85],
            ["202200100002", s2.registration.name, 70],
        ]
    )
    score_import = preview(sitting, academic, content)
    assert outcomes(score_import) == [ImportOutcome.NAME_MISMATCH, ImportOutcome.NEW]
    assert imports.score_import_apply(score_import=score_import, user=academic) == 1
    assert not Score.objects.filter(seat=s1).exists()
    client = Client()
    client.force_login(academic)
    page = client.get(reverse("results:import_detail", args=[score_import.pk])).content.decode()
    assert "文件中的姓名与该考生不符" in page
