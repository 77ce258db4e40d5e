"""One eligibility vocabulary: one label per value wherever a value is shown."""

from eligibility import forms, models
from eligibility.engine import vocabulary as v
from rounds import models as rounds_models


def test_school_kinds_have_one_label_in_engine_model_and_questionnaire():
    form_labels = {value: str(label) for value, label in forms.EDUCATION_KIND_CHOICES if value}
    model_labels = {value: str(label) for value, label in models.SchoolKind.choices}
    assert model_labels == v.SCHOOL_KIND_LABELS
    assert form_labels == v.SCHOOL_KIND_LABELS
    # The value the bug was about: three labels before, one now.
    assert model_labels[v.VOCATIONAL_INTERMEDIATE] == "中等职业学校（中专、职高）"


def test_major_relation_is_one_enumeration_with_the_engine_labels():
    assert models.MajorRelation is rounds_models.MajorRelation
    labels = {value: str(label) for value, label in rounds_models.MajorRelation.choices}
    assert labels == v.MAJOR_RELATION_LABELS
