"""Who still has something to do, per class (or for the round): the nudges page's four lists."""

import dataclasses

from django.db.models import Q, QuerySet

from registration.models import Registration, RegistrationStatus, ReviewStatus
from registration.payment_state import OWING
from registration.reminders import supplement_incomplete_q
from rounds.models import ExamRound, SchoolClass
from workspace.models import ReminderKind
from workspace.selectors import classlists
from workspace.selectors.counselor import registrations_visible

NOT_SIGNED_UP = "not_signed_up"

FILTERS = {
    ReminderKind.UNCONFIRMED: ~Q(review_status=ReviewStatus.CONFIRMED),
    ReminderKind.UNPAID: Q(payment_status__in=OWING),
    ReminderKind.SUPPLEMENT: supplement_incomplete_q(),
}


@dataclasses.dataclass
class NudgeList:
    kind: str
    label: str
    names: list[str]
    can_remind: bool

    @property
    def copy_text(self) -> str:
        """Plain text for the class's WeChat/QQ group: names only, never IDs or phones."""
        if not self.names:
            return ""
        return f"以下同学{self.label}，请尽快处理：{'、'.join(self.names)}"


def nudge_registrations(
    *, user, exam_round: ExamRound, school_class: SchoolClass | None, kind: str
) -> QuerySet[Registration]:
    queryset = registrations_visible(user).filter(
        round=exam_round, status=RegistrationStatus.ACTIVE
    )
    if school_class is not None:
        queryset = queryset.filter(school_class=school_class)
    return queryset.filter(FILTERS[kind]).select_related("round").order_by("name", "pk")


def nudge_lists(
    *, user, exam_round: ExamRound, school_class: SchoolClass | None
) -> list[NudgeList]:
    lists = []
    if school_class is not None:
        names = list(
            classlists.not_signed_up(school_class=school_class, exam_round=exam_round)
            .order_by("name")
            .values_list("name", flat=True)
        )
        lists.append(NudgeList(NOT_SIGNED_UP, "尚未报名", names, can_remind=False))
    labels = {
        ReminderKind.UNCONFIRMED: "报名尚未确认",
        ReminderKind.UNPAID: "尚未缴清费用",
        ReminderKind.SUPPLEMENT: "补充资料尚未完成",
    }
    for kind, label in labels.items():
        names = list(
            nudge_registrations(
                user=user, exam_round=exam_round, school_class=school_class, kind=kind
            ).values_list("name", flat=True)
        )
        lists.append(NudgeList(str(kind), label, names, can_remind=True))
    return lists
