"""Two of everything that has a scope, one user per role: the world of the gate tests.

Counselor A counsels class A (registration A, class-list entry A), trainer A teaches training
class A (registration A enrolled, one roll call), and the same again for B. Registration A has a
payment, a retake offer, a seat, a ticket and a check-in in one room of one sitting, which the
invigilator and the scorer are assigned to. `ROLES` are the users of the role × URL and
role × ModelAdmin matrices.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import roles
from courses.models import TrainingClass, TrainingLesson
from exams.models import AdmissionTicket, CheckIn, Invigilation, Room, Seat, Sitting, Subject
from registration.ledger.models import Payment, PaymentImport
from registration.models import ClassListEntry, RetakeOffer
from registration.training.models import Attendance, TrainingEnrollment
from results.models import ScorerAssignment
from tests.factories import (
    ExamRoundFactory,
    RegistrationFactory,
    SchoolClassFactory,
    UserFactory,
    level,
)
from tests.idnumbers import make_id_number

GROUP_OF = {
    "counselor": roles.COUNSELOR_GROUP,
    "counselor_b": roles.COUNSELOR_GROUP,
    "trainer": roles.TRAINER_GROUP,
    "trainer_b": roles.TRAINER_GROUP,
    "academic": roles.ACADEMIC_GROUP,
    "finance": roles.FINANCE_GROUP,
    "invigilator": roles.INVIGILATOR_GROUP,
    "scorer": roles.SCORER_GROUP,
}
# Signed-in roles of the matrices (anonymous is added by the URL matrix).
ROLES = ["counselor", "trainer", "academic", "finance", "invigilator", "scorer", "plain", "root"]


def make_user(role: str, *, is_staff: bool = False):
    if role == "root":
        return UserFactory(username="root", is_staff=True, is_superuser=True)
    user = UserFactory(username=f"u-{role}", first_name=f"{role}老师", is_staff=is_staff)
    if role in GROUP_OF:
        user.groups.add(Group.objects.get(name=GROUP_OF[role]))
    return user


def _side(
    exam_round, suffix: str, *, counselor, trainer, recorder, seat_number: int, sitting, room
):
    school_class = SchoolClassFactory(name=f"电商{suffix}班", counselor=counselor)
    registration = RegistrationFactory(
        round=exam_round,
        school_class=school_class,
        level=level(4),
        pending_requirement="training",
        name=f"考生{suffix}",
    )
    training_class = TrainingClass.objects.create(
        round=exam_round, level=level(4), name=f"培训{suffix}班", required_hours=Decimal("8")
    )
    training_class.trainers.add(trainer)
    lesson = TrainingLesson.objects.create(
        training_class=training_class,
        date=timezone.localdate(),
        start_time=dt.time(14, 0),
        end_time=dt.time(17, 0),
        hours=Decimal("3"),
        place="实训楼",
    )
    enrollment = TrainingEnrollment.objects.create(
        registration=registration, training_class=training_class
    )
    attendance = Attendance.objects.create(
        lesson=lesson,
        enrollment=enrollment,
        present=True,
        marked_by=trainer,
        marked_at=timezone.now(),
    )
    entry = ClassListEntry.objects.create(
        school_class=school_class,
        student_number=registration.student_number,
        name=registration.name,
        id_number=registration.id_number,
    )
    payment = Payment.objects.create(
        registration=registration,
        kind="payment",
        charge_item_name="报名费",
        amount=Decimal("10.00"),
        paid_on=timezone.localdate(),
        method="cash",
        source="manual",
        recorded_by=recorder,
    )
    offer = RetakeOffer.objects.create(
        id_number=registration.id_number,
        name=registration.name,
        level=level(4),
        subject="theory",
        source_registration=registration,
        exam_round=exam_round,
    )
    seat = Seat.objects.create(
        sitting=sitting, registration=registration, room=room, number=seat_number
    )
    ticket = AdmissionTicket.objects.create(
        registration=registration, number=f"GATE{seat_number:06d}"
    )
    check_in = CheckIn.objects.create(seat=seat)
    return {
        "class": school_class,
        "registration": registration,
        "training_class": training_class,
        "lesson": lesson,
        "enrollment": enrollment,
        "attendance": attendance,
        "entry": entry,
        "payment": payment,
        "offer": offer,
        "seat": seat,
        "ticket": ticket,
        "check_in": check_in,
    }


def staff_world(*, is_staff: bool = False) -> dict:
    roles.roles_setup()
    today = timezone.localdate()
    exam_round = ExamRoundFactory(
        slug="gate-round",
        registration_opens=today - dt.timedelta(days=5),
        registration_deadline=today + dt.timedelta(days=10),
    )
    users = {role: make_user(role, is_staff=is_staff) for role in [*ROLES, "counselor_b"]}
    users["trainer_b"] = make_user("trainer_b", is_staff=is_staff)
    room = Room.objects.create(round=exam_round, building="实训楼", name="A101", capacity=30)
    sitting = Sitting.objects.create(
        round=exam_round,
        level=level(4),
        subject=Subject.THEORY,
        date=today + dt.timedelta(days=20),
        start_time=dt.time(9, 0),
        end_time=dt.time(10, 30),
    )
    sitting.rooms.set([room])
    Invigilation.objects.create(sitting=sitting, room=room, invigilator=users["invigilator"])
    ScorerAssignment.objects.create(sitting=sitting, room=room, scorer=users["scorer"])
    common = {"sitting": sitting, "room": room, "recorder": users["finance"]}
    side_a = _side(
        exam_round,
        "A",
        counselor=users["counselor"],
        trainer=users["trainer"],
        seat_number=1,
        **common,
    )
    side_b = _side(
        exam_round,
        "B",
        counselor=users["counselor_b"],
        trainer=users["trainer_b"],
        seat_number=2,
        **common,
    )
    payment_import = PaymentImport.objects.create(
        file_name="缴费名单.xlsx", file_sha256="0" * 64, uploaded_by=users["finance"]
    )
    return {
        "round": exam_round,
        "users": users,
        "room": room,
        "sitting": sitting,
        "a": side_a,
        "b": side_b,
        "payment_import": payment_import,
        "outsider_id": make_id_number(99),
    }
