"""A finished round: graded (4 candidates, the first passed), results published, the passed
candidate's certificate recorded and collected; photos, payments and import records in place.

Everything that names a candidate is there once, so the "no personal data left" test covers it:
class-list entries (the classes have graduated: inactive), a retake offer, free-text reasons
(seat move, score change, training completion) and admin log entries of those objects."""

import datetime as dt
import os
import shutil
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile

from exams.models import Seat
from registration.ledger.models import Payment, PaymentImport
from registration.models import ClassListEntry, ClassListImport, RetakeOffer
from registration.training.models import TrainingEnrollment
from results import services
from results.models import Certificate
from rounds.models import SchoolClass
from tests.registration.training.conftest import TrainingClassFactory
from tests.results.conftest import (  # noqa: F401
    academic,
    exam_round,
    invigilator,
    level3,
    roles,
    rooms,
    sitting,
    skill_sitting,
)
from tests.results.test_outcomes import graded  # noqa: F401


@pytest.fixture(autouse=True)
def _empty_media(settings):
    """Each test walks the whole media folder: start it empty (a per-process /tmp folder)."""
    assert "kwt-test-media-" in str(settings.MEDIA_ROOT)
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def finished(exam_round, graded, academic, level3):  # noqa: F811
    services.notice_publish(round=exam_round, working_days=5, user=academic)
    first = graded[0]
    Certificate.objects.create(
        registration=first,
        number="2530000000000001",
        issued_on=dt.date(2025, 9, 1),
        collected_on=dt.date(2025, 9, 10),
        handed_out_by=academic,
    )
    payment_import = PaymentImport.objects.create(
        file_name="缴费名单.xlsx", file_sha256="0" * 64, rows=[], uploaded_by=academic
    )
    rows, entries = [], []
    for index, registration in enumerate(graded):
        registration.photo.save("p.jpg", ContentFile(f"JPEG-BYTES-{registration.pk}".encode()))
        registration.counselor_note = f"电话 {registration.phone}"
        registration.save()
        Payment.objects.create(
            registration=registration,
            charge_item_name="报名费",
            amount=Decimal("320.00"),
            paid_on=dt.date(2025, 5, 1),
            source="import",
            payment_import=payment_import,
            recorded_by=academic,
            note=f"身份证 {registration.id_number}",
        )
        rows.append(
            {
                "student_number": registration.student_number,
                "name": registration.name,
                "id_number": registration.id_number,
            }
        )
        entries.append(
            ClassListEntry.objects.create(
                school_class=registration.school_class,
                student_number=registration.student_number,
                name=registration.name,
                id_number=registration.id_number,
            )
        )
        assert index >= 0
    problems = [{"row": 3, "name": graded[2].name, "student_number": graded[2].student_number}]
    PaymentImport.objects.filter(pk=payment_import.pk).update(rows=rows, problems=problems)
    ClassListImport.objects.create(
        school_class=graded[1].school_class, file_name="名单.xlsx", rows=rows, uploaded_by=academic
    )
    # A year on, the classes have graduated: their lists are no longer needed (docs/archive.md).
    SchoolClass.objects.filter(pk__in=[r.school_class_id for r in graded]).update(is_active=False)
    failed, absent, cheated = graded[1], graded[2], graded[3]
    offer = RetakeOffer.objects.create(
        id_number=failed.id_number,
        name=failed.name,
        level=level3,
        subject="theory",
        source_registration=failed,
        exam_round=exam_round,
        created_by=academic,
    )
    TrainingEnrollment.objects.create(
        registration=absent,
        training_class=TrainingClassFactory(round=exam_round, level=level3),
        completed_on=dt.date(2025, 5, 20),
        completion_method="manual",
        completion_reason=f"{absent.name} 病假，补课后认定",
        completed_by=academic,
    )
    seat = Seat.objects.filter(registration=cheated).first()
    seat.move_reason = f"{cheated.name} 视力原因调到前排"
    seat.save()
    score = seat.score
    score.reason = f"{cheated.name}（{cheated.id_number}）复核后改分"
    score.save()
    for obj in (entries[2], offer, seat):
        LogEntry.objects.create(
            user=academic,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=str(obj),
            action_flag=CHANGE,
            change_message=f"修改 {obj}",
        )
    return graded


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """KWT_TEST_SQLITE_FILE: the test database is that file instead of SQLite in memory, so the
    purge's raw-file scan can read it (test_purge_complete.py runs itself so in a subprocess)."""
    from django.conf import settings

    path = os.environ.get("KWT_TEST_SQLITE_FILE")
    if path and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = path


@pytest.fixture
def retake_pending(finished, exam_round, sitting, level3, academic):  # noqa: F811
    """Issue 29: the failed candidate's theory score was imported by ID number, and she holds an
    unused retake offer into the next round, which is open (not archived)."""
    from results.models import ScoreImport
    from tests.factories import ExamRoundFactory

    failed = finished[1]
    next_round = ExamRoundFactory(offered=[4, 3], slug="next-round")
    offer = RetakeOffer.objects.create(
        id_number=failed.id_number,
        name=failed.name,
        level=level3,
        subject="theory",
        source_registration=failed,
        exam_round=next_round,
        created_by=academic,
    )
    score_import = ScoreImport.objects.create(
        sitting=sitting,
        file_name="理论成绩.xlsx",
        file_sha256="1" * 64,
        rows=[{"row": 2, "person": failed.id_number, "outcome": "points", "points": "59.5"}],
        problems=[{"row": 3, "message": f"{failed.id_number} 重复"}],
        uploaded_by=academic,
    )
    return failed, next_round, offer, score_import
