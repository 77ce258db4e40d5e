"""Admins edit conditions in Django admin; their edits change verdicts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from eligibility import selectors
from eligibility.engine import Facts
from eligibility.forms import MSG_GRADES_INVALID
from eligibility.models import EligibilityCondition
from tests.factories import MajorFactory, SchoolClassFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def change_url(condition) -> str:
    return reverse("admin:eligibility_eligibilitycondition_change", args=[condition.pk])


def form_data(client, condition) -> dict:
    """The change form's current values, as a browser would post them back."""
    form = client.get(change_url(condition)).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


def condition(exam_round, code) -> EligibilityCondition:
    return EligibilityCondition.objects.get(round=exam_round, code=code)


def test_admin_changelist_lists_filters_and_searches(admin_client, announcement):
    url = reverse("admin:eligibility_eligibilitycondition_changelist")

    listing = admin_client.get(url)
    level3 = admin_client.get(url, {"level__id__exact": condition(announcement, "L3-1").level_id})
    search = admin_client.get(url, {"q": "破格"})
    inactive = admin_client.get(url, {"is_active__exact": "0"})

    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 12
    assert "在校生、社会考生" not in listing.content.decode()  # types are listed in stored order
    assert "社会考生、在校生" in listing.content.decode()
    assert level3.context["cl"].result_count == 8
    assert [c.code for c in search.context["cl"].result_list] == ["L3-S"]
    assert inactive.context["cl"].result_count == 0


def test_admin_change_form_shows_friendly_list_fields(admin_client, announcement):
    response = admin_client.get(change_url(condition(announcement, "L3-S")))
    html = response.content.decode()

    assert response.status_code == 200
    assert 'type="checkbox" name="candidate_types" value="student"' in html
    assert 'type="checkbox" name="school_kinds"' in html
    assert 'name="grades" value="2,3"' in html


