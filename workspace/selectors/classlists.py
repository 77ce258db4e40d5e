"""Reads of class lists: who is on a class's list, and who of them has not signed up yet."""

from django.db.models import Exists, OuterRef, QuerySet

from registration.models import ClassListEntry, ClassListImport, Registration, RegistrationStatus
from rounds.models import ExamRound, SchoolClass
from workspace.selectors import counselor


def class_list(*, school_class: SchoolClass) -> QuerySet[ClassListEntry]:
    return ClassListEntry.objects.active().filter(school_class=school_class)


def list_with_signup(
    *, school_class: SchoolClass, exam_round: ExamRound
) -> QuerySet[ClassListEntry]:
    """The class's list, each entry annotated `signed_up` (an active registration of the round
    with the entry's ID number exists): one query."""
    registered = Registration.objects.filter(
        round=exam_round, status=RegistrationStatus.ACTIVE, id_number=OuterRef("id_number")
    )
    return class_list(school_class=school_class).annotate(signed_up=Exists(registered))


def not_signed_up(*, school_class: SchoolClass, exam_round: ExamRound) -> QuerySet[ClassListEntry]:
    return list_with_signup(school_class=school_class, exam_round=exam_round).filter(
        signed_up=False
    )


def class_ids_with_list(class_ids) -> set[int]:
    return set(
        ClassListEntry.objects.active()
        .filter(school_class_id__in=list(class_ids))
        .values_list("school_class_id", flat=True)
        .distinct()
    )


def import_get_visible(*, user, pk: int) -> ClassListImport | None:
    """An upload the user may see: their own, for a class still in their scope (教务: any)."""
    from accounts import access

    record = ClassListImport.objects.select_related("school_class", "uploaded_by").filter(pk=pk)
    record = record.first()
    if record is None:
        return None
    if access.is_academic(user):
        return record
    if record.uploaded_by_id != user.pk or record.school_class_id is None:
        return None
    if counselor.class_get_visible(user=user, pk=record.school_class_id) is None:
        return None
    return record
