"""Abuse: fuzzing every public form and the API, oversized bodies, security headers, strict CSP.

The fuzz sends about 2,600 generated requests in total (EXAMPLES examples per test, several
requests per example). A 400 is an acceptable answer to garbage (e.g. a NUL byte in a URL);
a 5xx never is through the
whole middleware stack; none may produce a server error.
"""

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registration.loaders import demo_load
from registration.services import submission
from registration.services.submission import RegistrationInput
from registration.views.errors import REQUEST_TOO_LARGE
from tests.idnumbers import make_id_number

pytestmark = pytest.mark.django_db

EXAMPLES = 200
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIVE_MB = 5 * 1024 * 1024

# Text a browser can send (no lone surrogates: they cannot be encoded as UTF-8 at all).
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
nasty = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\u202e\u200b",
        "'; DROP TABLE registration_registration; --",
        "<script>alert(1)</script>",
        '=HYPERLINK("http://x")',
        "{{ 7*7 }}",
        "%00",
        "9" * 200,
        "张" * 5000,
        "1e309",
        "NaN",
        "-0",
        "３",
        make_id_number(3),
        make_id_number(3).lower(),
        make_id_number(3)[:17] + "0",
        "13800138000",
        "+8613800138000",
        "3",
        "4",
        "on",
        "汉族",
    ]
)
values = st.one_of(any_text, nasty, st.integers().map(str), st.lists(nasty, max_size=3))

REGISTRATION_FIELDS = [
    "name",
    "id_number",
    "ethnicity",
    "phone",
    "student_number",
    "level",
    "consent",
    "training_fee_item",
    "work_unit",
    "years_in_occupation",
    "cumulative_years_in_occupation",
    "prior_certificate_level",
    "prior_certificate_occupation",
    "prior_certificate_years_after",
    "prior_certificate_continuous",
    "education_kind",
    "education_major",
    "education_graduated",
    "training_certificate",
    "csrfmiddlewaretoken",
]
OTHER_FIELDS = [
    "school_class",
    "username",
    "password",
    "session",
    "candidate_type",
    "major",
    "grade",
    "level",
    "next",
]
payloads = st.dictionaries(
    st.sampled_from(REGISTRATION_FIELDS + OTHER_FIELDS) | any_text, values, max_size=12
)


@pytest.fixture
def demo(db):
    return demo_load()


@pytest.fixture
def registration(demo):
    data = RegistrationInput(
        name="李四",
        id_number=make_id_number(9),
        ethnicity="汉族",
        phone="13900139000",
        student_number="2021000001",
        level_code=3,
    )
    return submission.registration_submit(
        exam_round=demo["exam_round"], school_class=demo["classes"][0], data=data
    )


def _post(url: str, payload: dict) -> int:
    cache.clear()  # rate limits would turn every later example into the same 429
    return Client().post(url, payload).status_code


def _login_url() -> str:
    try:
        return reverse("registration:login")
    except NoReverseMatch:
        return reverse("admin:login")


@FUZZ
@given(payload=payloads)
def test_fuzz_class_registration_form_never_errors(demo, payload):
    url = reverse("registration:class_entry", kwargs={"code": demo["classes"][0].code})
    assert _post(url, payload) in (200, 302, 400)


@FUZZ
@given(payload=payloads)
def test_fuzz_social_form_pick_and_lookup_never_error(demo, payload):
    assert _post(reverse("registration:social_entry"), payload) in (200, 302, 400)
    assert _post(reverse("registration:register"), payload) in (200, 302, 400)
    assert _post(reverse("registration:lookup"), payload) in (200, 302, 400, 429)


@FUZZ
@given(payload=payloads)
def test_fuzz_self_service_edit_and_cancel_never_error(registration, payload):
    kwargs = {"pk": registration.pk, "token": registration.token}
    assert _post(reverse("registration:registration_edit", kwargs=kwargs), payload) in (
        200,
        302,
        400,
    )
    assert _post(reverse("registration:registration_cancel", kwargs=kwargs), payload) in (302, 400)


