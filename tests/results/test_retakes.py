"""Retakes (补考): offers from a round's results, the retake sign-up, its fee, seats and exports."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exams.selectors import seatable_registrations
from fees import pricing
from registration.candidate_data import ExamType
from registration.models import Registration, RetakeOffer
from registration.services import retakes as signup
from registration.services import submission
from registration.services.submission import AlreadyRegistered, SubmissionError
from results import retakes, selectors
from results import services as results_services
from results.models import ResultNotice, RetakeRule
from rounds.models import ExamRound
from tests.factories import ExamRoundFactory, FeeItemFactory, RegistrationFactory
from tests.results.test_outcomes import graded  # noqa: F401
from workspace import exports

CHARGE = "电子商务师三级补考费（理论知识）"


@pytest.fixture
def target(db, level3, exam_round, graded, academic):  # noqa: F811
    """The retake round; the source round's results are published (公示), as offers require."""
    results_services.notice_publish(round=exam_round, working_days=5, user=academic)
    retake_round = ExamRoundFactory(offered=[4, 3], slug="2026-retake", title="2026年第一批")
    for kind, amount, name in (
        ("retake_theory", "100.00", CHARGE),
        ("retake_skill", "150.00", "电子商务师三级补考费（操作技能）"),
    ):
        FeeItemFactory(
            round=retake_round,
            level=level3,
            kind=kind,
            amount=Decimal(amount),
            charge_item_name=name,
        )
    return retake_round


def _offers(exam_round):
    return {
        (o.source_registration_id, o.subject)
        for o in RetakeOffer.objects.filter(exam_round=exam_round)
    }


