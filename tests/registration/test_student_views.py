import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from registration import ratelimits
from registration.models import Registration, ReviewStatus
from registration.views import student as views
from tests.idnumbers import make_id_number

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def form_data(serial=1, **overrides):
    data = {
        "name": "张三",
        "id_number": make_id_number(serial),
        "ethnicity": "汉族",
        "phone": "13800138000",
        "student_number": "2020123456",
        "level": "3",
        "consent": "on",
    }
    data.update(overrides)
    return data


def class_url(school_class):
    return reverse("registration:class_entry", kwargs={"code": school_class.code})


def test_class_entry_shows_the_form_with_only_eligible_levels(
    client, unrelated_class, during_round
):
    response = client.get(class_url(unrelated_class))
    assert response.status_code == 200
    html = response.content.decode()
    assert unrelated_class.name in html
    assert 'name="level" value="4"' in html
    assert 'name="level" value="3"' not in html
    assert "260" in html  # the 四级 registration fee is shown before submitting
    assert 'data-fee-level="4"' in html
    assert 'data-fee-level="3"' not in html  # no fees for a level the class cannot take
    assert "大二（按报名截止日计）" in html


def test_class_entry_sophomores_of_the_own_major_get_both_levels(
    client, sophomore_class, during_round
):
    # Old reading: 三级 only. Now 四级 too, on condition of the college's 四级 training.
    html = client.get(class_url(sophomore_class)).content.decode()

    assert 'name="level" value="3"' in html
    assert 'name="level" value="4"' in html
    assert "有条件符合" in html
    assert "您可以报名四级/中级工，但须在考试前完成本校四级培训并取得结业证书。" in html
    assert "本专业" in html  # 电子商务 is 本专业 for 电子商务师


def test_class_entry_unknown_code_is_a_friendly_404(client, announcement, during_round):
    response = client.get(reverse("registration:class_entry", kwargs={"code": "nope"}))
    assert response.status_code == 404
    assert "报名链接无效" in response.content.decode()


def test_class_entry_inactive_class_is_a_friendly_404(client, sophomore_class, during_round):
    sophomore_class.is_active = False
    sophomore_class.save()
    response = client.get(class_url(sophomore_class))
    assert response.status_code == 404
    assert "报名链接无效" in response.content.decode()


def test_class_entry_freshmen_may_register_for_level_4_conditionally(
    client, freshman_class, during_round
):
    # Old reading: 大一 classes saw no form at all.
    response = client.get(class_url(freshman_class))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="level" value="4"' in html
    assert 'name="level" value="3"' not in html
    assert "有条件符合" in html
    assert "要报考三级/高级工，需是大二或大三在校生（您是大一）。" in html
    assert "L3-S" not in html and "L4-4" not in html


def test_class_entry_freshman_sign_up_stores_the_pending_requirement(
    client, freshman_class, during_round
):
    response = client.post(class_url(freshman_class), form_data(level="4"))

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.pending_requirement == "training"
    assert registration.matched_condition_code == "L4-4"
    page = client.get(response["Location"]).content.decode()
    assert "有条件符合" in page
    assert "需完成本校四级培训并取得结业证书" in page
    assert "L4-4" not in page


def test_class_entry_after_deadline_shows_closed_page(client, sophomore_class):
    with time_machine.travel(dt.datetime(2022, 5, 21, 0, 0, tzinfo=SHANGHAI), tick=False):
        response = client.get(class_url(sophomore_class))
    assert "截止" in response.content.decode()
    assert 'name="level"' not in response.content.decode()


