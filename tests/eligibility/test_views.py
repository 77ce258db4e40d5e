"""The self-check page and the JSON evaluate API, through the test client."""

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from eligibility import api, views
from eligibility.forms import MSG_CUMULATIVE_LESS, MSG_STUDENT_NEEDS_CLASS_OR_MAJOR
from rounds.models import Major
from tests.factories import MajorFactory, SchoolClassFactory

PAGE = "/eligibility/"
API = "/eligibility/api/evaluate"
REFUSAL = "由于疫情原因,上半年暂不组织社会人员的考试"


def test_urls_are_named():
    assert reverse("eligibility:self_check") == PAGE
    assert reverse("eligibility:api_evaluate") == API


# --- The page ----------------------------------------------------------------------------------


def results_by_level(response) -> dict[int, object]:
    return {level.code: decision for level, decision in response.context["results"]}


def test_self_check_page_renders_the_form_for_the_current_round(client, announcement):
    response = client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert announcement.title in html
    assert 'id="elig-student"' in html and 'id="elig-social"' in html
    assert 'data-group="social"' in html
    assert "js/eligibility.js" in html and "css/eligibility.css" in html
    assert response.context["results"] is None
    assert "<script>" not in html and "style=" not in html


def test_self_check_without_any_round_says_so(client, db):
    response = client.get(PAGE)

    assert response.status_code == 200
    assert "暂无考试批次" in response.content.decode()


def test_self_check_unknown_round_is_404(client, announcement):
    assert client.get(PAGE, {"session": "no-such-round"}).status_code == 404
    assert client.get(PAGE, {"session": "../etc"}).status_code == 404
    assert client.get(PAGE, {"round": "no-such-round"}).status_code == 404


def test_self_check_takes_the_round_as_session_or_round_parameter(client, announcement):
    by_session = client.get(PAGE, {"session": announcement.slug})
    by_round = client.get(PAGE, {"round": announcement.slug})
    assert by_session.status_code == by_round.status_code == 200
    assert by_session.context["exam_round"] == by_round.context["exam_round"] == announcement


def test_self_check_renders_without_a_logged_traceback_and_carries_the_round(
    client, announcement, caplog
):
    # The layout named a field the form does not have: crispy logged "Could not resolve form
    # field 'session'" with a KeyError traceback on every render, and the round was lost.
    with caplog.at_level("DEBUG"):
        response = client.get(PAGE, {"session": announcement.slug})
    assert response.status_code == 200
    assert not [r for r in caplog.records if r.exc_info or "Could not resolve" in r.getMessage()]
    html = response.content.decode()
    assert f'name="round" value="{announcement.slug}"' in html


def test_self_check_second_year_class_gets_level_4_conditional_and_level_3(client, announcement):
    # Old reading: 三级 only, 四级 refused with coded reasons ("L4-3：…").
    second_year = SchoolClassFactory(
        name="电商2001", major=MajorFactory(name="电子商务", is_related=True), enrolment_year=2020
    )

    response = client.get(PAGE, {"candidate_type": "student", "school_class": second_year.pk})

    decisions = results_by_level(response)
    assert decisions[3].eligible and not decisions[3].conditional
    assert decisions[4].eligible and decisions[4].pending_requirement == "training"
    html = response.content.decode()
    assert "有条件符合" in html
    assert "您可以报名四级/中级工，但须在考试前完成本校四级培训并取得结业证书。" in html
    assert "专业属于本专业" in html  # 电子商务 is 本专业 for 电子商务师
    assert "L3-S" not in html and "L4-3" not in html  # no condition codes for students
    assert "本批次报名已于 2022年5月20日 截止" in html  # eligible, but the 2022 round is closed
    assert "elig-register" not in html


def test_self_check_major_and_grade_without_a_class(client, announcement):
    major = Major.objects.get(name="市场营销")

    response = client.get(PAGE, {"candidate_type": "student", "major": major.pk, "grade": "3"})

    decisions = results_by_level(response)
    assert decisions[4].eligible and decisions[3].eligible
    assert [m.code for m in decisions[4].matched] == ["L4-3"]


def test_self_check_unrelated_major_is_told_why(client, announcement):
    major = MajorFactory(name="汽车检测与维修技术", is_related=False)

    response = client.get(PAGE, {"candidate_type": "student", "major": major.pk, "grade": "2"})

    decisions = results_by_level(response)
    assert not decisions[3].eligible and decisions[4].conditional
    html = response.content.decode()
    summary = "要报考三级/高级工，需是本专业或相关专业的在校生（您的专业不属于相关专业）。"
    assert summary in html
    card = html[html.index('data-level="3"') :]
    assert card.index(summary) < card.index("详细说明")  # the deciding sentence comes first
    assert "2378470284" in html  # consultation contact where not eligible


