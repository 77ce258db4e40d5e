"""Read-side queries for the public pages: the current round and its whole announcement."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import TrainingModule, TrainingTopic
from eligibility.engine import vocabulary as v
from eligibility.models import EligibilityCondition
from eligibility.selectors import condition_rows
from fees import pricing
from fees.models import FeeItem, FeeKind, TrainingOption
from rounds.consultation import ConsultationStatus, consultation_status
from rounds.models import ROUND_TEXT_FIELDS, CandidateType, ExamRound, SkillLevel
from rounds.selectors import Countdown, RegistrationState, countdown_to, registration_state

# --- The announcement of one round -------------------------------------------------------------


@dataclass(frozen=True)
class FeeCell:
    """One announced price; `item` is None where the announcement offers nothing."""

    item: FeeItem | None

    @property
    def is_free(self) -> bool:
        return self.item is not None and self.item.amount == Decimal("0")

    @property
    def detail(self) -> str:
        """What the announcement prints in brackets: class hours, or the description's remark."""
        if self.item is None:
            return ""
        if self.item.class_hours:
            return f"{self.item.class_hours}学时"
        description = self.item.description.strip()
        label = str(self.item.get_training_option_display())
        if description.startswith(label):
            description = description[len(label) :].strip("（）() ")
        return description


@dataclass(frozen=True)
class FeeColumn:
    candidate_type: str
    training_option: str
    # "强化班" and "(社会考生)"; the in-school free option is headed by the audience alone.
    title: str
    audience: str


@dataclass
class FeeRow:
    level: SkillLevel
    # Registration fee per candidate type, in the order the round accepts them.
    registration: list[tuple[str, FeeItem]] = field(default_factory=list)
    training: list[FeeCell] = field(default_factory=list)

    @property
    def registration_amounts(self) -> list[Decimal]:
        return sorted({item.amount for _, item in self.registration})


@dataclass
class FeeTable:
    columns: list[FeeColumn]
    rows: list[FeeRow]

    @property
    def has_alternative_classes(self) -> bool:
        """Whether 强化班 and 提高班 are both offered (the candidate picks one of the two)."""
        options = {column.training_option for column in self.columns}
        return {TrainingOption.INTENSIVE, TrainingOption.IMPROVEMENT} <= options


@dataclass(frozen=True)
class ConditionLine:
    condition: EligibilityCondition
    # The candidate type label when the condition applies to one type only ("在校生"), else "".
    only_for: str
    # For the in-school block: how the college reads this condition for its students.
    student_note: str = ""


MSG_STUDENT_PENDING = _(
    "本校在校生报名后参加本校免费{level}培训，考前取得结业证书即符合此条（报名时为“有条件符合”）。"
)


MSG_STUDENT_FINAL_YEAR = _(
    "本校{relations}的应届毕业生（毕业学年，如三年制的大三）直接符合此条：{text}"
)


def condition_line(condition: EligibilityCondition) -> ConditionLine:
    types = [t for t in condition.candidate_types if t in CandidateType.values]
    only_for = str(CandidateType(types[0]).label) if len(types) == 1 else ""
    note = ""
    if CandidateType.STUDENT in types and condition.allow_final_year:
        relations = "或".join(
            v.MAJOR_RELATION_LABELS[r] for r in condition.major_relations if r != v.UNRELATED
        )
        note = str(MSG_STUDENT_FINAL_YEAR).format(
            relations=relations or _("各专业"), text=condition.text
        )
    if condition.student_pending_requirement and condition.training_level is not None:
        note = str(MSG_STUDENT_PENDING).format(
            level=v.level_short_name(condition.training_level.code)
        )
    return ConditionLine(condition=condition, only_for=only_for, student_note=note)


# The announcement heads the 四级 schedule "培训时间" and the 三级 one "时间安排".
TRAINING_TIME_HEADERS = {3: _("时间安排")}
TRAINING_TIME_HEADER = _("培训时间")


@dataclass
class LevelSection:
    level: SkillLevel
    conditions: list[ConditionLine]
    modules: list[TrainingModule]

    @property
    def social_conditions(self) -> list[ConditionLine]:
        """The announcement's numbered conditions: the social candidates' conditions."""
        return [c for c in self.conditions if CandidateType.SOCIAL in c.condition.candidate_types]

    @property
    def student_conditions(self) -> list[ConditionLine]:
        """The in-school route: the conditions the college applies to its students."""
        return [c for c in self.conditions if CandidateType.STUDENT in c.condition.candidate_types]

    @property
    def time_header(self) -> str:
        return str(TRAINING_TIME_HEADERS.get(self.level.code, TRAINING_TIME_HEADER))