@FUZZ
@given(payload=payloads)
def test_fuzz_login_and_self_check_never_error(demo, payload):
    # A login form answers 200 (wrong password) or a lockout page; never a server error.
    assert _post(_login_url(), payload) < 500
    cache.clear()
    response = Client().get(reverse("eligibility:self_check"), payload)
    assert response.status_code in (200, 400, 404)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text | nasty,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(any_text | st.sampled_from(["level", "grade"]), children, max_size=4)
    ),
    max_leaves=12,
)
api_fields = st.fixed_dictionaries(
    {},
    optional={
        "level": st.one_of(st.integers(-3, 9), json_values),
        "candidate_type": st.sampled_from(["student", "social", "", "STUDENT"]) | json_values,
        "session": st.sampled_from(["demo-open", "nope"]) | json_values,
        "major": st.sampled_from(["电子商务", "市场营销", "汽车检测与维修技术"]) | json_values,
        "grade": st.integers(-2, 10) | json_values,
        "years_in_occupation": st.floats(allow_nan=True) | json_values,
        "cumulative_years_in_occupation": st.floats() | json_values,
        "prior_certificate": st.fixed_dictionaries(
            {},
            optional={
                "level": st.integers(1, 6) | json_values,
                "occupation": st.sampled_from(["same", "related", "x"]),
                "years_after": st.floats() | json_values,
                "continuous": st.booleans() | json_values,
            },
        )
        | json_values,
        "education": st.dictionaries(
            st.sampled_from(["kind", "major", "graduated", "final_year"]), json_values
        )
        | json_values,
        "training_certificate": st.sampled_from([None, 3, 4, 5]) | json_values,
    },
)


@FUZZ
@given(body=st.one_of(api_fields.map(json.dumps), json_values.map(json.dumps), any_text))
def test_fuzz_eligibility_api_never_errors(demo, body):
    cache.clear()
    response = Client().post(
        reverse("eligibility:api_evaluate"), body.encode(), content_type="application/json"
    )
    assert response.status_code in (200, 400, 413)
    assert response["Content-Type"].startswith("application/json")
    json.loads(response.content)


@FUZZ
@given(segment=any_text.filter(lambda s: "/" not in s and s not in ("", ".", "..")))
def test_fuzz_link_paths_never_error(registration, segment):
    client = Client()
    for url in (
        f"/r/{segment}/",
        f"/me/{registration.pk}/{segment}/",
        f"/me/{registration.pk}/{segment}/edit/",
        f"/rounds/{segment}/",
    ):
        assert client.get(url).status_code in (200, 301, 400, 404)


# --- oversized bodies ------------------------------------------------------------------------


def test_oversized_form_post_gets_the_chinese_413_page(demo):
    url = reverse("registration:class_entry", kwargs={"code": demo["classes"][0].code})
    # 5 MB of form fields: under the whole-body cap, over DATA_UPLOAD_MAX_MEMORY_SIZE: Django's
    # RequestDataTooBig, answered by handler400 with the 413 page (it was a bare 400 before).
    response = Client().post(url, {"name": "x" * FIVE_MB, "id_number": "x"})
    assert response.status_code == 413
    assert REQUEST_TOO_LARGE in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    # 45 MB once URL-encoded: refused by the body cap before Django parses anything.
    response = Client().post(url, {"name": "张" * FIVE_MB, "id_number": "x"})
    assert response.status_code == 413
    assert REQUEST_TOO_LARGE in response.content.decode()


def test_oversized_upload_is_refused_before_it_is_read(demo, tmp_path):
    from django.conf import settings

    upload = tmp_path / "photo.jpg"
    upload.write_bytes(b"\xff" * (settings.MAX_REQUEST_BODY_BYTES + 1))
    url = reverse("registration:class_entry", kwargs={"code": demo["classes"][0].code})
    with upload.open("rb") as handle:
        response = Client().post(url, {"name": "张三", "photo": handle})
    assert response.status_code == 413
    assert REQUEST_TOO_LARGE in response.content.decode()


