"""A finished round: graded (4 candidates, the first passed), results published, the passed
candidate's certificate recorded and collected; photos, payments and import records in place."""

import datetime as dt
import shutil
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from registration.ledger.models import Payment, PaymentImport
from registration.models import ClassListEntry, ClassListImport
from results import services
from results.models import Certificate
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
def finished(exam_round, graded, academic):  # noqa: F811
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
    rows = []
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
        rows.append({"name": registration.name, "id_number": registration.id_number})
        ClassListEntry.objects.create(
            school_class=registration.school_class,
            student_number=registration.student_number,
            name=registration.name,
            id_number=registration.id_number,
        )
        assert index >= 0
    PaymentImport.objects.filter(pk=payment_import.pk).update(rows=rows)
    ClassListImport.objects.create(
        school_class=graded[1].school_class, file_name="名单.xlsx", rows=rows, uploaded_by=academic
    )
    return graded
