"""common.history: simple-history's records, with the history manager's class built once."""

import pytest
from django.apps import apps

from common.history import _HistoryDescriptor
from tests.factories import ExamRoundFactory


def _history_models():
    return [
        model
        for model in apps.get_models()
        if getattr(model._meta, "simple_history_manager_attribute", None)
    ]


def test_every_tracked_model_uses_the_project_descriptor():
    # A model declared with simple_history.models.HistoricalRecords instead of
    # common.history.HistoricalRecords would build a manager class on every save again.
    tracked = _history_models()
    assert len(tracked) > 20
    for model in tracked:
        descriptor = model.__dict__[model._meta.simple_history_manager_attribute]
        assert isinstance(descriptor, _HistoryDescriptor), model


@pytest.mark.django_db
def test_the_manager_class_is_built_once_and_history_still_works():
    exam_round = ExamRoundFactory()
    before = exam_round.history.count()
    exam_round.title = "改名后的批次"
    exam_round.save()
    first, second = exam_round.history, exam_round.history
    assert type(first) is type(second)
    assert first.instance is exam_round
    assert [h.title for h in exam_round.history.order_by("history_id")][-1] == "改名后的批次"
    assert exam_round.history.count() == before + 1
    # The class-level manager lists every round's history.
    assert type(exam_round).history.count() >= before + 1