def test_admin_threshold_edit_changes_the_verdict(admin_client, announcement):
    l41 = condition(announcement, "L4-1")
    facts = Facts(candidate_type="social", years_in_occupation=Decimal(2))
    before = selectors.decision_for(exam_round=announcement, level_code=4, facts=facts)
    data = form_data(admin_client, l41)
    data["min_years"] = "2"
    data["text"] = "在本职业连续工作2年以上。"  # the wording must follow (issue 12)

    response = admin_client.post(change_url(l41), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    after = selectors.decision_for(exam_round=announcement, level_code=4, facts=facts)
    assert not before.meets_conditions
    assert after.meets_conditions
    assert [m.code for m in after.matched] == ["L4-1"]
    l41.refresh_from_db()
    assert l41.min_years == Decimal("2")
    assert l41.candidate_types == ["social"]


def test_admin_grades_edit_changes_a_student_verdict(admin_client, announcement):
    l3s = condition(announcement, "L3-S")
    second_year = SchoolClassFactory(major=MajorFactory(is_related=True), enrolment_year=2020)
    facts = selectors.student_facts(exam_round=announcement, school_class=second_year)
    assert selectors.decision_for(exam_round=announcement, level_code=3, facts=facts).eligible
    data = form_data(admin_client, l3s)
    data["grades"] = "3"

    response = admin_client.post(change_url(l3s), data)

    assert response.status_code == 302
    l3s.refresh_from_db()
    assert l3s.grades == [3]
    assert not selectors.decision_for(exam_round=announcement, level_code=3, facts=facts).eligible


def test_admin_grades_accept_chinese_commas(admin_client, announcement):
    l3s = condition(announcement, "L3-S")
    data = form_data(admin_client, l3s)
    data["grades"] = "3， 2、2"

    admin_client.post(change_url(l3s), data)

    l3s.refresh_from_db()
    assert l3s.grades == [2, 3]


# (field changes, the form field that must carry the error)
INVALID_EDITS = [
    ({"grades": "2,x"}, "grades"),
    ({"grades": "0"}, "grades"),
    ({"grades": "9"}, "grades"),
    ({"candidate_types": []}, "candidate_types"),
    ({"years_basis": ""}, "years_basis"),
    ({"min_years": "-1"}, "min_years"),
    ({"min_years": "0"}, "min_years"),
    ({"min_years": "200"}, "min_years"),
    ({"min_years": "31", "text": "在本职业连续工作31年以上。"}, "min_years"),
    # The wording says 3年以上: changing only the number would silently contradict it.
    ({"min_years": "2"}, "min_years"),
    ({"text": "在本职业连续工作5年以上。"}, "text"),
    ({"min_years": "", "years_basis": "", "years_scope": ""}, "code"),
    ({"round": "", "occupation": ""}, "occupation"),
    ({"major_relations": ["same"]}, "school_kinds"),
]


@pytest.mark.parametrize(("changes", "field"), INVALID_EDITS)
def test_admin_rejects_invalid_conditions(admin_client, announcement, changes, field):
    l41 = condition(announcement, "L4-1")
    data = form_data(admin_client, l41)
    data.update(changes)
    for key in [k for k, value in changes.items() if value in ("", [])]:
        data.pop(key)

    response = admin_client.post(change_url(l41), data)

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    l41.refresh_from_db()
    assert l41.min_years == Decimal("3")


def test_admin_grades_error_message_is_the_module_constant(admin_client, announcement):
    l3s = condition(announcement, "L3-S")
    data = form_data(admin_client, l3s)
    data["grades"] = "大二"

    response = admin_client.post(change_url(l3s), data)

    assert response.context["adminform"].form.errors["grades"] == [str(MSG_GRADES_INVALID)]


def test_admin_adds_a_condition(admin_client, announcement):
    l41 = condition(announcement, "L4-1")
    data = form_data(admin_client, l41)
    data.update({"code": "L4-9", "text": "在本职业连续工作10年以上。", "min_years": "10"})

    response = admin_client.post(reverse("admin:eligibility_eligibilitycondition_add"), data)

    assert response.status_code == 302
    added = condition(announcement, "L4-9")
    assert added.min_years == Decimal("10")
    assert added.school_kinds == []
    assert added.grades == []


def test_admin_text_contradicting_min_years_names_both_fields(admin_client, announcement):
    l41 = condition(announcement, "L4-1")
    data = form_data(admin_client, l41)
    data["min_years"] = "2"

    response = admin_client.post(change_url(l41), data)

    errors = response.context["adminform"].form.errors
    assert response.status_code == 200
    assert "公告原文中没有“2年”" in errors["min_years"][0]
    assert "公告原文写的年限（3年）与参数（2年）不一致" in errors["text"][0]
    l41.refresh_from_db()
    assert l41.min_years == Decimal("3")
    assert l41.text == "在本职业连续工作3年以上。"


def test_admin_years_after_prior_must_match_the_text(admin_client, announcement):
    l33 = condition(announcement, "L3-3")
    data = form_data(admin_client, l33)
    data["min_years_after_prior"] = "5"

    response = admin_client.post(change_url(l33), data)

    assert response.status_code == 200
    assert "min_years_after_prior" in response.context["adminform"].form.errors


def test_admin_level_named_in_the_text_must_match_the_training_level(admin_client, announcement):
    l44 = condition(announcement, "L4-4")
    data = form_data(admin_client, l44)
    data["training_level"] = str(condition(announcement, "L3-7").training_level_id)

    response = admin_client.post(change_url(l44), data)

    assert response.status_code == 200
    assert "training_level" in response.context["adminform"].form.errors


def test_admin_every_announced_condition_passes_the_text_check(announcement):
    for row in EligibilityCondition.objects.filter(round=announcement):
        row.full_clean()


def test_admin_turns_the_in_school_training_route_off(admin_client, announcement):
    l44 = condition(announcement, "L4-4")
    first_year = SchoolClassFactory(major=MajorFactory(is_related=False), enrolment_year=2021)
    facts = selectors.student_facts(exam_round=announcement, school_class=first_year)
    assert selectors.decision_for(exam_round=announcement, level_code=4, facts=facts).conditional
    data = form_data(admin_client, l44)
    assert data["student_pending_requirement"] == "training"
    data["student_pending_requirement"] = ""

    response = admin_client.post(change_url(l44), data)

    assert response.status_code == 302
    assert not selectors.decision_for(exam_round=announcement, level_code=4, facts=facts).eligible


def test_admin_refuses_the_training_route_without_a_training_level(admin_client, announcement):
    l41 = condition(announcement, "L4-1")
    data = form_data(admin_client, l41)
    data["student_pending_requirement"] = "training"

    response = admin_client.post(change_url(l41), data)

    assert "student_pending_requirement" in response.context["adminform"].form.errors