def test_upload_just_under_the_body_limit_is_read(demo, tmp_path):
    # A 5 MB payment list must still get through to its form (here a public form ignores it).
    upload = tmp_path / "list.xlsx"
    upload.write_bytes(b"\xff" * FIVE_MB)
    url = reverse("registration:class_entry", kwargs={"code": demo["classes"][0].code})
    with upload.open("rb") as handle:
        response = Client().post(url, {"name": "张三", "photo": handle})
    assert response.status_code == 200


def test_oversized_api_body_is_rejected_with_413(demo):
    body = json.dumps({"level": 3, "candidate_type": "student", "pad": "x" * FIVE_MB})
    response = Client().post(
        reverse("eligibility:api_evaluate"), body, content_type="application/json"
    )
    assert response.status_code == 413


def test_too_many_form_fields_are_rejected_with_400(demo):
    url = reverse("registration:class_entry", kwargs={"code": demo["classes"][0].code})
    response = Client().post(url, {f"field{i}": "1" for i in range(1500)})
    assert response.status_code == 400


def test_form_post_just_under_the_limit_is_processed(demo):
    url = reverse("registration:class_entry", kwargs={"code": demo["classes"][0].code})
    response = Client().post(url, {"name": "张", "pad": "x" * (1024 * 1024)})
    assert response.status_code == 200  # the form, with its errors


# --- headers and content security policy -------------------------------------------------------


def public_urls(demo, registration) -> dict[str, str]:
    kwargs = {"pk": registration.pk, "token": registration.token}
    urls = {
        "home": reverse("registration:home"),
        "rounds": reverse("registration:round_list"),
        "round": reverse("registration:round_detail", kwargs={"slug": demo["exam_round"].slug}),
        "pick": reverse("registration:register"),
        "class form": reverse("registration:class_entry", kwargs={"code": demo["classes"][0].code}),
        "freshman class": reverse(
            "registration:class_entry", kwargs={"code": demo["classes"][2].code}
        ),
        "social": reverse("registration:social_entry"),
        "lookup": reverse("registration:lookup"),
        "self-check": reverse("eligibility:self_check"),
        "self-check result": reverse("eligibility:self_check")
        + "?candidate_type=student&school_class="
        + str(demo["classes"][0].pk),
        "detail": reverse("registration:registration_detail", kwargs=kwargs),
        "edit": reverse("registration:registration_edit", kwargs=kwargs),
        "cancel": reverse("registration:registration_cancel", kwargs=kwargs),
        "login": _login_url(),
        "not found": "/no-such-page/",
    }
    return urls


def test_security_headers_on_every_public_page(demo, registration):
    client = Client()
    for name, url in public_urls(demo, registration).items():
        response = client.get(url)
        assert response.status_code in (200, 404), (name, response.status_code)
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy, name
        assert "style-src 'self'" in policy, name
        assert "frame-ancestors 'none'" in policy, name
        assert "unsafe-inline" not in policy, name


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def csp_offences(html: str) -> list[str]:
    found = []
    for label, pattern in (
        ("inline <script>", INLINE_SCRIPT),
        ("style= attribute", STYLE_ATTRIBUTE),
        ("<style> element", STYLE_ELEMENT),
        ("on*= event handler", EVENT_HANDLER),
        ("javascript: URL", JS_URL),
    ):
        found += [f"{label}: {m.group(0)[:80]}" for m in pattern.finditer(html)]
    return found


def test_csp_scanner_sees_each_kind_of_inline_code():
    # Control: the scanner below must be able to fail.
    assert len(csp_offences('<script>x()</script><p style="x"><style>p{}</style>')) == 3
    assert len(csp_offences('<a href="javascript:x()" onclick="y()">')) == 2
    assert csp_offences('<script src="/static/js/app.js"></script><p class="x">') == []


def test_pages_have_no_inline_scripts_or_styles(demo, registration, client):
    from config.middleware import service_unavailable_response
    from registration.views.errors import server_error

    pages = {
        name: client.get(url).content.decode()
        for name, url in public_urls(demo, registration).items()
    }
    pages["500"] = server_error(None).content.decode()
    pages["503"] = service_unavailable_response().content.decode()
    offences = {name: csp_offences(html) for name, html in pages.items()}
    assert {name: found for name, found in offences.items() if found} == {}