def test_self_check_links_to_registration_when_the_round_is_open(client, announcement):
    announcement.registration_deadline = timezone.localdate() + dt.timedelta(days=5)
    announcement.save()
    second_year = SchoolClassFactory(
        major=MajorFactory(is_related=True), enrolment_year=timezone.localdate().year - 1
    )

    response = client.get(PAGE, {"candidate_type": "student", "school_class": second_year.pk})

    html = response.content.decode()
    eligible = [code for code, d in results_by_level(response).items() if d.eligible]
    assert eligible
    assert html.count('class="btn btn-primary w-100 elig-register" href="/register/"') == len(
        eligible
    )


def test_self_check_social_candidate_sees_conditions_and_the_refusal(client, announcement):
    response = client.get(
        PAGE,
        {
            "candidate_type": "social",
            "years_in_occupation": "3",
            "prior_level": "",
            "education_kind": "",
            "training_certificate": "",
            # The student group is still posted (no JavaScript) and must be ignored.
            "school_class": "",
            "major": "",
            "grade": "",
        },
    )

    decisions = results_by_level(response)
    assert [m.code for m in decisions[4].matched] == ["L4-1"]
    assert not decisions[4].eligible
    html = response.content.decode()
    assert REFUSAL in html
    assert "您符合以下报考条件，但本批次暂不受理" not in html  # read as a contradiction
    assert "本批次不受理社会考生报名。下一批次开放时" in html and "须逐级报考" in html
    assert reverse("registration:social_interest") in html


def test_self_check_social_full_answers_reach_the_engine(client, announcement):
    response = client.get(
        PAGE,
        {
            "candidate_type": "social",
            "years_in_occupation": "0",
            "prior_level": "4",
            "prior_occupation": "same",
            "prior_years_after": "3",
            "prior_continuous": "on",
            "education_kind": "college",
            "education_major": "unrelated",
            "education_status": "graduated",
            "training_certificate": "3",
        },
    )

    decisions = results_by_level(response)
    assert [m.code for m in decisions[3].matched] == ["L3-4", "L3-7"]
    assert [m.code for m in decisions[4].matched] == ["L4-2", "L4-4"]


def test_self_check_final_year_school_leaver_meets_level_4(client, announcement):
    response = client.get(
        PAGE,
        {
            "candidate_type": "social",
            "education_kind": "technical_school",
            "education_major": "related",
            "education_status": "final_year",
        },
    )

    assert [m.code for m in results_by_level(response)[4].matched] == ["L4-3"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"candidate_type": "student"}, "major", MSG_STUDENT_NEEDS_CLASS_OR_MAJOR),
        (
            {
                "candidate_type": "social",
                "years_in_occupation": "3",
                "cumulative_years_in_occupation": "2",
            },
            "cumulative_years_in_occupation",
            MSG_CUMULATIVE_LESS,
        ),
        ({"candidate_type": "social", "years_in_occupation": "-1"}, "years_in_occupation", None),
        ({"candidate_type": "social", "years_in_occupation": "abc"}, "years_in_occupation", None),
        ({"candidate_type": "robot"}, "candidate_type", None),
        ({"candidate_type": "student", "school_class": "999999"}, "school_class", None),
    ],
)
def test_self_check_form_errors_are_shown_not_raised(client, announcement, params, field, message):
    response = client.get(PAGE, params)

    assert response.status_code == 200
    assert response.context["results"] is None
    errors = response.context["form"].errors
    assert field in errors
    if message is not None:
        assert errors[field] == [str(message)]


# --- The API -----------------------------------------------------------------------------------


