"""A registration's place in a training class, its roll calls and its completion (结业).

Moved here from `courses` (which sits below `registration` and keeps the catalog: modules, topics,
classes, lessons, the cut-off) so that no model of a lower app points at `Registration`. The
tables keep their names (`courses_trainingenrollment`, `courses_attendance` and their history
tables): registration/migrations/0015 and courses/migrations/0007 move Django's state only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.history import HistoricalRecords
from courses.models import TrainingClass, TrainingLesson


class CompletionMethod(models.TextChoices):
    HOURS = "hours", _("学时达标")
    MANUAL = "manual", _("人工认定")


class TrainingEnrollment(models.Model):
    """A registration's place in a training class, and its completion (结业) once recorded."""

    registration = models.OneToOneField(
        "registration.Registration",
        verbose_name=_("报名"),
        on_delete=models.CASCADE,
        related_name="training_enrollment",
    )
    training_class = models.ForeignKey(
        TrainingClass,
        verbose_name=_("培训班"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    enrolled_at = models.DateTimeField(_("分班时间"), auto_now_add=True)
    completed_on = models.DateField(_("结业日期"), null=True, blank=True)
    completion_method = models.CharField(
        _("结业方式"), max_length=10, choices=CompletionMethod.choices, blank=True
    )
    completion_reason = models.CharField(_("认定理由"), max_length=200, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认定人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords(
        verbose_name=_("培训分班历史"), table_name="courses_historicaltrainingenrollment"
    )

    class Meta:
        db_table = "courses_trainingenrollment"
        verbose_name = _("培训学员")
        verbose_name_plural = _("培训学员")
        ordering = ["training_class", "registration__student_number", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(completed_on__isnull=True) & Q(completion_method=""))
                | (Q(completed_on__isnull=False) & ~Q(completion_method="")),
                name="training_enrollment_completion_consistent",
            ),
            models.CheckConstraint(
                condition=~Q(completion_method="manual") | ~Q(completion_reason=""),
                name="training_enrollment_manual_needs_reason",
                violation_error_message=_("人工认定结业须填写理由。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.training_class} · {self.registration_id}"


class Attendance(models.Model):
    """Whether one enrolled student attended one lesson; the last mark wins, history keeps all."""

    lesson = models.ForeignKey(
        TrainingLesson, verbose_name=_("课次"), on_delete=models.CASCADE, related_name="attendances"
    )
    enrollment = models.ForeignKey(
        TrainingEnrollment,
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    present = models.BooleanField(_("出勤"), default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("点名人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("点名时间"))
    history = HistoricalRecords(
        verbose_name=_("考勤历史"), table_name="courses_historicalattendance"
    )

    class Meta:
        db_table = "courses_attendance"
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        ordering = ["lesson", "enrollment"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "enrollment"], name="attendance_one_per_lesson_and_student"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lesson} · {self.enrollment_id} · {'✓' if self.present else '✗'}"
