"""Round statistics for admins, academic-affairs and finance staff (read only)."""

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from registration.ledger.models import EntryKind, Payment
from registration.models import PaymentStatus, Registration
from rounds.models import ExamRound

SHANGHAI = ZoneInfo("Asia/Shanghai")
SOCIAL_LABEL = "社会考生"


@dataclasses.dataclass
class ChargeItemRow:
    name: str
    expected_count: int = 0
    expected: Decimal = Decimal("0.00")
    received_count: int = 0
    received: Decimal = Decimal("0.00")
    # Received from registrations still active: what 未收 is measured against (money of a
    # cancelled registration is to be refunded, not owed).
    received_active: Decimal = Decimal("0.00")

    @property
    def outstanding(self) -> Decimal:
        return max(self.expected - self.received_active, Decimal("0.00"))


@dataclasses.dataclass
class RoundStatistics:
    exam_round: ExamRound
    total: int
    by_level: list[tuple[str, int]]
    by_major: list[tuple[str, int]]
    by_class: list[tuple[str, int, int]]  # name, registered, headcount
    by_type: list[tuple[str, int]]
    by_day: list[tuple[dt.date, int, int]]  # day, new, cumulative
    charge_items: list[ChargeItemRow]
    refunded_total: Decimal = Decimal("0.00")
    refund_due_count: int = 0
    refund_due_amount: Decimal = Decimal("0.00")

    @property
    def expected_total(self) -> Decimal:
        return sum((row.expected for row in self.charge_items), Decimal("0.00"))

    @property
    def gross_received(self) -> Decimal:
        return sum((row.received for row in self.charge_items), Decimal("0.00"))

    @property
    def received_total(self) -> Decimal:
        """Net money held: every payment of the round (cancelled registrations included) minus
        every refund; equal to the ledger's sum by construction (tests hold it so)."""
        return self.gross_received - self.refunded_total


def round_statistics(exam_round: ExamRound) -> RoundStatistics:
    """Every figure in a constant number of queries, whatever the number of registrations."""
    active = Registration.objects.active().filter(round=exam_round)
    by_level = [
        (row["level__name"], row["n"])
        for row in active.values("level__name", "level__code")
        .annotate(n=Count("id"))
        .order_by("-level__code")
    ]
    by_major = [
        (row["school_class__major__name"] or SOCIAL_LABEL, row["n"])
        for row in active.values("school_class__major__name")
        .annotate(n=Count("id"))
        .order_by("-n", "school_class__major__name")
    ]
    by_class = [
        (row["school_class__name"], row["n"], row["school_class__headcount"])
        for row in active.filter(school_class__isnull=False)
        .values("school_class__name", "school_class__headcount")
        .annotate(n=Count("id"))
        .order_by("school_class__name")
    ]
    type_labels = dict(Registration._meta.get_field("candidate_type").choices)
    by_type = [
        (str(type_labels[row["candidate_type"]]), row["n"])
        for row in active.values("candidate_type")
        .annotate(n=Count("id"))
        .order_by("candidate_type")
    ]
    per_day = (
        active.annotate(day=TruncDate("created_at", tzinfo=SHANGHAI))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    by_day, running = [], 0
    for row in per_day:
        running += row["n"]
        by_day.append((row["day"], row["n"], running))

    items: dict[str, ChargeItemRow] = {}
    expected_count: Counter = Counter()
    expected_sum: defaultdict = defaultdict(lambda: Decimal("0.00"))
    for charge_items in active.values_list("quoted_charge_items", flat=True).iterator(2000):
        for item in charge_items or []:
            expected_count[item["name"]] += 1
            expected_sum[item["name"]] += Decimal(item["amount"])
    for name in expected_count:
        items[name] = ChargeItemRow(name, expected_count[name], expected_sum[name])
    # Money follows the ledger of the whole round: a payment for a registration cancelled later
    # still counts as received until it is refunded.
    ledger = Payment.objects.filter(registration__round=exam_round)
    received = (
        ledger.filter(kind=EntryKind.PAYMENT)
        .values("charge_item_name")
        .annotate(n=Count("registration", distinct=True), total=Sum("amount"))
    )
    for row in received:
        entry = items.setdefault(row["charge_item_name"], ChargeItemRow(row["charge_item_name"]))
        entry.received_count = row["n"]
        entry.received = row["total"] or Decimal("0.00")
    received_active = (
        ledger.filter(kind=EntryKind.PAYMENT, registration__status="active")
        .values("charge_item_name")
        .annotate(total=Sum("amount"))
    )
    for row in received_active:
        items[row["charge_item_name"]].received_active = row["total"] or Decimal("0.00")
    refunded = ledger.filter(kind=EntryKind.REFUND).aggregate(total=Sum("amount"))["total"]
    refund_due = Registration.objects.filter(
        round=exam_round, payment_status=PaymentStatus.REFUND_DUE
    ).aggregate(n=Count("id"), total=Sum("paid_amount"))

    return RoundStatistics(
        exam_round=exam_round,
        total=sum(n for _, n in by_level),
        by_level=by_level,
        by_major=by_major,
        by_class=by_class,
        by_type=by_type,
        by_day=by_day,
        charge_items=sorted(items.values(), key=lambda row: row.name),
        refunded_total=refunded or Decimal("0.00"),
        refund_due_count=refund_due["n"],
        refund_due_amount=refund_due["total"] or Decimal("0.00"),
    )
