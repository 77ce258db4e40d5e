"""Training pages: lessons, attendance on a phone, the training roster and manual completion.

Thin views: every read through `registration.training.selectors`, every write through
`registration.training.services`; who may do what is the access gate (`accounts.access`).
Anything outside the user's scope answers 404, as in the counselor workspace.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts import access
from accounts.access import access_required
from courses.models import TrainingClass
from registration.models import Registration
from registration.training import selectors, services
from registration.training.models import TrainingEnrollment
from registration.training.services import TrainingError
from rounds.models import SchoolClass
from rounds.selectors import round_of_request
from workspace.training_forms import ManualCompletionForm

SAVED = _("已保存 {name} 的点名：出勤 {present} 人，缺勤 {absent} 人。")
BAD_POST = _("提交的数据无效，本次点名未保存，请刷新页面后重试。")
COMPLETED = _("已认定 {name} 结业。")
ASSIGNED = _("已将 {n} 名学员分入 {name}。")
WITHDRAWN = _("已撤回 {name} 的点名（{n} 条记录），该班学员恢复为未点名。")
NO_ROUND = _("还没有培训班。请先在管理后台为考试批次设置培训班和课次。")


@access_required(access.uses_training)
def home(request):
    exam_round = round_of_request(request)
    classes = []
    if exam_round is not None:
        classes = list(
            selectors.training_classes_visible(
                user=request.user, exam_round=exam_round
            ).prefetch_related("lessons")
        )
    overdue = None
    if exam_round is not None and access.manages_training(request.user):
        overdue = selectors.registrations_training_overdue(exam_round=exam_round).count()
    return render(
        request,
        "courses/home.html",
        {"exam_round": exam_round, "classes": classes, "no_round": NO_ROUND, "overdue": overdue},
    )


@access_required(access.uses_training)
def lesson(request, pk: int):
    obj = selectors.lesson_get_visible(user=request.user, pk=pk)
    if obj is None:
        raise Http404
    sheets = selectors.lesson_class_sheets(user=request.user, lesson=obj)
    return render(
        request,
        "courses/lesson.html",
        {"lesson": obj, "training_class": obj.training_class, "sheets": sheets},
    )


def _ids(values) -> list[int] | None:
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError):
        return None


@access_required(access.uses_training)
def attendance(request, pk: int, class_pk: int):
    obj = selectors.lesson_get_visible(user=request.user, pk=pk)
    school_class = SchoolClass.objects.filter(pk=class_pk).first()
    if (
        obj is None
        or school_class is None
        or not access.may_mark_attendance(
            request.user, training_class=obj.training_class, school_class=school_class
        )
    ):
        raise Http404
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        try:
            n = services.attendance_withdraw(
                lesson=obj,
                school_class=school_class,
                reason=request.POST.get("reason", ""),
                by=request.user,
            )
        except TrainingError as exc:
            messages.error(request, exc.message)
            return redirect("courses:attendance", pk=obj.pk, class_pk=school_class.pk)
        messages.success(request, WITHDRAWN.format(name=school_class.name, n=n))
        return redirect("courses:lesson", pk=obj.pk)
    if request.method == "POST":
        listed = _ids(request.POST.getlist("enrollment"))
        present = _ids(request.POST.getlist("present"))
        if listed is None or present is None:
            messages.error(request, BAD_POST)
        else:
            try:
                services.attendance_save(
                    lesson=obj,
                    school_class=school_class,
                    enrollment_ids=listed,
                    present_ids=set(present),
                    by=request.user,
                )
            except TrainingError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    SAVED.format(
                        name=school_class.name,
                        present=len(set(present)),
                        absent=len(set(listed)) - len(set(present)),
                    ),
                )
                return redirect("courses:lesson", pk=obj.pk)
        return redirect("courses:attendance", pk=obj.pk, class_pk=school_class.pk)
    students = selectors.attendance_sheet(lesson=obj, school_class=school_class)
    return render(
        request,
        "courses/attendance.html",
        {
            "lesson": obj,
            "training_class": obj.training_class,
            "school_class": school_class,
            "students": students,
            "any_marked": any(s.mark is not None for s in students),
            "not_yet": obj.date > timezone.localdate(),
        },
    )


@access_required(access.uses_training)
def roster(request, pk: int):
    training_class = selectors.training_class_get_visible(user=request.user, pk=pk)
    if training_class is None:
        raise Http404
    rows = selectors.training_roster(user=request.user, training_class=training_class)
    manage_all = access.manages_training(request.user)
    context = {
        "training_class": training_class,
        "exam_round": training_class.round,
        "rows": rows,
        "lessons": list(training_class.lessons.all()),
        "can_complete": access.may_complete_training(request.user, training_class=training_class),
        "can_assign": manage_all,
    }
    if manage_all:
        context["unassigned"] = selectors.registrations_unassigned(training_class=training_class)
        context["targets"] = TrainingClass.objects.filter(
            round_id=training_class.round_id, level_id=training_class.level_id
        ).exclude(pk=training_class.pk)
    return render(request, "courses/roster.html", context)


@require_POST
@access_required(access.uses_training)
def assign(request, pk: int):
    """教务: put the unassigned students in this class, or move the ticked ones to another."""
    if not access.manages_training(request.user):
        raise Http404
    training_class = selectors.training_class_get_visible(user=request.user, pk=pk)
    if training_class is None:
        raise Http404
    target = training_class
    if request.POST.get("action") == "move":
        target_pk = _ids([request.POST.get("target", "")])
        target = TrainingClass.objects.filter(pk=target_pk[0] if target_pk else None).first()
        ids = _ids(request.POST.getlist("registration"))
        if target is None or ids is None:
            messages.error(request, BAD_POST)
            return redirect("courses:roster", pk=pk)
        registrations = Registration.objects.filter(
            pk__in=ids, training_enrollment__training_class=training_class
        )
    else:
        registrations = selectors.registrations_unassigned(training_class=training_class)
    try:
        n = services.training_assign(registrations=registrations, training_class=target)
    except TrainingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ASSIGNED.format(n=n, name=target.name))
    return redirect("courses:roster", pk=pk)


@access_required(access.uses_training)
def complete(request, pk: int):
    enrollment = (
        TrainingEnrollment.objects.select_related(
            "registration__school_class", "training_class__round"
        )
        .filter(pk=pk, training_class__in=selectors.visible_class_ids(request.user))
        .first()
    )
    if enrollment is None or not access.may_complete_training(
        request.user, training_class=enrollment.training_class
    ):
        raise Http404
    form = ManualCompletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_complete_manually(
                enrollment=enrollment,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["completed_on"],
                by=request.user,
            )
        except TrainingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, COMPLETED.format(name=enrollment.registration.name))
            return redirect(reverse("courses:roster", args=[enrollment.training_class_id]))
    return render(
        request,
        "courses/complete.html",
        {
            "enrollment": enrollment,
            "registration": enrollment.registration,
            "training_class": enrollment.training_class,
            "progress": selectors.registration_progress(registration=enrollment.registration),
            "form": form,
        },
    )
