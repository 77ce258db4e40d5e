"""考评员 rules as data: 回避 (recusal), the number of 考评员 a subject needs per room, rotation.

回避: a 考评员 may not score a room of a sitting that seats
- a student of a class they counsel (`SchoolClass.counselor`),
- a student of a training class they train (`TrainingClass.trainers`, through the enrolment), or
- a person they declared (`ScorerRecusal`, by ID number: relatives and the like).
`assignment_check` is called by `scorer_assign` (the service) and by the admin form, so both
doors refuse the same assignment; `sitting_review` re-checks (seats may be drawn after the
assignment) together with the required number of 考评员 per room (`ScorerRequirement`).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts import access
from common.normalize import id_number_normalize
from exams.models import Seat
from results.models import ScorerAssignment, ScorerRecusal, ScorerRequirement
from rounds.guards import round_writable_check

RECUSE_COUNSELOR = _("{scorer} 是该考场考生 {name} 所在班级的辅导员，须回避。")
RECUSE_TRAINER = _("{scorer} 是该考场考生 {name} 的培训教师，须回避。")
RECUSE_DECLARED = _("{scorer} 已声明须回避该考场考生 {name}。")
TOO_FEW_SCORERS = _("{room}（{sitting}）须安排 {needed} 名考评员，现有 {count} 名。")
ONLY_ACADEMIC = _("只有教务可以安排考评员。")


class ScorerRuleError(ValueError):
    def __init__(self, message, errors=None):
        super().__init__(str(message))
        self.message = message
        self.errors = errors or [message]


def _scorer_name(user) -> str:
    return user.get_full_name() or user.get_username()


def recusal_conflicts(*, scorer, sitting, room) -> list[str]:
    """Why `scorer` must step aside from `room` in `sitting` (empty when they need not)."""
    declared = {
        id_number_normalize(n)
        for n in ScorerRecusal.objects.filter(scorer=scorer).values_list("id_number", flat=True)
    }
    seats = Seat.objects.filter(sitting=sitting, room=room).values_list(
        "registration__name",
        "registration__id_number",
        "registration__school_class__counselor_id",
        "registration__training_enrollment__training_class_id",
    )
    trained = set(scorer.training_classes.values_list("pk", flat=True))
    who = _scorer_name(scorer)
    found = []
    for name, id_number, counselor_id, training_class_id in seats:
        if counselor_id == scorer.pk:
            found.append(RECUSE_COUNSELOR.format(scorer=who, name=name))
        elif training_class_id is not None and training_class_id in trained:
            found.append(RECUSE_TRAINER.format(scorer=who, name=name))
        elif id_number_normalize(id_number or "") in declared:
            found.append(RECUSE_DECLARED.format(scorer=who, name=name))
    return found


def assignment_check(*, scorer, sitting, room) -> None:
    conflicts = recusal_conflicts(scorer=scorer, sitting=sitting, room=room)
    if conflicts:
        raise ScorerRuleError(conflicts[0], conflicts)


@transaction.atomic
def scorer_assign(*, sitting, room, scorer, user) -> ScorerAssignment:
    """Assign a 考评员 to a room of a sitting, unless 回避 forbids it."""
    if not access.is_academic(user):
        raise ScorerRuleError(ONLY_ACADEMIC)
    round_writable_check(sitting.round, error=ScorerRuleError)
    assignment_check(scorer=scorer, sitting=sitting, room=room)
    assignment, _created = ScorerAssignment.objects.get_or_create(
        sitting=sitting, room=room, scorer=scorer
    )
    return assignment


def scorers_needed(*, sitting) -> int:
    found = ScorerRequirement.objects.filter(
        round=sitting.round_id, subject=sitting.subject
    ).first()
    return found.scorers_per_room if found else 0


def review_problems(*, sitting) -> list[str]:
    """What 审核 must refuse about 考评员: too few per room, or a 回避 conflict."""
    needed = scorers_needed(sitting=sitting)
    rooms = {
        room_id: name
        for room_id, name in Seat.objects.filter(sitting=sitting)
        .values_list("room_id", "room__name")
        .distinct()
    }
    assignments = list(
        ScorerAssignment.objects.filter(sitting=sitting, room_id__in=rooms).select_related(
            "scorer", "room"
        )
    )
    problems = []
    for room_id, name in sorted(rooms.items(), key=lambda item: item[1]):
        count = sum(1 for a in assignments if a.room_id == room_id)
        if count < needed:
            problems.append(
                TOO_FEW_SCORERS.format(room=name, sitting=sitting, needed=needed, count=count)
            )
    for assignment in assignments:
        problems += recusal_conflicts(
            scorer=assignment.scorer, sitting=sitting, room=assignment.room
        )
    return problems


@dataclass
class RoomRow:
    sitting: object
    room: object
    scorers: list
    needed: int
    problems: list


def room_assignments(*, round) -> list[RoomRow]:
    """Every room with seats in each sitting of the round, its 考评员 and what is missing."""
    from exams.models import Sitting

    rows = []
    for sitting in Sitting.objects.filter(round=round).select_related("level", "round"):
        needed = scorers_needed(sitting=sitting)
        room_ids = set(Seat.objects.filter(sitting=sitting).values_list("room_id", flat=True))
        room_ids |= set(
            ScorerAssignment.objects.filter(sitting=sitting).values_list("room_id", flat=True)
        )
        for room in sitting.rooms.model.objects.filter(pk__in=room_ids).order_by("name"):
            assigned = [
                a.scorer
                for a in ScorerAssignment.objects.filter(sitting=sitting, room=room)
                .select_related("scorer")
                .order_by("scorer__username")
            ]
            problems = []
            if len(assigned) < needed:
                problems.append(
                    TOO_FEW_SCORERS.format(
                        room=room.name, sitting=sitting, needed=needed, count=len(assigned)
                    )
                )
            for scorer in assigned:
                problems += recusal_conflicts(scorer=scorer, sitting=sitting, room=room)
            rows.append(RoomRow(sitting, room, assigned, needed, problems))
    return rows


@dataclass
class RotationRow:
    scorer: object
    this_round: list  # "level subject room" texts
    earlier: list  # the same, in the rounds before (most recent first, at most three)
    repeated: list  # rooms or levels+subjects scored again


def rotation(*, round) -> list[RotationRow]:
    """Per 考评员 of the round: what they score now and what they scored in earlier rounds, so
    教务 can rotate them (a room or subject scored again by the same person is flagged)."""
    now = list(
        ScorerAssignment.objects.filter(sitting__round=round).select_related(
            "scorer", "room", "sitting__level"
        )
    )
    scorer_ids = {a.scorer_id for a in now}
    before = (
        ScorerAssignment.objects.filter(scorer_id__in=scorer_ids)
        .exclude(sitting__round=round)
        .select_related("room", "sitting__level", "sitting__round")
        .order_by("-sitting__date", "-pk")
    )
    earlier: dict[int, list] = {}
    for assignment in before:
        earlier.setdefault(assignment.scorer_id, []).append(assignment)
    rows = {}
    for assignment in now:
        row = rows.get(assignment.scorer_id)
        if row is None:
            past = earlier.get(assignment.scorer_id, [])
            row = rows[assignment.scorer_id] = RotationRow(
                assignment.scorer, [], [_label(a, with_round=True) for a in past[:3]], []
            )
            row._past = past
        row.this_round.append(_label(assignment))
        for old in row._past:
            same_room = old.room_id == assignment.room_id
            if same_room and old.sitting.subject == assignment.sitting.subject:
                row.repeated.append(_label(assignment))
                break
    return sorted(rows.values(), key=lambda r: r.scorer.get_username())


def _label(assignment, *, with_round: bool = False) -> str:
    sitting = assignment.sitting
    text = f"{sitting.level.name} {sitting.get_subject_display()} {assignment.room.name}"
    return f"{sitting.round.title}：{text}" if with_round else text
