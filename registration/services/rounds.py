"""Starting a new round from an existing one."""

import datetime as dt

from django.db import transaction

from courses.models import TrainingModule, TrainingTopic
from eligibility.models import EligibilityCondition
from fees.models import FeeItem
from rounds.models import ROUND_TEXT_FIELDS, ExamRound

NARRATIVE_AND_POLICY_FIELDS = [
    "occupation",
    "organizer",
    "exam_location",
    "accepts_students",
    "accepts_social",
    "social_refusal_reason",
    "consultation_qq",
    "consultation_days",
    "consultation_start",
    "consultation_end",
    "consultation_note",
    "retention_days",
    "payment_channel",
    "payment_link",
    "payment_reminder_days",
    "supplement_reminder_days",
    *ROUND_TEXT_FIELDS,
]


def _deadline_text_replace(text: str, old: dt.date, new: dt.date) -> str:
    return text.replace(
        f"{old.year}年{old.month}月{old.day}日", f"{new.year}年{new.month}月{new.day}日"
    )


def _copy(instance, **changes):
    """A new unsaved row with the same field values (no primary key), changed as given."""
    values = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }
    values.update(changes)
    return type(instance)(**values)


@transaction.atomic
def round_clone(
    *,
    source: ExamRound,
    slug: str,
    title: str,
    registration_opens: dt.date | None,
    registration_deadline: dt.date,
    exam_period: str,
) -> ExamRound:
    """A draft copy of `source`: levels, eligibility rules, training modules, fees and texts.

    Registrations are never copied. The copy is unpublished until an admin publishes it.
    """
    texts = {name: getattr(source, name) for name in NARRATIVE_AND_POLICY_FIELDS}
    # The old deadline written into the how-to-register text would mislead: put the new one in.
    texts["how_to_register_text"] = _deadline_text_replace(
        texts["how_to_register_text"], source.registration_deadline, registration_deadline
    )
    exam_round = ExamRound(
        slug=slug,
        title=title,
        is_published=False,
        registration_opens=registration_opens,
        registration_deadline=registration_deadline,
        exam_period=exam_period,
        **texts,
    )
    exam_round.full_clean()
    exam_round.save()
    exam_round.levels.set(source.levels.all())

    for condition in EligibilityCondition.objects.filter(round=source):
        copy = _copy(condition, round_id=exam_round.pk)
        copy.full_clean()
        copy.save()
    for fee in FeeItem.objects.filter(round=source):
        copy = _copy(fee, round_id=exam_round.pk)
        copy.full_clean()
        copy.save()
    for module in TrainingModule.objects.filter(round=source).prefetch_related("topics"):
        module_copy = _copy(module, round_id=exam_round.pk)
        module_copy.save()
        TrainingTopic.objects.bulk_create(
            [_copy(topic, module_id=module_copy.pk) for topic in module.topics.all()]
        )
    return exam_round
