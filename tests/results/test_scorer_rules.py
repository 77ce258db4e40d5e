"""考评员 rules as data: 回避 (own counselled class, own trainees, declared persons), the number
of 考评员 a subject needs per room, rotation shown per round."""

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import TrainingClass
from registration.training.models import TrainingEnrollment
from results import scorers, services
from results.admin import ScorerAssignmentForm
from results.models import ScorerAssignment, ScorerRecusal, ScorerRequirement
from results.scorers import ScorerRuleError
from results.services import ScoreError
from tests.factories import SchoolClassFactory


def test_counselor_steps_aside_from_own_class(sitting, rooms, seated, scorer1, academic):
    school_class = SchoolClassFactory(counselor=scorer1)
    seated[0].registration.school_class = school_class
    seated[0].registration.save(update_fields=["school_class"])
    with pytest.raises(ScorerRuleError) as refused:
        scorers.scorer_assign(sitting=sitting, room=rooms[0], scorer=scorer1, user=academic)
    assert "辅导员" in str(refused.value)
    assert not ScorerAssignment.objects.exists()
    # The other room holds none of their students.
    scorers.scorer_assign(sitting=sitting, room=rooms[1], scorer=scorer1, user=academic)


def test_trainer_steps_aside_from_own_trainees(
    sitting, rooms, seated, scorer1, academic, exam_round, level3
):
    training = TrainingClass.objects.create(round=exam_round, level=level3, name="周末班")
    training.trainers.add(scorer1)
    TrainingEnrollment.objects.create(registration=seated[1].registration, training_class=training)
    assert any(
        "培训教师" in c
        for c in scorers.recusal_conflicts(scorer=scorer1, sitting=sitting, room=rooms[0])
    )


def test_declared_person_and_the_admin_form(sitting, rooms, seated, scorer1, scorer2):
    ScorerRecusal.objects.create(scorer=scorer2, id_number=seated[2].registration.id_number)
    form = ScorerAssignmentForm(
        data={"sitting": sitting.pk, "room": rooms[0].pk, "scorer": scorer2.pk}
    )
    assert not form.is_valid() and "已声明须回避" in str(form.errors)
    form = ScorerAssignmentForm(
        data={"sitting": sitting.pk, "room": rooms[0].pk, "scorer": scorer1.pk}
    )
    assert form.is_valid()


def test_review_enforces_the_required_number_of_scorers(
    sitting, rooms, seated, scorer1, scorer2, academic, exam_round
):
    from decimal import Decimal

    from results.models import Outcome
    from results.services import EntryValue
    from tests.results.conftest import scorer_user

    for user in (scorer1, scorer2):
        ScorerAssignment.objects.create(sitting=sitting, room=rooms[0], scorer=user)
    values = {s.pk: EntryValue(Outcome.SCORED, Decimal("70")) for s in seated[:2]}
    for user in (scorer1, scorer2):
        services.scores_enter(sitting=sitting, room=rooms[0], user=user, values=values)
    ScorerRequirement.objects.create(round=exam_round, subject=sitting.subject, scorers_per_room=3)
    with pytest.raises(ScoreError) as refused:
        services.sitting_review(sitting=sitting, user=academic)
    assert "须安排 3 名考评员，现有 2 名" in str(refused.value)
    ScorerAssignment.objects.create(
        sitting=sitting, room=rooms[0], scorer=scorer_user("kaoping3", "赵考评")
    )
    services.sitting_review(sitting=sitting, user=academic)


def test_review_rechecks_recusal_after_seating(sitting, rooms, seated, scorer1, scorer2, academic):
    from decimal import Decimal

    from results.models import Outcome
    from results.services import EntryValue

    for user in (scorer1, scorer2):
        ScorerAssignment.objects.create(sitting=sitting, room=rooms[0], scorer=user)
    values = {s.pk: EntryValue(Outcome.SCORED, Decimal("70")) for s in seated[:2]}
    for user in (scorer1, scorer2):
        services.scores_enter(sitting=sitting, room=rooms[0], user=user, values=values)
    ScorerRecusal.objects.create(scorer=scorer1, id_number=seated[0].registration.id_number)
    with pytest.raises(ScoreError) as refused:
        services.sitting_review(sitting=sitting, user=academic)
    assert "回避" in str(refused.value)


def test_rotation_page(sitting, rooms, seated, scorer1, academic, exam_round):
    ScorerAssignment.objects.create(sitting=sitting, room=rooms[0], scorer=scorer1)
    ScorerRequirement.objects.create(round=exam_round, subject=sitting.subject, scorers_per_room=2)
    client = Client()
    client.force_login(academic)
    page = client.get(reverse("results:scorer_rotation"), {"round": exam_round.slug})
    text = page.content.decode()
    assert page.status_code == 200 and "李考评" in text and "须安排 2 名考评员，现有 1 名" in text
    client.force_login(scorer1)
    assert client.get(reverse("results:scorer_rotation")).status_code in (302, 403)
