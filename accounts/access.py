"""The one access gate: who may open which staff page, and which rows each user may see.

Every staff page, the navigation (`accounts.context_processors.access`) and Django admin
(`accounts.admin_scope.ScopedAdminMixin`) ask the functions here; nothing else decides access.

- **Predicates** answer a yes/no question about a user (`is_academic`, `uses_workspace`,
  `is_finance`…) or about a user and an object (`is_counselor_of`, `may_review`,
  `is_invigilator_of`, `may_mark_attendance`…). They read groups and permissions only; objects of
  higher apps are reached through their relations, so `accounts` imports no app above it.
- **Scope functions** (`class_scope`, `registration_scope`, `training_scope`) return a `Q` for
  the rows a user may see, given the path from the queried model to the class (班级), the
  registration or the training class: `Registration.objects.filter(registration_scope(user))`,
  `Payment.objects.filter(registration_scope(user, "registration"))`.
- **`access_required(predicate)`** guards a view in the style of Django's `user_passes_test`:
  anonymous visitors go to the login page; a signed-in user the predicate refuses gets
  `PermissionDenied`, which renders the one 403 page (`templates/403.html`, with the predicate's
  Chinese explanation). `AccessRequiredMixin` does the same for class-based views, and
  `require(allowed)` for a check inside a view that needs an object first.

Roles (docs/roles.md): 辅导员 see their own classes, 教务 and superusers every class, 培训教师 the
training classes that list them, 财务 the ledger, 监考 and 考评员 the rooms assigned to them.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import (
    ACADEMIC_GROUP,
    COUNSELOR_GROUP,
    REVIEW_PERMISSION,
    WORKSPACE_PERMISSION,
)

ATTENDANCE_PERMISSION = "registration.add_attendance"
MANAGE_TRAINING_PERMISSION = "courses.manage_training"
CHECK_IN_PERMISSION = "exams.add_checkin"
SCORE_ENTRY_PERMISSION = "results.add_scoreentry"
PAYMENT_IMPORT_PERMISSION = "registration.add_paymentimport"
PAYMENT_IMPORT_VIEW_PERMISSION = "registration.view_paymentimport"
PAYMENT_PERMISSION = "registration.add_payment"
STATISTICS_PERMISSION = "registration.view_statistics"
# Full ID numbers and phones leave the admin only with this permission (setup_roles: 教务).
PERSONAL_DATA_PERMISSION = "workspace.export_personal_data"

Predicate = Callable[..., bool]


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _group_names(user) -> frozenset[str]:
    cached = getattr(user, "_kwt_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._kwt_group_names = cached
    return cached


def _has(user, permission: str) -> bool:
    return _active(user) and (user.is_superuser or user.has_perm(permission))


# --- Predicates about a user -------------------------------------------------------------------


def is_signed_in(user) -> bool:
    """Any active account (pages every staff member may open, such as the password change)."""
    return _active(user)


def is_academic(user) -> bool:
    """教务 or superuser: sees every class of every round and runs the exam."""
    return _active(user) and (user.is_superuser or ACADEMIC_GROUP in _group_names(user))


def is_counselor(user) -> bool:
    return _active(user) and COUNSELOR_GROUP in _group_names(user)


def uses_workspace(user) -> bool:
    """Counselors, 教务 and superusers; finance may view registrations but has no classes."""
    if not (_active(user) and user.has_perm(WORKSPACE_PERMISSION)):
        return False
    return user.is_superuser or bool({COUNSELOR_GROUP, ACADEMIC_GROUP} & _group_names(user))


def is_finance(user) -> bool:
    """财务: uploads the finance office's payment lists."""
    return _has(user, PAYMENT_IMPORT_PERMISSION)


def may_view_payment_imports(user) -> bool:
    return _has(user, PAYMENT_IMPORT_VIEW_PERMISSION)


def may_record_payments(user) -> bool:
    return _has(user, PAYMENT_PERMISSION)


def may_read_statistics(user) -> bool:
    return _has(user, STATISTICS_PERMISSION)


def may_check_in(user) -> bool:
    """监考 (the rooms assigned to them) and 教务."""
    return is_academic(user) or _has(user, CHECK_IN_PERMISSION)


def may_enter_scores(user) -> bool:
    """考评员 (the rooms assigned to them) and 教务."""
    return is_academic(user) or _has(user, SCORE_ENTRY_PERMISSION)


def uses_training(user) -> bool:
    """Trainers, counselors and 教务: the training pages (which students: `training_scope`)."""
    return _has(user, ATTENDANCE_PERMISSION)


def manages_training(user) -> bool:
    """教务 and superusers: every training class of every round."""
    return _has(user, MANAGE_TRAINING_PERMISSION)


def may_see_personal_data(user) -> bool:
    """Full ID numbers and phones in Django admin (change form, history, export)."""
    return _has(user, PERSONAL_DATA_PERMISSION)


def may_edit_exchange_layouts(user) -> bool:
    """The national-platform exchange layouts are edited in Django admin."""
    return _active(user) and user.is_staff and _has(user, "workspace.change_exchangelayout")


# --- Predicates about a user and an object -----------------------------------------------------


def is_counselor_of(user, school_class) -> bool:
    return (
        school_class is not None and uses_workspace(user) and school_class.counselor_id == user.pk
    )