def test_full_flow_submit_confirm_lookup_edit_cancel(client, sophomore_class, during_round):
    response = client.post(class_url(sophomore_class), form_data())
    assert response.status_code == 302
    registration = Registration.objects.get()
    detail_url = response["Location"]
    assert detail_url == reverse(
        "registration:registration_detail",
        kwargs={"pk": registration.pk, "token": registration.token},
    )
    page = client.get(detail_url).content.decode()
    assert registration.number in page
    assert registration.masked_id_number in page
    assert registration.id_number not in page
    assert "320.00 元" in page
    assert "电子商务师三级/高级工考试报名费" in page
    assert "收费项目由学校财务处设置" in page
    assert "2022年6月下旬（具体时间另行通知）" in page
    assert "校内实训室" in page
    assert "6.3 电子商务数据统计分析" in page
    assert "2378470284" in page
    assert "L3-S" not in page  # condition codes are for staff and exports
    assert "武汉交通职业学院校相关专业" in page

    # Lookup by ID number + phone leads back to the private link.
    response = client.post(
        reverse("registration:lookup"),
        {"id_number": registration.id_number.lower(), "phone": "138 0013 8000"},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url

    # The edit form shows the student's own full ID number.
    edit_url = reverse(
        "registration:registration_edit",
        kwargs={"pk": registration.pk, "token": registration.token},
    )
    assert registration.id_number in client.get(edit_url).content.decode()
    response = client.post(edit_url, form_data(name="张三丰"))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.name == "张三丰"

    cancel_url = reverse(
        "registration:registration_cancel",
        kwargs={"pk": registration.pk, "token": registration.token},
    )
    assert client.get(cancel_url).status_code == 200
    client.post(cancel_url)
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert "已取消" in client.get(detail_url).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "420106200203140030", "校验位不正确"),
        ("id_number", "42010620020314003", "应为18位"),
        ("phone", "12345678901", "11位"),
        ("name", "张\x07三", "控制字符"),
        ("consent", "", "须同意"),
        ("level", "2", "选择一个有效的选项"),
        ("student_number", "学号!!", "学号只能包含"),
    ],
)
def test_class_entry_errors_are_chinese_next_to_the_field_and_input_is_kept(
    client, sophomore_class, during_round, field, value, message
):
    data = form_data(name="王小明")
    data[field] = value
    response = client.post(class_url(sophomore_class), data)
    assert response.status_code == 200
    html = response.content.decode()
    # The message stands in the field's own error element, after the field's label.
    error_at = html.index(f'id="error_1_id_{field}"')
    assert message in html[error_at : error_at + 300]
    assert html.rfind(f'for="id_{field}', 0, error_at) != -1
    assert response.context["form"].errors[field]
    if field not in ("name", "consent", "level"):
        assert f'value="{value}"' in html  # what the student typed is kept
    assert 'value="王小明"' in html or field == "name"
    assert not Registration.objects.exists()


def test_class_entry_duplicate_id_offers_lookup(client, sophomore_class, during_round):
    client.post(class_url(sophomore_class), form_data())
    response = client.post(class_url(sophomore_class), form_data(name="李四"))
    html = response.content.decode()
    assert "已在本批次报名" in html
    summary = html[html.index('id="error-summary"') :]
    assert 'id="already-registered"' in summary
    assert f'href="{reverse("registration:lookup")}"' in summary[: summary.index("</ul>")]
    assert Registration.objects.count() == 1


def test_form_opened_before_deadline_and_submitted_after_is_refused(client, sophomore_class):
    with time_machine.travel(dt.datetime(2022, 5, 20, 23, 58, tzinfo=SHANGHAI), tick=False):
        assert client.get(class_url(sophomore_class)).status_code == 200
    with time_machine.travel(dt.datetime(2022, 5, 21, 0, 0, 1, tzinfo=SHANGHAI), tick=False):
        response = client.post(class_url(sophomore_class), form_data())
    assert "截止" in response.content.decode()
    assert not Registration.objects.exists()


def test_names_are_escaped_everywhere(client, sophomore_class, during_round):
    # Markup is no name (refused since names are checked); the value typed is shown back escaped.
    response = client.post(class_url(sophomore_class), form_data(name="<script>alert(1)</script>"))
    assert response.status_code == 200 and not Registration.objects.exists()
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_private_link_with_a_wrong_token_is_404(client, sophomore_class, during_round):
    client.post(class_url(sophomore_class), form_data())
    registration = Registration.objects.get()
    wrong_last = "y" if registration.token.endswith("x") else "x"
    url = reverse(
        "registration:registration_detail",
        # One character off (never the same character: tokens may end in "x").
        kwargs={"pk": registration.pk, "token": registration.token[:-1] + wrong_last},
    )
    assert client.get(url).status_code == 404


def test_lookup_says_the_same_whether_or_not_the_id_exists(client, sophomore_class, during_round):
    client.post(class_url(sophomore_class), form_data())
    wrong_phone = client.post(
        reverse("registration:lookup"), {"id_number": make_id_number(1), "phone": "13900000000"}
    )
    unknown_id = client.post(
        reverse("registration:lookup"), {"id_number": make_id_number(99), "phone": "13900000000"}
    )
    assert wrong_phone.status_code == unknown_id.status_code == 200
    assert wrong_phone.context["form"].errors == unknown_id.context["form"].errors
    assert wrong_phone.context["form"].errors == {"__all__": [views.LOOKUP_FAILED]}


def test_lookup_is_rate_limited_per_id_number(client, sophomore_class, during_round):
    client.post(class_url(sophomore_class), form_data())
    url = reverse("registration:lookup")
    for _ in range(ratelimits.LOOKUP_LIMIT_PER_ID):
        assert (
            client.post(url, {"id_number": make_id_number(1), "phone": "13900000000"}).status_code
            == 200
        )
    response = client.post(url, {"id_number": make_id_number(1), "phone": "13800138000"})
    assert response.status_code == 429
    assert "查询过于频繁" in response.content.decode()