def post(client, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(API, data=data, content_type="application/json", **extra)


RESPONSE_KEYS = {
    "eligible",
    "meets_conditions",
    "policy_allows",
    "policy_reason",
    "pending_requirement",
    "pending_text",
    "summary",
    "matched",
    "reasons",
    "details",
}


def test_api_second_year_related_student_may_apply_for_level_3(client, announcement):
    response = post(
        client, {"level": 3, "candidate_type": "student", "major": "电子商务", "grade": 2}
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    assert body["eligible"] is True
    assert body["meets_conditions"] is True
    assert body["policy_allows"] is True
    assert body["policy_reason"] is None
    assert body["matched"] == [
        {
            "code": "L3-S",
            "text": "武汉交通职业学院校相关专业,如电子商务、跨境电商、市场营销、酒店管理等专业"
            "大二、大三学生可以破格直接报考三级/高级工。",
            "pending_requirement": None,
        }
    ]
    assert body["pending_requirement"] is None


def test_api_conditional_verdict_keeps_eligible_true_and_names_the_pending_requirement(
    client, announcement
):
    body = post(
        client, {"level": 4, "candidate_type": "student", "major": "电子商务", "grade": 1}
    ).json()

    assert body["eligible"] is True
    assert body["meets_conditions"] is True
    assert body["pending_requirement"] == "training"
    assert body["pending_text"] == "需完成本校四级培训并取得结业证书"
    assert body["summary"] == "您可以报名四级/中级工，但须在考试前完成本校四级培训并取得结业证书。"
    assert [m["code"] for m in body["matched"]] == ["L4-4"]
    assert body["matched"][0]["pending_requirement"] == "training"


@pytest.mark.parametrize("kind", ["vocational_advanced", "college"])
def test_api_accepts_both_old_kind_values_as_synonyms(client, announcement, kind):
    body = post(
        client,
        {
            "level": 3,
            "candidate_type": "social",
            "education": {"kind": kind, "major": "unrelated", "graduated": True},
            "years_in_occupation": 1,
        },
    ).json()

    assert [m["code"] for m in body["matched"]] == ["L3-6"]


@pytest.mark.parametrize(
    ("grade", "level", "eligible"),
    [(1, 3, False), (1, 4, True), (2, 4, True), (3, 4, True), (3, 3, True)],
)
def test_api_student_grades(client, announcement, grade, level, eligible):
    body = post(
        client, {"level": level, "candidate_type": "student", "major": "跨境电商", "grade": grade}
    ).json()

    assert body["eligible"] is eligible


def test_api_social_candidate_is_refused_with_the_stated_reason(client, announcement):
    body = post(
        client,
        {
            "level": 4,
            "candidate_type": "social",
            "session": announcement.slug,
            "years_in_occupation": 2,
            "cumulative_years_in_occupation": None,
            "prior_certificate": None,
            "education": None,
            "training_certificate": None,
        },
    ).json()

    assert body["eligible"] is False
    assert body["meets_conditions"] is False
    assert body["policy_allows"] is False
    assert body["policy_reason"] == REFUSAL
    assert body["summary"] == REFUSAL
    assert body["pending_requirement"] is None
    assert body["matched"] == []
    assert "L4-1：需本职业连续工作满3年，您填写的是2年" in body["reasons"]


def test_api_reports_matched_conditions_even_when_the_policy_refuses(client, announcement):
    body = post(
        client,
        {
            "level": 3,
            "candidate_type": "social",
            "prior_certificate": {
                "level": 4,
                "occupation": "same",
                "years_after": 4,
                "continuous": True,
            },
            "education": {"kind": "college", "major": "related", "graduated": True},
            "training_certificate": 3,
        },
    ).json()

    assert [m["code"] for m in body["matched"]] == ["L3-3", "L3-4", "L3-7"]
    assert body["meets_conditions"] is True
    assert body["eligible"] is False


def test_api_level_not_offered_is_a_policy_refusal(client, announcement):
    response = post(
        client, {"level": 5, "candidate_type": "student", "major": "电子商务", "grade": 3}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["eligible"] is False
    assert body["policy_allows"] is False
    assert body["policy_reason"] == "本批次未开考五级/初级工。"


def test_api_is_side_effect_free_and_needs_no_login_or_csrf(
    announcement, django_assert_max_num_queries
):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    payload = {"level": 3, "candidate_type": "student", "major": "电子商务", "grade": 2}

    with django_assert_max_num_queries(5) as captured:
        response = post(client, payload)

    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert writes == []
    assert "sessionid" not in response.cookies


def test_api_get_is_405(client, announcement):
    response = client.get(API)

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["error"] == str(views.MSG_METHOD_NOT_ALLOWED)


# (request body, the field the 400 must name; None: no field, the body itself is wrong)
MALFORMED = [
    ("not json", None, views.MSG_NOT_JSON),
    (b"\xff\xfe\x00", None, views.MSG_NOT_JSON),
    ("", None, views.MSG_NOT_JSON),
    ("[" * 10000, None, views.MSG_NOT_JSON),
    ("[]", None, "JSON 对象"),
    ('"social"', None, "JSON 对象"),
    ("null", None, "JSON 对象"),
    ({"level": 4}, "candidate_type", "candidate_type"),
    ({"level": 4, "candidate_type": "alien"}, "candidate_type", "candidate_type"),
    ({"candidate_type": "social"}, "level", "level"),
    ({"level": "4", "candidate_type": "social"}, "level", "level"),
    ({"level": 4.0, "candidate_type": "social"}, "level", "level"),
    ({"level": True, "candidate_type": "social"}, "level", "level"),
    ({"level": 6, "candidate_type": "social"}, "level", "level"),
    ({"level": 0, "candidate_type": "social"}, "level", "level"),
    (
        {"level": 4, "candidate_type": "social", "years_in_occupation": -1},
        "years_in_occupation",
        "years_in_occupation",
    ),
    (
        {"level": 4, "candidate_type": "social", "years_in_occupation": "3"},
        "years_in_occupation",
        "years_in_occupation",
    ),
    (
        {"level": 4, "candidate_type": "social", "years_in_occupation": 1e999},
        "years_in_occupation",
        "years_in_occupation",
    ),
    (
        {
            "level": 4,
            "candidate_type": "social",
            "prior_certificate": {"level": 3, "occupation": "same"},
        },
        "prior_certificate.level",
        "prior_certificate.level",
    ),
    (
        {"level": 4, "candidate_type": "social", "education": {"kind": "college"}},
        "education.major",
        "education.major",
    ),
    (
        {"level": 4, "candidate_type": "social", "training_certificate": "四级"},
        "training_certificate",
        "training_certificate",
    ),
    (
        {"level": 4, "candidate_type": "social", "session": "nope"},
        "session",
        str(api.MSG_SESSION_UNKNOWN),
    ),
    ({"level": 4, "candidate_type": "social", "session": 7}, "session", str(api.MSG_SESSION_TYPE)),
    (
        {"level": 4, "candidate_type": "social", "session": "a\x00b"},
        "session",
        str(api.MSG_SESSION_UNKNOWN),
    ),
    ({"level": 3, "candidate_type": "student", "grade": 2}, "major", str(api.MSG_MAJOR_REQUIRED)),
    (
        {"level": 3, "candidate_type": "student", "grade": 2, "major": 1},
        "major",
        str(api.MSG_MAJOR_TYPE),
    ),
    (
        {"level": 3, "candidate_type": "student", "grade": 2, "major": "天文学"},
        "major",
        str(api.MSG_MAJOR_UNKNOWN),
    ),
    (
        {"level": 3, "candidate_type": "student", "grade": 2, "major": "电子\x00商务"},
        "major",
        str(api.MSG_MAJOR_UNKNOWN),
    ),
    (
        {"level": 3, "candidate_type": "student", "major": "电子商务"},
        "grade",
        str(api.MSG_GRADE_REQUIRED),
    ),
    ({"level": 3, "candidate_type": "student", "major": "电子商务", "grade": 0}, "grade", "grade"),
    (
        {"level": 3, "candidate_type": "student", "major": "电子商务", "grade": "大二"},
        "grade",
        "grade",
    ),
]


@pytest.mark.parametrize(("body", "field", "message"), MALFORMED)
def test_api_malformed_input_is_400_naming_the_field(client, announcement, body, field, message):
    response = post(client, body)

    assert response.status_code == 400
    payload = response.json()
    assert payload.get("field") == field
    assert str(message) in payload["error"]


def test_api_without_any_round_is_400(client, db):
    response = post(client, {"level": 4, "candidate_type": "social"})

    assert response.status_code == 400
    assert response.json() == {"error": str(api.MSG_NO_CURRENT_SESSION), "field": "session"}


def test_api_oversized_body_is_rejected(client, announcement):
    response = post(client, {"level": 4, "candidate_type": "social", "pad": "x" * 20000})

    assert response.status_code == 413
    assert response.json()["error"] == str(views.MSG_BODY_TOO_LARGE)


@override_settings(ELIGIBILITY_API_RATE_LIMIT=3)
def test_api_is_rate_limited_per_client_ip(client, announcement):
    payload = {"level": 4, "candidate_type": "social"}

    statuses = [post(client, payload).status_code for _ in range(4)]
    other_client = post(client, payload, REMOTE_ADDR="10.0.0.9")

    assert statuses == [200, 200, 200, 429]
    limited = post(client, payload)
    assert limited.json() == {"error": str(views.MSG_RATE_LIMITED)}
    assert limited["Retry-After"] == "60"
    assert other_client.status_code == 200


def test_api_rate_limit_default_is_60_per_minute_without_the_setting(
    client, announcement, settings
):
    del settings.ELIGIBILITY_API_RATE_LIMIT
    payload = {"level": 4, "candidate_type": "social"}

    statuses = [post(client, payload).status_code for _ in range(61)]

    assert statuses.count(200) == 60
    assert statuses[-1] == 429


def test_api_rate_limit_setting_allows_a_campus_behind_one_address(settings):
    # The default settings are sized for a year group behind one NAT address.
    from config.settings import base

    assert base.ELIGIBILITY_API_RATE_LIMIT >= 600
