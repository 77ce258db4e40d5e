"""Pricing: what a round charges whom. The one module sign-up, pages and payments read prices from.

A quote (报名费 + the chosen training option) is computed here; the registration stores what it
was quoted, because the announcement's price at sign-up is what the candidate owes even if the
fee item changes later (registration.models.Registration.quoted_*).
"""

import dataclasses
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from fees.models import RETAKE_KINDS, FeeItem, FeeKind
from rounds.models import ExamRound

REGISTRATION_FEE_MISSING = _("本批次该等级的报名费尚未设置，暂不能报名，请联系工作人员。")
TRAINING_OPTION_INVALID = _("请选择本等级可选的培训方式。")
TRAINING_OPTION_REQUIRED = _("请选择培训方式。")
RETAKE_FEE_MISSING = _("本批次该等级的补考费尚未设置，暂不能补考报名，请联系工作人员。")


class PricingError(DomainError):
    pass


@dataclasses.dataclass(frozen=True)
class Quote:
    registration_item: FeeItem
    training_item: FeeItem | None

    @property
    def registration_fee(self) -> Decimal:
        return self.registration_item.amount

    @property
    def training_fee(self) -> Decimal:
        return self.training_item.amount if self.training_item else Decimal("0.00")

    def charge_items(self) -> list[dict[str, str]]:
        items = []
        for item in (self.registration_item, self.training_item):
            if item is not None and item.amount > 0:
                items.append(
                    {
                        "kind": str(FeeKind(item.kind).label),
                        "name": item.charge_item_name,
                        "amount": f"{item.amount:.2f}",
                        # The finance office may rename a charge item later; the id keeps the
                        # link so payments under the new name still match this quote.
                        "fee_item_id": item.pk,
                    }
                )
        return items


def training_options(*, exam_round: ExamRound, level_code: int, candidate_type: str):
    return (
        FeeItem.objects.active()
        .training_options()
        .filter(round=exam_round, level__code=level_code, candidate_type=candidate_type)
        .select_related("level")
        .order_by("order", "id")
    )


def active_fee_items(*, exam_round: ExamRound) -> tuple[FeeItem, ...]:
    """Every active fee item of a round, with its level, in display order. One query; the rows
    pickle, so the sign-up service keeps them in its cached snapshot of the round's rules."""
    return tuple(
        FeeItem.objects.active()
        .filter(round=exam_round)
        .select_related("level")
        .order_by("order", "id")
    )


def fee_quote(
    *,
    exam_round: ExamRound,
    level_code: int,
    candidate_type: str,
    training_fee_item_id: int | None,
    items: Iterable[FeeItem] | None = None,
) -> Quote:
    """What a sign-up is quoted. `items`: the round's active fee items as active_fee_items()
    gave them, when the caller has them; otherwise they are read (one query for both kinds)."""
    if items is None:
        items = (
            FeeItem.objects.active()
            .filter(round=exam_round, level__code=level_code, candidate_type=candidate_type)
            .select_related("level")
            .order_by("order", "id")
        )
    items = [
        item
        for item in items
        if item.level.code == level_code and item.candidate_type == candidate_type
    ]
    registration_item = next((i for i in items if i.kind == FeeKind.REGISTRATION), None)
    if registration_item is None:
        raise PricingError(REGISTRATION_FEE_MISSING)
    options = [item for item in items if item.kind == FeeKind.TRAINING]
    training_item = None
    if training_fee_item_id is not None:
        training_item = next((o for o in options if o.pk == training_fee_item_id), None)
        if training_item is None:
            raise PricingError(TRAINING_OPTION_INVALID, field="training_fee_item")
    elif len(options) == 1:
        training_item = options[0]
    elif options:
        raise PricingError(TRAINING_OPTION_REQUIRED, field="training_fee_item")
    return Quote(registration_item=registration_item, training_item=training_item)


def retake_fee_item(
    *, exam_round: ExamRound, level_code: int, candidate_type: str, subject: str
) -> FeeItem | None:
    """The round's active retake (补考) fee item of one subject, or None while none is set."""
    return (
        FeeItem.objects.active()
        .filter(
            round=exam_round,
            level__code=level_code,
            candidate_type=candidate_type,
            kind=RETAKE_KINDS[subject],
        )
        .select_related("level")
        .order_by("order", "id")
        .first()
    )


def retake_quote(
    *, exam_round: ExamRound, level_code: int, candidate_type: str, subject: str
) -> Quote:
    """A retake registration pays that subject's 补考费 only: no 报名费, no training.

    The announcement of 2022 states no retake price, so none is shipped: until an admin sets
    the fee item, the retake sign-up is refused with RETAKE_FEE_MISSING.
    """
    item = retake_fee_item(
        exam_round=exam_round,
        level_code=level_code,
        candidate_type=candidate_type,
        subject=subject,
    )
    if item is None:
        raise PricingError(RETAKE_FEE_MISSING)
    return Quote(registration_item=item, training_item=None)


def training_options_for_round(*, exam_round: ExamRound, candidate_type: str):
    """Every active training option of a round for one candidate type (filtered by level later)."""
    return (
        FeeItem.objects.active()
        .training_options()
        .filter(round=exam_round, candidate_type=candidate_type, level__in=exam_round.levels.all())
        .select_related("level")
        .order_by("-level__code", "order", "id")
    )


def registration_fee_amounts(*, exam_round: ExamRound, candidate_type: str) -> dict[int, object]:
    """Level code -> registration fee of a round for one candidate type (one query)."""
    return dict(
        FeeItem.objects.active()
        .registration_fees()
        .filter(round=exam_round, candidate_type=candidate_type)
        .values_list("level__code", "amount")
    )


def fee_rows(*, exam_round: ExamRound, candidate_type: str, levels) -> list[FeeItem]:
    """The fee table under the sign-up form: one candidate type, the levels on offer.

    Retake (补考) fees are not part of a new sign-up: they show on the retake page only.
    """
    return list(
        FeeItem.objects.active()
        .filter(round=exam_round, candidate_type=candidate_type, level__in=levels)
        .filter(kind__in=[FeeKind.REGISTRATION, FeeKind.TRAINING])
        .select_related("level")
        .order_by("-level__code", "kind", "order")
    )


def round_fee_items(*, exam_round: ExamRound, levels) -> list[FeeItem]:
    """Every active fee item of a round for the given levels: the announcement's fee table."""
    return list(FeeItem.objects.active().filter(round=exam_round, level__in=levels))


def current_charge_item_names(registrations) -> dict[int, str]:
    """Current charge-item names of the fee items the quotes point at (one query)."""
    ids = {
        item["fee_item_id"]
        for registration in registrations
        for item in registration.quoted_charge_items
        if item.get("fee_item_id")
    }
    return dict(FeeItem.objects.filter(pk__in=ids).values_list("pk", "charge_item_name"))
