"""The public pages show the announcement's figures exactly, with the right registration state."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.test import override_settings
from django.urls import path, reverse

from courses.models import TrainingModule
from eligibility.models import EligibilityCondition
from fees.models import FeeItem
from registration import announcement_2022 as a2022
from registration.models import SHANGHAI
from registration.views.public import ROUND_NOT_FOUND
from rounds.models import ExamRound
from rounds.selectors import round_current
from tests.factories import ExamRoundFactory, UserFactory

HOME = "/"


def shanghai(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def get_html(client, url: str = HOME) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


class _Section(HTMLParser):
    """Collects the text of the element with a given id, and of its table rows."""

    def __init__(self, element_id: str):
        super().__init__()
        self.element_id = element_id
        self.depth = 0
        self.text: list[str] = []
        self.rows: list[list[str]] = []
        self.paragraphs = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if self.depth:
            if tag in {"br", "img", "input", "meta", "link", "wbr"}:
                return
            self.depth += 1
            if tag == "tr":
                self.rows.append([])
            elif tag in {"td", "th"}:
                self._cell = []
            elif tag == "p":
                self.paragraphs += 1
        elif dict(attrs).get("id") == self.element_id:
            self.depth = 1

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag in {"td", "th"} and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None
        self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            squeezed = re.sub(r"\s+", "", data)
            self.text.append(squeezed)
            if self._cell is not None:
                self._cell.append(squeezed)


def section(html: str, element_id: str) -> _Section:
    parser = _Section(element_id)
    parser.feed(html)
    assert parser.text, f"no element with id={element_id}"
    return parser


def section_text(html: str, element_id: str) -> str:
    return "".join(section(html, element_id).text)


def assert_in_order(text: str, pieces: list[str]) -> None:
    """Every piece occurs in `text`, each after the previous one."""
    start = 0
    for piece in pieces:
        found = text.find(piece, start)
        assert found != -1, f"{piece!r} missing or out of order"
        start = found + len(piece)


# --- The 2022 round, figure by figure -----------------------------------------------------------


@pytest.fixture
def in_2022_before_deadline():
    with time_machine.travel(shanghai(2022, 5, 19, 12, 0), tick=False):
        yield


@pytest.fixture
def after_2022_deadline():
    with time_machine.travel(shanghai(2022, 5, 21, 0, 0), tick=False):
        yield


def test_home_fee_table_is_exactly_the_announced_table(client, announcement):
    table = section(get_html(client), "fee-table")
    assert table.rows == [
        ["等级", "报名费(元)", "培训费(元)(提高班和强化班可2选1)"],
        ["在校生", "强化班(社会考生)", "提高班(社会考生)"],
        ["四级/中级工", "260", "免费", "800(40学时)", "300(线上+线下集中1天学习)"],
        ["三级/高级工", "320", "免费", "1000(60学时)", "—公告未列出"],
    ]
    # A blank announced cell reads "—" (the words are for screen readers only), not "未开设".
    assert "未开设" not in get_html(client)


def test_home_fee_table_never_shows_inactive_items(client, announcement):
    FeeItem.objects.filter(round=announcement, training_option="improvement").update(
        is_active=False
    )
    rows = section(get_html(client), "fee-table").rows
    assert rows[1] == ["在校生", "强化班(社会考生)"]
    assert rows[2] == ["四级/中级工", "260", "免费", "800(40学时)"]


def test_home_fee_table_shows_both_registration_fees_when_they_differ(client, announcement):
    FeeItem.objects.filter(
        round=announcement, level__code=4, kind="registration", candidate_type="social"
    ).update(amount="280.50")
    rows = section(get_html(client), "fee-table").rows
    assert rows[2][1] == "在校生260社会考生280.50"


def test_home_shows_fee_payment_text_and_note(client, announcement):
    text = section_text(get_html(client), "fees")
    assert a2022.SESSION["fee_payment_text"] in text
    assert a2022.SESSION["fee_note"] in text


def test_home_shows_deadline_whole_day(client, announcement):
    assert "报名截止：2022年5月20日（当天24:00前）" in section_text(get_html(client), "deadline")


def test_home_open_round_has_countdown_and_register_button(
    client, announcement, in_2022_before_deadline
):
    html = get_html(client)
    state = section_text(html, "registration-state")
    # 2022-05-19 12:00 to 2022-05-21 00:00 in Shanghai: 1 day 12 hours.
    assert "报名进行中" in state
    assert "距报名截止还有1天12小时0分" in state
    assert 'data-deadline="2022-05-21T00:00:00+08:00"' in html
    assert 'btn btn-primary btn-lg" href="/register/"' in html


def test_home_last_second_of_deadline_day_is_still_open(client, announcement):
    with time_machine.travel(shanghai(2022, 5, 20, 23, 59, 59), tick=False):
        state = section_text(get_html(client), "registration-state")
    assert "报名进行中" in state
    assert "距报名截止还有0天0小时0分" in state


def test_home_after_deadline_is_closed_without_register_button(
    client, announcement, after_2022_deadline
):
    html = get_html(client)
    state = section_text(html, "registration-state")
    assert "报名已截止" in state
    assert "距报名截止" not in state
    assert 'btn btn-primary btn-lg" href="/register/"' not in html
    # The menu still links to the registration page, which explains itself.
    assert 'href="/eligibility/"' in html
    assert 'href="/lookup/"' in html


def test_home_before_opening_is_not_yet_open(client, db):
    ExamRoundFactory(
        registration_opens=dt.date(2022, 5, 10), registration_deadline=dt.date(2022, 5, 20)
    )
    with time_machine.travel(shanghai(2022, 5, 8, 18, 30), tick=False):
        html = get_html(client)
    state = section_text(html, "registration-state")
    assert "报名尚未开始" in state
    assert "报名开始：2022年5月10日" in state
    # 2022-05-08 18:30 to 2022-05-10 00:00: 1 day 5 hours 30 minutes.
    assert "距报名开始还有1天5小时30分" in state
    assert 'btn btn-primary btn-lg" href="/register/"' not in html


def test_home_shows_every_training_module_and_topic_in_order(client, announcement):
    text = section_text(get_html(client), "training")
    assert a2022.SESSION["training_audience"] in text
    assert a2022.SESSION["training_note"] in text
    expected = []
    for level_code in (4, 3):
        for number, title, schedule, topics in a2022.TRAINING[level_code]:
            expected.append(f"{schedule}{number}.{title}")
            expected.extend(f"{code}{topic}" for code, topic in topics)
    assert_in_order(text, expected)
    # As the announcement: 四级 "培训时间", 三级 "时间安排".
    level4, level3 = text.split("三级/高级工", 1)
    assert level4.count("培训时间课程模块主题") == 1
    assert level3.count("时间安排课程模块主题") == 1


def test_home_lists_every_social_condition_per_level_in_order(client, announcement):
    html = get_html(client)
    text = section_text(html, "eligibility-social")
    assert text.startswith("社会考生")
    level4, level3 = text.split("三级/高级工", 1)
    for code, part in ((4, level4), (3, level3)):
        rows = EligibilityCondition.objects.filter(round=announcement, level__code=code)
        conditions = [c for c in rows.order_by("order") if "social" in c.candidate_types]
        assert len(conditions) == (4 if code == 4 else 7)
        assert_in_order(part, [re.sub(r"\s+", "", c.text) for c in conditions])
    assert "破格" not in level3.split("划重点")[0]  # L3-S is not a social condition
    assert re.sub(r"\s+", "", a2022.SESSION["eligibility_notes"]).replace("\n", "") in text
    assert "“只能逐级进行”指社会考生须从四级起逐级报考" in text


def test_home_shows_the_in_school_route_as_its_own_block(client, announcement):
    text = section_text(get_html(client), "eligibility-students")

    assert text.startswith("本校在校生")
    assert "学院对本公告的理解" in text
    level4, level3 = text.split("三级/高级工", 1)
    assert "本校在校生报名后参加本校免费四级培训，考前取得结业证书即符合此条" in level4
    assert "本校本专业或相关专业的应届毕业生（毕业学年，如三年制的大三）直接符合此条" in level4
    assert "有条件符合" in level4
    assert "破格直接报考三级/高级工" in level3
    assert "仅在校生" not in get_html(client)  # no badge contradicting the notes below it


def test_home_lists_an_overridden_occupation_wide_condition_once(client, announcement):
    from tests.eligibility.factories import EligibilityConditionFactory
    from tests.factories import level

    EligibilityConditionFactory(
        round=None,
        occupation=announcement.occupation,
        level=level(4),
        code="L4-1",
        text="在本职业连续工作5年以上。",
        min_years=5,
    )

    text = section_text(get_html(client), "eligibility-social")

    assert text.count("在本职业连续工作3年以上。") == 1
    assert "在本职业连续工作5年以上。" not in text


def test_home_says_charge_items_are_set_by_the_finance_office(client, announcement):
    assert "收费项目由学校财务处设置" in section_text(get_html(client), "fees")


def test_home_hides_inactive_conditions(client, announcement):
    condition = EligibilityCondition.objects.get(round=announcement, code="L3-6")
    condition.is_active = False
    condition.save()
    assert condition.text not in section_text(get_html(client), "eligibility")


def test_home_shows_exam_time_and_place(client, announcement):
    text = section_text(get_html(client), "exam")
    assert "考试时间2022年6月下旬（具体时间另行通知）" in text
    assert "考试地点校内实训室" in text


def test_home_says_social_candidates_are_not_accepted_and_why(client, announcement):
    text = section_text(get_html(client), "round-summary")
    assert "本批次不接受社会考生报名。由于疫情原因,上半年暂不组织社会人员的考试" in text


def test_home_accepting_social_candidates_has_no_refusal(client, announcement):
    ExamRound.objects.filter(pk=announcement.pk).update(accepts_social=True)
    assert "本批次不接受社会考生报名" not in get_html(client)


def test_home_renders_narrative_texts_as_paragraphs(client, announcement):
    html = get_html(client)
    assert section(html, "intro").paragraphs == 3
    assert section(html, "value").paragraphs == 5
    assert "3600元定额扣除" in section_text(html, "value")


def test_home_has_no_exam_content_section(client, announcement):
    # 四、考试内容 is empty in the announcement: nothing is made up for it.
    assert "考试内容" not in get_html(client)


def test_home_escapes_texts(client, announcement):
    ExamRound.objects.filter(pk=announcement.pk).update(intro_text="<script>alert(1)</script>")
    html = get_html(client)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_home_shows_consultation_qq_hours_and_note(client, announcement):
    text = section_text(get_html(client), "consultation")
    assert "咨询QQ2378470284" in text
    assert "咨询时间工作日9:30-16:30" in text
    assert a2022.SESSION["consultation_note"] in text


@pytest.mark.parametrize(
    ("moment", "hint"),
    [
        (shanghai(2022, 5, 20, 9, 29), "非咨询时间"),
        (shanghai(2022, 5, 20, 9, 30), "咨询时间内"),
        (shanghai(2022, 5, 20, 16, 30), "咨询时间内"),
        (shanghai(2022, 5, 20, 16, 31), "非咨询时间"),
        (shanghai(2022, 5, 21, 10, 0), "非咨询时间"),
    ],
)
def test_home_consultation_hint_follows_shanghai_working_hours(client, announcement, moment, hint):
    with time_machine.travel(moment, tick=False):
        text = section_text(get_html(client), "consultation-hint")
    assert text.startswith(hint)


def test_home_consultation_hint_names_next_opening(client, announcement):
    with time_machine.travel(shanghai(2022, 5, 21, 10, 0), tick=False):
        text = section_text(get_html(client), "consultation-hint")
    assert "下次咨询时间：5月23日（星期一）9:30起" in text


def test_home_without_any_round_says_so(client, db):
    html = get_html(client)
    assert "暂无考试批次" in html


def test_home_page_query_count_is_fixed(client, announcement, django_assert_num_queries):
    # Round, open-round lookup, levels, conditions, modules, topics, fees: no query per row;
    # then the running results notices and whether the round has retake offers (results links).
    with django_assert_num_queries(9):
        client.get(HOME)


def test_home_has_no_inline_script_or_style(client, announcement):
    html = get_html(client)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "style=" not in html
    assert '<script src="/static/js/home.js" defer></script>' in html


# --- Current round ------------------------------------------------------------------------------


def test_session_current_prefers_the_open_round(db):
    with time_machine.travel(shanghai(2022, 5, 19, 12, 0), tick=False):
        open_round = ExamRoundFactory(registration_deadline=dt.date(2022, 5, 20))
        ExamRoundFactory(
            registration_opens=dt.date(2022, 9, 1), registration_deadline=dt.date(2022, 9, 30)
        )
        assert round_current() == open_round


def test_session_current_falls_back_to_the_latest_published_round(db):
    ExamRoundFactory(registration_deadline=dt.date(2021, 5, 20))
    latest = ExamRoundFactory(registration_deadline=dt.date(2022, 5, 20))
    ExamRoundFactory(registration_deadline=dt.date(2022, 11, 20), is_published=False)
    with time_machine.travel(shanghai(2023, 1, 1, 12, 0), tick=False):
        assert round_current() == latest


def test_session_current_ignores_unpublished_open_rounds(db):
    ExamRoundFactory(registration_deadline=dt.date(2022, 5, 20), is_published=False)
    with time_machine.travel(shanghai(2022, 5, 19, 12, 0), tick=False):
        assert round_current() is None


# --- Rounds -------------------------------------------------------------------------------------


def test_round_list_shows_published_rounds_only(client, announcement):
    hidden = ExamRoundFactory(title="草稿批次", is_published=False)
    html = get_html(client, reverse("registration:round_list"))
    assert announcement.title in html
    assert reverse("registration:round_detail", args=[announcement.slug]) in html
    assert hidden.title not in html


def test_home_links_to_round_list(client, announcement):
    assert f'href="{reverse("registration:round_list")}"' in get_html(client)


def test_round_detail_shows_the_same_announcement(client, announcement):
    ExamRoundFactory(title="另一批次")
    html = get_html(client, reverse("registration:round_detail", args=[announcement.slug]))
    assert announcement.title in html
    rows = section(html, "fee-table").rows
    assert rows[2] == ["四级/中级工", "260", "免费", "800(40学时)", "300(线上+线下集中1天学习)"]
    assert "报名截止：2022年5月20日（当天24:00前）" in html


def test_round_detail_of_a_closed_round_has_no_register_button(client, announcement):
    html = get_html(client, reverse("registration:round_detail", args=[announcement.slug]))
    assert 'btn btn-primary btn-lg" href="/register/"' not in html


def test_round_detail_of_unpublished_round_is_404(client, db):
    hidden = ExamRoundFactory(is_published=False)
    response = client.get(reverse("registration:round_detail", args=[hidden.slug]))
    assert response.status_code == 404
    assert str(ROUND_NOT_FOUND) in response.content.decode()


def test_round_detail_of_unknown_slug_is_404(client, db):
    response = client.get(reverse("registration:round_detail", args=["no-such-round"]))
    assert response.status_code == 404


# --- Layout and error pages ---------------------------------------------------------------------


def test_layout_has_the_navigation_links(client, announcement):
    html = get_html(client)
    for href, label in [
        ("/", "首页"),
        ("/eligibility/", "资格自测"),
        ("/register/", "我要报名"),
        ("/lookup/", "查询报名"),
        ("/accounts/login/", "辅导员登录"),
    ]:
        assert re.search(rf'href="{re.escape(href)}">{label}</a>', html), label


def test_layout_shows_the_logged_in_users_name(client, announcement):
    user = UserFactory(username="wang", first_name="王老师")
    client.force_login(user)
    html = get_html(client)
    assert 'href="/accounts/password/change/" title="修改密码">王老师</a>' in html
    assert "辅导员登录" not in html


def test_layout_footer_shows_organizer_and_consultation(client, announcement):
    html = get_html(client)
    footer = html[html.index("<footer") :]
    assert "武汉交通职业学院" in footer
    assert "2378470284" in footer


@override_settings(DEBUG=False)
def test_unknown_url_gives_the_chinese_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "返回首页" in html


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]
handler500 = "registration.views.errors.server_error"


@pytest.mark.urls(__name__)
@override_settings(DEBUG=False)
def test_server_error_gives_the_chinese_500(client, db):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统繁忙，请稍后再试" in html
    assert "返回首页" in html


def test_training_modules_come_from_the_database(client, announcement):
    TrainingModule.objects.filter(round=announcement, level__code=4, number=1).update(
        title="改名后的模块"
    )
    assert "1.改名后的模块" in section_text(get_html(client), "training")


def test_round_list_marks_open_and_closed_rounds(client, announcement):
    ExamRoundFactory(title="秋季批次", registration_deadline=dt.date(2022, 11, 20))
    with time_machine.travel(shanghai(2022, 11, 1, 12, 0), tick=False):
        html = get_html(client, reverse("registration:round_list"))
    autumn, spring = html.index("秋季批次"), html.index(announcement.title)
    assert autumn < spring  # latest deadline first
    assert "当前批次" in html[autumn:spring] and "报名中" in html[autumn:spring]
    assert "已截止" in html[spring:]
    assert "当前批次" not in html[spring:]


def test_layout_logout_is_a_post_form_for_logged_in_users(client, announcement):
    client.force_login(UserFactory(username="li"))
    html = get_html(client)
    assert '<form method="post" action="/accounts/logout/"' in html
    assert "csrfmiddlewaretoken" in html
