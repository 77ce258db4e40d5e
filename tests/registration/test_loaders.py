import pytest

from registration.loaders import announcement_load
from registration.models import ExamSession


@pytest.mark.django_db
def test_announcement_load_is_idempotent():
    announcement_load()
    first = ExamSession.objects.get()
    announcement_load()
    assert ExamSession.objects.count() == 1
    assert ExamSession.objects.get().pk == first.pk
