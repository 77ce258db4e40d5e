"""One questionnaire, one verdict: the self-check page, the JSON API and the sign-up give the same
verdict (eligible, and what is still pending) for the same facts, over generated facts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registration.models import Registration
from rounds.models import Major
from tests.factories import SchoolClassFactory
from tests.idnumbers import make_id_number

DURING_2022_ROUND = dt.datetime(2022, 5, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MAJORS = ["电子商务", "跨境电商", "汽车检测与维修技术"]  # 本专业, 相关专业, 非相关

student_answers = st.fixed_dictionaries(
    {"major": st.sampled_from(MAJORS), "grade": st.integers(min_value=1, max_value=4)}
)
years = st.sampled_from(["0", "0.5", "1", "2.9", "3", "4", "6"])


@st.composite
def social_answers(draw) -> dict:
    """The questionnaire as a browser posts it (field names shared by self-check and sign-up)."""
    answers = {"years_in_occupation": draw(years)}
    if draw(st.booleans()):
        answers["cumulative_years_in_occupation"] = str(
            float(answers["years_in_occupation"]) + draw(st.sampled_from([0, 1, 3]))
        )
    prior = draw(st.sampled_from(["", "5", "4"]))
    answers["prior_level"] = prior
    if prior:
        answers["prior_occupation"] = draw(st.sampled_from(["same", "related"]))
        answers["prior_years_after"] = draw(years)
        if draw(st.booleans()):
            answers["prior_continuous"] = "on"
    kind = draw(st.sampled_from(["", "technical_school", "vocational_intermediate", "college"]))
    answers["education_kind"] = kind
    if kind:
        answers["education_major"] = draw(st.sampled_from(["same", "related", "unrelated"]))
        answers["education_status"] = draw(st.sampled_from(["graduated", "final_year", "studying"]))
    answers["training_certificate"] = draw(st.sampled_from(["", "4", "3"]))
    return answers


def api_body(answers: dict) -> dict:
    """The same answers in the API's JSON, mapped here independently of the forms."""
    prior = None
    if answers["prior_level"]:
        prior = {
            "level": int(answers["prior_level"]),
            "occupation": answers["prior_occupation"],
            "years_after": float(answers["prior_years_after"]),
            "continuous": "prior_continuous" in answers,
        }
    education = None
    if answers["education_kind"]:
        education = {
            "kind": answers["education_kind"],
            "major": answers["education_major"],
            "graduated": answers["education_status"] == "graduated",
            "final_year": answers["education_status"] == "final_year",
        }
    cumulative = answers.get("cumulative_years_in_occupation")
    training = answers["training_certificate"]
    return {
        "candidate_type": "social",
        "years_in_occupation": float(answers["years_in_occupation"]),
        "cumulative_years_in_occupation": float(cumulative) if cumulative else None,
        "prior_certificate": prior,
        "education": education,
        "training_certificate": int(training) if training else None,
    }


def verdicts_of_self_check(client, params: dict) -> dict[int, tuple[bool, str]]:
    response = client.get("/eligibility/", params)
    assert response.status_code == 200
    results = response.context["results"]
    assert results, response.context["form"].errors
    return {level.code: (d.eligible, d.pending_requirement) for level, d in results}


def verdict_of_api(client, body: dict, level: int) -> tuple[bool, str]:
    response = client.post(
        "/eligibility/api/evaluate", {**body, "level": level}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    payload = response.json()
    return payload["eligible"], payload["pending_requirement"] or ""


def verdict_of_sign_up(client, url: str, data: dict, level: int) -> tuple[bool, str]:
    """Sign up for `level` inside a savepoint that is rolled back afterwards."""
    with transaction.atomic():
        response = client.post(url, {**data, "level": str(level)})
        created = Registration.objects.filter(id_number=data["id_number"]).first()
        outcome = (False, "") if created is None else (True, created.pending_requirement)
        assert (response.status_code == 302) is (created is not None)
        transaction.set_rollback(True)
    return outcome


PERSON = {"name": "张三", "ethnicity": "汉族", "phone": "13800138000", "consent": "on"}

COMMON = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def agreement_round(announcement):
    Major.objects.get_or_create(name="汽车检测与维修技术", defaults={"relation": "unrelated"})
    cache.clear()
    with (
        time_machine.travel(DURING_2022_ROUND, tick=False),
        override_settings(
            ELIGIBILITY_API_RATE_LIMIT=10**9,
            SIGNUP_RATE_LIMIT=10**9,
            SIGNUP_RATE_LIMIT_PER_LINK=10**9,
            FORM_FRAGMENT_CACHE_SECONDS=0,
        ),
    ):
        yield announcement


@pytest.mark.django_db
@COMMON
@given(answers=student_answers)
def test_students_get_the_same_verdict_from_self_check_api_and_sign_up(agreement_round, answers):
    client = Client()
    major = Major.objects.get(name=answers["major"])
    grade = answers["grade"]
    # On the 2022 deadline (May) a class enrolled in 2022 - grade is in that year of study.
    school_class = SchoolClassFactory(major=major, enrolment_year=2022 - grade)
    url = reverse("registration:class_entry", kwargs={"code": school_class.code})

    by_major = verdicts_of_self_check(
        client, {"candidate_type": "student", "major": major.pk, "grade": grade}
    )
    by_class = verdicts_of_self_check(
        client, {"candidate_type": "student", "school_class": school_class.pk}
    )
    for level in (4, 3):
        api = verdict_of_api(
            client, {"candidate_type": "student", "major": major.name, "grade": grade}, level
        )
        data = {**PERSON, "id_number": make_id_number(grade), "student_number": "2020123456"}
        sign_up = verdict_of_sign_up(client, url, data, level)

        assert by_major[level] == by_class[level] == api == sign_up, (answers, level)
    # The college's reading: every in-school student may register for 四级.
    assert by_major[4][0]


@pytest.mark.django_db
@COMMON
@given(answers=social_answers())
def test_social_candidates_get_the_same_verdict_from_self_check_api_and_sign_up(
    agreement_round, answers
):
    agreement_round.accepts_social = True
    agreement_round.save()
    client = Client()
    url = reverse("registration:social_entry")

    self_check = verdicts_of_self_check(client, {"candidate_type": "social", **answers})
    body = api_body(answers)
    for level in (4, 3):
        api = verdict_of_api(client, body, level)
        data = {
            **PERSON,
            **answers,
            "id_number": make_id_number(7),
            "work_unit": "某电商公司",
        }
        # Social candidates choose a training option of the level (强化班 is offered for both).
        data["training_fee_item"] = str(
            agreement_round.fee_items.get(
                level__code=level, candidate_type="social", training_option="intensive"
            ).pk
        )
        sign_up = verdict_of_sign_up(client, url, data, level)

        assert self_check[level] == api == sign_up, (answers, level)
        assert api[1] == ""  # the in-school training route is never offered to social candidates
