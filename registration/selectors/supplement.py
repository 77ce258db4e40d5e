"""补充资料 completeness: per class, for the counselor's roster (one query)."""

from dataclasses import dataclass

from django.db.models import Count, Q

from registration.models import PhotoStatus, Registration


@dataclass(frozen=True)
class SupplementSummary:
    active: int
    complete: int
    no_photo: int
    photo_returned: int
    no_education: int

    @property
    def incomplete(self) -> int:
        return self.active - self.complete


def _missing_photo() -> Q:
    return Q(photo="") | Q(photo_status=PhotoStatus.RETURNED)


def class_summary(*, school_class, exam_round) -> SupplementSummary:
    counts = (
        Registration.objects.active()
        .filter(round=exam_round, school_class=school_class)
        .aggregate(
            active=Count("id"),
            complete=Count("id", filter=~Q(education="") & ~_missing_photo()),
            no_photo=Count("id", filter=Q(photo="")),
            photo_returned=Count("id", filter=~Q(photo="") & Q(photo_status=PhotoStatus.RETURNED)),
            no_education=Count("id", filter=Q(education="")),
        )
    )
    return SupplementSummary(**counts)
