"""choice_label returns exactly what Django's get_FOO_display returns, per language."""

import pytest
from django.db.models import Model
from django.utils import translation

from common.choices import choice_label
from registration.models import Registration


def _django_display(registration, field):
    return Model._get_FIELD_display(registration, field)


@pytest.mark.parametrize("name", ["gender", "id_type", "education", "exam_type_theory"])
def test_every_choice_and_odd_values_match_django(name):
    field = Registration._meta.get_field(name)
    values = [value for value, _label in field.flatchoices] + ["", "not-a-choice", None]
    for value in values:
        registration = Registration(**{field.attname: value})
        assert choice_label(field, value) == _django_display(registration, field)
        assert getattr(registration, f"get_{name}_display")() == _django_display(
            registration, field
        )


def test_labels_follow_the_active_language():
    field = Registration._meta.get_field("id_type")
    with translation.override("zh-hans"):
        chinese = Registration(id_type="passport").get_id_type_display()
    with translation.override("en"):
        english = Registration(id_type="passport").get_id_type_display()
        assert english == _django_display(Registration(id_type="passport"), field)
    assert chinese == "护照"
