"""manage.py print_tickets: one PDF per room of a published round."""

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from exams import services
from exams.models import DrawMethod
from tests.exams.conftest import seatable

pytestmark = pytest.mark.django_db


def test_print_tickets_writes_one_pdf_per_room(exam_round, level3, sitting, tmp_path):
    people = [seatable(exam_round, level3) for _ in range(4)]  # rooms of 3 and 4 seats
    services.seats_assign(sitting=sitting, method=DrawMethod.BY_CLASS)
    with pytest.raises(CommandError, match="not published"):
        call_command("print_tickets", exam_round.slug, out=str(tmp_path))
    services.plan_publish(round=exam_round)
    call_command("print_tickets", exam_round.slug, out=str(tmp_path))
    files = sorted(tmp_path.glob("*.pdf"))
    assert [f.name for f in files] == ["实训楼-A101.pdf", "实训楼-A102.pdf"]
    pages = [len(PdfReader(f).pages) for f in files]
    assert pages == [3, 1]
    text = "".join(page.extract_text() for f in files for page in PdfReader(f).pages)
    assert all(person.name in text for person in people)
