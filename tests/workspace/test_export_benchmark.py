"""Export of 10,000 registrations against a bare openpyxl write of the same rows.

Skipped unless KWT_EXPORT_BENCH is set (it takes a while); run it with
`KWT_EXPORT_BENCH=10000 .venv/bin/python -m pytest tests/counselor/test_export_benchmark.py -s`.
"""

import os
import tempfile
import time
import tracemalloc

import pytest
from openpyxl import Workbook

from registration.models import Registration
from tests.factories import SchoolClassFactory
from tests.workspace.xlsx_helpers import registrations_bulk
from workspace import exports

ROWS = int(os.environ.get("KWT_EXPORT_BENCH", "0") or 0)
FIELDS = [
    "number", "name", "gender", "id_number", "birth_date", "ethnicity", "phone", "student_number",
    "school_class__name", "school_class__major__name", "level__name", "candidate_type",
    "quoted_registration_fee", "quoted_training_fee", "payment_status", "paid_amount", "paid_on",
    "review_status", "review_reason", "matched_condition_text", "counselor_note", "created_at",
]  # fmt: skip


def _measure(fn):
    """CPU time of one run (other processes on the machine do not count), then peak Python
    memory of a second, traced run (tracing is slow)."""
    started = time.process_time()
    result = fn()
    elapsed = time.process_time() - started
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, elapsed, peak


def _bare(exam_round):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("rows")
    for row in (
        Registration.objects.filter(round=exam_round)
        .values_list(*FIELDS)
        .iterator(chunk_size=exports.CHUNK_SIZE)
    ):
        ws.append([v.replace(tzinfo=None) if hasattr(v, "tzinfo") else v for v in row])
    output = tempfile.TemporaryFile()
    wb.save(output)
    return output


@pytest.mark.skipif(not ROWS, reason="export benchmark: set KWT_EXPORT_BENCH=<rows>")
@pytest.mark.django_db
def test_export_benchmark_against_bare_openpyxl(counselor, exam_round):
    classes = [SchoolClassFactory(name=f"基准班{i}", counselor=counselor) for i in range(5)]
    per_class = ROWS // len(classes)
    for index, school_class in enumerate(classes):
        registrations_bulk(
            exam_round=exam_round,
            school_class=school_class,
            count=per_class,
            start=index * per_class,
        )
    bare, bare_seconds, bare_peak = _measure(lambda: _bare(exam_round))
    export, seconds, peak = _measure(
        lambda: exports.registrations_export(
            user=counselor, exam_round=exam_round, layout=exports.LAYOUT_ROSTER
        )
    )
    size = export.file.seek(0, 2)
    bare_size = bare.seek(0, 2)
    print(
        f"\n{ROWS} rows: export {seconds:.2f} s CPU, peak {peak / 2**20:.1f} MiB,"
        f" {size / 2**20:.1f} MiB file; bare openpyxl {bare_seconds:.2f} s CPU,"
        f" peak {bare_peak / 2**20:.1f} MiB,"
        f" {bare_size / 2**20:.1f} MiB file"
    )
    assert seconds < bare_seconds * 3
    assert peak < 64 * 2**20
