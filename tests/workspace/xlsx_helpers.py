"""Helpers to reopen exported workbooks in tests."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

from django.utils import timezone
from openpyxl import load_workbook

from registration.models import Registration
from tests.factories import level
from tests.idnumbers import make_id_number


def response_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def workbook_from(response):
    assert response.status_code == 200, response
    return load_workbook(io.BytesIO(response_bytes(response)))


def sheet_xml(data: bytes) -> str:
    """All worksheet XML of a workbook, to look at what is really stored."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/sheet")
        )


def registrations_bulk(*, exam_round, school_class, count: int, start: int = 0) -> None:
    """Many valid registrations in one INSERT (IDs unique: birth dates vary every 400)."""
    now = timezone.now()
    rows = []
    for i in range(start, start + count):
        birth = dt.date(1990, 1, 1) + dt.timedelta(days=i // 400)
        rows.append(
            Registration(
                round=exam_round,
                school_class=school_class,
                number=f"B{i:09d}",
                level=level(3 if i % 2 else 4),
                name=f"学生{i}",
                id_number=make_id_number(i % 400, birth=birth),
                gender="M",
                birth_date=birth,
                ethnicity="汉族",
                phone=f"137{i:08d}",
                student_number=f"2021{i:06d}",
                quoted_registration_fee=Decimal("320.00"),
                consent_at=now,
            )
        )
    Registration.objects.bulk_create(rows, batch_size=500)