def test_returned_registration_shows_reason_and_resubmits_as_pending(
    client, sophomore_class, during_round
):
    response = client.post(class_url(sophomore_class), form_data())
    registration = Registration.objects.get()
    Registration.objects.filter(pk=registration.pk).update(
        review_status=ReviewStatus.RETURNED, review_reason="学号填写有误"
    )
    assert "学号填写有误" in client.get(response["Location"]).content.decode()
    edit_url = reverse(
        "registration:registration_edit",
        kwargs={"pk": registration.pk, "token": registration.token},
    )
    client.post(edit_url, form_data(student_number="2020654321"))
    registration.refresh_from_db()
    assert registration.review_status == ReviewStatus.PENDING
    assert registration.student_number == "2020654321"


def test_after_deadline_the_registration_is_read_only(client, sophomore_class):
    with time_machine.travel(dt.datetime(2022, 5, 20, 12, 0, tzinfo=SHANGHAI), tick=False):
        response = client.post(class_url(sophomore_class), form_data())
    registration = Registration.objects.get()
    with time_machine.travel(dt.datetime(2022, 6, 1, 12, 0, tzinfo=SHANGHAI), tick=False):
        page = client.get(response["Location"]).content.decode()
        assert "不能再修改或取消" in page
        edit_url = reverse(
            "registration:registration_edit",
            kwargs={"pk": registration.pk, "token": registration.token},
        )
        assert client.post(edit_url, form_data(name="改名")).status_code == 302
        cancel_url = reverse(
            "registration:registration_cancel",
            kwargs={"pk": registration.pk, "token": registration.token},
        )
        client.post(cancel_url)
    registration.refresh_from_db()
    assert registration.name == "张三"
    assert registration.status == "active"


def test_register_pick_redirects_to_the_class_link(client, sophomore_class, during_round):
    response = client.post(reverse("registration:register"), {"school_class": sophomore_class.pk})
    assert response.status_code == 302
    assert response["Location"] == class_url(sophomore_class)
    bad = client.post(reverse("registration:register"), {"school_class": "999999"})
    assert "请选择有效的班级" in bad.content.decode()


def test_social_entry_refused_in_2022_with_the_reason(client, announcement, during_round):
    response = client.get(reverse("registration:social_entry"))
    assert "由于疫情原因" in response.content.decode()
    assert 'name="level"' not in response.content.decode()


def test_social_candidate_registers_when_a_round_accepts_them(client, announcement, during_round):
    from decimal import Decimal

    from fees.models import FeeItem

    announcement.accepts_social = True
    announcement.save()
    intensive = FeeItem.objects.get(
        round=announcement, level__code=4, candidate_type="social", training_option="intensive"
    )
    page = client.get(reverse("registration:social_entry")).content.decode()
    assert "工作单位" in page and "强化班" in page and "学号" not in page
    data = form_data(
        level="4",
        training_fee_item=str(intensive.pk),
        work_unit="武汉某电商公司",
        years_in_occupation="2",
    )
    del data["student_number"]
    refused = client.post(reverse("registration:social_entry"), data)
    assert "需本职业连续工作满3年" in refused.content.decode()
    assert not Registration.objects.exists()

    data["years_in_occupation"] = "3"
    response = client.post(reverse("registration:social_entry"), data)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.candidate_type == "social"
    assert registration.school_class is None
    assert registration.matched_condition_code == "L4-1"
    assert registration.quoted_total == Decimal("1060.00")  # 260 + 强化班 800
    assert [item["amount"] for item in registration.quoted_charge_items] == ["260.00", "800.00"]


def test_class_link_before_opening_day_says_not_yet_open(client, sophomore_class):
    announcement = sophomore_class  # noqa: F841 - the round is loaded by the fixture
    from rounds.models import ExamRound

    ExamRound.objects.update(registration_opens=dt.date(2022, 5, 1))
    with time_machine.travel(dt.datetime(2022, 4, 30, 12, 0, tzinfo=SHANGHAI), tick=False):
        html = client.get(class_url(sophomore_class)).content.decode()
    assert "报名尚未开始" in html
    assert "截止" in html and "已于" not in html


def test_post_after_the_deadline_says_nothing_was_saved(client, sophomore_class):
    with time_machine.travel(dt.datetime(2022, 5, 21, 8, 0, tzinfo=SHANGHAI), tick=False):
        response = client.post(class_url(sophomore_class), form_data())
    assert "您刚才提交的报名没有保存" in response.content.decode()
    assert not Registration.objects.exists()


def test_personal_pages_are_not_cached(client, sophomore_class, during_round):
    response = client.post(class_url(sophomore_class), form_data())
    for url in (response["Location"], reverse("registration:lookup"), class_url(sophomore_class)):
        assert "no-store" in client.get(url)["Cache-Control"]


