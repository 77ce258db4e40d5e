import pytest

from registration.candidate_data import ExamType
from registration.models import Registration
from workspace.exchange.candidate_fields import exam_type_text


@pytest.mark.parametrize(
    ("theory", "skill", "text"),
    [
        ("new", "new", "新考"),
        ("retake", "exempt", "理论知识补考，操作技能免考"),
        ("new", "odd", "理论知识新考，操作技能odd"),
    ],
)
def test_exam_type_text_with_labels_resolved_once_reads_the_same(theory, skill, text):
    registration = Registration(exam_type_theory=theory, exam_type_skill=skill)
    labels = {value: str(label) for value, label in ExamType.choices}
    assert exam_type_text(registration) == text
    assert exam_type_text(registration, labels) == text