def reviews_registrations(user) -> bool:
    """The review permission, before any registration is at hand (a roster's bulk actions)."""
    return _active(user) and user.has_perm(REVIEW_PERMISSION)


def may_review(user, registration) -> bool:
    """Review needs the change permission and the registration's class in the user's scope."""
    if not (_active(user) and user.has_perm(REVIEW_PERMISSION)):
        return False
    return is_academic(user) or is_counselor_of(user, registration.school_class)


def is_invigilator_of(user, *, sitting, room) -> bool:
    if is_academic(user):
        return True
    return _active(user) and sitting.invigilations.filter(room=room, invigilator=user).exists()


def is_scorer_of(user, *, sitting, room) -> bool:
    """Only the 考评员 assigned to the room and sitting enter its scores (not 教务: blind entry)."""
    return _active(user) and sitting.scorer_assignments.filter(room=room, scorer=user).exists()


def is_trainer_of(user, training_class) -> bool:
    return _active(user) and training_class.trainers.filter(pk=user.pk).exists()


def may_mark_attendance(user, *, training_class, school_class) -> bool:
    """Attendance for one class (班级) of one training class; `school_class` may be None."""
    if not uses_training(user):
        return False
    if manages_training(user) or is_trainer_of(user, training_class):
        return True
    return school_class is not None and school_class.counselor_id == user.pk


def may_complete_training(user, *, training_class) -> bool:
    """Recording completion by hand is for 教务 and the class's trainers, not counselors."""
    return uses_training(user) and (manages_training(user) or is_trainer_of(user, training_class))


# --- Scope: the rows a user may see, as a filter ------------------------------------------------

NOTHING = Q(pk__in=[])


def _path(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


def class_scope(user, path: str = "") -> Q:
    """Classes (班级) at `path`: 教务 all, a counselor their own, anyone else none."""
    if is_academic(user):
        return Q()
    if uses_workspace(user):
        return Q(**{_path(path, "counselor"): user})
    return NOTHING


def registration_scope(user, path: str = "") -> Q:
    """Registrations at `path`: 教务 and finance all (finance sees them masked), a counselor
    those of their own classes, anyone else (trainers, invigilators, scorers) none."""
    if is_academic(user) or is_finance(user) or may_record_payments(user):
        return Q()
    if uses_workspace(user):
        return Q(**{_path(path, "school_class__counselor"): user})
    return NOTHING


def training_scope(user, *, training_class: str, registration: str | None = None) -> Q:
    """Rows of training at the paths given: 教务 all; a trainer those of their training classes;
    a counselor the training of their own classes' students (or, for rows without a registration,
    the training classes those students attend)."""
    if manages_training(user):
        return Q()
    if not uses_training(user):
        return NOTHING
    trainer = Q(**{_path(training_class, "trainers"): user})
    if registration is None:
        students = "enrollments__registration__school_class__counselor"
        own = Q(**{_path(training_class, students): user})
    else:
        own = Q(**{_path(registration, "school_class__counselor"): user})
    return trainer | own


def ledger_scope(user, path: str = "") -> Q:
    """Payment-list imports (whole files of many classes): finance and 教务 only."""
    return Q() if is_academic(user) or is_finance(user) else NOTHING


def audit_scope(user, path: str = "user") -> Q:
    """Audit rows of who did what: 教务 all, anyone else their own."""
    return Q() if is_academic(user) else Q(**{path: user})


# --- The gate ---------------------------------------------------------------------------------

DENIED = {
    "is_academic": _("此页面仅限教务使用。"),
    "uses_workspace": _(
        "此页面仅限辅导员和教务使用。请联系学校管理员在管理后台把账号加入“辅导员”或“教务”组。"
    ),
    "is_finance": _("此页面仅限财务人员使用。"),
    "may_view_payment_imports": _("此页面仅限财务人员使用。"),
    "may_record_payments": _("此页面仅限财务人员使用。"),
    "may_read_statistics": _("统计页面仅限教务和财务人员使用。"),
    "may_check_in": _("考场签到仅限监考人员和教务使用。"),
    "may_enter_scores": _("成绩录入仅限考评员和教务使用。"),
    "uses_training": _("培训点名仅限培训教师、辅导员和教务使用。"),
    "manages_training": _("此操作仅限教务使用。"),
}
DENIED_DEFAULT = _("您的账号没有访问此页面的权限。")


def denied_message(predicate: Predicate):
    return DENIED.get(getattr(predicate, "__name__", ""), DENIED_DEFAULT)


def require(allowed: bool, message=DENIED_DEFAULT) -> None:
    """For a check that needs an object first (a room, a class): refuse with the 403 page."""
    if not allowed:
        raise PermissionDenied(message)


def access_required(predicate: Predicate):
    """Decorator for a staff view: login first, then `predicate(request.user)` or a 403 page.

    The predicate is kept on the view (`view.access_predicate`), so the tests can walk the URL
    resolver and find every staff page and who may open it.
    """

    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require(predicate(request.user), denied_message(predicate))
            return view(request, *args, **kwargs)

        guarded.access_predicate = predicate
        return guarded

    return decorator


class AccessRequiredMixin:
    """`access_required` for class-based views: set `access_predicate`."""

    access_predicate: Predicate = staticmethod(is_signed_in)

    @classmethod
    def as_view(cls, **initkwargs):
        return access_required(cls.access_predicate)(super().as_view(**initkwargs))
