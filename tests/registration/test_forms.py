"""The sign-up form's fields: what every form instance shares and what it owns."""

import re

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
    # The widgets share the list too (Django's Select copies and re-normalises it per form).
    widgets = first.fields["ethnicity"].widget, second.fields["ethnicity"].widget
    assert widgets[0] is not widgets[1]
    assert widgets[0].choices is shared.widget.choices is widgets[1].choices
    assert widgets[0].attrs is not widgets[1].attrs
    assert 'value="汉族"' in str(first["ethnicity"])


def test_replacing_a_forms_choices_leaves_the_other_forms_alone(announcement):
    first, second = _form(announcement), _form(announcement)
    first.fields["ethnicity"].choices = [("汉族", "汉族")]
    first.fields["ethnicity"].widget.attrs["class"] = "narrow"
    assert len(second.fields["ethnicity"].choices) > 50
    assert len(second.fields["ethnicity"].widget.choices) > 50
    assert "class" not in second.fields["ethnicity"].widget.attrs
    assert len(RegistrationForm.base_fields["ethnicity"].choices) > 50
    assert len(_form(announcement).fields["ethnicity"].choices) > 50


def test_a_plain_choice_field_still_copies_its_choices():
    # The control: Django's own behaviour, which FixedChoiceField deliberately skips.
    import copy

    field = forms.ChoiceField(choices=[("a", "A")])
    assert copy.deepcopy(field).choices is not field.choices


def test_each_kind_of_candidate_gets_only_its_own_fields(announcement):
    student = _form(announcement)
    social = RegistrationForm(
        exam_round=announcement, candidate_type=CandidateType.SOCIAL, levels=[]
    )
    social_only = {*RegistrationForm.SOCIAL_FIELDS, "training_fee_item"}
    assert not social_only & set(student.fields)
    assert "student_number" in student.fields
    assert social_only <= set(social.fields)
    assert "student_number" not in social.fields
    assert social.fields["work_unit"].required
    # The class's own fields are untouched, whichever kind was built first.
    assert social_only | {"student_number"} <= set(RegistrationForm.base_fields)
    assert not RegistrationForm.base_fields["work_unit"].required


def test_level_labels_read_the_fees_only_when_shown(announcement, django_assert_num_queries):
    levels = list(announcement.levels.all())
    with django_assert_num_queries(0):
        form = RegistrationForm(
            exam_round=announcement, candidate_type=CandidateType.STUDENT, levels=levels
        )
    with django_assert_num_queries(1):
        labels = [str(label) for _code, label in form.fields["level"].choices]
    assert any("报名费" in label for label in labels)
    assert len(labels) == len(levels)


def test_the_layout_is_built_only_when_the_form_is_shown(announcement):
    form = _form(announcement)
    assert "helper" not in form.__dict__  # a valid sign-up is saved without it
    helper = form.helper
    assert helper.disable_csrf and not helper.form_tag  # the page renders its own token
    assert form.helper is helper


def test_the_ethnicity_select_keeps_crispys_css_class(announcement):
    from crispy_forms.utils import render_crispy_form

    html = render_crispy_form(_form(announcement))
    select = re.search(r'<select name="ethnicity"[^>]*>', html).group(0)
    assert 'class="select form-select"' in select


def test_student_number_raw_length_is_checked_before_normalising():
    """Issue 24: 650k × U+FDFA in 学号 took 2.1 s per anonymous POST (normalised first)."""
    import time

    from registration.forms import TOO_LONG, RegistrationForm
    from rounds.models import CandidateType
    from tests.factories import ExamRoundFactory

    exam_round = ExamRoundFactory(offered=[3])

    def form(student_number):
        data = {
            "name": "张三",
            "id_number": "110105194912310021",
            "student_number": student_number,
            "phone": "13800138000",
            "ethnicity": "汉族",
            "level": "3",
            "consent": "on",
        }
        return RegistrationForm(
            data,
            exam_round=exam_round,
            candidate_type=CandidateType.STUDENT,
            levels=list(exam_round.levels.all()),
        )

    attack = form("\ufdfa" * 650_000)
    started = time.perf_counter()
    assert not attack.is_valid()
    assert time.perf_counter() - started < 0.2
    assert attack.errors["student_number"] == [str(TOO_LONG % {"limit_value": 30})]
    # Blanks typed between digits are still fine up to 4 × max_length raw characters.
    spaced = form(" ".join("2021") + " " * 100 + "0001")
    spaced.is_valid()
    assert "student_number" not in spaced.errors
    assert spaced.cleaned_data["student_number"] == "20210001"
    assert "student_number" in form("2" * 121).errors  # just past the raw limit
