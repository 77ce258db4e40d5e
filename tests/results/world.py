"""A round's exam results in every state, for the browser tests and screenshots.

Two sittings (理论知识, 操作技能) of the candidates' level in one room; candidates seated and
checked in (the last one absent); two 考评员 entered both sittings, with one theory mismatch left
open; the skill sitting reviewed.
"""

import datetime as dt
from decimal import Decimal

from accounts.roles import SCORER_GROUP, user_role_add
from exams.models import AdmissionTicket, CheckIn, Room, Seat, Sitting, Subject
from results import services
from results.models import Outcome, Score, ScorerAssignment, ScoreState
from results.services import EntryValue
from tests.factories import UserFactory

THEORY = ["85", "72.5", "58", "90", "66"]
SKILL = ["78", "80", "61", "violation", "70"]


def scorer(username: str, name: str, password: str):
    user = UserFactory(username=username, first_name=name)
    user.set_password(password)
    user.save()
    user_role_add(user=user, group_name=SCORER_GROUP)
    return user


def results_world(*, round, registrations, academic, password: str) -> dict:
    registrations = list(registrations)[:6]
    level = registrations[0].level
    room = Room.objects.create(round=round, building="实训楼", name="B201", capacity=30)
    sittings = {}
    for subject, hour in ((Subject.THEORY, 9), (Subject.SKILL, 14)):
        sitting = Sitting.objects.create(
            round=round,
            level=level,
            subject=subject,
            date=dt.date(2025, 6, 21),
            start_time=dt.time(hour, 0),
            end_time=dt.time(hour + 1, 30),
        )
        sitting.rooms.set([room])
        sittings[subject] = sitting
    first = scorer("kaoping1", "李考评", password)
    second = scorer("kaoping2", "王考评", password)
    for index, registration in enumerate(registrations, start=1):
        AdmissionTicket.objects.get_or_create(
            registration=registration, defaults={"number": f"2025{round.pk:03d}3{index:05d}"}
        )
        for sitting in sittings.values():
            seat = Seat.objects.create(
                sitting=sitting, registration=registration, room=room, number=index
            )
            if index < len(registrations):
                CheckIn.objects.create(seat=seat)
    for subject, marks in ((Subject.THEORY, THEORY), (Subject.SKILL, SKILL)):
        sitting = sittings[subject]
        for user in (first, second):
            ScorerAssignment.objects.create(sitting=sitting, room=room, scorer=user)
        seats = list(
            Seat.objects.filter(sitting=sitting, check_in__isnull=False).order_by("number")
        )
        values = {}
        for seat, mark in zip(seats, marks, strict=False):
            if mark == "violation":
                values[seat.pk] = EntryValue(Outcome.VIOLATION, None)
            else:
                values[seat.pk] = EntryValue(Outcome.SCORED, Decimal(mark))
        services.scores_enter(sitting=sitting, room=room, user=first, values=values)
        if subject == Subject.THEORY:
            values[seats[2].pk] = EntryValue(Outcome.SCORED, Decimal("85"))  # a typo: mismatch
        services.scores_enter(sitting=sitting, room=room, user=second, values=values)
    services.sitting_review(sitting=sittings[Subject.SKILL], user=academic)
    mismatch = Score.objects.get(seat__sitting=sittings[Subject.THEORY], state=ScoreState.MISMATCH)
    reviewed = Score.objects.filter(seat__sitting=sittings[Subject.SKILL]).first()
    return {
        "room": room,
        "theory": sittings[Subject.THEORY],
        "skill": sittings[Subject.SKILL],
        "mismatch": mismatch,
        "reviewed_score": reviewed,
        "scorers": (first, second),
    }