def paragraphs(text: str) -> list[str]:
    """The announcement puts one paragraph per line; blank lines carry nothing."""
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass
class Announcement:
    exam_round: ExamRound
    # Narrative field name -> its paragraphs, e.g. paragraphs["value_text"] has five.
    paragraphs: dict[str, list[str]]
    levels: list[LevelSection]
    fee_table: FeeTable
    state: str
    countdown: Countdown | None
    consultation: ConsultationStatus

    @property
    def is_open(self) -> bool:
        return self.state == RegistrationState.OPEN

    @property
    def has_social_conditions(self) -> bool:
        return any(section.social_conditions for section in self.levels)

    @property
    def has_student_conditions(self) -> bool:
        return any(section.student_conditions for section in self.levels)


_COLUMN_ORDER = [
    (CandidateType.STUDENT, TrainingOption.FREE),
    (CandidateType.STUDENT, TrainingOption.INTENSIVE),
    (CandidateType.STUDENT, TrainingOption.IMPROVEMENT),
    (CandidateType.SOCIAL, TrainingOption.FREE),
    (CandidateType.SOCIAL, TrainingOption.INTENSIVE),
    (CandidateType.SOCIAL, TrainingOption.IMPROVEMENT),
]


def _column(candidate_type: str, option: str) -> FeeColumn:
    type_label = str(CandidateType(candidate_type).label)
    if option == TrainingOption.FREE:
        title, audience = type_label, ""
    else:
        title, audience = str(TrainingOption(option).label), f"({type_label})"
    return FeeColumn(
        candidate_type=candidate_type, training_option=option, title=title, audience=audience
    )


def fee_table_build(*, levels: list[SkillLevel], items: list[FeeItem]) -> FeeTable:
    """The fee table as announced: one row per level, one training column per offered option.

    A level without an item for a column gets an empty cell (the page shows "—"): a price the
    announcement does not give is never made up.
    """
    training = {
        (item.level_id, item.candidate_type, item.training_option): item
        for item in items
        if item.kind == FeeKind.TRAINING
    }
    present = {(ctype, option) for (_, ctype, option) in training}
    columns = [
        _column(ctype, option) for ctype, option in _COLUMN_ORDER if (ctype, option) in present
    ]
    rows = []
    for level in levels:
        registration = [
            (item.candidate_type, item)
            for item in items
            if item.kind == FeeKind.REGISTRATION and item.level_id == level.pk
        ]
        registration.sort(key=lambda pair: pair[0] != CandidateType.STUDENT)
        cells = [
            FeeCell(item=training.get((level.pk, column.candidate_type, column.training_option)))
            for column in columns
        ]
        rows.append(FeeRow(level=level, registration=registration, training=cells))
    return FeeTable(columns=columns, rows=rows)


def announcement_get(exam_round: ExamRound, *, now: dt.datetime | None = None) -> Announcement:
    """Everything the announcement page shows for a round, in a fixed number of queries."""
    now = now or timezone.now()
    levels = list(exam_round.levels.all())
    # The one "conditions of a round" query (a round's rule replaces an occupation-wide one).
    conditions = condition_rows(exam_round, levels=levels)
    modules = list(
        TrainingModule.objects.filter(round=exam_round, level__in=levels)
        .order_by("-level__code", "number")
        .prefetch_related(
            Prefetch("topics", queryset=TrainingTopic.objects.order_by("order", "id"))
        )
    )
    items = pricing.round_fee_items(exam_round=exam_round, levels=levels)
    sections = [
        LevelSection(
            level=level,
            conditions=[condition_line(c) for c in conditions if c.level_id == level.pk],
            modules=[m for m in modules if m.level_id == level.pk],
        )
        for level in levels
    ]
    state = registration_state(exam_round, now=now)
    countdown = None
    if state == RegistrationState.OPEN:
        countdown = countdown_to(exam_round.deadline_ends_at, now=now)
    elif state == RegistrationState.NOT_YET_OPEN and exam_round.opens_at is not None:
        countdown = countdown_to(exam_round.opens_at, now=now)
    return Announcement(
        exam_round=exam_round,
        paragraphs={name: paragraphs(getattr(exam_round, name)) for name in ROUND_TEXT_FIELDS},
        levels=sections,
        fee_table=fee_table_build(levels=levels, items=items),
        state=state,
        countdown=countdown,
        consultation=consultation_status(
            now, start=exam_round.consultation_start, end=exam_round.consultation_end
        ),
    )