def test_paid_registration_hides_cancel_and_shows_the_current_charge_item_name(
    client, sophomore_class, during_round
):
    from fees.models import FeeItem
    from registration.ledger.models import Payment
    from tests.factories import UserFactory

    response = client.post(class_url(sophomore_class), form_data(), follow=True)
    registration = Registration.objects.get()
    FeeItem.objects.filter(pk=registration.registration_fee_item_id).update(
        charge_item_name="2022年电子商务师高级工报名费"
    )
    Payment.objects.create(
        registration=registration,
        charge_item_name=registration.quoted_charge_items[0]["name"],
        amount=registration.quoted_registration_fee,
        paid_on=dt.date(2022, 5, 11),
        source="manual",
        recorded_by=UserFactory(username="cashier"),
    )
    page = client.get(response.redirect_chain[-1][0]).content.decode()
    assert "2022年电子商务师高级工报名费" in page
    assert "取消报名</a>" not in page
    assert "已缴费的报名不能自行取消" in page


def test_error_summary_lists_each_field_with_a_link(client, sophomore_class, during_round):
    html = client.post(class_url(sophomore_class), form_data(phone="123")).content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_phone"' in html
    assert 'value="123"' in html  # what the student typed is kept


def test_sign_up_posts_are_rate_limited_per_class_link_and_keep_the_input(
    client, sophomore_class, during_round, settings
):
    settings.SIGNUP_RATE_LIMIT_PER_LINK = 2
    client.post(class_url(sophomore_class), form_data(serial=1))
    client.post(class_url(sophomore_class), form_data(serial=2))
    response = client.post(class_url(sophomore_class), form_data(serial=3, name="王小三"))
    html = response.content.decode()
    assert "提交过于频繁" in html
    assert 'value="王小三"' in html
    assert Registration.objects.count() == 2


def test_lookup_rate_limit_keys_hold_no_id_number(client, sophomore_class, during_round):
    from django.core.cache import cache as default_cache

    client.post(
        reverse("registration:lookup"), {"id_number": make_id_number(1), "phone": "13900000000"}
    )
    keys = list(getattr(default_cache, "_cache", {}).keys())
    assert keys, "the local-memory cache should hold the counters"
    assert not [k for k in keys if make_id_number(1) in str(k)]


def test_cached_sign_up_form_carries_no_stale_csrf_token(freshman_class, during_round, settings):
    """The blank form is cached per class; a CSRF token inside the fragment would be the first
    visitor's, and every later student of the class would be refused (403) on submit."""
    from django.test import Client

    settings.FORM_FRAGMENT_CACHE_SECONDS = 60
    cache.clear()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(class_url(freshman_class))
    html = second.get(class_url(freshman_class)).content.decode()

    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) == 1
    response = second.post(
        class_url(freshman_class),
        {**form_data(level="4"), "csrfmiddlewaretoken": tokens[0]},
    )
    assert response.status_code == 302
    cache.clear()


def test_phone_edit_keeps_a_confirmed_review_and_other_edits_send_it_back(
    client, sophomore_class, during_round
):
    response = client.post(class_url(sophomore_class), form_data())
    registration = Registration.objects.get()
    Registration.objects.filter(pk=registration.pk).update(review_status=ReviewStatus.CONFIRMED)
    edit_url = reverse(
        "registration:registration_edit",
        kwargs={"pk": registration.pk, "token": registration.token},
    )
    page = client.get(edit_url).content.decode()
    assert 'id="review-notice"' in page and "只修改手机号不影响审核" in page

    response = client.post(edit_url, form_data(phone="13900139000"))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.phone == "13900139000"
    assert registration.review_status == ReviewStatus.CONFIRMED
    assert "审核结果不变" in client.get(response["Location"]).content.decode()

    response = client.post(edit_url, form_data(phone="13900139000", ethnicity="回族"))
    registration.refresh_from_db()
    assert registration.review_status == ReviewStatus.PENDING
    assert "将重新审核" in client.get(response["Location"]).content.decode()


def test_social_form_marks_training_required_and_names_each_option_once(
    client, announcement, during_round
):
    announcement.accepts_social = True
    announcement.save()
    page = client.get(reverse("registration:social_entry")).content.decode()
    assert "提高班（线上+线下集中1天学习）" not in page  # the name is not repeated inside
    assert "四级 提高班 300元（线上+线下集中1天学习）" in page
    assert "四级 强化班 800元（40学时）" in page
    training = page[page.index('id="div_id_training_fee_item"') :][:3000]
    assert "asteriskField" in training and "required" in training
    data = form_data(level="4", work_unit="武汉某电商公司", years_in_occupation="3")
    del data["student_number"]
    response = client.post(reverse("registration:social_entry"), data)
    assert "请选择培训方式（提高班或强化班）。" in response.content.decode()
    assert not Registration.objects.exists()