def test_offer_retakes_offers_exactly_the_failed_subject_and_is_idempotent(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    report = retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    assert report.created == 3
    expected = {(graded[1].pk, "theory"), (graded[2].pk, "skill"), (graded[3].pk, "theory")}
    assert _offers(target) == expected
    offer = RetakeOffer.objects.get(source_registration=graded[1])
    assert (offer.id_number, offer.name, offer.created_by) == (
        graded[1].id_number,
        graded[1].name,
        academic,
    )
    assert offer.history.count() == 1
    again = retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    assert (again.created, again.existing) == (0, 3)
    assert RetakeOffer.objects.count() == 3


def test_offer_retakes_none_when_the_rule_allows_no_retake(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
    level3,
):
    RetakeRule.objects.create(level=level3, retakes_allowed=0)
    report = retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    assert report.created == 0
    assert not RetakeOffer.objects.exists()


def test_offer_retakes_refuses_a_closed_or_same_round_and_non_academic(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
    invigilator,
):
    with pytest.raises(retakes.RetakeOfferError) as error:
        retakes.offer_retakes(source_round=exam_round, target_round=exam_round, actor=academic)
    assert error.value.message == retakes.SAME_ROUND
    closed = ExamRoundFactory(registration_deadline=dt.date(2020, 1, 1))
    with pytest.raises(retakes.RetakeOfferError) as error:
        retakes.offer_retakes(source_round=exam_round, target_round=closed, actor=academic)
    assert error.value.message == retakes.TARGET_NOT_OPEN
    with pytest.raises(retakes.RetakeOfferError):
        retakes.offer_retakes(source_round=exam_round, target_round=target, actor=invigilator)
    assert not RetakeOffer.objects.exists()


def test_retake_registration_has_only_the_failed_subject_and_its_fee(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    offers = signup.retake_offers_find(
        exam_round=target,
        id_number=graded[1].id_number.lower(),
        name=f" {graded[1].name} ",
        phone=graded[1].phone,
    )
    assert [o.subject for o in offers] == ["theory"]
    registration = signup.retake_register(offer=offers[0])
    assert registration.round == target and registration.level == graded[1].level
    assert (registration.exam_type_theory, registration.exam_type_skill) == ("retake", "exempt")
    assert registration.quoted_registration_fee == Decimal("100.00")
    assert registration.quoted_training_fee == Decimal("0.00")
    assert registration.training_fee_item is None
    assert [(i["name"], i["amount"]) for i in registration.quoted_charge_items] == [
        (CHARGE, "100.00")
    ]
    assert registration.history.count() == 1
    offers[0].refresh_from_db()
    assert offers[0].used_registration == registration
    assert offers[0].history.count() == 2
    with pytest.raises(SubmissionError) as error:
        signup.retake_register(offer=offers[0])
    assert error.value.message == signup.OFFER_USED
    # The skill retake pays the skill fee only.
    skill = RetakeOffer.objects.get(source_registration=graded[2])
    other = signup.retake_register(offer=skill)
    assert (other.exam_type_theory, other.exam_type_skill) == ("exempt", "retake")
    assert other.quoted_total == Decimal("150.00")


def test_retake_refused_while_no_fee_is_set(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    target.fee_items.filter(kind="retake_theory").delete()
    offer = RetakeOffer.objects.get(source_registration=graded[1])
    with pytest.raises(SubmissionError) as error:
        signup.retake_register(offer=offer)
    assert error.value.message == pricing.RETAKE_FEE_MISSING
    assert not Registration.objects.filter(round=target).exists()


def test_retake_refused_after_the_deadline(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    offer = RetakeOffer.objects.get(source_registration=graded[1])
    late = target.deadline_ends_at + dt.timedelta(seconds=1)
    with pytest.raises(SubmissionError) as error:
        signup.retake_register(offer=offer, now=late)
    assert "截止" in str(error.value.message)
    just_in_time = target.deadline_ends_at - dt.timedelta(seconds=1)
    assert signup.retake_register(offer=offer, now=just_in_time).pk


def test_one_registration_per_person_and_round_holds_both_ways(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    first = RetakeOffer.objects.get(source_registration=graded[1])
    RegistrationFactory(round=target, level=graded[1].level, id_number=graded[1].id_number)
    with pytest.raises(AlreadyRegistered):
        signup.retake_register(offer=first)
    second = RetakeOffer.objects.get(source_registration=graded[2])
    signup.retake_register(offer=second)
    # A normal sign-up of the same person in that round hits the same constraint.
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(round=target, level=graded[2].level, id_number=graded[2].id_number)


def test_a_second_retake_is_refused_by_the_rule(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
    level3,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    signup.retake_register(offer=RetakeOffer.objects.get(source_registration=graded[1]))
    later = ExamRoundFactory(offered=[3], slug="2026-later")
    report = retakes.offer_retakes(source_round=exam_round, target_round=later, actor=academic)
    # graded[1] used the one retake; graded[2] and [3] hold unused offers for `target`.
    assert (report.created, report.used_up) == (0, 3)
    RetakeRule.objects.create(level=level3, retakes_allowed=2)
    report = retakes.offer_retakes(source_round=exam_round, target_round=later, actor=academic)
    assert report.created == 3


def test_retake_result_expects_only_the_retaken_subject():
    expected, exempt = selectors._expected_of(("theory", "skill"), "retake", "exempt")
    assert (expected, exempt) == (("theory",), ("skill",))
    result = selectors.CandidateResult(registration=None, expected=expected, exempt=exempt)
    result.subjects.append(selectors.SubjectResult("theory", "理论知识", "scored", 70, True))
    assert result.complete and result.passed
    failed = selectors.CandidateResult(registration=None, expected=expected, exempt=exempt)
    failed.subjects.append(selectors.SubjectResult("theory", "理论知识", "scored", 50, False))
    assert not failed.passed


def test_exports_mark_the_retaken_subject(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    registration = signup.retake_register(
        offer=RetakeOffer.objects.get(source_registration=graded[1])
    )
    assert exports.exam_type_text(registration) == "理论知识补考，操作技能免考"
    roster = {c.header: c for c in exports.roster_columns(exports._Counter())}
    national = {c.header: c for c in exports.national_columns(exports._Counter(), target)}
    for columns in (roster, national):
        assert "补考" in columns["考试类型"].get(registration)


def test_a_retake_is_seated_only_in_the_retaken_subject(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    registration = signup.retake_register(
        offer=RetakeOffer.objects.get(source_registration=graded[1])
    )
    Registration.objects.filter(pk=registration.pk).update(
        review_status="confirmed", payment_status="paid"
    )
    level = registration.level
    assert list(seatable_registrations(round=target, level=level, subject="theory")) == [
        registration
    ]
    assert list(seatable_registrations(round=target, level=level, subject="skill")) == []
    assert registration.exam_type_skill == ExamType.EXEMPT


def test_retake_page_finds_confirms_and_stays_neutral(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    url = reverse("registration:retake", args=[target.slug])
    client = Client()
    assert client.get(url).status_code == 200
    person = graded[1]
    # Another ID number, or the right one with a wrong name: the same neutral answer.
    for id_number, name in ((graded[0].id_number, graded[0].name), (person.id_number, "王五")):
        page = client.post(
            url, {"id_number": id_number, "name": name, "phone": person.phone}
        ).content.decode()
        assert str(signup.OFFER_NOT_FOUND) in page and "retake-offers" not in page
    page = client.post(
        url, {"id_number": person.id_number, "name": person.name, "phone": person.phone}
    ).content.decode()
    assert 'class="retake-subject">理论知识<' in page
    assert "100" in page and CHARGE in page
    offer = RetakeOffer.objects.get(source_registration=person)
    response = client.post(
        url,
        {
            "id_number": person.id_number,
            "name": person.name,
            "phone": person.phone,
            "offer": offer.pk,
            "action": "confirm",
        },
    )
    registration = Registration.objects.get(round=target, id_number=person.id_number)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "registration:registration_detail", args=[registration.pk, registration.token]
    )
    detail = client.get(response["Location"]).content.decode()
    assert "补考费（理论知识）" in detail and CHARGE in detail


def test_retake_page_limits_failed_tries(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    url = reverse("registration:retake", args=[target.slug])
    client = Client()
    person = graded[1]
    for _ in range(5):
        client.post(url, {"id_number": person.id_number, "name": "王五", "phone": person.phone})
    response = client.post(
        url, {"id_number": person.id_number, "name": person.name, "phone": person.phone}
    )
    assert response.status_code == 429


def test_retake_page_says_when_no_fee_is_set(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    target.fee_items.all().delete()
    url = reverse("registration:retake", args=[target.slug])
    person = graded[1]
    page = (
        Client()
        .post(url, {"id_number": person.id_number, "name": person.name, "phone": person.phone})
        .content.decode()
    )
    assert "补考费尚未设置" in page
    # Nothing can be registered: no radio is checked and there is no confirm button.
    assert " checked" not in page and 'id="retake-confirm"' not in page


def test_results_retake_page_offers_to_the_next_round(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    client = Client()
    client.force_login(academic)
    url = reverse("results:retakes")
    page = client.get(url, {"round": exam_round.slug}).content.decode()
    assert "向下一批次发出补考资格" in page and target.title in page
    response = client.post(
        reverse("results:retakes_offer"), {"round": exam_round.slug, "target_round": target.pk}
    )
    assert response.status_code == 302
    page = client.get(url, {"round": exam_round.slug}).content.decode()
    assert "已向“2026年第一批”发出补考资格 3 人" in page
    assert page.count('<td class="offer-state">未报名</td>') == 3
    response = client.post(reverse("results:retakes_offer"), {"round": exam_round.slug})
    assert RetakeOffer.objects.count() == 3


def test_supplement_keeps_a_retake_registrations_exam_types(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    registration = signup.retake_register(
        offer=RetakeOffer.objects.get(source_registration=graded[1])
    )
    url = reverse("registration:supplement", args=[registration.pk, registration.token])
    client = Client()
    page = client.get(url).content.decode()
    assert 'id="retake-exam-types"' in page and 'name="exam_type_skill"' not in page
    client.post(
        url,
        {
            "action": "data",
            "id_type": "resident",
            "id_number": registration.id_number,
            "education": "college",
            "exam_type_theory": "new",
            "exam_type_skill": "new",
        },
    )
    registration.refresh_from_db()
    assert registration.education == "college"
    assert (registration.exam_type_theory, registration.exam_type_skill) == ("retake", "exempt")


def _registered(exam_round, target, academic, source):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    offer = RetakeOffer.objects.get(source_registration=source)
    return offer, signup.retake_register(offer=offer)


def test_offer_retakes_needs_the_published_notice_and_an_unarchived_target(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    ResultNotice.objects.filter(round=exam_round).delete()
    with pytest.raises(retakes.RetakeOfferError) as error:
        retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    assert error.value.message == retakes.NOTICE_NOT_PUBLISHED
    results_services.notice_publish(round=exam_round, working_days=5, user=academic)
    ExamRound.objects.filter(pk=target.pk).update(archived_at=timezone.now())
    with pytest.raises(retakes.RetakeOfferError) as error:
        retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    assert error.value.message == retakes.TARGET_ARCHIVED
    assert not RetakeOffer.objects.exists()


def test_retake_page_needs_the_phone_of_the_source_registration(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    url = reverse("registration:retake", args=[target.slug])
    client = Client()
    person = graded[1]
    other_phone = "13900000000" if person.phone != "13900000000" else "13900000001"
    page = client.post(
        url, {"id_number": person.id_number, "name": person.name, "phone": other_phone}
    ).content.decode()
    assert str(signup.OFFER_NOT_FOUND) in page and "retake-offers" not in page
    # Without a phone the form is refused, nothing is told.
    response = client.post(url, {"id_number": person.id_number, "name": person.name})
    assert response.status_code == 400 and "retake-offers" not in response.content.decode()
    # Typed as people type it: full-width digits with a +86 prefix still match.
    typed = "+86 " + person.phone.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    page = client.post(
        url, {"id_number": person.id_number, "name": person.name, "phone": typed}
    ).content.decode()
    assert 'class="retake-subject">理论知识<' in page
    assert " checked" in page and 'id="retake-confirm"' in page


def test_retake_page_passes_the_round_to_the_consultation_footer(
    exam_round,
    graded,  # noqa: F811
    target,
):
    ExamRound.objects.filter(pk=target.pk).update(consultation_qq="123456789", organizer="测试学院")
    response = Client().get(reverse("registration:retake", args=[target.slug]))
    assert response.context["exam_round"] == target
    assert "123456789" in response.content.decode()


def test_cancelling_a_retake_gives_the_offer_back(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    offer, registration = _registered(exam_round, target, academic, graded[1])
    submission.registration_cancel(registration=registration)
    offer.refresh_from_db()
    assert offer.used_registration is None
    assert offer.history.first().history_change_reason == "retake registration cancelled"
    again = signup.retake_register(offer=offer)
    assert again.pk != registration.pk
    offer.refresh_from_db()
    assert offer.used_registration == again
    submission.registration_cancel_by_staff(registration=again)
    offer.refresh_from_db()
    assert offer.used_registration is None
    assert signup.retake_register(offer=offer).round == target


def test_retake_from_a_purged_round_is_refused_neutrally(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    offer = RetakeOffer.objects.get(source_registration=graded[1])
    Registration.objects.filter(pk=graded[1].pk).update(
        phone="", id_number="ANON00000001", name="已匿名"
    )
    ExamRound.objects.filter(pk=exam_round.pk).update(purged_at=timezone.now())
    with pytest.raises(SubmissionError) as error:
        signup.retake_register(offer=offer)
    assert error.value.message == signup.OFFER_UNAVAILABLE
    assert not Registration.objects.filter(round=target).exists()
    assert (
        signup.retake_offers_find(
            exam_round=target, id_number=offer.id_number, name=offer.name, phone=""
        )
        == []
    )


def test_retake_takes_the_person_from_the_offer_and_bad_data_is_a_domain_error(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    offer = RetakeOffer.objects.get(source_registration=graded[1])
    Registration.objects.filter(pk=graded[1].pk).update(id_number="ANON00000001", name="已匿名")
    registration = signup.retake_register(offer=offer)
    assert (registration.id_number, registration.name) == (offer.id_number, offer.name)
    skill = RetakeOffer.objects.get(source_registration=graded[2])
    Registration.objects.filter(pk=graded[2].pk).update(phone="")
    with pytest.raises(SubmissionError) as error:
        signup.retake_register(offer=skill)
    assert error.value.message == signup.SIGNUP_DATA_INVALID


def test_a_retake_registration_cannot_be_edited_as_a_new_one(
    exam_round,
    graded,  # noqa: F811
    target,
    academic,
):
    _offer, registration = _registered(exam_round, target, academic, graded[1])
    before = Registration.objects.get(pk=registration.pk)
    data = submission.RegistrationInput(
        name=registration.name,
        id_number=registration.id_number,
        ethnicity=registration.ethnicity or "汉族",
        phone="13911112222",
        level_code=4,
        candidate_type=registration.candidate_type,
        student_number=registration.student_number,
    )
    with pytest.raises(SubmissionError) as error:
        submission.registration_update(registration=registration, data=data)
    assert error.value.message == submission.RETAKE_NO_EDIT
    after = Registration.objects.get(pk=registration.pk)
    assert (after.level_id, after.quoted_charge_items, after.phone, after.exam_type_skill) == (
        before.level_id,
        before.quoted_charge_items,
        before.phone,
        "exempt",
    )
    client = Client()
    edit = reverse("registration:registration_edit", args=[registration.pk, registration.token])
    detail = reverse("registration:registration_detail", args=[registration.pk, registration.token])
    for response in (client.get(edit), client.post(edit, {"level": "4"})):
        assert response.status_code == 302 and response["Location"] == detail
    page = client.get(detail).content.decode()
    assert str(submission.RETAKE_NO_EDIT) in page
    assert edit not in page and 'id="retake-no-edit"' in page
