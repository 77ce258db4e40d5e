"""The sign-up form's fields: what every form instance shares and what it owns."""

import pytest
from django import forms

from registration.forms import FixedChoiceField, RegistrationForm
from rounds.models import CandidateType

pytestmark = pytest.mark.django_db


def _form(exam_round, **kwargs):
    return RegistrationForm(
        exam_round=exam_round,
        candidate_type=CandidateType.STUDENT,
        levels=list(exam_round.levels.all()),
        **kwargs,
    )


def test_fixed_choices_are_shared_between_forms_instead_of_copied(announcement):
    first, second = _form(announcement), _form(announcement)
    shared = RegistrationForm.base_fields["ethnicity"]
    assert isinstance(shared, FixedChoiceField)
    assert first.fields["ethnicity"] is not second.fields["ethnicity"]  # fields are per form
    assert first.fields["ethnicity"].choices is shared.choices is second.fields["ethnicity"].choices
    assert ("汉族", "汉族") in first.fields["ethnicity"].choices
    assert first.fields["ethnicity"].widget.choices == shared.choices


def test_replacing_a_forms_choices_leaves_the_other_forms_alone(announcement):
    first, second = _form(announcement), _form(announcement)
    first.fields["ethnicity"].choices = [("汉族", "汉族")]
    assert len(second.fields["ethnicity"].choices) > 50
    assert len(RegistrationForm.base_fields["ethnicity"].choices) > 50
    assert len(_form(announcement).fields["ethnicity"].choices) > 50


def test_a_plain_choice_field_still_copies_its_choices():
    # The control: Django's own behaviour, which FixedChoiceField deliberately skips.
    import copy

    field = forms.ChoiceField(choices=[("a", "A")])
    assert copy.deepcopy(field).choices is not field.choices
