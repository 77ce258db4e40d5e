import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from registration.models import Registration
from tests.factories import ExamRoundFactory, UserFactory
from workspace.services import review

CLASS_PAGES = [
    "registration:counselor_class",
    "registration:counselor_poster",
    "registration:counselor_poster_png",
    "registration:counselor_class_export",
]
REGISTRATION_GETS = ["registration:counselor_registration"]
REGISTRATION_POSTS = [
    "registration:counselor_registration_confirm",
    "registration:counselor_registration_return",
    "registration:counselor_registration_note",
]


# --- Anonymous visitors go to the login page ------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["registration:counselor_dashboard", "registration:counselor_export"]
)
@pytest.mark.django_db
def test_workspace_page_redirects_anonymous_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("name", CLASS_PAGES)
@pytest.mark.django_db
def test_class_page_redirects_anonymous_to_login(client, own_class, name):
    url = reverse(name, args=[own_class.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("name", REGISTRATION_GETS + REGISTRATION_POSTS)
@pytest.mark.django_db
def test_registration_page_redirects_anonymous_to_login(client, own_registration, name):
    url = reverse(name, args=[own_registration.pk])
    response = client.post(url) if name in REGISTRATION_POSTS else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Registration.objects.get(pk=own_registration.pk).review_status == "pending"


# --- Another counselor's objects are 404 ------------------------------------------------------


@pytest.mark.parametrize("name", CLASS_PAGES)
@pytest.mark.django_db
def test_class_page_of_another_counselor_is_404(
    client, counselor, exam_round, own_class, other_class, name
):
    client.force_login(counselor)
    assert client.get(reverse(name, args=[other_class.pk])).status_code == 404
    assert client.get(reverse(name, args=[own_class.pk])).status_code == 200


@pytest.mark.django_db
def test_unknown_class_is_404(client, counselor):
    client.force_login(counselor)
    assert client.get(reverse("registration:counselor_class", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_registration_detail_of_another_counselor_is_404(
    client, counselor, own_registration, other_registration
):
    client.force_login(counselor)
    url = reverse("registration:counselor_registration", args=[other_registration.pk])
    assert client.get(url).status_code == 404
    own = reverse("registration:counselor_registration", args=[own_registration.pk])
    assert client.get(own).status_code == 200


@pytest.mark.parametrize("name", REGISTRATION_POSTS)
@pytest.mark.django_db
def test_review_action_on_another_counselors_registration_is_404(
    client, counselor, other_registration, name
):
    client.force_login(counselor)
    url = reverse(name, args=[other_registration.pk])
    response = client.post(url, {"reason": "错了", "note": "偷偷改"})
    assert response.status_code == 404
    other_registration.refresh_from_db()
    assert other_registration.review_status == "pending"
    assert other_registration.counselor_note == ""


@pytest.mark.django_db
def test_round_export_of_a_counselor_has_only_own_classes(
    client, counselor, own_registration, other_registration
):
    from tests.workspace.xlsx_helpers import workbook_from

    client.force_login(counselor)
    response = client.get(reverse("registration:counselor_export"))
    wb = workbook_from(response)
    assert wb.sheetnames == ["汇总", "电子商务2班"]
    names = [row[2] for row in wb["电子商务2班"].iter_rows(min_row=2, values_only=True)]
    assert names == ["张三"]


@pytest.mark.django_db
def test_dashboard_lists_only_own_classes(client, counselor, own_registration, other_registration):
    client.force_login(counselor)
    response = client.get(reverse("registration:counselor_dashboard"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "电子商务2班" in content
    assert "市场营销1班" not in content
    assert "李四" not in content


@pytest.mark.django_db
def test_user_without_a_role_gets_a_no_access_page(client, own_class):
    client.force_login(UserFactory(username="visitor"))
    response = client.get(reverse("registration:counselor_dashboard"))
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    assert (
        client.get(reverse("registration:counselor_class", args=[own_class.pk])).status_code == 403
    )


# --- Academic affairs -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_academic_dashboard_shows_every_class_and_filters_by_major(
    client, academic, own_registration, other_registration, own_class
):
    client.force_login(academic)
    content = client.get(reverse("registration:counselor_dashboard")).content.decode()
    assert "电子商务2班" in content and "市场营销1班" in content
    filtered = client.get(
        reverse("registration:counselor_dashboard"), {"major": own_class.major_id}
    ).content.decode()
    assert "电子商务2班" in filtered
    assert "市场营销1班" not in filtered


@pytest.mark.django_db
def test_academic_dashboard_ignores_an_invalid_filter(client, academic, own_registration):
    client.force_login(academic)
    response = client.get(reverse("registration:counselor_dashboard"), {"major": "abc"})
    assert response.status_code == 200
    assert "筛选条件无效" in response.content.decode()


@pytest.mark.django_db
def test_academic_sees_any_class_roster_and_registration(
    client, academic, other_class, other_registration
):
    client.force_login(academic)
    assert (
        client.get(reverse("registration:counselor_class", args=[other_class.pk])).status_code
        == 200
    )
    url = reverse("registration:counselor_registration", args=[other_registration.pk])
    assert client.get(url).status_code == 200


# --- Dashboard ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_shows_counts_and_days_left(
    client, counselor, exam_round, own_class, make_registration
):
    make_registration(exam_round=exam_round, school_class=own_class, review_status="confirmed")
    make_registration(exam_round=exam_round, school_class=own_class, payment_status="paid")
    make_registration(exam_round=exam_round, school_class=own_class, status="cancelled")
    client.force_login(counselor)
    response = client.get(reverse("registration:counselor_dashboard"))
    overview = response.context["overview"]
    row = overview.rows[0]
    assert row.registered == 2
    assert row.by_review == {"confirmed": 1, "pending": 1}
    assert row.by_payment == {"paid": 1, "unpaid": 1}
    assert overview.days_left == 10
    content = response.content.decode()
    assert "距截止还有 10 天" in content
    # Charts are HTML bars sized by classes (strict CSP: no inline styles), values as text.
    assert "<svg" not in content and "<script>" not in content and "style=" not in content
    assert f'title="{own_class.name}：2/{own_class.headcount}"' in content
    assert '<span class="kwt-hbar-value">2/' in content


@pytest.mark.django_db
def test_dashboard_session_parameter_picks_another_round(
    client, counselor, exam_round, own_class, make_registration
):
    old = ExamRoundFactory(slug="old-round", registration_deadline=dt.date(2022, 5, 20))
    make_registration(exam_round=old, school_class=own_class)
    client.force_login(counselor)
    response = client.get(reverse("registration:counselor_dashboard"), {"session": "old-round"})
    assert response.context["exam_round"] == old
    assert response.context["overview"].total.registered == 1
    assert "报名已截止" in response.content.decode()


@pytest.mark.django_db
def test_dashboard_round_parameter_picks_another_round_too(
    client, counselor, exam_round, own_class, make_registration
):
    old = ExamRoundFactory(slug="old-round", registration_deadline=dt.date(2022, 5, 20))
    make_registration(exam_round=old, school_class=own_class)
    client.force_login(counselor)
    response = client.get(reverse("registration:counselor_dashboard"), {"round": "old-round"})
    assert response.context["exam_round"] == old
    assert response.context["overview"].total.registered == 1
    # The picked round is carried along in the links, always as ?round=.
    assert response.context["round_query"] == "round=old-round"
    # The round picker lists every round, the picked one selected.
    html = response.content.decode()
    assert '<option value="old-round" selected>' in html
    assert f'<option value="{exam_round.slug}">' in html


@pytest.mark.django_db
def test_dashboard_unknown_session_falls_back_with_a_message(
    client, counselor, exam_round, own_class
):
    client.force_login(counselor)
    response = client.get(reverse("registration:counselor_dashboard"), {"session": "nope"})
    assert response.status_code == 200
    assert response.context["exam_round"] == exam_round
    assert "未找到该考试批次" in response.content.decode()


@pytest.mark.django_db
def test_dashboard_without_any_round_says_so(client, counselor):
    client.force_login(counselor)
    response = client.get(reverse("registration:counselor_dashboard"))
    assert response.status_code == 200
    assert "还没有考试批次" in response.content.decode()


def _dashboard_queries(client, counselor, exam_round, own_class, make_registration, n):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(n):
        make_registration(exam_round=exam_round, school_class=own_class)
    client.force_login(counselor)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("registration:counselor_dashboard")).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_registrations(
    client, counselor, exam_round, own_class, make_registration, django_assert_max_num_queries
):
    few = _dashboard_queries(client, counselor, exam_round, own_class, make_registration, 2)
    for _ in range(40):
        make_registration(exam_round=exam_round, school_class=own_class)
    with django_assert_max_num_queries(few):
        client.get(reverse("registration:counselor_dashboard"))


# --- Roster ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_roster_masks_id_numbers_and_phones(client, counselor, own_registration):
    client.force_login(counselor)
    url = reverse("registration:counselor_class", args=[own_registration.school_class_id])
    content = client.get(url).content.decode()
    assert own_registration.masked_id_number in content
    assert own_registration.id_number not in content
    assert own_registration.phone not in content


@pytest.mark.django_db
def test_roster_filters_and_search(client, counselor, exam_round, own_class, make_registration):
    from tests.factories import level

    a = make_registration(
        exam_round=exam_round, school_class=own_class, name="张一", level=level(4)
    )
    b = make_registration(
        exam_round=exam_round, school_class=own_class, name="王二", review_status="returned"
    )
    c = make_registration(
        exam_round=exam_round,
        school_class=own_class,
        name="赵三",
        payment_status="paid",
        student_number="2020999001",
    )
    d = make_registration(
        exam_round=exam_round, school_class=own_class, name="钱四", status="cancelled"
    )
    client.force_login(counselor)
    url = reverse("registration:counselor_class", args=[own_class.pk])

    def names(params):
        return {r.name for r in client.get(url, params).context["page"].object_list}

    assert names({}) == {a.name, b.name, c.name}
    assert names({"level": level(4).pk}) == {a.name}
    assert names({"review": "returned"}) == {b.name}
    assert names({"payment": "paid"}) == {c.name}
    assert names({"q": "赵"}) == {c.name}
    assert names({"q": "2020999001"}) == {c.name}
    assert names({"cancelled": "on"}) == {a.name, b.name, c.name, d.name}


@pytest.mark.django_db
def test_roster_bad_filter_values_show_everything_not_500(client, counselor, own_registration):
    client.force_login(counselor)
    url = reverse("registration:counselor_class", args=[own_registration.school_class_id])
    response = client.get(url, {"level": "x", "review": "hacked", "page": "zz"})
    assert response.status_code == 200
    assert [r.pk for r in response.context["page"].object_list] == [own_registration.pk]


@pytest.mark.django_db
def test_roster_query_count_does_not_grow_with_registrations(
    client, counselor, exam_round, own_class, make_registration, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_registration(exam_round=exam_round, school_class=own_class)
    client.force_login(counselor)
    url = reverse("registration:counselor_class", args=[own_class.pk])
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    for _ in range(40):
        make_registration(exam_round=exam_round, school_class=own_class)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 41


# --- Detail and review actions --------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_masks_personal_data(client, counselor, own_registration):
    client.force_login(counselor)
    url = reverse("registration:counselor_registration", args=[own_registration.pk])
    content = client.get(url).content.decode()
    assert own_registration.masked_id_number in content
    assert own_registration.masked_phone in content
    assert own_registration.id_number not in content
    assert own_registration.phone not in content


@pytest.mark.django_db
def test_confirm_action(client, counselor, own_registration):
    client.force_login(counselor)
    url = reverse("registration:counselor_registration_confirm", args=[own_registration.pk])
    response = client.post(url, follow=True)
    assert "已确认 张三 的报名" in response.content.decode()
    assert Registration.objects.get(pk=own_registration.pk).review_status == "confirmed"


@pytest.mark.django_db
def test_confirm_action_needs_post(client, counselor, own_registration):
    client.force_login(counselor)
    url = reverse("registration:counselor_registration_confirm", args=[own_registration.pk])
    assert client.get(url).status_code == 405
    assert Registration.objects.get(pk=own_registration.pk).review_status == "pending"


@pytest.mark.django_db
def test_return_action_requires_a_reason_and_keeps_the_form(client, counselor, own_registration):
    client.force_login(counselor)
    url = reverse("registration:counselor_registration_return", args=[own_registration.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert str(review.REASON_REQUIRED) in response.content.decode()
    assert Registration.objects.get(pk=own_registration.pk).review_status == "pending"
    response = client.post(url, {"reason": "身份证号与姓名不符"})
    assert response.status_code == 302
    registration = Registration.objects.get(pk=own_registration.pk)
    assert registration.review_status == "returned"
    assert registration.review_reason == "身份证号与姓名不符"


@pytest.mark.django_db
def test_confirm_a_cancelled_registration_shows_the_error(client, counselor, own_registration):
    Registration.objects.filter(pk=own_registration.pk).update(
        status="cancelled", cancelled_at=timezone.now()
    )
    client.force_login(counselor)
    url = reverse("registration:counselor_registration_confirm", args=[own_registration.pk])
    response = client.post(url, follow=True)
    assert str(review.REVIEW_CANCELLED) in response.content.decode()


@pytest.mark.django_db
def test_note_action_saves_the_note(client, counselor, own_registration):
    client.force_login(counselor)
    url = reverse("registration:counselor_registration_note", args=[own_registration.pk])
    assert client.post(url, {"note": "<b>已联系</b>"}).status_code == 302
    detail = reverse("registration:counselor_registration", args=[own_registration.pk])
    content = client.get(detail).content.decode()
    assert "&lt;b&gt;已联系&lt;/b&gt;" in content


@pytest.mark.django_db
def test_review_posts_need_a_csrf_token(counselor, own_registration):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(counselor)
    url = reverse("registration:counselor_registration_confirm", args=[own_registration.pk])
    assert client.post(url).status_code == 403
    assert Registration.objects.get(pk=own_registration.pk).review_status == "pending"


# --- Poster ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_poster_page_has_inline_svg_url_deadline_and_contact(
    client, counselor, exam_round, own_class, settings
):
    settings.SITE_URL = "https://kwt.example.edu.cn"
    client.force_login(counselor)
    response = client.get(reverse("registration:counselor_poster", args=[own_class.pk]))
    content = response.content.decode()
    assert f"https://kwt.example.edu.cn/r/{own_class.code}/" in content
    assert '<svg version="1.1" viewBox=' in content and 'class="qr-code"' in content
    assert own_class.name in content
    assert exam_round.title in content
    assert "报名截止" in content
    assert exam_round.consultation_qq in content
    assert "style=" not in content
    assert "本机地址" not in content


@pytest.mark.django_db
def test_poster_warns_when_site_url_is_local(client, counselor, exam_round, own_class, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    client.force_login(counselor)
    response = client.get(reverse("registration:counselor_poster", args=[own_class.pk]))
    assert "本机地址" in response.content.decode()


@pytest.mark.django_db
def test_poster_png_is_an_attachment(client, counselor, own_class):
    client.force_login(counselor)
    response = client.get(reverse("registration:counselor_poster_png", args=[own_class.pk]))
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert "filename*=UTF-8''" in response["Content-Disposition"]


@pytest.mark.django_db
def test_roster_marks_a_conditional_registration(client, counselor, exam_round, own_class):
    from tests.workspace.conftest import registration_make

    registration_make(
        exam_round=exam_round,
        school_class=own_class,
        name="大一学生",
        pending_requirement="training",
    )
    registration_make(exam_round=exam_round, school_class=own_class, name="大三学生")
    client.force_login(counselor)

    content = client.get(reverse("registration:counselor_class", args=[own_class.pk])).content
    html = content.decode()

    assert html.count(">有条件</span>") == 1
    assert 'title="需完成本校培训并取得结业证书"' in html
